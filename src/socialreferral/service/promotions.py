"""The scheduled referral-promotion workflow (seed 000, Section 5.3) and reminders.

:func:`run_promotions` reads the CRM promotions updated since a stored watermark, targets
customers with the domain's :func:`target_customers` (relevance and social score) and
publishes each promotion to each target through the SocialChannel. :func:`send_reminders`
reminds the people holding offers not availed after ``remind_after_days``.

Idempotent across reruns: a publication is sent with a deterministic message id (the
channel drops a repeat) and *then* marked in ``promotion_posts``; the watermark moves
only after every promotion of the run is done. A crash re-publishes nothing visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from socialreferral.domain.crm import Product
from socialreferral.domain.people import Customer
from socialreferral.domain.promotions import due_reminders, target_customers
from socialreferral.domain.referrals import Offer, OfferStatus, message_id_for
from socialreferral.domain.settings import ReferralSettings
from socialreferral.domain.social import OutboundMessage
from socialreferral.ports import CRM, DocumentStore, SocialChannel
from socialreferral.service.records import Collections, count, iter_models, load, safe_key

WATERMARK_KEY = "promotions-watermark"


@dataclass(frozen=True)
class PromotionRun:
    """What a run did."""

    promotions: int
    published: int
    already_published: int
    watermark: datetime | None


def _relevance(customer: Customer, product: Product, referred: int) -> float:
    # Interest of a customer in a product, from what the bank knows: the segment the
    # product's category belongs to, plus the customer's past referrals of it.
    score = 0.4
    if product.category in customer.segments or product.product_id in customer.segments:
        score += 0.4
    return min(1.0, score + 0.1 * referred)


def run_promotions(
    *,
    store: DocumentStore,
    crm: CRM,
    social: SocialChannel,
    settings: ReferralSettings,
    network: str = "facebook",
    now: datetime | None = None,
) -> PromotionRun:
    """Publish new promotions to their target customers (see the module docstring)."""
    now = now or datetime.now(UTC)
    mark = store.find(Collections.STATE, WATERMARK_KEY)
    since = datetime.fromisoformat(mark.value["updated_at"]) if mark is not None else None
    promotions = crm.list_promotions(updated_since=since)
    if not promotions:
        return PromotionRun(0, 0, 0, since)
    products = {p.product_id: p for p in crm.list_products(active_only=False)}
    customers = []
    social_scores: dict[str, float] = {}
    for document in store.iter_query(Collections.ELIGIBILITY, {"eligible": True}):
        customer_id = str(document.value["_customer_id"])
        stored = store.find(Collections.CUSTOMERS, customer_id)
        if stored is None:
            continue
        customers.append(load(Customer, stored.value))
        social_scores[customer_id] = float(document.value.get("_influence", 0.0))
    published = repeated = 0
    for promotion in promotions:
        product = products.get(promotion.product_id)
        if product is None:
            continue
        scored = [
            (c, _relevance(c, product, count(store, Collections.OFFERS, {
                "referrer_id": c.customer_id, "product_id": product.product_id})))
            for c in customers
        ]
        targets = target_customers(promotion, product, scored, social_scores,
                                   settings.promotions, now)
        by_id = {c.customer_id: c for c in customers}
        for target in targets:
            key = safe_key(promotion.promotion_id, target.customer_id)
            if store.find(Collections.PROMOTION_POSTS, key) is not None:
                repeated += 1
                continue
            chosen = by_id[target.customer_id]
            recipient = chosen.person_id(network) or chosen.customer_id
            social.send(OutboundMessage(
                message_id=message_id_for(key, "promotion"), recipient_id=recipient,
                text=f"{promotion.title}: {promotion.text or product.name}. "
                     "Share it with friends who need it and earn a reward.",
                kind="promotion",
            ))
            store.put(Collections.PROMOTION_POSTS, key, {
                "promotion_id": promotion.promotion_id, "customer_id": target.customer_id,
                "score": target.score, "at": now.isoformat(),
                "explanation": target.explanation.model_dump(mode="json"),
            })
            published += 1
    watermark = max(p.updated_at for p in promotions)
    store.put(Collections.STATE, WATERMARK_KEY, {"updated_at": watermark.isoformat()})
    return PromotionRun(len(promotions), published, repeated, watermark)


def send_reminders(
    *,
    store: DocumentStore,
    social: SocialChannel,
    settings: ReferralSettings,
    now: datetime | None = None,
) -> int:
    """Remind holders of offers not availed after ``remind_after_days``; return how many.

    The prospect is reminded once the offer was recommended (they hold the link), the
    referrer while it is still waiting for their recommendation.
    """
    now = now or datetime.now(UTC)
    open_offers = [
        o for status in (OfferStatus.CREATED, OfferStatus.ASKED, OfferStatus.RECOMMENDED)
        for o in iter_models(store, Collections.OFFERS, Offer, {"status": status.value})
    ]
    sent = 0
    for offer in due_reminders(open_offers, now, settings.remind_after_days):
        document = store.get(Collections.OFFERS, offer.offer_id)
        person = document.value.get("_referrer_person_id") or offer.referrer_id
        recipient = offer.prospect_id if offer.status is OfferStatus.RECOMMENDED else person
        social.send(OutboundMessage(
            message_id=message_id_for(offer.offer_id, "reminder"), recipient_id=str(recipient),
            text=f"A reminder: {offer.text}", kind="reminder",
        ))
        store.update(Collections.OFFERS, offer.offer_id, _reminded(now))
        sent += 1
    return sent


def _reminded(now: datetime) -> Any:
    def change(current: dict[str, Any] | None) -> dict[str, Any]:
        assert current is not None
        meta = {k: v for k, v in current.items() if k.startswith("_")}
        return {**load(Offer, current).mark_reminded(now).model_dump(mode="json"), **meta}

    return change


def promotions_task(payload: dict[str, Any], index: int) -> None:
    """Batch task ``referral.promotions``: one run of promotions and reminders."""
    from socialreferral.bootstrap import build_providers
    from socialreferral.settings import settings_from_mapping

    settings = settings_from_mapping(payload.get("settings") or {}, source="task payload")
    with build_providers(settings) as providers:
        run_promotions(store=providers.store, crm=providers.crm, social=providers.social,
                       settings=settings.referral)
        send_reminders(store=providers.store, social=providers.social,
                       settings=settings.referral)


__all__ = ["PromotionRun", "promotions_task", "run_promotions", "send_reminders"]
