"""The scheduled referral-promotion workflow (seed 000, Section 5.3) and reminders.

:func:`run_promotions` reads the CRM promotions updated since a stored watermark, targets
customers with the domain's :func:`target_customers` (relevance and social score) and
publishes each promotion to each target through the SocialChannel. :func:`send_reminders`
reminds the people holding offers not availed after ``remind_after_days``.

Idempotent across reruns: a publication is sent with a deterministic message id (the
channel drops a repeat) and *then* recorded; the watermark moves only after every
promotion of the run is done. A crash re-publishes nothing visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from socialreferral.domain.crm import Product
from socialreferral.domain.customers import Customer
from socialreferral.domain.promotions import due_reminders, target_customers
from socialreferral.domain.referrals import OfferStatus, message_id_for
from socialreferral.domain.settings import ReferralSettings
from socialreferral.domain.social import OutboundMessage
from socialreferral.ports import CRM, SocialChannel
from socialreferral.repositories import Repositories
from socialreferral.repositories.promotions import publication_key

WATERMARK = "promotions-watermark"


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
    repositories: Repositories,
    crm: CRM,
    social: SocialChannel,
    settings: ReferralSettings,
    network: str = "facebook",
    now: datetime | None = None,
) -> PromotionRun:
    """Publish new promotions to their target customers (see the module docstring)."""
    now = now or datetime.now(UTC)
    since = repositories.promotions.watermark(WATERMARK)
    promotions = crm.list_promotions(updated_since=since)
    if not promotions:
        return PromotionRun(0, 0, 0, since)
    products = {p.product_id: p for p in crm.list_products(active_only=False)}
    customers: dict[str, Customer] = {}
    social_scores: dict[str, float] = {}
    for facts in repositories.graph.eligible():
        customer = repositories.customers.get(facts.customer_id)
        if customer is not None and customer.customer_id not in customers:
            customers[customer.customer_id] = customer
            social_scores[customer.customer_id] = facts.influence
    published = repeated = 0
    for promotion in promotions:
        product = products.get(promotion.product_id)
        if product is None:
            continue
        scored = [(c, _relevance(c, product, repositories.referrals.count_offers(
            c.customer_id, product.product_id))) for c in customers.values()]
        for target in target_customers(promotion, product, scored, social_scores,
                                       settings.promotions, now):
            if repositories.promotions.published(promotion.promotion_id, target.customer_id):
                repeated += 1
                continue
            chosen = customers[target.customer_id]
            social.send(OutboundMessage(
                message_id=message_id_for(
                    publication_key(promotion.promotion_id, target.customer_id), "promotion"),
                recipient_id=chosen.person_id(network) or chosen.customer_id,
                text=f"{promotion.title}: {promotion.text or product.name}. "
                     "Share it with friends who need it and earn a reward.",
                kind="promotion",
            ))
            repositories.promotions.record_publication(
                promotion.promotion_id, target.customer_id, score=target.score,
                explanation=target.explanation, at=now)
            published += 1
    watermark = max(p.updated_at for p in promotions)
    repositories.promotions.set_watermark(WATERMARK, watermark)
    return PromotionRun(len(promotions), published, repeated, watermark)


def send_reminders(
    *,
    repositories: Repositories,
    social: SocialChannel,
    settings: ReferralSettings,
    now: datetime | None = None,
) -> int:
    """Remind holders of offers not availed after ``remind_after_days``; return how many.

    The prospect is reminded once the offer was recommended (they hold the link), the
    referrer while it is still waiting for their recommendation.
    """
    now = now or datetime.now(UTC)
    referrals = repositories.referrals
    sent = 0
    for offer in due_reminders(referrals.open_offers(), now, settings.remind_after_days):
        if offer.status is OfferStatus.RECOMMENDED:
            recipient = offer.prospect_id
        else:
            recipient = referrals.referrer_account(offer.offer_id) or offer.referrer_id
        social.send(OutboundMessage(
            message_id=message_id_for(offer.offer_id, "reminder"), recipient_id=recipient,
            text=f"A reminder: {offer.text}", kind="reminder",
        ))
        referrals.mark_reminded(offer.offer_id, now)
        sent += 1
    return sent


__all__ = ["WATERMARK", "PromotionRun", "run_promotions", "send_reminders"]
