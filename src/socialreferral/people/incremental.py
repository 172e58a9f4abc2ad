"""Incremental linking: new profiles join existing people without re-running everything.

New records are scored only against the existing records (through the trained model's
blocking rules) and against each other, with the model that built the clusters, so
weights keep their meaning. Only the clusters a new record touches are re-clustered,
from their stored pairs plus the new ones; every other cluster, golden record and review
item is carried over untouched. The same re-clustering of a subset serves erasure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from socialreferral.errors import InvalidInput
from socialreferral.people.clustering import cluster
from socialreferral.people.decisions import ReviewDecision
from socialreferral.people.engine import LinkageEngine, ScoredPair
from socialreferral.people.fusion import FusionResult, PersonCluster, deterministic_pairs, fuse
from socialreferral.people.golden import golden_record
from socialreferral.people.records import ProfileRecord, check_unique_ids, linkage_row
from socialreferral.people.settings import LinkageSettings


def recluster(
    result: FusionResult,
    records_by_id: Mapping[str, ProfileRecord],
    affected: set[str],
    *,
    pairs: Sequence[ScoredPair],
    settings: LinkageSettings,
    decisions: Iterable[ReviewDecision] = (),
    source_priority: Sequence[str] = (),
    removed: frozenset[str] = frozenset(),
) -> FusionResult:
    """Re-cluster the clusters in ``affected`` (plus unassigned records among ``pairs``).

    ``records_by_id`` must hold every record of the affected clusters and every new one;
    ``removed`` record ids disappear from the result (erasure).
    """
    ids = sorted(
        {rid for rid, cid in result.assignments.items() if cid in affected}
        | {rid for rid in records_by_id if rid not in result.assignments}
    )
    ids = [i for i in ids if i not in removed]
    id_set = set(ids)
    kept_pairs = [p for p in pairs if p.left_id not in removed and p.right_id not in removed]
    local_pairs = [p for p in kept_pairs if p.left_id in id_set and p.right_id in id_set]
    clustering = cluster(
        ids,
        local_pairs,
        link_threshold=settings.link_threshold,
        review_lower=settings.review_lower,
        review_upper=settings.review_upper,
        max_cluster_size=settings.max_cluster_size,
        decisions=decisions,
        previous={rid: result.assignments[rid] for rid in ids if rid in result.assignments},
    )
    clusters = {cid: c for cid, c in result.clusters.items() if cid not in affected}
    assignments = {
        rid: cid
        for rid, cid in result.assignments.items()
        if cid not in affected and rid not in removed
    }
    links_by_cluster: dict[str, list[ScoredPair]] = {}
    for link in clustering.links:
        links_by_cluster.setdefault(clustering.assignments[link.left_id], []).append(link)
    for cid, members in clustering.members().items():
        clusters[cid] = PersonCluster(
            cluster_id=cid,
            golden=golden_record(
                cid, [records_by_id[m] for m in members], source_priority=source_priority
            ),
            links=tuple(links_by_cluster.get(cid, ())),
        )
        for m in members:
            assignments[m] = cid
    review = [
        item
        for item in result.review
        if item.pair.left_id not in id_set
        and item.pair.right_id not in id_set
        and item.pair.left_id not in removed
        and item.pair.right_id not in removed
    ]
    conflicts = [
        c for c in result.conflicts if c.left_id not in id_set and c.right_id not in id_set
    ]
    return FusionResult(
        clusters=clusters,
        assignments=assignments,
        pairs=tuple(kept_pairs),
        review=(*review, *clustering.review),
        conflicts=(*conflicts, *clustering.conflicts),
        model=result.model,
    )


def link_new(
    result: FusionResult,
    existing: Sequence[ProfileRecord],
    new: Sequence[ProfileRecord],
    *,
    settings: LinkageSettings | None = None,
    decisions: Iterable[ReviewDecision] = (),
    source_priority: Sequence[str] = (),
    spark_session: Any = None,
) -> FusionResult:
    """``result`` with the ``new`` records linked in (see the module docstring).

    ``existing`` are the records ``result`` was built from (the engine blocks new records
    against them). Without a trained model (the previous run had fewer than two
    records) this falls back to a full :func:`fuse`.
    """
    settings = settings or LinkageSettings()
    check_unique_ids([*existing, *new])
    known = {r.record_id for r in existing}
    if set(result.assignments) != known:
        raise InvalidInput("existing records do not match the fusion result", field="existing")
    if not new:
        return result
    if result.model is None:
        return fuse(
            [*existing, *new],
            settings=settings,
            decisions=decisions,
            previous=result.assignments,
            source_priority=source_priority,
            spark_session=spark_session,
        )

    def row(r: ProfileRecord) -> dict[str, Any]:
        return linkage_row(r, day_first=settings.day_first, phone_digits=settings.phone_digits)

    old_rows = [row(r) for r in existing]
    new_rows = [row(r) for r in new]
    new_ids = {r.record_id for r in new}
    rule_pairs = [
        p
        for p in deterministic_pairs([*old_rows, *new_rows])
        if p.left_id in new_ids or p.right_id in new_ids
    ]
    engine = LinkageEngine(settings, spark_session)
    scored = engine.predict_between(
        old_rows, new_rows, result.model, min_probability=settings.review_lower
    )
    new_pairs = [*rule_pairs, *scored]
    affected = {
        result.assignments[rid]
        for p in new_pairs
        for rid in (p.left_id, p.right_id)
        if rid in result.assignments
    }
    records_by_id = {
        r.record_id: r for r in existing if result.assignments[r.record_id] in affected
    }
    records_by_id.update({r.record_id: r for r in new})
    return recluster(
        result,
        records_by_id,
        affected,
        pairs=[*result.pairs, *new_pairs],
        settings=settings,
        decisions=decisions,
        source_priority=source_priority,
    )


__all__ = ["link_new", "recluster"]
