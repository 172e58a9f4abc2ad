"""Captured profiles: what people consented to share, per source (People, seed 001).

Collection ``people_profiles`` (key: the capture's record id, e.g.
``facebook-login:facebook:<person id>`` or ``crm:<contact id>``): one
:class:`~socialreferral.people.profiles.CapturedProfile` per source and account, replaced
when the source shares it again. Bookkeeping beside it:

* ``_email``, ``_phone``, ``_handle`` — the normalised keys fusion compares (canonical
  e-mail, last digits of the phone, handle), so ``GET /people?email=...`` and erasure find
  records by value with one query each;
* ``_person_id``, ``_customer_id`` — the network account and the customer it belongs to
  (erasure by either);
* ``_pending`` — captured or changed since the last fusion run (incremental linking
  reads these).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from socialreferral.errors import ConcurrencyConflict
from socialreferral.people import normalise
from socialreferral.people.profiles import CapturedProfile
from socialreferral.records import Filter, WriteItem
from socialreferral.repositories._base import Repository, dump, load
from socialreferral.repositories.erasure import Erasure, Subject

PROFILES = "people_profiles"

LOOKUP_KINDS = ("email", "phone", "handle")
"""What a profile can be looked up by (the ``GET /people`` query parameters)."""


def lookup_key(kind: str, value: str) -> str | None:
    """``value`` normalised the way fusion compares it (None: nothing to look up)."""
    if kind == "email":
        return normalise.email(value)
    if kind == "phone":
        return normalise.phone(value)
    if kind == "handle":
        return normalise.handle(value)
    raise ValueError(f"unknown lookup kind {kind!r}")


def _full_name(profile: CapturedProfile) -> str | None:
    name = profile.display_name.strip()
    return name if len(name.split()) >= 2 else None


class ProfileRepository(Repository):
    """Captured profiles and the fact-level reads fusion, REST and erasure need."""

    collections = (PROFILES,)

    def capture(self, profile: CapturedProfile) -> bool:
        """Store ``profile``; True if it is new or changed (then it waits for fusion).
        A capture whose content is unchanged keeps its first time and changes nothing (a
        repeated login, a re-import, a CRM contact re-read after enrichment): observed-at
        then means "since when the source says this"."""
        return self.capture_many([profile]) == 1

    def capture_many(self, profiles: Iterable[CapturedProfile]) -> int:
        """Store ``profiles`` (batched); return how many were new or changed."""
        latest = {p.record_id: p for p in profiles}
        held = {d.key: d.value for d in self._where_in(PROFILES, "record_id", latest)}
        items = []
        for record_id, profile in latest.items():
            value = self._document(profile)
            old = held.get(record_id)
            if old is not None and _same(old, value):
                continue
            items.append(WriteItem(record_id, value))
        self._put_many(PROFILES, items)
        return len(items)

    @staticmethod
    def _document(profile: CapturedProfile) -> dict[str, Any]:
        fields = profile.fields
        return dump(
            profile,
            email=normalise.email(fields.get("email")),
            phone=normalise.phone(fields.get("phone")),
            handle=normalise.handle(profile.handle),
            person_id=profile.external_id if profile.network else None,
            customer_id=profile.customer_id,
            pending=True,
        )

    # -- reads -----------------------------------------------------------------------
    def get(self, record_id: str) -> CapturedProfile | None:
        """The capture with this record id, or None."""
        return self._get(PROFILES, record_id, CapturedProfile)

    def many(self, record_ids: Iterable[str]) -> list[CapturedProfile]:
        """The captures among ``record_ids`` that exist, ordered by record id."""
        found = [load(CapturedProfile, d.value)
                 for d in self._where_in(PROFILES, "record_id", record_ids)]
        return sorted(found, key=lambda p: p.record_id)

    def every(self) -> Iterator[CapturedProfile]:
        """Every capture (a full fusion run reads them all)."""
        return self._models(PROFILES, CapturedProfile)

    def pending(self) -> list[CapturedProfile]:
        """Captures new or changed since they were last fused."""
        return sorted(self._models(PROFILES, CapturedProfile, {"_pending": True}),
                      key=lambda p: p.record_id)

    def mark_fused(self, record_ids: Iterable[str]) -> int:
        """Clear the pending mark of ``record_ids``; a capture that changed meanwhile keeps
        it (etag-guarded), so it is linked by the next run. Returns how many were marked."""
        items = [
            WriteItem(d.key, {**d.value, "_pending": False}, if_match=d.etag)
            for d in self._where_in(PROFILES, "record_id", record_ids,
                                    Filter("_pending", "eq", True))
        ]
        if not items:
            return 0
        result = self._store.put_many(PROFILES, items)
        lost = [e for e in result.failed.values() if not isinstance(e, ConcurrencyConflict)]
        if lost:
            raise lost[0]
        return len(items) - len(result.failed)

    def by_source(self, source: str) -> dict[str, str]:
        """record id -> id at the source, for every capture of ``source``."""
        return {str(v["record_id"]): str(v["external_id"])
                for v in self._values(PROFILES, {"source": source})}

    def find(self, kind: str, value: str) -> list[str]:
        """Record ids whose ``kind`` (email, phone, handle) equals ``value`` once
        normalised as fusion compares it."""
        key = lookup_key(kind, value)
        if key is None:
            return []
        return sorted(d.key for d in self._store.iter_query(PROFILES, {f"_{kind}": key},
                                                              page_size=500))

    # -- erasure ---------------------------------------------------------------------
    def _matching(self, subject: Subject) -> list[dict[str, Any]]:
        emails = {k for k in (normalise.email(e) for e in subject.emails) if k}
        phones = {k for k in (normalise.phone(p) for p in subject.phones) if k}
        found: dict[str, dict[str, Any]] = {}
        for field, values in (("record_id", subject.profile_records),
                              ("_person_id", subject.person_ids),
                              ("_customer_id", subject.customer_ids),
                              ("_email", emails), ("_phone", phones)):
            for document in self._where_in(PROFILES, field, values):
                found[document.key] = document.value
        return list(found.values())

    def describe(self, subject: Subject) -> None:
        """Add what the subject's captures name: their record ids, network accounts, CRM
        contact ids and full names (names are scrubbed from text kept elsewhere)."""
        for value in self._matching(subject):
            profile = load(CapturedProfile, value)
            subject.profile_records.add(profile.record_id)
            if profile.network:
                subject.accounts.add((profile.network, profile.external_id))
            if profile.source == "crm":
                subject.crm_contacts.add(profile.external_id)
            name = _full_name(profile)
            if name:
                subject.names.add(name)

    def expand(self, subject: Subject) -> None:
        """Captures found by record id, account, customer, e-mail or phone (see
        :meth:`describe`). E-mails and phones of captures are *not* added: a shared
        family address would pull other people in."""
        self.describe(subject)

    def erase(self, erasure: Erasure) -> None:
        """Every capture of the person (by record id, account, customer, e-mail, phone)."""
        for value in self._matching(erasure.subject):
            if self._store.delete(PROFILES, str(value["record_id"])):
                erasure.count("people_profiles")


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Equal content, ignoring the time and the pending mark (a repeat is no change)."""
    strip = {"_pending", "captured_at"}
    return ({k: v for k, v in old.items() if k not in strip}
            == {k: v for k, v in new.items() if k not in strip})


__all__ = ["LOOKUP_KINDS", "PROFILES", "ProfileRepository", "lookup_key"]
