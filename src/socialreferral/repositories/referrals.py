"""The referral aggregate: offers, manual-offer requests, referrals, leads, rewards, budgets.

Collections: ``offers`` (with the network, the acceptance time and the referrer's account
as bookkeeping), ``manual_offers`` (pending CRM opportunities), ``referrals``,
``referral_leads`` (the lead a referral captured; ``created`` when it was new to the
bank), ``rewards`` (with the product and time as bookkeeping) and ``incentive_budgets``
(per referrer and month: the race-safe reservations behind the monthly cap).

They are one repository because their erasure is one decision: an offer, referral or lead
that a reward depends on is kept (anonymised) as part of an accounting record; the rest
is deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from socialreferral.domain.incentives import Incentive
from socialreferral.domain.referrals import (
    Offer,
    OfferStatus,
    PendingManualOffer,
    Referral,
    Reward,
    RewardStatus,
    referral_id_for,
)
from socialreferral.errors import DocumentExists, InvalidInput, NotFound
from socialreferral.records import WriteItem
from socialreferral.repositories._base import Repository, bookkeeping, dump, load, safe_key
from socialreferral.repositories.erasure import ERASED_TEXT, Erasure

OFFERS = "offers"
MANUAL = "manual_offers"
REFERRALS = "referrals"
LEADS = "referral_leads"
REWARDS = "rewards"
BUDGETS = "incentive_budgets"

_OPEN = (OfferStatus.CREATED, OfferStatus.ASKED, OfferStatus.RECOMMENDED)
_EPOCH = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ReferralLead:
    """The CRM lead a referral captured; ``created`` if the person was new to the CRM."""

    referral_id: str
    lead_id: str
    referrer_id: str
    product_id: str
    created: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """Who decided on a flagged reward, when and why (``automatic``: the deadline job)."""

    by: str
    at: datetime
    note: str = ""
    automatic: bool = False

    def to_json(self) -> dict[str, Any]:
        """The stored form (bookkeeping beside the reward)."""
        return {"by": self.by, "at": self.at.isoformat(), "note": self.note,
                "automatic": self.automatic}

    @classmethod
    def from_json(cls, value: Any) -> ReviewDecision | None:
        """The decision stored beside a reward, or None (none, or unreadable)."""
        if not isinstance(value, dict) or not isinstance(value.get("at"), str):
            return None
        return cls(by=str(value.get("by", "")), at=datetime.fromisoformat(value["at"]),
                   note=str(value.get("note", "")), automatic=bool(value.get("automatic")))


@dataclass(frozen=True, slots=True)
class RewardRecord:
    """A reward with the product and time it was granted for (reports group by them),
    and the reviewer's decision when it was held for review."""

    reward: Reward
    product_id: str | None
    at: datetime
    review: ReviewDecision | None = None


@dataclass(frozen=True, slots=True)
class OfferVersion:
    """An offer as this process stored it, with its document and etag: moving it on
    later is one conditional write, without reading it back."""

    offer: Offer
    value: dict[str, Any]
    etag: str


@dataclass(frozen=True, slots=True)
class NewOffer:
    """An offer to create with the bookkeeping stored beside it."""

    offer: Offer
    network: str
    accepted_at: float
    stored_at: float
    referrer_person_id: str | None


OfferMove = tuple[str, OfferStatus, OfferVersion | None]
"""(offer id, the status to move to, the version this process stored, if any)."""


class ReferralRepository(Repository):
    """Offers through rewards (see the module docstring)."""

    collections = (OFFERS, MANUAL, REFERRALS, LEADS, REWARDS, BUDGETS)

    # -- offers ----------------------------------------------------------------------
    def create_offer(self, offer: Offer, *, network: str, accepted_at: float, stored_at: float,
                     referrer_person_id: str | None) -> bool:
        """Create the offer once; True if this call created it."""
        return self.store_new_offer(offer, network=network, accepted_at=accepted_at,
                                    stored_at=stored_at,
                                    referrer_person_id=referrer_person_id) is not None

    def store_new_offer(self, offer: Offer, *, network: str, accepted_at: float,
                        stored_at: float, referrer_person_id: str | None) -> OfferVersion | None:
        """Create the offer once; the version stored if this call created it, else None."""
        value = dump(offer, network=network, accepted_at=accepted_at, stored_at=stored_at,
                     referrer_person_id=referrer_person_id)
        try:
            document = self._store.put(OFFERS, offer.offer_id, value, create_only=True)
        except DocumentExists:
            return None
        return OfferVersion(offer, value, document.etag)

    def store_new_offers(self, offers: Sequence[NewOffer],
                         ) -> dict[str, OfferVersion | Exception | None]:
        """:meth:`store_new_offer` for many offers in one batch write. Per offer id: the
        version stored if this call created it, None if it existed, or the error that
        kept it from being written (the others are written regardless)."""
        values = {new.offer.offer_id: (new.offer, dump(
            new.offer, network=new.network, accepted_at=new.accepted_at,
            stored_at=new.stored_at, referrer_person_id=new.referrer_person_id))
            for new in offers}
        result = self._store.put_many(OFFERS, [WriteItem(key, value, create_only=True)
                                               for key, (_, value) in values.items()])
        out: dict[str, OfferVersion | Exception | None] = {}
        for key, (offer, value) in values.items():
            error = result.failed.get(key)
            if error is not None:
                out[key] = None if isinstance(error, DocumentExists) else error
            else:
                out[key] = OfferVersion(offer, value, result.written[key])
        return out

    def advance_offers(self, moves: Sequence[OfferMove]) -> None:
        """Move many offers forward (each a no-op if already there or further).

        Offers whose stored version is known (this process created them) are written in
        one conditional batch without reading them first; the others, and any whose
        version changed meanwhile, go through :meth:`advance_offer`.
        """
        items: list[WriteItem] = []
        for offer_id, status, version in moves:
            if version is not None:
                try:
                    moved = version.offer.with_status(status)
                except ValueError:
                    continue  # our own version is already further along
                items.append(WriteItem(offer_id, {**dump(moved), **bookkeeping(version.value)},
                                       if_match=version.etag))
        failed = set(self._store.put_many(OFFERS, items).failed) if items else set()
        for offer_id, status, version in moves:
            if version is None or offer_id in failed:
                self.advance_offer(offer_id, status)

    def offer(self, offer_id: str) -> Offer | None:
        """The stored offer, or None."""
        return self._get(OFFERS, offer_id, Offer)

    def offer_network(self, offer_id: str, default: str = "facebook") -> str:
        """The network the offer's event came from."""
        document = self._store.find(OFFERS, offer_id)
        return str(document.value.get("_network", default)) if document else default

    def referrer_account(self, offer_id: str) -> str | None:
        """The referrer's account on the offer's network (where to reach them)."""
        document = self._store.find(OFFERS, offer_id)
        account = None if document is None else document.value.get("_referrer_person_id")
        return account if isinstance(account, str) else None

    def offer_channels(self) -> dict[str, str]:
        """The network each offer's event came from, by offer id (for reports)."""
        return {str(v["offer_id"]): str(v.get("_network", "?")) for v in self._values(OFFERS)}

    def advance_offer(self, offer_id: str, status: OfferStatus) -> None:
        """Move an offer forward (no-op if it is already there or further)."""
        self._store.update(OFFERS, offer_id, _edit_offer(lambda o: o.with_status(status)))

    def mark_reminded(self, offer_id: str, at: datetime) -> None:
        """Record that a reminder about the offer went out at ``at``."""
        self._store.update(OFFERS, offer_id, _edit_offer(lambda o: o.mark_reminded(at)))

    def open_offers(self) -> list[Offer]:
        """Offers not availed yet (created, asked or recommended)."""
        return [o for status in _OPEN for o in self._models(OFFERS, Offer,
                                                             {"status": status.value})]

    def offers_with_status(self, status: OfferStatus) -> list[Offer]:
        """Offers in ``status``, by offer id."""
        return sorted(self._models(OFFERS, Offer, {"status": status.value}),
                      key=lambda o: o.offer_id)

    def count_offers(self, referrer_id: str, product_id: str) -> int:
        """How many offers ``referrer_id`` was asked to pass on about ``product_id``."""
        return len(self._values(OFFERS, {"referrer_id": referrer_id, "product_id": product_id}))

    def offers(self) -> list[Offer]:
        """Every offer (for reports)."""
        return list(self._models(OFFERS, Offer))

    # -- manual offers -----------------------------------------------------------------
    def save_pending_manual(self, pending: PendingManualOffer) -> None:
        """Remember a manual-offer request until the CRM answers it."""
        self._put(MANUAL, pending.opportunity_id, pending)

    def pending_manual(self, opportunity_id: str) -> PendingManualOffer | None:
        """The request behind CRM opportunity ``opportunity_id``, or None."""
        return self._get(MANUAL, opportunity_id, PendingManualOffer)

    # -- referrals and leads -----------------------------------------------------------
    def create_referral(self, referral: Referral) -> Referral:
        """Create ``referral`` once; return the stored one (the first wins)."""
        if not self._create(REFERRALS, referral.referral_id, referral):
            stored = self.referral(referral.referral_id)
            assert stored is not None
            return stored
        return referral

    def referral(self, referral_id: str) -> Referral | None:
        """The stored referral, or None."""
        return self._get(REFERRALS, referral_id, Referral)

    def save_referral(self, referral: Referral) -> None:
        """Replace a referral (status changes)."""
        self._put(REFERRALS, referral.referral_id, referral)

    def referrals_of_prospect(self, prospect_id: str) -> list[Referral]:
        """Every referral sent to ``prospect_id``."""
        return list(self._models(REFERRALS, Referral, {"prospect_id": prospect_id}))

    def referrals(self) -> list[Referral]:
        """Every referral (for reports)."""
        return list(self._models(REFERRALS, Referral))

    def record_lead(self, lead: ReferralLead) -> None:
        """Remember the lead a referral captured (the first record wins)."""
        if self._store.find(LEADS, lead.referral_id) is None:
            self._store.put(LEADS, lead.referral_id, {
                "referral_id": lead.referral_id, "lead_id": lead.lead_id,
                "referrer_id": lead.referrer_id, "product_id": lead.product_id,
                "created": lead.created, "at": lead.at.isoformat()})

    def lead_times(self, referrer_id: str, *, excluding: str) -> list[datetime]:
        """When ``referrer_id``'s other referrals captured leads (the velocity rule)."""
        return [datetime.fromisoformat(v["at"]) for v in self._values(
            LEADS, {"referrer_id": referrer_id}) if v["referral_id"] != excluding]

    def lead_ids_of_prospects(self, prospect_ids: Iterable[str]) -> set[str]:
        """CRM lead ids captured by referrals sent to any of ``prospect_ids``."""
        referral_ids = {d.key for d in self._where_in(REFERRALS, "prospect_id", prospect_ids)}
        return {str(d.value["lead_id"]) for d in self._where_in(LEADS, "referral_id",
                                                                 referral_ids)}

    def leads(self) -> list[ReferralLead]:
        """Every referral lead (for reports)."""
        return [ReferralLead(v["referral_id"], v["lead_id"], v["referrer_id"],
                             v.get("product_id") or "?", bool(v.get("created")),
                             datetime.fromisoformat(v["at"])) for v in self._values(LEADS)]

    # -- rewards ---------------------------------------------------------------------
    def reward(self, reward_id: str) -> Reward | None:
        """The stored reward, or None."""
        return self._get(REWARDS, reward_id, Reward)

    def create_reward(self, reward: Reward, *, product_id: str, at: datetime) -> bool:
        """Create the reward once; True if this call created it."""
        return self._create(REWARDS, reward.reward_id, reward, product_id=product_id,
                            at=at.isoformat())

    def rewards_of(self, referrer_id: str) -> list[RewardRecord]:
        """Every reward of ``referrer_id``."""
        return [_reward_record(v) for v in self._values(REWARDS, {"referrer_id": referrer_id})]

    def rewards(self, status: RewardStatus | None = None) -> list[RewardRecord]:
        """Every reward, optionally of one status (for reports and the review queue)."""
        where = None if status is None else {"status": status.value}
        return [_reward_record(v) for v in self._values(REWARDS, where)]

    def review_reward(self, reward_id: str, status: RewardStatus, *,
                      decision: ReviewDecision | None = None,
                      expected: RewardStatus | None = None) -> Reward:
        """Move a reward to ``status`` (a reviewer's decision, recorded beside it when
        given), releasing its budget reservation when rejected. ``NotFound`` for an
        unknown reward, ``InvalidInput`` for a move the life cycle forbids or, with
        ``expected``, for a reward no longer in that status (someone decided first).
        The write is conditional on the version read, so of two concurrent decisions
        one wins and the other gets ``ConcurrencyConflict``."""
        document = self._store.find(REWARDS, reward_id)
        if document is None:
            raise NotFound(f"no reward {reward_id!r}")
        record = _reward_record(document.value)
        if expected is not None and record.reward.status is not expected:
            raise InvalidInput(f"reward is {record.reward.status.value}, not "
                               f"{expected.value}", field="status")
        try:
            moved = record.reward.with_status(status)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="status") from None
        kept = bookkeeping(document.value)
        if decision is not None:
            kept["_review"] = decision.to_json()
        self._store.put(REWARDS, reward_id, {**moved.model_dump(mode="json"), **kept},
                        if_match=document.etag)
        if moved.status is RewardStatus.REJECTED:
            # A rejected reward is never paid: its reservation goes back to the budget.
            self.release_incentive(moved.referrer_id, reward_id, record.at)
        return moved

    # -- monthly budgets -----------------------------------------------------------------
    def reserve_incentive(
        self, referrer_id: str, reward_id: str, now: datetime,
        incentive_for: Callable[[Decimal], Incentive],
        legacy: Callable[[], Decimal] = lambda: Decimal("0"),
    ) -> Incentive:
        """Compute ``reward_id``'s incentive against the month's budget and reserve it,
        atomically.

        ``incentive_for(paid)`` computes the incentive given what the referrer's other
        rewards of the month reserved (it applies the monthly cap). The budget document
        is updated under its etag, so concurrent reservations serialise; an existing
        reservation for ``reward_id`` (a retry) is reused and counted once. ``legacy`` is
        called once, when the month's document is created: the amount earned before
        budgets existed. A crash between reserving and creating the reward leaves a
        reservation that only makes later amounts smaller, and the retry picks it up.
        """
        key = budget_key(referrer_id, now)
        baseline: list[Decimal] = []
        outcome: dict[str, Incentive] = {}

        def reserve(current: dict[str, Any] | None) -> dict[str, Any]:
            if current is None:
                if not baseline:
                    baseline.append(legacy())
                current = {"referrer_id": referrer_id, "month": key.rsplit(":", 1)[-1],
                           "baseline": str(baseline[0]), "reserved": {}}
            reserved: dict[str, str] = dict(current.get("reserved", {}))
            others = sum((Decimal(v) for k, v in reserved.items() if k != reward_id),
                         Decimal(current.get("baseline", "0")))
            incentive = incentive_for(others)
            if reward_id in reserved and Decimal(reserved[reward_id]) != incentive.amount:
                # A retry after a crash between reserving and creating the reward: keep
                # the reservation made then (others may have reserved since).
                incentive = incentive.model_copy(update={
                    "amount": min(incentive.amount, Decimal(reserved[reward_id])),
                    "explanation": incentive.explanation.model_copy(update={
                        "summary": f"{incentive.explanation.summary} (amount reserved earlier)"}),
                })
            outcome["incentive"] = incentive
            reserved[reward_id] = str(incentive.amount)
            return _with_reserved(current, reserved)

        self._store.update(BUDGETS, key, reserve)
        return outcome["incentive"]

    def release_incentive(self, referrer_id: str, reward_id: str, at: datetime) -> None:
        """Take back ``reward_id``'s reservation; no-op if there is none."""
        key = budget_key(referrer_id, at)
        if self._store.find(BUDGETS, key) is None:
            return

        def release(current: dict[str, Any] | None) -> dict[str, Any]:
            current = current or {"reserved": {}}
            return _with_reserved(current, {k: v for k, v in current.get("reserved", {}).items()
                                            if k != reward_id})

        self._store.update(BUDGETS, key, release)

    # -- erasure ---------------------------------------------------------------------
    def erase(self, erasure: Erasure) -> None:
        """Deleted, or anonymised when a reward (an accounting record of money owed or
        paid) depends on them: the person's ids become tombstones, offer texts and
        explanations (which carry names) are emptied. Record ids are one-way digests and
        stay, so the funnel and the reward trail still add up."""
        subject, tomb = erasure.subject, erasure.tombstone
        offers = {d.key: d for d in self._where_in(OFFERS, "prospect_id", subject.person_ids)}
        offers.update({d.key: d for d in self._where_in(OFFERS, "referrer_id",
                                                         subject.customer_ids)})
        referrals = {d.key: d for d in self._where_in(REFERRALS, "prospect_id",
                                                       subject.person_ids)}
        referrals.update({d.key: d for d in self._where_in(REFERRALS, "referrer_id",
                                                            subject.customer_ids)})
        for offer_id in offers:
            referral = self._store.find(REFERRALS, referral_id_for(offer_id))
            if referral is not None:
                referrals.setdefault(referral.key, referral)
        rewarded = {d.value["referral_id"] for d in self._where_in(REWARDS, "referral_id",
                                                                     referrals)}
        kept_offers = {str(d.value["offer_id"]) for k, d in referrals.items() if k in rewarded}
        deleted = erasure.deleted_records

        for offer_id in offers:
            if offer_id in kept_offers:
                self._change(OFFERS, offer_id, lambda v: _anonymise_offer(v, erasure))
                erasure.count("offers_anonymised")
            elif self._store.delete(OFFERS, offer_id):
                deleted.add(offer_id)
                erasure.count("offers")
        for referral_id, document in referrals.items():
            if referral_id in rewarded:
                self._change(REFERRALS, referral_id, tomb.scrub)
                erasure.count("referrals_anonymised")
                continue
            if self._store.delete(REFERRALS, referral_id):
                deleted.add(referral_id)
                erasure.count("referrals")
            # A lead record without a reward (a crash before the reward): nothing depends
            # on it.
            erasure.count("referral_leads", int(self._store.delete(LEADS, referral_id)))
            offer_id = str(document.value.get("offer_id", ""))
            if offer_id and offer_id not in offers and self._store.delete(OFFERS, offer_id):
                deleted.add(offer_id)
                erasure.count("offers")
        for document in self._where_in(LEADS, "referrer_id", subject.customer_ids):
            self._change(LEADS, document.key, tomb.scrub)
            erasure.count("referral_leads_anonymised")
        rewards = {d.key: d for d in self._where_in(REWARDS, "referrer_id",
                                                     subject.customer_ids)}
        rewards.update({d.key: d for d in self._where_in(REWARDS, "referral_id", rewarded)})
        for reward_id, document in rewards.items():
            if tomb.scrub(document.value) != document.value:
                self._change(REWARDS, reward_id, lambda v: _anonymise_reward(v, erasure))
                erasure.count("rewards_anonymised")
        # Reservations against this referrer's monthly cap: the rewards keep the amounts.
        self._delete_where_in(BUDGETS, "referrer_id", subject.customer_ids, "budgets", erasure)
        manual = {d.key for d in self._where_in(MANUAL, "prospect_id", subject.person_ids)}
        manual |= {d.key for d in self._where_in(MANUAL, "referrer_id", subject.customer_ids)}
        erasure.count("manual_offers", sum(int(self._store.delete(MANUAL, k)) for k in manual))


def budget_key(referrer_id: str, at: datetime) -> str:
    """Key of ``referrer_id``'s budget document for the month of ``at`` (UTC)."""
    return safe_key(referrer_id, at.astimezone(UTC).strftime("%Y-%m"))


def _with_reserved(current: dict[str, Any], reserved: dict[str, str]) -> dict[str, Any]:
    total = sum((Decimal(v) for v in reserved.values()), Decimal(current.get("baseline", "0")))
    return {**current, "reserved": reserved, "total": str(total)}


def _edit_offer(edit: Callable[[Offer], Offer]) -> Callable[[dict[str, Any] | None],
                                                            dict[str, Any]]:
    def change(current: dict[str, Any] | None) -> dict[str, Any]:
        if current is None:
            raise NotFound("offer vanished")
        try:
            moved = edit(load(Offer, current))
        except ValueError:
            return current  # already further along (a redelivery): keep it
        return {**moved.model_dump(mode="json"), **bookkeeping(current)}

    return change


def _reward_record(value: dict[str, Any]) -> RewardRecord:
    at = value.get("_at")
    product = value.get("_product_id")
    return RewardRecord(
        reward=load(Reward, value), product_id=product if isinstance(product, str) else None,
        at=datetime.fromisoformat(at) if isinstance(at, str) else _EPOCH,
        review=ReviewDecision.from_json(value.get("_review")))


def _anonymise_reward(value: dict[str, Any], erasure: Erasure) -> dict[str, Any]:
    # A reviewer's note is free text that may describe the person in words no
    # identifier pattern catches: it goes; who decided and when stay (an audit record).
    value = dict(erasure.tombstone.scrub(value))
    review = value.get("_review")
    if isinstance(review, dict) and review.get("note"):
        value["_review"] = {**review, "note": ERASED_TEXT}
    return value


def _anonymise_offer(value: dict[str, Any], erasure: Erasure) -> dict[str, Any]:
    if not value:
        return value
    subject, tomb = erasure.subject, erasure.tombstone
    value = dict(value)
    if value.get("prospect_id") in subject.person_ids:
        # The event id names the person's post (and, for a like, the person).
        value["event_id"] = tomb(str(value.get("event_id", "")))
    value["text"] = ""
    value["explanation"] = {"summary": ERASED_TEXT}
    if value.get("referrer_id") in subject.customer_ids:
        value.pop("_referrer_person_id", None)
    return dict(tomb.scrub(value))


__all__ = ["NewOffer", "OfferMove", "OfferVersion", "ReferralLead", "ReferralRepository",
           "ReviewDecision", "RewardRecord", "budget_key"]
