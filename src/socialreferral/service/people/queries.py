"""Reading people (seed 001's REST queries by apps and the CRM), audited.

Every function takes the :class:`~socialreferral.people.access.Caller` who asks and
records one audit entry per person it returns (who, when, what, whom; for a search the
kind of key only, never the searched value), before the answer leaves: an answer that
was not audited is never given.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, Field

from socialreferral.domain._base import DomainModel
from socialreferral.errors import InvalidInput, NotFound
from socialreferral.people.access import AuditAction, AuditEntry, Caller
from socialreferral.people.clustering import ReviewItem
from socialreferral.people.engine import LevelWeight, ScoredPair
from socialreferral.people.fusion import PersonCluster
from socialreferral.people.golden import GoldenRecord
from socialreferral.people.profiles import CapturedProfile
from socialreferral.people.settings import PeopleSettings
from socialreferral.repositories import Repositories
from socialreferral.repositories.profiles import LOOKUP_KINDS
from socialreferral.service.people.fusion import decide

MAX_QUERY_CHARS = 256
MAX_REVIEW_ITEMS = 500
LookupKind = Literal["email", "phone", "handle"]


class PersonSummary(DomainModel):
    """A person found by a search: the golden values and where they came from."""

    person_id: str
    display_name: str
    fields: dict[str, str]
    sources: tuple[str, ...]
    records: int = Field(ge=1)


class SourceView(DomainModel):
    """One captured profile of a person, as its source gave it."""

    record_id: str
    source: str
    network: str | None = None
    handle: str | None = None
    captured_at: AwareDatetime
    fields: dict[str, str]
    attributes: dict[str, str]
    scopes: tuple[str, ...] = ()
    email_verified: bool = False


class PersonDetail(DomainModel):
    """A person: golden record with per-field provenance, sources, and the links (with
    the match weights behind each) that hold the person together."""

    person_id: str
    golden: GoldenRecord
    sources: tuple[SourceView, ...]
    links: tuple[ScoredPair, ...]


class ReviewEntry(DomainModel):
    """A pair an operator should confirm or split: both records, their people, the
    probability and the per-comparison evidence."""

    left: SourceView | None
    right: SourceView | None
    left_person: str | None
    right_person: str | None
    match_probability: float
    match_weight: float
    evidence: tuple[LevelWeight, ...]
    reason: str


def _view(profile: CapturedProfile) -> SourceView:
    return SourceView(record_id=profile.record_id, source=profile.source,
                      network=profile.network, handle=profile.handle,
                      captured_at=profile.captured_at, fields=profile.fields,
                      attributes=profile.attributes, scopes=profile.scopes,
                      email_verified=profile.email_verified)


def summary(cluster: PersonCluster) -> PersonSummary:
    """The search view of a person."""
    golden = cluster.golden
    name = " ".join(filter(None, (golden.value("first_name"), golden.value("last_name"))))
    return PersonSummary(person_id=cluster.cluster_id, display_name=name,
                         fields={f: p.value for f, p in golden.fields.items()},
                         sources=golden.sources, records=len(golden.record_ids))


def audit(repositories: Repositories, settings: PeopleSettings, caller: Caller,
          action: AuditAction, subjects: Iterable[str | None], now: datetime, *,
          query_kind: str | None = None, results: int = 0) -> None:
    """Record one entry per subject (one with no subject when there is none)."""
    entry_id = f"{now.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}"
    people: list[str | None] = [*sorted({s for s in subjects if s})] or [None]
    repositories.audit.record(
        [AuditEntry(entry_id=entry_id, at=now, caller_id=caller.caller_id,
                    caller_name=caller.name, action=action, subject=subject,
                    query_kind=query_kind, results=results) for subject in people],
        retention_days=settings.audit_retention_days)


def find_people(repositories: Repositories, settings: PeopleSettings, *, caller: Caller,
                kind: str, value: str, now: datetime) -> list[PersonSummary]:
    """The people whose records hold ``value`` as their e-mail, phone or handle
    (normalised the way fusion compares them), audited."""
    if kind not in LOOKUP_KINDS:
        raise InvalidInput(f"search by one of {', '.join(LOOKUP_KINDS)}", field="query")
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_QUERY_CHARS:
        raise InvalidInput(f"1-{MAX_QUERY_CHARS} characters", field=kind)
    record_ids = repositories.profiles.find(kind, value)
    owners = repositories.people.clusters_of(record_ids)
    found = [c for c in (repositories.people.cluster(cid) for cid in sorted(set(owners.values())))
             if c is not None]
    audit(repositories, settings, caller, "search", [c.cluster_id for c in found], now,
          query_kind=kind, results=len(found))
    return [summary(c) for c in found]


def read_person(repositories: Repositories, settings: PeopleSettings, *, caller: Caller,
                person_id: str, now: datetime) -> PersonDetail:
    """One person whole (golden record, sources, links), audited; :class:`NotFound`."""
    if not isinstance(person_id, str) or not 0 < len(person_id) <= 128:
        raise InvalidInput("1-128 characters", field="person_id")
    cluster = repositories.people.cluster(person_id)
    if cluster is None:
        raise NotFound(f"no person {person_id!r}")
    sources = repositories.profiles.many(cluster.golden.record_ids)
    audit(repositories, settings, caller, "read", [person_id], now, results=1)
    return PersonDetail(person_id=person_id, golden=cluster.golden,
                        sources=tuple(_view(p) for p in sources), links=cluster.links)


def review_band(repositories: Repositories, settings: PeopleSettings, *, caller: Caller,
                now: datetime, limit: int = 100) -> list[ReviewEntry]:
    """The review band, most probable pairs first, with both records; audited."""
    if not 1 <= limit <= MAX_REVIEW_ITEMS:
        raise InvalidInput(f"between 1 and {MAX_REVIEW_ITEMS}", field="limit")
    items: Sequence[ReviewItem] = repositories.people.review_items()[:limit]
    ids = {i for item in items for i in (item.pair.left_id, item.pair.right_id)}
    profiles = {p.record_id: p for p in repositories.profiles.many(ids)}
    owners = repositories.people.clusters_of(ids)
    entries = []
    for item in items:
        pair = item.pair
        left, right = profiles.get(pair.left_id), profiles.get(pair.right_id)
        entries.append(ReviewEntry(
            left=_view(left) if left else None, right=_view(right) if right else None,
            left_person=owners.get(pair.left_id), right_person=owners.get(pair.right_id),
            match_probability=pair.match_probability, match_weight=pair.match_weight,
            evidence=pair.evidence, reason=item.reason))
    audit(repositories, settings, caller, "review", owners.values(), now,
          results=len(entries))
    return entries


def decide_pair(repositories: Repositories, settings: PeopleSettings, *, caller: Caller,
                left_id: str, right_id: str, decision: str, now: datetime,
                note: str = "") -> dict[str, str]:
    """An operator's confirm/split through the API or CLI, applied now and audited."""
    if decision not in ("confirm", "split"):
        raise InvalidInput("confirm or split", field="decision")
    for name, value in (("left_id", left_id), ("right_id", right_id)):
        if not isinstance(value, str) or not 0 < len(value) <= 128:
            raise InvalidInput("1-128 characters", field=name)
    if not isinstance(note, str) or len(note) > 1000:
        raise InvalidInput("at most 1000 characters", field="note")
    placed = decide(repositories, settings, left_id=left_id, right_id=right_id,
                    decision="confirm" if decision == "confirm" else "split",
                    decided_by=caller.name or caller.caller_id, now=now, note=note)
    audit(repositories, settings, caller, "decide", placed.values(), now, results=1)
    return placed


__all__ = [
    "LookupKind",
    "PersonDetail",
    "PersonSummary",
    "ReviewEntry",
    "SourceView",
    "audit",
    "decide_pair",
    "find_people",
    "read_person",
    "review_band",
    "summary",
]
