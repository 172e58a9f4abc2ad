"""The state of one erasure: who is being forgotten, tombstones, and what was done.

:class:`Subject` gathers every identifier of the person before anything is erased (the
customer repository resolves it); :class:`Erasure` is handed to each repository's
``erase`` in turn and collects the counts and the ids of deleted records (later
repositories delete what depended on them, e.g. the timing samples of a deleted offer).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

TOMBSTONE_PREFIX = "erased:"
ERASED_TEXT = "erased"


@dataclass
class Subject:
    """Everything that identifies the person, gathered before anything is erased."""

    customer_ids: set[str] = field(default_factory=set)
    person_ids: set[str] = field(default_factory=set)
    accounts: set[tuple[str, str]] = field(default_factory=set)  # (network, person id)
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    secret_names: set[str] = field(default_factory=set)
    profile_records: set[str] = field(default_factory=set)  # captured profiles (People)
    people: set[str] = field(default_factory=set)  # fused person (cluster) ids
    crm_contacts: set[str] = field(default_factory=set)  # CRM contact ids
    names: set[str] = field(default_factory=set)  # full names, scrubbed from kept text

    @property
    def ids(self) -> set[str]:
        """Every id of the person: customer, network person, profile record and fused
        person ids."""
        return self.customer_ids | self.person_ids | self.profile_records | self.people

    def size(self) -> tuple[int, ...]:
        """A fingerprint that grows whenever an identifier is added (for fixpoints)."""
        return (len(self.customer_ids), len(self.person_ids), len(self.accounts),
                len(self.emails), len(self.phones), len(self.secret_names),
                len(self.profile_records), len(self.people), len(self.crm_contacts),
                len(self.names))


class Tombstones:
    """Irreversible stand-ins: HMAC under a random key that dies with the erasure, so the
    same id gets the same tombstone within one erasure (records stay consistent with each
    other) and nobody can recompute it from the id afterwards (a plain hash of a guessable
    id could be)."""

    def __init__(self, subject: Subject) -> None:
        self._key = os.urandom(32)
        self.subject = subject
        words = sorted(subject.ids | subject.emails | subject.phones | subject.names,
                       key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(rf"(?<![A-Za-z0-9]){re.escape(w)}(?![A-Za-z0-9])"
                                for w in words))
            if words else None
        )

    def __call__(self, value: str) -> str:
        digest = hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"{TOMBSTONE_PREFIX}{digest[:16]}"

    def ident(self, value: Any) -> Any:
        """``value`` tombstoned if it is one of the person's ids, else unchanged."""
        return self(value) if isinstance(value, str) and value in self.subject.ids else value

    def scrub(self, value: Any) -> Any:
        """``value`` (any JSON) with every mention of the person replaced."""
        if isinstance(value, str):
            if value in self.subject.ids:
                return self(value)
            if self._pattern is None:
                return value
            return self._pattern.sub(
                lambda m: self(m.group(0)) if m.group(0) in self.subject.ids
                else ERASED_TEXT, value)
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub(v) for k, v in value.items()}
        return value


class Erasure:
    """One erasure in progress: the subject, its tombstones, counts, deleted record ids."""

    def __init__(self, subject: Subject) -> None:
        self.subject = subject
        self.tombstone = Tombstones(subject)
        self.counts: Counter[str] = Counter()
        self.deleted_records: set[str] = set()
        """Ids of records deleted so far (their dependants, like timing samples, go too)."""

    def count(self, kind: str, n: int = 1) -> None:
        """Add ``n`` to the count of ``kind`` (e.g. ``"offers"``, ``"rewards_anonymised"``)."""
        if n:
            self.counts[kind] += n


__all__ = ["ERASED_TEXT", "TOMBSTONE_PREFIX", "Erasure", "Subject", "Tombstones"]
