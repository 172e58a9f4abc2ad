"""Incentives: signals raise the amount, caps bind, and the explanation adds up."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from socialreferral.domain.customers import Customer
from socialreferral.domain.incentives import IncentiveRules, compute_incentive

RULES = IncentiveRules(
    base_amount=Decimal("10"),
    cap_per_reward=Decimal("25"),
    monthly_cap_per_referrer=Decimal("100"),
)


def _c(value: float = 0.0) -> Customer:
    return Customer(customer_id="c1", customer_value=value)


def test_base_only_for_a_new_low_value_referrer() -> None:
    inc = compute_incentive(_c(), 0, 0, 0.0, Decimal("0"), RULES)
    assert inc.amount == Decimal("10.00") and not inc.capped


def test_each_signal_raises_the_amount() -> None:
    base = compute_incentive(_c(), 0, 0, 0.0, Decimal("0"), RULES).amount
    assert compute_incentive(_c(0.8), 0, 0, 0.0, Decimal("0"), RULES).amount > base
    assert compute_incentive(_c(), 5, 0, 0.0, Decimal("0"), RULES).amount > base
    assert compute_incentive(_c(), 0, 300, 0.0, Decimal("0"), RULES).amount > base
    assert compute_incentive(_c(), 0, 0, 0.7, Decimal("0"), RULES).amount > base


def test_past_referrals_have_diminishing_returns() -> None:
    amounts = [
        compute_incentive(_c(), n, 0, 0.0, Decimal("0"), RULES).amount for n in (0, 1, 2, 10, 11)
    ]
    assert amounts[1] - amounts[0] > amounts[2] - amounts[1] >= 0
    assert amounts[1] - amounts[0] > amounts[4] - amounts[3]


def test_per_reward_cap() -> None:
    inc = compute_incentive(_c(1.0), 100, 10_000, 1.0, Decimal("0"), RULES)
    assert inc.uncapped_amount > Decimal("25")
    assert inc.amount == Decimal("25.00") and inc.capped
    assert "per-reward cap" in inc.explanation.summary


def test_monthly_cap() -> None:
    inc = compute_incentive(_c(), 0, 0, 0.0, Decimal("95"), RULES)
    assert inc.amount == Decimal("5.00") and inc.capped
    assert "monthly cap" in inc.explanation.summary
    spent = compute_incentive(_c(), 0, 0, 0.0, Decimal("120"), RULES)
    assert spent.amount == Decimal("0.00")


@given(
    value=st.floats(0, 1),
    past=st.integers(0, 200),
    capital=st.integers(0, 100_000),
    influence=st.floats(0, 1),
    paid=st.decimals(min_value=0, max_value=150, places=2),
)
def test_explanation_sums_to_amount_and_caps_hold(
    value: float, past: int, capital: int, influence: float, paid: Decimal
) -> None:
    inc = compute_incentive(_c(value), past, capital, influence, paid, RULES)
    total = sum((Decimal(str(f.contribution)) for f in inc.explanation.factors), Decimal(0))
    assert total.quantize(Decimal("0.01")) == inc.amount
    assert inc.amount <= RULES.cap_per_reward
    assert paid + inc.amount <= max(RULES.monthly_cap_per_referrer, paid)
    assert inc.explanation.names()[:5] == [
        "base",
        "customer_value",
        "past_referrals",
        "social_capital",
        "influence",
    ]
