"""The fusion job (seed 001's periodic merge) and operators' review decisions.

:func:`run_fusion` is what the batch task ``people.fuse`` runs:

* ``full`` — every captured profile is fused again (a new model is trained unless
  ``[people] retrain = false``), with every stored decision; person ids carry over;
* ``incremental`` — only the captures new or changed since the last run are linked,
  with the stored model, against the existing records; a changed capture first leaves
  its person (its old values must not keep a link alive), then is linked like a new one;
* ``auto`` — full when the last full run is older than ``[people] full_every_hours``
  (or there was none), else incremental.

Both write only the difference to the stored state and clear the pending marks of what
they linked. :func:`decide` stores an operator's confirm/split and applies it at once to
the two people concerned; every later run applies it again (decisions are inputs).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.errors import InvalidInput, NotFound
from socialreferral.people.decisions import ReviewDecision
from socialreferral.people.erasure import erase_records
from socialreferral.people.fusion import FusionResult, fuse
from socialreferral.people.incremental import link_new, recluster
from socialreferral.people.records import ProfileRecord
from socialreferral.people.settings import PeopleSettings
from socialreferral.repositories import Repositories

FusionMode = Literal["auto", "full", "incremental"]


class FusionRun(DomainModel):
    """What one run did."""

    mode: Literal["full", "incremental", "none"]
    records: int = Field(ge=0, description="records in the result")
    linked: int = Field(ge=0, description="captures linked by this run")
    people: int = Field(ge=0)
    review: int = Field(ge=0)
    conflicts: int = Field(ge=0)
    writes: dict[str, int] = Field(default_factory=dict)
    seconds: float = Field(ge=0.0)
    changed: frozenset[str] = Field(default=frozenset(), exclude=True,
                                    description="people written or deleted by the run")


def _summary(mode: Literal["full", "incremental", "none"], result: FusionResult, linked: int,
             writes: dict[str, int], started: float,
             changed: frozenset[str] = frozenset()) -> FusionRun:
    return FusionRun(mode=mode, records=len(result.assignments), linked=linked,
                     people=len(result.clusters), review=len(result.review),
                     conflicts=len(result.conflicts), writes=writes,
                     seconds=round(time.perf_counter() - started, 3), changed=changed)


def choose_mode(repositories: Repositories, settings: PeopleSettings, now: datetime,
                mode: FusionMode) -> Literal["full", "incremental"]:
    """``auto`` resolved: full when the last full run is too old or missing."""
    if mode != "auto":
        return mode
    last = repositories.people.last_run("full")
    if last is None or now - last >= timedelta(hours=settings.full_every_hours):
        return "full"
    return "incremental"


def run_fusion(repositories: Repositories, settings: PeopleSettings, *, now: datetime,
               mode: FusionMode = "auto", spark_session: Any = None) -> FusionRun:
    """Fuse the captured profiles (module docstring); ``spark_session`` when
    ``settings.linkage.backend == "spark"``."""
    started = time.perf_counter()
    chosen = choose_mode(repositories, settings, now, mode)
    people, profiles = repositories.people, repositories.profiles
    previous = people.load()
    decisions = people.decisions()
    waiting = {p.record_id for p in profiles.pending()}
    captures = list(profiles.every())
    if chosen == "incremental" and not set(previous.assignments) <= {
            c.record_id for c in captures}:
        # A fused record whose capture is gone (an interrupted erasure): start afresh.
        chosen = "full"
    if chosen == "full":
        model = None if settings.retrain else previous.model
        result = fuse([c.to_record() for c in captures], settings=settings.linkage,
                      decisions=decisions, model=model, previous=previous.assignments,
                      source_priority=settings.source_priority, spark_session=spark_session)
        linked = [c.record_id for c in captures]
    else:
        if not waiting:
            return _summary("none", previous, 0, {}, started)
        pending = [p.to_record() for p in captures if p.record_id in waiting]
        existing = [p.to_record() for p in captures
                    if p.record_id in previous.assignments and p.record_id not in waiting]
        result = _link(previous, existing, pending, settings, decisions, spark_session)
        linked = [p.record_id for p in pending]
    writes = people.save(result, previous)
    profiles.mark_fused(waiting.intersection(linked))
    people.record_run(chosen, now, settings)
    return _summary(chosen, result, len(linked), writes, started, people.changed)


def _link(previous: FusionResult, existing: Sequence[ProfileRecord],
          new: Sequence[ProfileRecord], settings: PeopleSettings,
          decisions: Sequence[ReviewDecision], spark_session: Any) -> FusionResult:
    new_ids = {r.record_id for r in new}
    result = previous
    changed = new_ids & set(previous.assignments)
    if changed:
        # The old version of a changed capture leaves its person before the new one links.
        result = erase_records(previous, existing, changed, settings=settings.linkage,
                               decisions=decisions, source_priority=settings.source_priority)
    return link_new(result, existing, new, settings=settings.linkage, decisions=decisions,
                    source_priority=settings.source_priority, spark_session=spark_session)


def decide(repositories: Repositories, settings: PeopleSettings, *, left_id: str,
           right_id: str, decision: Literal["confirm", "split"], decided_by: str,
           now: datetime, note: str = "") -> dict[str, str]:
    """Store an operator's verdict on a pair of records and apply it now to the people
    holding them; return record id -> person id for both. Unknown records raise
    :class:`NotFound`; a malformed decision :class:`InvalidInput`."""
    try:
        verdict = ReviewDecision(left_id=left_id, right_id=right_id, decision=decision,
                                 decided_by=decided_by, decided_at=now, note=note)
    except ValueError as exc:
        raise InvalidInput(str(exc).splitlines()[0][:200], field="decision") from None
    people = repositories.people
    owners = people.clusters_of([left_id, right_id])
    missing = sorted({left_id, right_id} - set(owners))
    if missing:
        raise NotFound(f"no fused record {missing[0]!r}")
    people.save_decision(verdict)
    previous = people.load(set(owners.values()))
    records = {p.record_id: p.to_record()
               for p in repositories.profiles.many(previous.assignments)}
    used = people.settings_used() or settings
    result = recluster(previous, records, set(previous.clusters), pairs=previous.pairs,
                       settings=used.linkage, decisions=people.decisions(),
                       source_priority=used.source_priority)
    people.save(result, previous)
    return {rid: result.assignments[rid] for rid in (left_id, right_id)}


__all__ = ["FusionMode", "FusionRun", "choose_mode", "decide", "run_fusion"]
