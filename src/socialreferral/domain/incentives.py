"""Personalised incentives for referrers (seed 000, Section 2).

"The worth of the incentive is based on customer value, the user's past recommendations,
and social factors like social capital and social influence." The amount is

    base * (1 + w_value * value + w_past * past + w_capital * capital + w_influence * influence)

with every signal normalised to 0..1. Past successful referrals and social capital grow
logarithmically (``log1p(n) / log1p(scale)``, capped at 1): the tenth referral is worth
less extra than the first, which keeps a prolific referrer from running away with the
budget. The result is capped per reward and by what is left of the referrer's monthly cap.

The explanation has one factor per term plus a ``cap`` factor (negative when the cap bites);
the contributions, in money, add up to the amount exactly.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain.customers import Customer
from socialreferral.domain.explain import Explanation, Factor

_CENT = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


class IncentiveRules(DomainModel):
    """Base amount, weights of the four signals, their scales, and the caps."""

    base_amount: Decimal = Field(default=Decimal("10.00"), ge=0)
    weight_customer_value: float = Field(default=0.5, ge=0)
    weight_past_referrals: float = Field(default=0.5, ge=0)
    weight_social_capital: float = Field(default=0.3, ge=0)
    weight_influence: float = Field(default=0.5, ge=0)
    past_referrals_scale: int = Field(default=20, ge=1, description="count that scores 1.0")
    social_capital_scale: int = Field(default=1000, ge=1, description="connections for 1.0")
    cap_per_reward: Decimal = Field(default=Decimal("50.00"), ge=0)
    monthly_cap_per_referrer: Decimal = Field(default=Decimal("200.00"), ge=0)


class Incentive(DomainModel):
    """The amount offered, whether a cap reduced it, and the per-factor arithmetic."""

    amount: Decimal
    uncapped_amount: Decimal
    capped: bool
    explanation: Explanation


def _log_scale(count: int, scale: int) -> float:
    return min(1.0, math.log1p(max(0, count)) / math.log1p(scale))


def compute_incentive(
    referrer: Customer,
    past_successful: int,
    social_capital: int,
    influence: float,
    paid_this_month: Decimal,
    rules: IncentiveRules,
) -> Incentive:
    """The incentive for one successful referral by ``referrer``.

    ``social_capital`` is the referrer's number of connections, ``influence`` a score in
    0..1 and ``paid_this_month`` what the referrer already earned this month (approved or
    paid rewards), which the monthly cap counts against.
    """
    base = _money(rules.base_amount)
    signals = [
        (
            "customer_value",
            referrer.customer_value,
            rules.weight_customer_value,
            f"customer value {referrer.customer_value:.2f}",
        ),
        (
            "past_referrals",
            _log_scale(past_successful, rules.past_referrals_scale),
            rules.weight_past_referrals,
            f"{past_successful} successful referrals before",
        ),
        (
            "social_capital",
            _log_scale(social_capital, rules.social_capital_scale),
            rules.weight_social_capital,
            f"{social_capital} connections",
        ),
        (
            "influence",
            min(1.0, max(0.0, influence)),
            rules.weight_influence,
            f"influence {influence:.2f}",
        ),
    ]
    factors = [
        Factor(
            name="base", value=float(base), weight=1.0, contribution=float(base), note="base amount"
        )
    ]
    uncapped = base
    for name, value, weight, note in signals:
        # Each term is rounded to cents on its own so the explanation adds up to the cent.
        money = _money(base * Decimal(str(value)) * Decimal(str(weight)))
        uncapped += money
        factors.append(
            Factor(
                name=name,
                value=value,
                weight=weight * float(base),
                contribution=float(money),
                note=note,
            )
        )
    room = max(Decimal("0"), _money(rules.monthly_cap_per_referrer) - _money(paid_this_month))
    limit = min(_money(rules.cap_per_reward), room)
    amount = min(uncapped, limit)
    capped = amount < uncapped
    if capped:
        which = "per-reward cap" if limit == _money(rules.cap_per_reward) else "monthly cap"
        factors.append(
            Factor(
                name="cap",
                value=float(limit),
                weight=1.0,
                contribution=float(amount - uncapped),
                note=f"{which}: {limit} left",
            )
        )
        summary = f"incentive {amount} (capped from {uncapped} by the {which})"
    else:
        summary = f"incentive {amount}"
    return Incentive(
        amount=amount,
        uncapped_amount=uncapped,
        capped=capped,
        explanation=Explanation(summary=summary, factors=tuple(factors)),
    )


__all__ = ["Incentive", "IncentiveRules", "compute_incentive"]
