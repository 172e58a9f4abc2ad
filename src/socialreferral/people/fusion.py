"""Profile fusion (seed 001's periodic merge, seed 004's "profiles fusion" block).

``fuse`` takes profile records from any number of sources and returns people: clusters of
records, a golden record per cluster with per-field provenance, the links (with the
match weights behind each), a review band for operators and the trained model. It is a
pure function of its inputs — records, operator decisions, settings, optionally a model
and the previous cluster ids — so the persistence layer stores those and can re-run it
at any time with the same result.

``resolve`` is the one-call form for a list of plain mappings: one cluster id per record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.people.clustering import Clustering, Conflict, ReviewItem, cluster
from socialreferral.people.decisions import ReviewDecision, pair_key
from socialreferral.people.engine import LevelWeight, LinkageEngine, ScoredPair, TrainedModel
from socialreferral.people.golden import GoldenRecord, golden_record
from socialreferral.people.model_spec import DETERMINISTIC_RULES
from socialreferral.people.records import (
    ProfileRecord,
    check_unique_ids,
    linkage_row,
    records_from_mappings,
)
from socialreferral.people.settings import LinkageSettings

# A value shared by more records than this is not an identifier (a family mailbox, a
# shop's phone): deterministic rules ignore it and leave those pairs to the model.
_MAX_DETERMINISTIC_GROUP = 20


class PersonCluster(DomainModel):
    """One person: the golden record and the links that hold the cluster together."""

    cluster_id: str
    golden: GoldenRecord
    links: tuple[ScoredPair, ...] = ()


class FusionResult(DomainModel):
    """Everything one fusion run decided; inputs for the next (incremental) run."""

    clusters: dict[str, PersonCluster]
    assignments: dict[str, str] = Field(description="record id -> cluster id")
    pairs: tuple[ScoredPair, ...] = Field(
        default=(), description="every scored pair at or above review_lower, and rule links"
    )
    review: tuple[ReviewItem, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    model: TrainedModel | None = None

    def cluster_of(self, record_id: str) -> PersonCluster:
        """The cluster holding ``record_id`` (``KeyError`` if the record is unknown)."""
        return self.clusters[self.assignments[record_id]]


def deterministic_pairs(rows: Sequence[Mapping[str, Any]]) -> list[ScoredPair]:
    """Pairs linked by a certain rule (shared verified e-mail, same account on a network)."""
    pairs: dict[tuple[str, str], ScoredPair] = {}
    for column, reason in DETERMINISTIC_RULES:
        groups: dict[str, list[str]] = {}
        for row in rows:
            value = row.get(column)
            if value:
                groups.setdefault(str(value), []).append(str(row["unique_id"]))
        for ids in groups.values():
            if not 2 <= len(ids) <= _MAX_DETERMINISTIC_GROUP:
                continue
            anchor = min(ids)
            for other in ids:  # a star is enough to connect the group
                key = pair_key(anchor, other)
                if other != anchor and key not in pairs:
                    pairs[key] = ScoredPair(
                        left_id=key[0],
                        right_id=key[1],
                        match_probability=1.0,
                        match_weight=99.0,
                        evidence=(LevelWeight(comparison=column, level=reason, match_weight=99.0),),
                        rule=reason,
                    )
    return list(pairs.values())


def assemble(
    records: Sequence[ProfileRecord],
    pairs: Sequence[ScoredPair],
    clustering: Clustering,
    model: TrainedModel | None,
    *,
    source_priority: Sequence[str] = (),
) -> FusionResult:
    """Golden records and per-cluster links from a clustering of ``records``."""
    by_id = {r.record_id: r for r in records}
    links_by_cluster: dict[str, list[ScoredPair]] = {}
    for link in clustering.links:
        links_by_cluster.setdefault(clustering.assignments[link.left_id], []).append(link)
    clusters = {
        cid: PersonCluster(
            cluster_id=cid,
            golden=golden_record(cid, [by_id[i] for i in ids], source_priority=source_priority),
            links=tuple(links_by_cluster.get(cid, ())),
        )
        for cid, ids in clustering.members().items()
    }
    return FusionResult(
        clusters=clusters,
        assignments=clustering.assignments,
        pairs=tuple(pairs),
        review=clustering.review,
        conflicts=clustering.conflicts,
        model=model,
    )


def fuse(
    records: Sequence[ProfileRecord],
    *,
    settings: LinkageSettings | None = None,
    decisions: Iterable[ReviewDecision] = (),
    model: TrainedModel | None = None,
    previous: Mapping[str, str] | None = None,
    source_priority: Sequence[str] = (),
    spark_session: Any = None,
) -> FusionResult:
    """Link ``records`` into people (see the module docstring).

    ``model``: score with this trained model instead of training one (keeps weights
    stable across runs). ``previous``: record id -> cluster id of the last run, so ids
    carry over. ``spark_session``: required when ``settings.backend == "spark"``.
    """
    settings = settings or LinkageSettings()
    check_unique_ids(records)
    rows = [
        linkage_row(r, day_first=settings.day_first, phone_digits=settings.phone_digits)
        for r in records
    ]
    pairs = deterministic_pairs(rows)
    engine = LinkageEngine(settings, spark_session)
    if len(rows) >= 2 and engine.spec(rows).comparisons:
        if model is None:
            model, scored = engine.fit_predict(rows, min_probability=settings.review_lower)
        else:
            scored = engine.predict(rows, model, min_probability=settings.review_lower)
        pairs += scored
    clustering = cluster(
        [r.record_id for r in records],
        pairs,
        link_threshold=settings.link_threshold,
        review_lower=settings.review_lower,
        review_upper=settings.review_upper,
        max_cluster_size=settings.max_cluster_size,
        decisions=decisions,
        previous=previous,
    )
    return assemble(records, pairs, clustering, model, source_priority=source_priority)


def resolve(
    records: Sequence[Mapping[str, str | None]],
    *,
    settings: LinkageSettings | None = None,
    spark_session: Any = None,
) -> list[str]:
    """One person (cluster) id per input record, in input order.

    Recognised keys: ``first_name, last_name, date_of_birth, email, phone, city,
    postcode, street, network, handle``; other keys are ignored and missing ones are
    unknown. Works with the defaults and no training labels. Raises
    :class:`~socialreferral.errors.InvalidInput` for values that are not text or exceed
    the size limits.
    """
    settings = settings or LinkageSettings()
    profile_records = records_from_mappings(records, max_records=settings.max_records)
    result = fuse(profile_records, settings=settings, spark_session=spark_session)
    return [result.assignments[r.record_id] for r in profile_records]


__all__ = [
    "FusionResult",
    "PersonCluster",
    "deterministic_pairs",
    "fuse",
    "resolve",
]
