"""The scheduled referral-promotion workflow's pure parts (seed 000, Section 5.3).

New CRM promotions are published to the customers for whom they are relevant "depending
on their social score and past referrals" (Section 7.4), and customers who did not avail
an offer get one reminder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from pydantic import Field, model_validator

from socialreferral.domain._base import DomainModel
from socialreferral.domain._time import require_aware
from socialreferral.domain.crm import Product, Promotion
from socialreferral.domain.customers import Customer
from socialreferral.domain.explain import Explanation
from socialreferral.domain.referrals import Offer, OfferStatus


class PromotionTargeting(DomainModel):
    """How to rank customers for a promotion, and how many to reach in one run."""

    min_relevance: float = Field(default=0.3, ge=0.0, le=1.0)
    relevance_weight: float = Field(default=0.7, ge=0.0)
    social_weight: float = Field(default=0.3, ge=0.0)
    max_per_run: int = Field(default=500, ge=0)

    @model_validator(mode="after")
    def _some_weight(self) -> PromotionTargeting:
        if self.relevance_weight + self.social_weight <= 0:
            raise ValueError("relevance_weight + social_weight must be positive")
        return self


class Target(DomainModel):
    """A customer to publish the promotion to, with the score that ranked them."""

    customer_id: str
    score: float
    explanation: Explanation


def target_customers(
    promotion: Promotion,
    product: Product,
    customers_with_interest_scores: Sequence[tuple[Customer, float]],
    social_scores: Mapping[str, float],
    targeting: PromotionTargeting | None = None,
    now: datetime | None = None,
) -> list[Target]:
    """Customers to receive ``promotion``, best first, at most ``max_per_run``.

    A customer qualifies when not opted out, in one of ``promotion.target_segments`` (if
    any are given) and with interest (relevance, 0..1) at least ``min_relevance``. The
    score is the weighted mean of relevance and social score (missing social score = 0).
    Equal scores are ordered by ``customer_id`` so runs are repeatable. If ``now`` is
    given, a promotion outside its start/end dates, or on an inactive product, targets
    nobody.
    """
    rules = targeting or PromotionTargeting()
    if not product.active or product.product_id != promotion.product_id:
        return []
    if now is not None:
        require_aware(now)
        if now < promotion.starts_at or (
            promotion.ends_at is not None and now >= promotion.ends_at
        ):
            return []
    segments = set(promotion.target_segments)
    total = rules.relevance_weight + rules.social_weight
    best: dict[str, Target] = {}
    for customer, relevance in customers_with_interest_scores:
        if customer.opted_out or relevance < rules.min_relevance:
            continue
        if segments and not segments.intersection(customer.segments):
            continue
        social = min(1.0, max(0.0, social_scores.get(customer.customer_id, 0.0)))
        explanation = Explanation.from_weighted(
            f"{customer.customer_id} for {promotion.promotion_id}",
            [
                ("relevance", relevance, rules.relevance_weight / total, product.name),
                ("social_score", social, rules.social_weight / total),
            ],
        )
        target = Target(
            customer_id=customer.customer_id, score=explanation.total, explanation=explanation
        )
        current = best.get(customer.customer_id)
        if current is None or target.score > current.score:
            best[customer.customer_id] = target
    ranked = sorted(best.values(), key=lambda t: (-t.score, t.customer_id))
    return ranked[: rules.max_per_run]


_OPEN = frozenset({OfferStatus.CREATED, OfferStatus.ASKED, OfferStatus.RECOMMENDED})


def due_reminders(offers: Sequence[Offer], now: datetime, remind_after_days: float) -> list[Offer]:
    """Offers still open ``remind_after_days`` after creation and not reminded yet.

    Oldest first (ties by ``offer_id``). The caller sends the reminder and stores
    ``offer.mark_reminded(now)`` so the next run skips it.
    """
    require_aware(now)
    cutoff = now - timedelta(days=remind_after_days)
    due = [
        o for o in offers if o.status in _OPEN and o.reminded_at is None and o.created_at <= cutoff
    ]
    return sorted(due, key=lambda o: (o.created_at, o.offer_id))


__all__ = ["PromotionTargeting", "Target", "due_reminders", "target_customers"]
