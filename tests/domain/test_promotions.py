"""Promotion targeting and reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from socialreferral.domain.crm import Product, Promotion
from socialreferral.domain.customers import Customer
from socialreferral.domain.promotions import PromotionTargeting, due_reminders, target_customers
from socialreferral.domain.referrals import Offer, OfferStatus

NOW = datetime(2026, 5, 1, tzinfo=UTC)
PRODUCT = Product(product_id="loan", name="Home Loan")
PROMO = Promotion(
    promotion_id="pr1",
    product_id="loan",
    title="Spring rates",
    starts_at=NOW - timedelta(days=1),
    updated_at=NOW,
)
RULES = PromotionTargeting(
    min_relevance=0.3, relevance_weight=0.5, social_weight=0.5, max_per_run=10
)


def _c(cid: str, **kw: object) -> Customer:
    return Customer(customer_id=cid, **kw)  # type: ignore[arg-type]


def test_ranked_by_weighted_relevance_and_social_score() -> None:
    targets = target_customers(
        PROMO,
        PRODUCT,
        [(_c("a"), 0.9), (_c("b"), 0.5), (_c("c"), 0.6), (_c("low"), 0.2)],
        {"a": 0.1, "b": 1.0, "c": 0.5},
        RULES,
    )
    assert [t.customer_id for t in targets] == ["b", "c", "a"]
    assert targets[0].score == 0.75
    assert targets[0].explanation.total == targets[0].score


def test_filters_opt_outs_segments_and_cap() -> None:
    promo = PROMO.model_copy(update={"target_segments": ("gold",)})
    cands = [
        (_c("a", segments=("gold",)), 0.9),
        (_c("b", segments=("silver",)), 0.9),
        (_c("c", segments=("gold",), opted_out=True), 0.9),
        (_c("d", segments=("gold",)), 0.8),
    ]
    got = target_customers(promo, PRODUCT, cands, {}, RULES)
    assert [t.customer_id for t in got] == ["a", "d"]
    capped = target_customers(
        promo, PRODUCT, cands, {}, RULES.model_copy(update={"max_per_run": 1})
    )
    assert [t.customer_id for t in capped] == ["a"]


def test_promotion_dates_and_product() -> None:
    cands = [(_c("a"), 0.9)]
    ended = PROMO.model_copy(update={"ends_at": NOW})
    assert target_customers(ended, PRODUCT, cands, {}, RULES, now=NOW) == []
    assert target_customers(PROMO, PRODUCT, cands, {}, RULES, now=NOW)
    future = PROMO.model_copy(update={"starts_at": NOW + timedelta(days=1)})
    assert target_customers(future, PRODUCT, cands, {}, RULES, now=NOW) == []
    inactive = PRODUCT.model_copy(update={"active": False})
    assert target_customers(PROMO, inactive, cands, {}, RULES) == []


def _offer(
    oid: str, days_old: float, status: OfferStatus = OfferStatus.ASKED, reminded: bool = False
) -> Offer:
    return Offer(
        offer_id=oid,
        event_id="e",
        product_id="loan",
        prospect_id="p",
        referrer_id="c",
        created_at=NOW - timedelta(days=days_old),
        status=status,
        reminded_at=NOW if reminded else None,
    )


def test_due_reminders() -> None:
    offers = [
        _offer("off_new", 1),
        _offer("off_due2", 3),
        _offer("off_due1", 5, OfferStatus.RECOMMENDED),
        _offer("off_availed", 9, OfferStatus.AVAILED),
        _offer("off_expired", 9, OfferStatus.EXPIRED),
        _offer("off_reminded", 9, reminded=True),
    ]
    due = due_reminders(offers, NOW, remind_after_days=3)
    assert [o.offer_id for o in due] == ["off_due1", "off_due2"]
    marked = [o.mark_reminded(NOW) for o in due]
    assert due_reminders(marked, NOW + timedelta(days=10), 3) == []
