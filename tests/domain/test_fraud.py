"""Each fraud rule, alone and together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socialreferral.domain.crm import LeadInput
from socialreferral.domain.customers import Customer
from socialreferral.domain.fraud import (
    FraudCode,
    FraudRules,
    FraudVerdict,
    LeadContact,
    check_referral,
)
from socialreferral.domain.referrals import Referral, RewardStatus

NOW = datetime(2026, 4, 1, tzinfo=UTC)
RULES = FraudRules(attribution_window_days=30, velocity_max_leads_per_24h=3)
REFERRER = Customer(
    customer_id="c1",
    email="Ann@Example.com",
    phone="+44 20 7946 0000",
    social_accounts={"facebook": "fb-ann"},
)
PROSPECT = LeadContact(email="bob@example.com", phone="+442079461111", person_id="fb-bob")


def _referral(rid: str, referrer: str, days_ago: float) -> Referral:
    at = NOW - timedelta(days=days_ago)
    return Referral(
        referral_id=rid,
        offer_id=f"off_{rid}",
        referrer_id=referrer,
        prospect_id="fb-bob",
        product_id="loan",
        created_at=at,
        link_expires_at=at + timedelta(days=3),
    )


def _check(**kw: object) -> FraudVerdict:
    args: dict[str, object] = {
        "lead_contact": PROSPECT,
        "referrer": REFERRER,
        "prospect_is_customer": False,
        "prior_referrals_for_prospect": [],
        "referrer_recent_leads": [],
        "now": NOW,
        "rules": RULES,
    }
    args.update(kw)
    return check_referral(**args)  # type: ignore[arg-type]


def test_clean_referral() -> None:
    v = _check(prior_referrals_for_prospect=[_referral("r1", "c1", 1)])
    assert not v.needs_review
    assert v.first_referrer_id == "c1"
    assert v.recommended_status is RewardStatus.APPROVED


@pytest.mark.parametrize(
    "contact",
    [
        LeadContact(email="ann@example.com"),  # normalised like the CRM: case-insensitive
        LeadContact(phone="+44 (20) 7946-0000"),
        LeadContact(email="x@example.com", person_id="fb-ann"),
        LeadInput(name="Ann", email="ANN@example.com", product_id="loan"),
    ],
)
def test_self_referral(contact: object) -> None:
    v = _check(lead_contact=contact)
    assert v.codes == ("self_referral",)
    assert v.recommended_status is RewardStatus.REJECTED


def test_existing_customer() -> None:
    v = _check(prospect_is_customer=True)
    assert v.codes == ("existing_customer",)
    assert v.recommended_status is RewardStatus.PENDING_REVIEW


def test_first_referrer_keeps_credit_within_window() -> None:
    prior = [_referral("r2", "c1", 2), _referral("r1", "c9", 10)]
    v = _check(prior_referrals_for_prospect=prior)
    assert v.codes == ("already_referred",)
    assert v.first_referrer_id == "c9"
    assert "c9" in v.flags[0].detail
    assert v.recommended_status is RewardStatus.REJECTED


def test_earlier_referral_outside_window_does_not_count() -> None:
    prior = [_referral("r2", "c1", 2), _referral("r1", "c9", 31)]
    v = _check(prior_referrals_for_prospect=prior)
    assert not v.needs_review
    assert v.first_referrer_id == "c1"


def test_first_referrer_is_not_flagged() -> None:
    prior = [_referral("r1", "c1", 10), _referral("r2", "c9", 2)]
    assert not _check(prior_referrals_for_prospect=prior).needs_review


def test_velocity() -> None:
    two = [NOW - timedelta(hours=1), NOW - timedelta(hours=5)]
    assert not _check(referrer_recent_leads=two).needs_review
    three = [*two, NOW - timedelta(hours=23)]
    v = _check(referrer_recent_leads=three)
    assert v.codes == ("velocity",)
    old = [*two, NOW - timedelta(hours=25)]
    assert not _check(referrer_recent_leads=old).needs_review


def test_several_flags_are_all_reported() -> None:
    v = _check(lead_contact=LeadContact(email="ann@example.com"), prospect_is_customer=True)
    assert set(v.codes) == {FraudCode.SELF_REFERRAL, FraudCode.EXISTING_CUSTOMER}
    assert v.explanation.factor("self_referral").value == 1.0
