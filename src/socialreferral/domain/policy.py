"""The contact policy: a targeted referral must not turn into spam (seed 000, Section 1).

Rules, checked in this order (the first that fails is the reason):

1. an opted-out prospect or referrer is never contacted;
2. one offer per (prospect, product) per ``product_cooldown_days``;
3. at most ``max_offers_per_prospect`` offers to a prospect in any ``prospect_window_days``;
4. at most ``max_asks_per_referrer`` asks to a referrer in any ``referrer_window_days``.

Windows slide: a contact at time ``t`` counts against every decision in
``(t, t + window)``. Because :func:`decide` admits a contact only when the window ending
at ``now`` has room, the caps hold in every window of that length, not only in calendar
weeks (the property test in ``tests/domain/test_policy.py`` checks exactly this).
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain._time import require_aware
from socialreferral.domain.explain import Explanation, Factor


class ContactPolicy(DomainModel):
    """Caps and cool-downs for offers to prospects and asks to referrers."""

    max_offers_per_prospect: int = Field(default=2, ge=0)
    prospect_window_days: float = Field(default=7.0, gt=0)
    product_cooldown_days: float = Field(default=30.0, ge=0)
    max_asks_per_referrer: int = Field(default=5, ge=0)
    referrer_window_days: float = Field(default=7.0, gt=0)


class ContactRecord(DomainModel):
    """One past contact: ``referrer_id`` was asked to pass ``product_id`` to ``prospect_id``."""

    prospect_id: str = Field(min_length=1)
    referrer_id: str = Field(min_length=1)
    product_id: str = Field(min_length=1)
    at: AwareDatetime


class ContactHistory(DomainModel):
    """Past contacts, oldest first. Immutable: :meth:`record` returns a new history."""

    records: tuple[ContactRecord, ...] = ()

    def record(
        self, prospect_id: str, referrer_id: str, product_id: str, at: datetime
    ) -> ContactHistory:
        """A history with one more contact."""
        new = ContactRecord(
            prospect_id=prospect_id, referrer_id=referrer_id, product_id=product_id, at=at
        )
        return ContactHistory(records=(*self.records, new))

    def since(self, start: datetime) -> ContactHistory:
        """Only the contacts after ``start`` (older ones cannot affect any window)."""
        return ContactHistory(records=tuple(r for r in self.records if r.at > start))

    @classmethod
    def of(cls, records: Iterable[ContactRecord]) -> ContactHistory:
        """A history from records in any order (sorted by time)."""
        return cls(records=tuple(sorted(records, key=lambda r: r.at)))


class PolicyReason(StrEnum):
    ALLOWED = "allowed"
    PROSPECT_OPTED_OUT = "prospect_opted_out"
    REFERRER_OPTED_OUT = "referrer_opted_out"
    PRODUCT_COOLDOWN = "product_cooldown"
    PROSPECT_CAP = "prospect_cap"
    REFERRER_CAP = "referrer_cap"


class PolicyDecision(DomainModel):
    """Whether the contact may happen; ``reason`` is the first rule that refused it."""

    allowed: bool
    reason: PolicyReason
    explanation: Explanation


def longest_window(policy: ContactPolicy) -> timedelta:
    """How much history :func:`decide` can ever look at (prune older records)."""
    days = max(
        policy.prospect_window_days, policy.referrer_window_days, policy.product_cooldown_days
    )
    return timedelta(days=days)


def decide(
    policy: ContactPolicy,
    history: ContactHistory,
    prospect_id: str,
    referrer_id: str,
    product_id: str,
    now: datetime,
    opted_out: Set[str] = frozenset(),
) -> PolicyDecision:
    """May ``referrer_id`` be asked, at ``now``, to pass ``product_id`` to ``prospect_id``?

    ``opted_out`` holds the ids (prospects and referrers alike) who asked not to be
    contacted. The explanation lists the count seen for every rule, so a refused contact
    shows how far over the limit it was.
    """
    require_aware(now)
    prospect_start = now - timedelta(days=policy.prospect_window_days)
    referrer_start = now - timedelta(days=policy.referrer_window_days)
    cooldown_start = now - timedelta(days=policy.product_cooldown_days)
    to_prospect = sum(
        1 for r in history.records if r.prospect_id == prospect_id and r.at > prospect_start
    )
    by_referrer = sum(
        1 for r in history.records if r.referrer_id == referrer_id and r.at > referrer_start
    )
    same_product = [
        r.at
        for r in history.records
        if r.prospect_id == prospect_id and r.product_id == product_id and r.at > cooldown_start
    ]
    factors = (
        Factor(
            name="prospect_opted_out",
            value=float(prospect_id in opted_out),
            weight=1.0,
            contribution=0.0,
        ),
        Factor(
            name="referrer_opted_out",
            value=float(referrer_id in opted_out),
            weight=1.0,
            contribution=0.0,
        ),
        Factor(
            name="same_product_recent",
            value=float(len(same_product)),
            weight=1.0,
            contribution=0.0,
            note=f"cool-down {policy.product_cooldown_days:g} days",
        ),
        Factor(
            name="offers_to_prospect",
            value=float(to_prospect),
            weight=1.0,
            contribution=0.0,
            note=f"cap {policy.max_offers_per_prospect} per {policy.prospect_window_days:g} days",
        ),
        Factor(
            name="asks_to_referrer",
            value=float(by_referrer),
            weight=1.0,
            contribution=0.0,
            note=f"cap {policy.max_asks_per_referrer} per {policy.referrer_window_days:g} days",
        ),
    )
    if prospect_id in opted_out:
        reason, text = PolicyReason.PROSPECT_OPTED_OUT, f"{prospect_id} opted out"
    elif referrer_id in opted_out:
        reason, text = PolicyReason.REFERRER_OPTED_OUT, f"{referrer_id} opted out"
    elif same_product:
        reason = PolicyReason.PRODUCT_COOLDOWN
        text = (
            f"{prospect_id} was offered {product_id} at {max(same_product).isoformat()}, "
            f"within the {policy.product_cooldown_days:g}-day cool-down"
        )
    elif to_prospect >= policy.max_offers_per_prospect:
        reason = PolicyReason.PROSPECT_CAP
        text = (
            f"{prospect_id} already had {to_prospect} offers in "
            f"{policy.prospect_window_days:g} days (cap {policy.max_offers_per_prospect})"
        )
    elif by_referrer >= policy.max_asks_per_referrer:
        reason = PolicyReason.REFERRER_CAP
        text = (
            f"{referrer_id} was already asked {by_referrer} times in "
            f"{policy.referrer_window_days:g} days (cap {policy.max_asks_per_referrer})"
        )
    else:
        reason, text = PolicyReason.ALLOWED, "within every cap and cool-down"
    return PolicyDecision(
        allowed=reason is PolicyReason.ALLOWED,
        reason=reason,
        explanation=Explanation(summary=text, factors=factors),
    )


__all__ = [
    "ContactHistory",
    "ContactPolicy",
    "ContactRecord",
    "PolicyDecision",
    "PolicyReason",
    "decide",
    "longest_window",
]
