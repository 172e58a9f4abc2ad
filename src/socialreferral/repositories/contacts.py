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

import time
from collections.abc import Iterable
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
from socialreferral.errors import ConcurrencyConflict
from socialreferral.records import Document, WriteItem
from socialreferral.repositories._base import Repository, safe_key
from socialreferral.repositories.erasure import Erasure

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


def _write(key: str, current: Document | None, records: list[dict[str, Any]]) -> WriteItem:
    """The history ``records`` under ``key``, conditional on ``current`` being unchanged."""
    if current is None:
        return WriteItem(key, {"records": records}, create_only=True)
    return WriteItem(key, {"records": records}, if_match=current.etag)


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
                referrer_id: str, product_id: str, now: datetime,
                attempts: int = 20) -> PolicyDecision:
        """Decide whether the contact may happen and, if so, record it atomically.

        Idempotent on ``offer_id``: calling again for a contact already recorded returns
        an allowed decision and records nothing new.

        One attempt reads both histories and both opt-outs (two batch reads), decides the
        prospect's side then the referrer's, and writes the changed histories with one
        ``put_many``, each under its etag (create-only when new), prospect first. When a
        write loses a race the attempt starts over from fresh reads; an item that was
        written reads back as "already recorded", and a referrer reservation written
        while the prospect's lost is taken back if the prospect's side then refuses.
        """
        prospect_key = safe_key("prospect", prospect_id)
        referrer_key = safe_key("referrer", referrer_id)
        optout_keys = {safe_key(p): p for p in (prospect_id, referrer_id)}
        entry = {"offer_id": offer_id, "prospect_id": prospect_id, "referrer_id": referrer_id,
                 "product_id": product_id, "at": now.isoformat()}
        referrer_written: PolicyDecision | None = None  # by an earlier attempt of this call
        for _ in range(attempts):
            docs = self._store.find_many(CONTACTS, [prospect_key, referrer_key])
            opted = {optout_keys[k] for k in self._store.find_many(OPTOUTS, optout_keys)}
            prospect, referrer = docs.get(prospect_key), docs.get(referrer_key)
            prospect_records = _records(None if prospect is None else prospect.value)
            referrer_records = _records(None if referrer is None else referrer.value)
            writes: list[WriteItem] = []
            # The prospect's side: their cap and the product cool-down.
            held = any(r["offer_id"] == offer_id for r in prospect_records)
            if not held:
                first = decide(policy, _history(prospect_records, referrer_records),
                               prospect_id, referrer_id, product_id, now, opted)
                if not first.allowed:
                    if referrer_written is not None:
                        self._drop(referrer_key, offer_id)
                    return first
                writes.append(_write(prospect_key, prospect,
                                     [*_prune(prospect_records, now, policy), entry]))
            # The referrer's side: their cap (our own reservation left out of the count).
            if any(r["offer_id"] == offer_id for r in referrer_records):
                second = referrer_written or _already_recorded()
            else:
                second = decide(policy, _history(referrer_records, prospect_records,
                                                 skip=offer_id),
                                prospect_id, referrer_id, product_id, now, opted)
                if not second.allowed:
                    if held:
                        self.release(offer_id=offer_id, prospect_id=prospect_id)
                    return second
                writes.append(_write(referrer_key, referrer,
                                     [*_prune(referrer_records, now, policy), entry]))
            if not writes:
                return second
            result = self._store.put_many(CONTACTS, writes)
            if not result.failed:
                return second
            for error in result.failed.values():
                if not isinstance(error, ConcurrencyConflict):
                    raise error
            if referrer_key in result.written:
                referrer_written = second
            time.sleep(0.001)
        raise ConcurrencyConflict(
            f"{CONTACTS}/{prospect_key}: still conflicting after {attempts} tries")

    def release(self, *, offer_id: str, prospect_id: str) -> None:
        """Take back the prospect reservation of ``offer_id`` (the referrer cap refused)."""
        self._drop(safe_key("prospect", prospect_id), offer_id)

    def _drop(self, key: str, offer_id: str) -> None:
        """Remove ``offer_id``'s record from the history under ``key``."""

        def drop(current: dict[str, Any] | None) -> dict[str, Any]:
            return {"records": [r for r in _records(current) if r["offer_id"] != offer_id]}

        self._store.update(CONTACTS, key, drop)

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
