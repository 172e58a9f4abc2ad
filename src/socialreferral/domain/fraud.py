"""Fraud checks on a captured referral lead (DESIGN.md, flow 3).

Rules:

* ``self_referral`` — the lead's e-mail, phone or social person id is the referrer's own;
* ``existing_customer`` — the prospect is already a customer (nothing was acquired);
* ``already_referred`` — another referrer referred the same prospect earlier within the
  attribution window: the first referrer keeps the credit;
* ``velocity`` — the referrer produced more than ``velocity_max_leads_per_24h`` leads in the
  last 24 hours (including this one).

Any flag sends the reward to review. :attr:`FraudVerdict.recommended_status` suggests a
status: facts the system is sure of (self-referral, credit belongs to someone else) reject;
judgement calls (existing customer data may be stale, a burst may be genuine) await review.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain._time import require_aware
from socialreferral.domain.crm import (
    ContactEmail,
    ContactPhone,
    Lead,
    LeadInput,
)
from socialreferral.domain.customers import Customer
from socialreferral.domain.explain import Explanation, Factor
from socialreferral.domain.referrals import Referral, RewardStatus


class FraudRules(DomainModel):
    """Attribution window and velocity limit."""

    attribution_window_days: float = Field(default=30.0, gt=0)
    velocity_max_leads_per_24h: int = Field(default=10, ge=1)


class FraudCode(StrEnum):
    SELF_REFERRAL = "self_referral"
    EXISTING_CUSTOMER = "existing_customer"
    ALREADY_REFERRED = "already_referred"
    VELOCITY = "velocity"


_REJECTING = frozenset({FraudCode.SELF_REFERRAL, FraudCode.ALREADY_REFERRED})


class FraudFlag(DomainModel):
    code: FraudCode
    detail: str


class LeadContact(DomainModel):
    """How to reach the prospect, normalised like the CRM does, plus their social id."""

    email: ContactEmail = None
    phone: ContactPhone = None
    person_id: str | None = None

    @classmethod
    def of(cls, lead: Lead | LeadInput, person_id: str | None = None) -> LeadContact:
        """The contact details of a lead (already normalised by the CRM models)."""
        return cls(email=lead.email, phone=lead.phone, person_id=person_id)


class FraudVerdict(DomainModel):
    """Flags raised, who holds the credit for this prospect, and a suggested status."""

    flags: tuple[FraudFlag, ...] = ()
    first_referrer_id: str | None = None
    explanation: Explanation

    @property
    def needs_review(self) -> bool:
        """True when any rule raised a flag."""
        return bool(self.flags)

    @property
    def codes(self) -> tuple[str, ...]:
        """The flag codes, in the order raised (what a ``Reward`` stores in ``flags``)."""
        return tuple(f.code.value for f in self.flags)

    @property
    def recommended_status(self) -> RewardStatus:
        """REJECTED for certain fraud, PENDING_REVIEW for other flags, else APPROVED."""
        if any(f.code in _REJECTING for f in self.flags):
            return RewardStatus.REJECTED
        return RewardStatus.PENDING_REVIEW if self.flags else RewardStatus.APPROVED


def check_referral(
    lead_contact: LeadContact | Lead | LeadInput,
    referrer: Customer,
    prospect_is_customer: bool,
    prior_referrals_for_prospect: Sequence[Referral],
    referrer_recent_leads: Sequence[datetime],
    now: datetime,
    rules: FraudRules,
) -> FraudVerdict:
    """Apply every rule to a lead captured through one of ``referrer``'s referrals.

    ``prior_referrals_for_prospect`` are the referrals (by anyone, this one included or
    not) to the same prospect; ``referrer_recent_leads`` the times of the referrer's earlier
    leads (older ones are ignored).
    """
    require_aware(now)
    contact = (
        lead_contact if isinstance(lead_contact, LeadContact) else LeadContact.of(lead_contact)
    )
    flags: list[FraudFlag] = []

    same = []
    if contact.email and contact.email == referrer.email:
        same.append("e-mail")
    if contact.phone and contact.phone == referrer.phone:
        same.append("phone")
    if contact.person_id and contact.person_id in referrer.social_accounts.values():
        same.append("social account")
    if same:
        flags.append(
            FraudFlag(
                code=FraudCode.SELF_REFERRAL,
                detail=f"lead has the referrer's own {', '.join(same)}",
            )
        )

    if prospect_is_customer:
        flags.append(
            FraudFlag(code=FraudCode.EXISTING_CUSTOMER, detail="the prospect is already a customer")
        )

    window_start = now - timedelta(days=rules.attribution_window_days)
    in_window = sorted(
        (r for r in prior_referrals_for_prospect if window_start < r.created_at <= now),
        key=lambda r: (r.created_at, r.referral_id),
    )
    first_referrer_id = in_window[0].referrer_id if in_window else referrer.customer_id
    if first_referrer_id != referrer.customer_id:
        flags.append(
            FraudFlag(
                code=FraudCode.ALREADY_REFERRED,
                detail=f"{first_referrer_id} referred this prospect first "
                f"({in_window[0].created_at.isoformat()}) and keeps the credit",
            )
        )

    day_ago = now - timedelta(hours=24)
    recent = sum(1 for at in referrer_recent_leads if day_ago < at <= now) + 1
    if recent > rules.velocity_max_leads_per_24h:
        flags.append(
            FraudFlag(
                code=FraudCode.VELOCITY,
                detail=f"{recent} leads in 24 hours (limit {rules.velocity_max_leads_per_24h})",
            )
        )

    factors = tuple(
        Factor(
            name=code.value,
            value=float(any(f.code is code for f in flags)),
            weight=1.0,
            contribution=0.0,
        )
        for code in FraudCode
    )
    summary = (
        "flagged: " + "; ".join(f"{f.code.value} ({f.detail})" for f in flags)
        if flags
        else "no fraud rule matched"
    )
    return FraudVerdict(
        flags=tuple(flags),
        first_referrer_id=first_referrer_id,
        explanation=Explanation(summary=summary, factors=factors),
    )


__all__ = [
    "FraudCode",
    "FraudFlag",
    "FraudRules",
    "FraudVerdict",
    "LeadContact",
    "check_referral",
]
