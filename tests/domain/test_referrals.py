"""Deterministic ids, life cycles and offer personalisation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from socialreferral.domain.crm import Product
from socialreferral.domain.referrals import (
    Offer,
    OfferStatus,
    Referral,
    ReferralStatus,
    Reward,
    RewardStatus,
    message_id_for,
    offer_id_for,
    personalise,
    referral_id_for,
    reward_id_for,
)

NOW = datetime(2026, 2, 1, tzinfo=UTC)


def test_ids_are_deterministic_and_distinct() -> None:
    assert offer_id_for("e1", "loan", "p1") == offer_id_for("e1", "loan", "p1")
    ids = {
        offer_id_for("e1", "loan", "p1"),
        offer_id_for("e1", "loan", "p2"),
        offer_id_for("e1", "card", "p1"),
        offer_id_for("e2", "loan", "p1"),
        offer_id_for("e1l", "oan", "p1"),  # same concatenation, different parts
    }
    assert len(ids) == 5
    assert referral_id_for("off_1") != referral_id_for("off_2")
    assert reward_id_for("ref_1", "lead_1") == reward_id_for("ref_1", "lead_1")
    assert message_id_for("off_1", "ask") != message_id_for("off_1", "reminder")


def test_ids_are_valid_record_ids() -> None:
    offer = Offer(
        offer_id=offer_id_for("facebook:1_2:add:status", "loan", "42"),
        event_id="facebook:1_2:add:status",
        product_id="loan",
        prospect_id="42",
        referrer_id="c1",
        created_at=NOW,
    )
    assert offer.offer_id.startswith("off_")


def _offer(status: OfferStatus = OfferStatus.CREATED) -> Offer:
    return Offer(
        offer_id="off_1",
        event_id="e1",
        product_id="loan",
        prospect_id="p1",
        referrer_id="c1",
        created_at=NOW,
        status=status,
    )


def test_offer_life_cycle() -> None:
    o = _offer().with_status(OfferStatus.ASKED).with_status(OfferStatus.RECOMMENDED)
    assert o.with_status(OfferStatus.AVAILED).status is OfferStatus.AVAILED
    assert o.with_status(OfferStatus.RECOMMENDED) == o  # repeated by a redelivery: fine
    with pytest.raises(ValueError):
        o.with_status(OfferStatus.CREATED)
    with pytest.raises(ValueError):
        _offer(OfferStatus.AVAILED).with_status(OfferStatus.EXPIRED)
    assert _offer().with_status(OfferStatus.EXPIRED).status is OfferStatus.EXPIRED


def test_reward_life_cycle_and_validation() -> None:
    r = Reward(
        reward_id="rwd_1",
        referral_id="ref_1",
        referrer_id="c1",
        lead_id="l1",
        amount=Decimal("12.50"),
        currency="EUR",
    )
    assert r.status is RewardStatus.PENDING_REVIEW
    assert r.with_status(RewardStatus.APPROVED).with_status(RewardStatus.PAID).status is (
        RewardStatus.PAID
    )
    with pytest.raises(ValueError):
        r.with_status(RewardStatus.PAID)  # never paid without approval
    with pytest.raises(ValidationError):
        Reward(
            reward_id="rwd_1",
            referral_id="ref_1",
            referrer_id="c1",
            lead_id="l1",
            amount=Decimal("-1"),
            currency="EUR",
        )
    with pytest.raises(ValidationError):
        Reward(
            reward_id="rwd_1",
            referral_id="ref_1",
            referrer_id="c1",
            lead_id="l1",
            amount=Decimal("1.001"),
            currency="eur",
        )


def test_referral_link_validity() -> None:
    ref = Referral(
        referral_id="ref_1",
        offer_id="off_1",
        referrer_id="c1",
        prospect_id="p1",
        product_id="loan",
        created_at=NOW,
        link_expires_at=NOW + timedelta(hours=72),
    )
    assert ref.link_valid_at(NOW + timedelta(hours=71))
    assert not ref.link_valid_at(NOW + timedelta(hours=72))
    used = ref.model_copy(update={"status": ReferralStatus.LEAD_CAPTURED})
    assert not used.link_valid_at(NOW)


def test_naive_times_rejected() -> None:
    with pytest.raises(ValidationError):
        Offer(
            offer_id="off_1",
            event_id="e1",
            product_id="loan",
            prospect_id="p1",
            referrer_id="c1",
            created_at=datetime(2026, 1, 1),
        )


def test_personalise() -> None:
    product = Product(product_id="car-loan", name="Car Loan")
    assert personalise(product, "Bob", "Ann") == (
        "Hi Bob, Ann thought you might like our Car Loan."
    )


def test_personalise_is_safe_with_hostile_templates_and_names() -> None:
    product = Product(
        product_id="p",
        name="Card",
        offer_template="{prospect.__class__} {0} {referrer}: {product} {unknown} {",
    )
    text = personalise(product, "  {referrer}  ", "")
    assert text == "{prospect.__class__} {0} a friend: Card {unknown} {"
    assert personalise(Product(product_id="p", name="Card"), "", "Ann").startswith("Hi there,")
