"""Offers, referrals and rewards, with deterministic ids (seed 000, Sections 2 and 5).

Every id is derived from what the record is about, never from a clock or a random
generator: a queue message delivered twice, or a worker killed half way and restarted,
computes the same ids again, and create-only writes in the document store then turn the
second attempt into a no-op. That is how "each offer, lead and reward exactly once" holds.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain.crm import Product
from socialreferral.domain.explain import Explanation

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"


def _derived_id(prefix: str, *parts: str) -> str:
    # The unit separator cannot occur in ids, so ("a", "bc") and ("ab", "c") differ.
    digest = hashlib.sha256("\x1f".join((prefix, *parts)).encode("utf-8")).hexdigest()
    return f"{prefix}_{digest[:32]}"


def offer_id_for(event_id: str, product_id: str, prospect_id: str) -> str:
    """The offer for ``prospect_id`` about ``product_id`` triggered by ``event_id``."""
    return _derived_id("off", event_id, product_id, prospect_id)


def referral_id_for(offer_id: str) -> str:
    """The referral created when the referrer recommends offer ``offer_id`` (one per offer)."""
    return _derived_id("ref", offer_id)


def lead_id_for(referral_id: str) -> str:
    """The CRM lead id a referral's form creates (the CRM may answer with an older lead of
    the same person instead: leads are de-duplicated on e-mail and phone)."""
    return _derived_id("lead", referral_id)


def reward_id_for(referral_id: str, lead_id: str) -> str:
    """The reward for the lead ``lead_id`` captured through ``referral_id``."""
    return _derived_id("rwd", referral_id, lead_id)


def message_id_for(record_id: str, purpose: str) -> str:
    """Id of an outbound message (``purpose`` e.g. "ask", "offer", "reminder")."""
    return _derived_id("msg", record_id, purpose)


def opportunity_id_for(event_id: str, product_id: str, prospect_id: str) -> str:
    """Id of the CRM opportunity opened for a manual offer."""
    return _derived_id("opp", event_id, product_id, prospect_id)


class OfferKind(StrEnum):
    PERSONALISED = "personalised"
    MANUAL = "manual"


class OfferStatus(StrEnum):
    CREATED = "created"
    ASKED = "asked"
    RECOMMENDED = "recommended"
    AVAILED = "availed"
    EXPIRED = "expired"


# Forward moves only; expiry is possible from any state that is not final.
_OFFER_MOVES: dict[OfferStatus, frozenset[OfferStatus]] = {
    OfferStatus.CREATED: frozenset({OfferStatus.ASKED, OfferStatus.EXPIRED}),
    OfferStatus.ASKED: frozenset({OfferStatus.RECOMMENDED, OfferStatus.EXPIRED}),
    OfferStatus.RECOMMENDED: frozenset({OfferStatus.AVAILED, OfferStatus.EXPIRED}),
    OfferStatus.AVAILED: frozenset(),
    OfferStatus.EXPIRED: frozenset(),
}


class Offer(DomainModel):
    """An offer for a prospect, to be passed on by a referrer (the conduit)."""

    offer_id: str = Field(pattern=_ID)
    event_id: str = Field(min_length=1, max_length=256)
    product_id: str = Field(pattern=_ID)
    prospect_id: str = Field(min_length=1, max_length=128)
    referrer_id: str = Field(min_length=1, max_length=128)
    text: str = Field(default="", max_length=8000)
    kind: OfferKind = OfferKind.PERSONALISED
    status: OfferStatus = OfferStatus.CREATED
    created_at: AwareDatetime
    reminded_at: AwareDatetime | None = None
    explanation: Explanation = Explanation(summary="")

    def with_status(self, status: OfferStatus) -> Offer:
        """A copy in ``status``; ``ValueError`` for a move the life cycle does not allow.

        Setting the current status again is allowed (a redelivered message repeats it).
        """
        if status != self.status and status not in _OFFER_MOVES[self.status]:
            raise ValueError(f"offer {self.offer_id}: cannot go from {self.status} to {status}")
        return self.model_copy(update={"status": status})

    def mark_reminded(self, at: datetime) -> Offer:
        """A copy recording that a reminder was sent at ``at``."""
        return self.model_copy(update={"reminded_at": at})


class PendingManualOffer(DomainModel):
    """A manual-offer product matched for a prospect, waiting for the bank's answer on the
    CRM opportunity ``opportunity_id`` (seed 000: offers the bank words itself)."""

    opportunity_id: str = Field(pattern=_ID)
    event_id: str = Field(min_length=1, max_length=256)
    network: str = Field(min_length=1, max_length=32)
    product_id: str = Field(pattern=_ID)
    prospect_id: str = Field(min_length=1, max_length=128)
    referrer_id: str = Field(min_length=1, max_length=128)
    accepted_at: float = Field(ge=0)
    explanation: Explanation = Explanation(summary="")


class ReferralStatus(StrEnum):
    ISSUED = "issued"
    LEAD_CAPTURED = "lead_captured"
    EXPIRED = "expired"
    REVOKED = "revoked"


class Referral(DomainModel):
    """A recommendation sent: the prospect holds a signed link until ``link_expires_at``."""

    referral_id: str = Field(pattern=_ID)
    offer_id: str = Field(pattern=_ID)
    referrer_id: str = Field(min_length=1, max_length=128)
    prospect_id: str = Field(min_length=1, max_length=128)
    product_id: str = Field(pattern=_ID)
    created_at: AwareDatetime
    link_expires_at: AwareDatetime
    status: ReferralStatus = ReferralStatus.ISSUED

    def link_valid_at(self, now: datetime) -> bool:
        """True if the link may still be used at ``now``."""
        return self.status is ReferralStatus.ISSUED and now < self.link_expires_at


class RewardStatus(StrEnum):
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    PAID = "paid"
    REJECTED = "rejected"


_REWARD_MOVES: dict[RewardStatus, frozenset[RewardStatus]] = {
    RewardStatus.PENDING_REVIEW: frozenset({RewardStatus.APPROVED, RewardStatus.REJECTED}),
    RewardStatus.APPROVED: frozenset({RewardStatus.PAID, RewardStatus.REJECTED}),
    RewardStatus.PAID: frozenset(),
    RewardStatus.REJECTED: frozenset(),
}


class Reward(DomainModel):
    """The referrer's incentive for a captured lead; ``flags`` are fraud flag codes."""

    reward_id: str = Field(pattern=_ID)
    referral_id: str = Field(pattern=_ID)
    referrer_id: str = Field(min_length=1, max_length=128)
    lead_id: str = Field(min_length=1, max_length=128)
    amount: Decimal = Field(ge=0, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    status: RewardStatus = RewardStatus.PENDING_REVIEW
    flags: tuple[str, ...] = ()
    explanation: Explanation = Explanation(summary="")

    def with_status(self, status: RewardStatus) -> Reward:
        """A copy in ``status``; ``ValueError`` for a move that is not allowed."""
        if status != self.status and status not in _REWARD_MOVES[self.status]:
            raise ValueError(f"reward {self.reward_id}: cannot go from {self.status} to {status}")
        return self.model_copy(update={"status": status})


_PLACEHOLDER = re.compile(r"\{(prospect|referrer|product)\}")
_SPACES = re.compile(r"\s+")


def _clean_name(name: str, fallback: str) -> str:
    name = _SPACES.sub(" ", name).strip()[:80]
    return name or fallback


def personalise(product: Product, prospect_name: str, referrer_name: str) -> str:
    """The offer text from ``product.offer_template``.

    Only ``{prospect}``, ``{referrer}`` and ``{product}`` are substituted, by a regular
    expression rather than ``str.format`` — templates come from the CRM, and ``format``
    would let a template reach attributes (``{prospect.__class__}``) or fail on stray braces.
    """
    values = {
        "prospect": _clean_name(prospect_name, "there"),
        "referrer": _clean_name(referrer_name, "a friend"),
        "product": product.name,
    }
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], product.offer_template)


__all__ = [
    "Offer",
    "OfferKind",
    "OfferStatus",
    "PendingManualOffer",
    "Referral",
    "ReferralStatus",
    "Reward",
    "RewardStatus",
    "lead_id_for",
    "message_id_for",
    "offer_id_for",
    "opportunity_id_for",
    "personalise",
    "referral_id_for",
    "reward_id_for",
]
