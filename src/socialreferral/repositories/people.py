"""The fusion state: people (clusters with golden records), links, review band, decisions.

Collections, all keyed so a run rewrites only what changed:

* ``people_clusters`` (person id) — :class:`~socialreferral.people.PersonCluster`: the
  golden record with per-field provenance and the links that hold the cluster together;
* ``people_members`` (record id) — which person a captured profile belongs to;
* ``people_pairs`` (``<left>:<right>``) — every scored pair at or above the review band's
  lower edge, and the rule links, with their per-comparison match weights;
* ``people_review`` (``review:``/``conflict:`` + pair) — the review band and conflicts;
* ``people_decisions`` (pair) — operators' confirm/split verdicts, the latest per pair:
  inputs to every later run, so they stick;
* ``people_state`` — the trained model (Splink settings JSON), the settings the last run
  used (erasure re-clusters with them), run times and the CRM contacts watermark.

A :class:`FusionResult` is loaded whole (:meth:`PeopleRepository.load`) or for some
people only (``cluster_ids=``: their members, the pairs and review items touching them);
:meth:`PeopleRepository.save` writes the difference between what was loaded and the new
result. The same pair of calls serves a full run, incremental linking, an operator's
decision and erasure.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from socialreferral.people.clustering import Conflict, ReviewItem
from socialreferral.people.decisions import ReviewDecision, pair_key
from socialreferral.people.engine import ScoredPair, TrainedModel
from socialreferral.people.erasure import erase_records
from socialreferral.people.fusion import FusionResult, PersonCluster
from socialreferral.people.settings import PeopleSettings
from socialreferral.records import WriteItem
from socialreferral.repositories._base import Repository, dump, load
from socialreferral.repositories.erasure import Erasure, Subject
from socialreferral.repositories.profiles import ProfileRepository

CLUSTERS = "people_clusters"
MEMBERS = "people_members"
PAIRS = "people_pairs"
REVIEW = "people_review"
DECISIONS = "people_decisions"
STATE = "people_state"


def _pair_id(left: str, right: str) -> str:
    a, b = pair_key(left, right)
    return f"{a}|{b}"


def _review_id(item: ReviewItem | Conflict) -> str:
    if isinstance(item, ReviewItem):
        return "review:" + _pair_id(item.pair.left_id, item.pair.right_id)
    return "conflict:" + _pair_id(item.left_id, item.right_id)


def _sides(item: ReviewItem | Conflict) -> tuple[str, str]:
    if isinstance(item, ReviewItem):
        return item.pair.left_id, item.pair.right_id
    return item.left_id, item.right_id


class PeopleRepository(Repository):
    """The persisted :class:`FusionResult`, decisions, model and run bookkeeping."""

    collections = (CLUSTERS, MEMBERS, PAIRS, REVIEW, DECISIONS, STATE)

    def __init__(self, store: Any, profiles: ProfileRepository) -> None:
        super().__init__(store)
        self._profiles = profiles  # erasure re-clusters with the remaining captures
        self.changed: frozenset[str] = frozenset()

    # -- the fusion result -------------------------------------------------------------
    def load(self, cluster_ids: Iterable[str] | None = None) -> FusionResult:
        """The stored result: whole, or for the people in ``cluster_ids`` only."""
        if cluster_ids is None:
            clusters = list(self._models(CLUSTERS, PersonCluster))
            members = {str(v["record_id"]): str(v["cluster_id"]) for v in self._values(MEMBERS)}
            pairs = list(self._models(PAIRS, ScoredPair))
            reviews = self._values(REVIEW)
        else:
            wanted = set(cluster_ids)
            clusters = [load(PersonCluster, d.value)
                        for d in self._where_in(CLUSTERS, "cluster_id", wanted)]
            members = {str(d.value["record_id"]): str(d.value["cluster_id"])
                       for d in self._where_in(MEMBERS, "cluster_id", wanted)}
            touching: dict[str, Any] = {}
            reviewed: dict[str, Any] = {}
            for side in ("left_id", "right_id"):
                for d in self._where_in(PAIRS, side, members):
                    touching[d.key] = d.value
                for d in self._where_in(REVIEW, f"_{side}", members):
                    reviewed[d.key] = d.value
            pairs = [load(ScoredPair, v) for v in touching.values()]
            reviews = list(reviewed.values())
        review = [load(ReviewItem, v) for v in reviews if v.get("_kind") == "review"]
        conflicts = [load(Conflict, v) for v in reviews if v.get("_kind") == "conflict"]
        return FusionResult(
            clusters={c.cluster_id: c for c in clusters},
            assignments=members,
            pairs=tuple(sorted(pairs, key=lambda p: (p.left_id, p.right_id))),
            review=tuple(review),
            conflicts=tuple(conflicts),
            model=self.model(),
        )

    def save(self, result: FusionResult, previous: FusionResult) -> dict[str, int]:
        """Write what differs between ``previous`` (as loaded) and ``result``; delete
        what ``previous`` held and ``result`` does not. Returns counts of writes; the
        people written or deleted are in :attr:`changed` until the next call."""
        counts = {"clusters": 0, "members": 0, "pairs": 0, "review": 0, "deleted": 0}
        self.changed = frozenset(
            {cid for cid, c in result.clusters.items() if previous.clusters.get(cid) != c}
            | (previous.clusters.keys() - result.clusters.keys()))

        def sync(collection: str, old: dict[str, BaseModel], new: dict[str, BaseModel],
                 counter: str, meta: Any = None) -> None:
            items = [WriteItem(key, dump(model, **(meta(model) if meta else {})))
                     for key, model in new.items() if old.get(key) != model]
            self._put_many(collection, items)
            counts[counter] += len(items)
            for key in old.keys() - new.keys():
                counts["deleted"] += int(self._store.delete(collection, key))

        sync(CLUSTERS, dict(previous.clusters), dict(result.clusters), "clusters")
        member_items = [WriteItem(rid, {"record_id": rid, "cluster_id": cid})
                        for rid, cid in result.assignments.items()
                        if previous.assignments.get(rid) != cid]
        self._put_many(MEMBERS, member_items)
        counts["members"] = len(member_items)
        for rid in previous.assignments.keys() - result.assignments.keys():
            counts["deleted"] += int(self._store.delete(MEMBERS, rid))
        sync(PAIRS, {_pair_id(p.left_id, p.right_id): p for p in previous.pairs},
             {_pair_id(p.left_id, p.right_id): p for p in result.pairs}, "pairs")

        def review_meta(item: BaseModel) -> dict[str, Any]:
            assert isinstance(item, ReviewItem | Conflict)
            left, right = _sides(item)
            kind = "review" if isinstance(item, ReviewItem) else "conflict"
            return {"kind": kind, "left_id": left, "right_id": right}

        def reviewed(source: FusionResult) -> dict[str, BaseModel]:
            items: list[ReviewItem | Conflict] = [*source.review, *source.conflicts]
            return {_review_id(i): i for i in items}

        sync(REVIEW, reviewed(previous), reviewed(result), "review", review_meta)
        if result.model is not None and result.model != previous.model:
            self._store.put(STATE, "model", result.model.model_dump(mode="json"))
        return counts

    # -- reads -------------------------------------------------------------------------
    def cluster(self, cluster_id: str) -> PersonCluster | None:
        """One person, or None."""
        return self._get(CLUSTERS, cluster_id, PersonCluster)

    def clusters_of(self, record_ids: Iterable[str]) -> dict[str, str]:
        """record id -> person id, for the records that are fused."""
        return {str(d.value["record_id"]): str(d.value["cluster_id"])
                for d in self._where_in(MEMBERS, "record_id", record_ids)}

    def review_items(self) -> list[ReviewItem]:
        """The review band, most probable pairs first."""
        items = [load(ReviewItem, v) for v in self._values(REVIEW, {"_kind": "review"})]
        return sorted(items, key=lambda i: (-i.pair.match_probability, i.pair.left_id,
                                            i.pair.right_id))

    def model(self) -> TrainedModel | None:
        """The trained linkage model, or None before the first run."""
        document = self._store.find(STATE, "model")
        return None if document is None else TrainedModel.model_validate(document.value)

    # -- decisions ---------------------------------------------------------------------
    def decisions(self) -> list[ReviewDecision]:
        """Every stored decision (the latest per pair)."""
        return list(self._models(DECISIONS, ReviewDecision))

    def save_decision(self, decision: ReviewDecision) -> None:
        """Store an operator's decision (replacing an older one on the same pair)."""
        self._put(DECISIONS, _pair_id(decision.left_id, decision.right_id), decision)

    # -- run bookkeeping ---------------------------------------------------------------
    def settings_used(self) -> PeopleSettings | None:
        """The settings of the last run (erasure re-clusters with them)."""
        document = self._store.find(STATE, "settings")
        return None if document is None else PeopleSettings.model_validate(document.value)

    def record_run(self, kind: str, at: datetime, settings: PeopleSettings) -> None:
        """Remember that a ``full`` or ``incremental`` run finished at ``at``."""
        self._store.put(STATE, "settings", settings.model_dump(mode="json"))
        self._store.put(STATE, f"run:{kind}", {"at": at.isoformat()})

    def last_run(self, kind: str) -> datetime | None:
        """When the last ``full``/``incremental`` run finished, or None."""
        document = self._store.find(STATE, f"run:{kind}")
        return None if document is None else datetime.fromisoformat(document.value["at"])

    def watermark(self, name: str) -> datetime | None:
        """A stored watermark (e.g. CRM contacts read up to)."""
        document = self._store.find(STATE, f"watermark:{name}")
        return None if document is None else datetime.fromisoformat(document.value["at"])

    def set_watermark(self, name: str, at: datetime) -> None:
        """Move watermark ``name`` to ``at``."""
        self._store.put(STATE, f"watermark:{name}", {"at": at.isoformat()})

    # -- erasure -----------------------------------------------------------------------
    def expand(self, subject: Subject) -> None:
        """The people holding the subject's captures, and every capture of those people
        (a fused person is one person: erasing them erases all their sources)."""
        found = self.clusters_of(subject.profile_records)
        subject.people.update(found.values())
        for document in self._where_in(MEMBERS, "cluster_id", subject.people):
            subject.profile_records.add(str(document.value["record_id"]))
        self._profiles.describe(subject)

    def erase(self, erasure: Erasure) -> None:
        """Remove the person's records from every cluster: the people they were in are
        re-clustered from the remaining records with the last run's settings (a record
        that bridged two groups leaves two people) and their golden records recomputed;
        pairs, review items and decisions naming the records go."""
        subject = erasure.subject
        gone = set(self.clusters_of(subject.profile_records))
        kept: set[str] = set()
        if gone:
            previous = self.load(self.clusters_of(gone).values())
            settings = self.settings_used() or PeopleSettings()
            remaining = [p.to_record() for p in self._profiles.many(
                rid for rid in previous.assignments if rid not in gone)]
            result = erase_records(previous, remaining, gone, settings=settings.linkage,
                                   decisions=self.decisions(),
                                   source_priority=settings.source_priority)
            self.save(result, previous)
            kept = set(result.clusters)
            erasure.count("people_records_unlinked", len(gone))
            erasure.count("people_recomputed", len(result.clusters))
        named = subject.profile_records | gone
        for side in ("left_id", "right_id"):
            for document in self._where_in(DECISIONS, side, named):
                erasure.count("people_decisions", int(self._store.delete(DECISIONS,
                                                                         document.key)))
        for document in self._where_in(CLUSTERS, "cluster_id", subject.people - kept):
            # A person none of whose records is left (or whose records were never fused).
            if self._store.delete(CLUSTERS, document.key):
                erasure.count("people")


__all__ = ["CLUSTERS", "DECISIONS", "MEMBERS", "PAIRS", "REVIEW", "STATE", "PeopleRepository"]
