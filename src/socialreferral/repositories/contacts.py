"""Contact histories and opt-outs: the contact policy made race-safe over the store.

The rules are the domain's (:func:`socialreferral.domain.policy.decide`); this repository
keeps the history they look at and makes "decide, then record" atomic.

Every contact is recorded twice: in the prospect's history document and in the referrer's,
each guarded by its etag (collection ``contacts``, keys ``prospect:<id>`` and
``referrer:<id>``). A contact is *reserved* on the prospect's document first (the prospect
cap and the product cool-down only depend on that document, so two workers racing for the
same prospect cannot both pass), then on the referrer's (the referrer cap). If the
referrer's cap refuses, the prospect reservation is taken back. A crash between the two
writes leaves a reservation that only makes later decisions stricter, never looser, so the
caps hold whatever happens.

Records carry the offer id. A redelivered message finds its own reservation and is told
"allowed" again without counting twice, which is what lets the worker be re-run.
Opt-outs (collection ``optouts``) are honoured by every decision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from socialreferral.domain.explain import Explanation
from socialreferral.domain.policy import (
    ContactHistory,
    ContactPolicy,
    ContactRecord,
    PolicyDecision,
    PolicyReason,
    decide,
    longest_window,
)
from socialreferral.repositories._base import Repository, safe_key
from socialreferral.repositories.erasure import Erasure

_Change = Callable[[dict[str, Any] | None], dict[str, Any]]

CONTACTS = "contacts"
OPTOUTS = "optouts"


def _records(value: dict[str, Any] | None) -> list[dict[str, Any]]:
    return list((value or {}).get("records", []))


def _history(*record_lists: Iterable[dict[str, Any]], skip: str | None = None) -> ContactHistory:
    seen: set[str] = set()
    records = []
    for items in record_lists:
        for item in items:
            if item["offer_id"] in seen or item["offer_id"] == skip:
                continue
            seen.add(item["offer_id"])
            records.append(ContactRecord(
                prospect_id=item["prospect_id"], referrer_id=item["referrer_id"],
                product_id=item["product_id"], at=datetime.fromisoformat(item["at"])))
    return ContactHistory.of(records)


def _prune(records: list[dict[str, Any]], now: datetime,
           policy: ContactPolicy) -> list[dict[str, Any]]:
    # Older records cannot affect any decision; dropping them bounds the document size.
    start = now - longest_window(policy)
    return [r for r in records if datetime.fromisoformat(r["at"]) > start]


def _already_recorded() -> PolicyDecision:
    return PolicyDecision(
        allowed=True, reason=PolicyReason.ALLOWED,
        explanation=Explanation(summary="contact already recorded for this offer (redelivery)"))


class ContactRepository(Repository):
    """Who was contacted about what, and who asked never to be contacted."""

    collections = (CONTACTS, OPTOUTS)

    def is_opted_out(self, person_id: str) -> bool:
        """True if ``person_id`` (prospect or referrer) asked not to be contacted."""
        return self._store.find(OPTOUTS, safe_key(person_id)) is not None

    def opt_out(self, person_id: str, at: datetime) -> None:
        """Record that ``person_id`` must never be contacted again (idempotent)."""
        self._store.put(OPTOUTS, safe_key(person_id),
                        {"person_id": person_id, "at": at.isoformat()})

    def reserve(self, policy: ContactPolicy, *, offer_id: str, prospect_id: str,
                referrer_id: str, product_id: str, now: datetime) -> PolicyDecision:
        """Decide whether the contact may happen and, if so, record it atomically.

        Idempotent on ``offer_id``: calling again for a contact already recorded returns
        an allowed decision and records nothing new.
        """
        opted = {p for p in (prospect_id, referrer_id) if self.is_opted_out(p)}
        prospect_key, referrer_key = safe_key("prospect", prospect_id), safe_key(
            "referrer", referrer_id)
        entry = {"offer_id": offer_id, "prospect_id": prospect_id, "referrer_id": referrer_id,
                 "product_id": product_id, "at": now.isoformat()}
        outcome: dict[str, PolicyDecision] = {}

        def reserve_in(key: str, other_key: str, skip: str | None) -> _Change:
            def change(current: dict[str, Any] | None) -> dict[str, Any]:
                records = _records(current)
                if any(r["offer_id"] == offer_id for r in records):
                    outcome["decision"] = _already_recorded()
                    return current or {"records": records}
                other = self._store.find(CONTACTS, other_key)
                history = _history(records, _records(None if other is None else other.value),
                                   skip=skip)
                decision = decide(policy, history, prospect_id, referrer_id, product_id, now,
                                  opted)
                outcome["decision"] = decision
                if not decision.allowed:
                    return current or {"records": records}
                return {"records": [*_prune(records, now, policy), entry]}
            return change

        self._store.update(CONTACTS, prospect_key, reserve_in(prospect_key, referrer_key, None))
        if not outcome["decision"].allowed:
            return outcome["decision"]
        # Our own reservation is in the prospect history; leave it out of the decision.
        self._store.update(CONTACTS, referrer_key,
                           reserve_in(referrer_key, prospect_key, offer_id))
        second = outcome["decision"]
        if not second.allowed:
            self.release(offer_id=offer_id, prospect_id=prospect_id)
        return second

    def release(self, *, offer_id: str, prospect_id: str) -> None:
        """Take back the prospect reservation of ``offer_id`` (the referrer cap refused)."""

        def drop(current: dict[str, Any] | None) -> dict[str, Any]:
            return {"records": [r for r in _records(current) if r["offer_id"] != offer_id]}

        self._store.update(CONTACTS, safe_key("prospect", prospect_id), drop)

    def erase(self, erasure: Erasure) -> None:
        """The person's own histories and opt-out go; records about them in *other*
        people's histories stay with the person tombstoned, because they count towards
        the other person's caps, which must keep holding."""
        subject, tomb = erasure.subject, erasure.tombstone
        for role in ("prospect", "referrer"):
            for ident in sorted(subject.ids):
                erasure.count("contact_histories",
                              int(self._store.delete(CONTACTS, safe_key(role, ident))))
        for document in list(self._store.iter_query(CONTACTS, page_size=1000)):
            touched = sum(1 for r in document.value.get("records", [])
                          if r.get("prospect_id") in subject.ids
                          or r.get("referrer_id") in subject.ids)
            if touched:
                self._change(CONTACTS, document.key, tomb.scrub)
                erasure.count("contact_records_anonymised", touched)
        for ident in sorted(subject.ids):
            erasure.count("optouts", int(self._store.delete(OPTOUTS, safe_key(ident))))


__all__ = ["ContactRepository"]
