"""Erasure: remove a person's records from the clusters and recompute what they touched.

Removing a record can split its cluster (it may have been the bridge between two groups
of records), so the affected clusters are re-clustered from their stored pairs without
the erased records, and their golden records are recomputed from what remains. Pairs,
review items and decisions that mention an erased record are dropped from the result;
the persistence layer deletes the records, pairs and decisions themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from socialreferral.errors import NotFound
from socialreferral.people.decisions import ReviewDecision
from socialreferral.people.fusion import FusionResult
from socialreferral.people.incremental import recluster
from socialreferral.people.records import ProfileRecord
from socialreferral.people.settings import LinkageSettings


def erase_records(
    result: FusionResult,
    records: Sequence[ProfileRecord],
    record_ids: Iterable[str],
    *,
    settings: LinkageSettings | None = None,
    decisions: Iterable[ReviewDecision] = (),
    source_priority: Sequence[str] = (),
) -> FusionResult:
    """``result`` without ``record_ids``; unknown ids raise :class:`NotFound`.

    ``records`` are the records ``result`` was built from (at least those of the
    clusters holding the erased ones). Decisions about erased records are ignored.
    """
    settings = settings or LinkageSettings()
    gone = frozenset(record_ids)
    missing = sorted(gone - set(result.assignments))
    if missing:
        raise NotFound(f"unknown record ids: {', '.join(missing[:5])}")
    affected = {result.assignments[rid] for rid in gone}
    by_id = {
        r.record_id: r
        for r in records
        if r.record_id not in gone and result.assignments.get(r.record_id) in affected
    }
    kept_decisions = [d for d in decisions if d.left_id not in gone and d.right_id not in gone]
    return recluster(
        result,
        by_id,
        affected,
        pairs=result.pairs,
        settings=settings,
        decisions=kept_decisions,
        source_priority=source_priority,
        removed=gone,
    )


def erase_person(
    result: FusionResult,
    records: Sequence[ProfileRecord],
    cluster_id: str,
    *,
    settings: LinkageSettings | None = None,
    decisions: Iterable[ReviewDecision] = (),
) -> FusionResult:
    """``result`` without any record of the person ``cluster_id``."""
    if cluster_id not in result.clusters:
        raise NotFound(f"unknown person {cluster_id!r}")
    ids = [rid for rid, cid in result.assignments.items() if cid == cluster_id]
    return erase_records(result, records, ids, settings=settings, decisions=decisions)


__all__ = ["erase_person", "erase_records"]
