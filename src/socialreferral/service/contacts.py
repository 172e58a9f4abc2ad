"""The contact policy over the document store, safe across worker processes.

The rules themselves are the domain's (:func:`socialreferral.domain.policy.decide`); this
module keeps the history they look at and makes "decide, then record" atomic.

Every contact is recorded twice: in the prospect's history document and in the referrer's,
each guarded by its etag. A contact is *reserved* on the prospect's document first (the
prospect cap and the product cool-down only depend on that document, so two workers racing
for the same prospect cannot both pass), then on the referrer's (the referrer cap). If the
referrer's cap refuses, the prospect reservation is taken back. A crash between the two
writes leaves a reservation that only makes later decisions stricter, never looser, so
the caps hold whatever happens.

Records carry the offer id. A redelivered message finds its own reservation and is told
"allowed" again without counting twice, which is what lets the worker be re-run.
"""

from __future__ import annotations

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
from socialreferral.ports import DocumentStore
from socialreferral.service.records import Collections, safe_key


def _history_key(role: str, person_id: str) -> str:
    return safe_key(role, person_id)


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
            records.append(
                ContactRecord(
                    prospect_id=item["prospect_id"],
                    referrer_id=item["referrer_id"],
                    product_id=item["product_id"],
                    at=datetime.fromisoformat(item["at"]),
                )
            )
    return ContactHistory.of(records)


def _prune(
    records: list[dict[str, Any]], now: datetime, policy: ContactPolicy
) -> list[dict[str, Any]]:
    # Older records cannot affect any decision; dropping them bounds the document size.
    start = now - longest_window(policy)
    return [r for r in records if datetime.fromisoformat(r["at"]) > start]


def is_opted_out(store: DocumentStore, person_id: str) -> bool:
    """True if ``person_id`` (prospect or referrer) asked not to be contacted."""
    return store.find(Collections.OPTOUTS, safe_key(person_id)) is not None


def opt_out(store: DocumentStore, person_id: str, at: datetime) -> None:
    """Record that ``person_id`` must never be contacted again (idempotent)."""
    store.put(Collections.OPTOUTS, safe_key(person_id), {"person_id": person_id,
                                                         "at": at.isoformat()})


def reserve_contact(
    store: DocumentStore,
    policy: ContactPolicy,
    *,
    offer_id: str,
    prospect_id: str,
    referrer_id: str,
    product_id: str,
    now: datetime,
) -> PolicyDecision:
    """Decide whether the contact may happen and, if so, record it atomically.

    Idempotent on ``offer_id``: calling again for a contact already recorded returns an
    allowed decision and records nothing new.
    """
    opted = {p for p in (prospect_id, referrer_id) if is_opted_out(store, p)}
    prospect_key = _history_key("prospect", prospect_id)
    referrer_key = _history_key("referrer", referrer_id)
    entry = {
        "offer_id": offer_id,
        "prospect_id": prospect_id,
        "referrer_id": referrer_id,
        "product_id": product_id,
        "at": now.isoformat(),
    }
    outcome: dict[str, PolicyDecision] = {}

    def reserve_prospect(current: dict[str, Any] | None) -> dict[str, Any]:
        records = _records(current)
        if any(r["offer_id"] == offer_id for r in records):
            outcome["decision"] = _already_recorded()
            return current or {"records": records}
        referrer_doc = store.find(Collections.CONTACTS, referrer_key)
        referrer_records = _records(None if referrer_doc is None else referrer_doc.value)
        decision = decide(policy, _history(records, referrer_records), prospect_id,
                          referrer_id, product_id, now, opted)
        outcome["decision"] = decision
        if not decision.allowed:
            return current or {"records": records}
        return {"records": [*_prune(records, now, policy), entry]}

    store.update(Collections.CONTACTS, prospect_key, reserve_prospect)
    first = outcome["decision"]
    if not first.allowed:
        return first

    def reserve_referrer(current: dict[str, Any] | None) -> dict[str, Any]:
        records = _records(current)
        if any(r["offer_id"] == offer_id for r in records):
            outcome["decision"] = _already_recorded()
            return current or {"records": records}
        prospect_doc = store.find(Collections.CONTACTS, prospect_key)
        prospect_records = _records(None if prospect_doc is None else prospect_doc.value)
        # Our own reservation is in the prospect history; leave it out of the decision.
        decision = decide(policy, _history(records, prospect_records, skip=offer_id),
                          prospect_id, referrer_id, product_id, now, opted)
        outcome["decision"] = decision
        if not decision.allowed:
            return current or {"records": records}
        return {"records": [*_prune(records, now, policy), entry]}

    store.update(Collections.CONTACTS, referrer_key, reserve_referrer)
    second = outcome["decision"]
    if not second.allowed:
        release_contact(store, offer_id=offer_id, prospect_id=prospect_id)
    return second


def release_contact(store: DocumentStore, *, offer_id: str, prospect_id: str) -> None:
    """Take back the prospect reservation of ``offer_id`` (when the referrer cap refused)."""

    def drop(current: dict[str, Any] | None) -> dict[str, Any]:
        return {"records": [r for r in _records(current) if r["offer_id"] != offer_id]}

    store.update(Collections.CONTACTS, _history_key("prospect", prospect_id), drop)


def _already_recorded() -> PolicyDecision:
    return PolicyDecision(
        allowed=True,
        reason=PolicyReason.ALLOWED,
        explanation=Explanation(summary="contact already recorded for this offer (redelivery)"),
    )


__all__ = ["is_opted_out", "opt_out", "release_contact", "reserve_contact"]
