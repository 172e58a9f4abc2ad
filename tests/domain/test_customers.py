"""Customers and consent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from socialreferral.domain.customers import Consent, Customer

T = datetime(2026, 1, 1, tzinfo=UTC)


def test_customer_contacts_normalised_and_accounts() -> None:
    c = Customer(
        customer_id="c1",
        email=" Ann@Example.COM ",
        phone="+44 20 7946 0000",
        social_accounts={"facebook": "fb1"},
    )
    assert c.email == "ann@example.com" and c.phone == "+442079460000"
    assert c.person_id("facebook") == "fb1" and c.person_id("x") is None
    assert c.owns("facebook", "fb1") and not c.owns("x", "fb1")


@pytest.mark.parametrize(
    "field",
    [{"customer_value": 1.5}, {"email": "nope"}, {"customer_id": "has space"}, {"colour": "red"}],
)
def test_customer_validation(field: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Customer.model_validate({"customer_id": "c1", **field})


def test_consent_active_and_revoke() -> None:
    c = Consent(
        customer_id="c1", network="facebook", person_id="fb1", scopes=("user_posts",), granted_at=T
    )
    assert c.active and c.allows("user_posts") and not c.allows("user_friends")
    r = c.revoke(T + timedelta(days=5))
    assert not r.active and not r.allows("user_posts")
    assert r.active_at(T + timedelta(days=4)) and not r.active_at(T + timedelta(days=5))
    assert not c.active_at(T - timedelta(seconds=1))
    assert r.revoke(T + timedelta(days=9)).revoked_at == T + timedelta(days=5)
