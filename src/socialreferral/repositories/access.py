"""Access to people: service callers' API keys and the audit log of who read whom.

Collections: ``api_keys`` (key id → :class:`~socialreferral.people.access.ApiKey`: name,
scopes, the SHA-256 digest of the secret, never the secret) and ``people_audit`` (one
:class:`~socialreferral.people.access.AuditEntry` per person read, keyed
``<entry id>:<n>``; ``_subject`` for erasure).

Erasure rules (decided here, documented in docs/people.md): an audit entry is kept — the
bank must be able to show that an access happened — but it is anonymised: the person id
becomes a tombstone, so the log no longer says *whom* was read, only who read someone,
when and how. Entries hold no searched value to begin with. Entries expire after
``[people] audit_retention_days`` (the store's TTL). API keys belong to services, not to
data subjects, and are not touched by erasure.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import datetime

from socialreferral.people.access import ApiKey, AuditEntry
from socialreferral.records import Capability, WriteItem
from socialreferral.repositories._base import Repository, dump
from socialreferral.repositories.erasure import Erasure

API_KEYS = "api_keys"
AUDIT = "people_audit"


class ApiKeyRepository(Repository):
    """Service callers' API keys (digests only)."""

    collections = (API_KEYS,)

    def add(self, key: ApiKey) -> None:
        """Store a new key (create-only: a key id is never reused; ``DocumentExists``)."""
        self._store.put(API_KEYS, key.key_id, dump(key), create_only=True)

    def get(self, key_id: str) -> ApiKey | None:
        """The key with this id (active or revoked), or None."""
        return self._get(API_KEYS, key_id, ApiKey)

    def revoke(self, key_id: str, at: datetime) -> ApiKey | None:
        """Revoke a key (a revoked key stays revoked at its first time); None if unknown."""
        key = self.get(key_id)
        if key is None or not key.active:
            return key
        revoked = key.model_copy(update={"revoked_at": at})
        self._put(API_KEYS, key_id, revoked)
        return revoked

    def every(self) -> list[ApiKey]:
        """Every key, oldest first."""
        return sorted(self._models(API_KEYS, ApiKey), key=lambda k: (k.created_at, k.key_id))

    def erase(self, erasure: Erasure) -> None:
        """Nothing: keys identify services, not the person erased."""


class AuditRepository(Repository):
    """The audit log of the People API (see the module docstring for its erasure)."""

    collections = (AUDIT,)

    def record(self, entries: Sequence[AuditEntry], *, retention_days: float = 0.0) -> None:
        """Append entries (one per person a request returned). Entries expire after
        ``retention_days`` when the store has TTLs (0: kept)."""
        ttl = retention_days * 86400 if retention_days and self._store.supports(
            Capability.TTL) else None
        items = [WriteItem(f"{e.entry_id}:{i}", dump(e, subject=e.subject), ttl=ttl)
                 for i, e in enumerate(entries)]
        self._put_many(AUDIT, items)

    def entries(self, *, subject: str | None = None,
                caller_id: str | None = None) -> list[AuditEntry]:
        """Entries about ``subject`` and/or by ``caller_id``, oldest first."""
        where = {k: v for k, v in (("_subject", subject), ("caller_id", caller_id)) if v}
        found = self._models(AUDIT, AuditEntry, where or None)
        return sorted(found, key=lambda e: (e.at, e.entry_id))

    def erase(self, erasure: Erasure) -> None:
        """Anonymise the entries about the person: the subject becomes a tombstone."""
        tomb = erasure.tombstone
        for document in self._where_in(AUDIT, "_subject", erasure.subject.people):
            value = dict(document.value)
            value["subject"] = tomb(str(value["subject"]))
            value["_subject"] = value["subject"]
            # Keep the entry's expiry: anonymising must not make it live longer.
            ttl = None if document.expires_at is None else document.expires_at - time.time()
            if ttl is not None and ttl <= 0:
                self._store.delete(AUDIT, document.key)
            else:
                self._store.put(AUDIT, document.key, value, ttl=ttl)
            erasure.count("audit_anonymised")


def subjects(entries: Iterable[AuditEntry]) -> set[str]:
    """The person ids a list of entries names."""
    return {e.subject for e in entries if e.subject}


__all__ = ["API_KEYS", "AUDIT", "ApiKeyRepository", "AuditRepository", "subjects"]
