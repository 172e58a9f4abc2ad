"""The [referral] settings section."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from socialreferral.domain.settings import ReferralSettings


def test_defaults_are_usable() -> None:
    s = ReferralSettings()
    assert s.contact_policy.max_offers_per_prospect == 2
    assert s.contact_policy.product_cooldown_days == 30
    assert s.link_ttl_hours > 0 and s.currency == "USD"


def test_from_mapping_with_overrides() -> None:
    s = ReferralSettings.model_validate(
        {
            "currency": "EUR",
            "contact_policy": {"max_asks_per_referrer": 3},
            "incentives": {"cap_per_reward": "30.00"},
        }
    )
    assert s.contact_policy.max_asks_per_referrer == 3
    assert str(s.incentives.cap_per_reward) == "30.00"


@pytest.mark.parametrize(
    "data",
    [
        {"currncy": "EUR"},
        {"contact_policy": {"max_offers": 3}},
        {"currency": "euro"},
        {"link_ttl_hours": 0},
    ],
)
def test_typos_and_bad_values_rejected(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ReferralSettings.model_validate(data)
