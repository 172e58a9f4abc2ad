"""Clusters of records from scored pairs, deterministic links and operator decisions.

Order of authority, strongest first:

1. operator **splits** — hard constraints: the two records never end in one cluster;
2. operator **confirms** and deterministic rules (a shared verified e-mail, the same
   account on the same network) — applied unless they would break a split, in which case
   they are reported as conflicts;
3. model links — pairs at or above ``link_threshold``, strongest first, each merging two
   clusters unless that would break a split or grow the cluster past
   ``max_cluster_size`` (a chain of weak links snowballing into a giant cluster is the
   classic failure of connected components; those pairs go to review instead).

The review band is every undecided pair with ``review_lower <= p < review_upper``: below
the threshold when its records ended in different clusters (confirm to merge), above it
when the pair was used as a link (split to separate), plus the links refused for size.
Cluster ids carry
over from ``previous`` (the id most of a cluster's records had), so a re-run does not
renumber people; a new cluster's id is derived from its smallest record id.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.people.decisions import ReviewDecision, latest_decisions, pair_key
from socialreferral.people.engine import ScoredPair


class ReviewItem(DomainModel):
    """A pair an operator should confirm or split, with the reason it is uncertain."""

    pair: ScoredPair
    reason: str


class Conflict(DomainModel):
    """A confirm or deterministic link that was not applied because a split forbids it."""

    left_id: str
    right_id: str
    reason: str


class Clustering(DomainModel):
    """Which cluster each record belongs to, the links used, and what needs review."""

    assignments: dict[str, str] = Field(description="record id -> cluster id")
    links: tuple[ScoredPair, ...] = Field(description="pairs that merged clusters")
    review: tuple[ReviewItem, ...] = ()
    conflicts: tuple[Conflict, ...] = ()

    def members(self) -> dict[str, list[str]]:
        """cluster id -> sorted record ids."""
        out: dict[str, list[str]] = {}
        for record_id, cluster_id in self.assignments.items():
            out.setdefault(cluster_id, []).append(record_id)
        for ids in out.values():
            ids.sort()
        return out


class _Components:
    """Union-find that also keeps each component's members and split partners."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.parent = {i: i for i in ids}
        self.members = {i: {i} for i in self.parent}
        self.forbidden: dict[str, set[str]] = {i: set() for i in self.parent}

    def find(self, x: str) -> str:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def forbid(self, a: str, b: str) -> None:
        self.forbidden[self.find(a)].add(b)
        self.forbidden[self.find(b)].add(a)

    def can_merge(self, ra: str, rb: str) -> bool:
        return not (self.forbidden[ra] & self.members[rb] or self.forbidden[rb] & self.members[ra])

    def union(self, ra: str, rb: str) -> None:
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        self.forbidden[ra] |= self.forbidden.pop(rb)


def new_cluster_id(record_ids: Iterable[str]) -> str:
    """The id of a cluster seen for the first time: a hash of its smallest record id."""
    return "p-" + hashlib.sha256(min(record_ids).encode()).hexdigest()[:16]


def _sort_key(pair: ScoredPair) -> tuple[float, str, str]:
    return (-pair.match_probability, pair.left_id, pair.right_id)


def cluster(
    record_ids: Sequence[str],
    pairs: Iterable[ScoredPair],
    *,
    link_threshold: float,
    review_lower: float,
    max_cluster_size: int,
    review_upper: float = 1.0,
    decisions: Iterable[ReviewDecision] = (),
    previous: Mapping[str, str] | None = None,
) -> Clustering:
    """Cluster ``record_ids`` (see the module docstring for the rules)."""
    known = set(record_ids)
    comps = _Components(record_ids)
    decided = {k: d for k, d in latest_decisions(decisions).items() if set(k) <= known}
    by_key: dict[tuple[str, str], ScoredPair] = {}
    for pair in pairs:
        if pair.left_id in known and pair.right_id in known and pair.left_id != pair.right_id:
            key = pair_key(pair.left_id, pair.right_id)
            current = by_key.get(key)
            if (
                current is None
                or (pair.rule and not current.rule)
                or (pair.match_probability > current.match_probability and not current.rule)
            ):
                by_key[key] = pair
    links: list[ScoredPair] = []
    conflicts: list[Conflict] = []
    refused: list[ReviewItem] = []

    for key, decision in decided.items():
        if decision.decision == "split":
            comps.forbid(*key)

    certain: list[tuple[str, str, ScoredPair, str]] = []
    for key, decision in sorted(decided.items()):
        if decision.decision == "confirm":
            pair = by_key.get(key) or ScoredPair(
                left_id=key[0], right_id=key[1], match_probability=1.0, match_weight=0.0
            )
            rule = f"confirmed by {decision.decided_by}"
            certain.append((key[0], key[1], pair.model_copy(update={"rule": rule}), rule))
    for key, pair in sorted(by_key.items()):
        if not pair.rule:
            continue
        if key not in decided:
            certain.append((key[0], key[1], pair, pair.rule))
        elif decided[key].decision == "split":
            conflicts.append(
                Conflict(
                    left_id=key[0],
                    right_id=key[1],
                    reason=f"{pair.rule}, but {decided[key].decided_by} split the pair",
                )
            )
    for a, b, pair, rule in certain:
        ra, rb = comps.find(a), comps.find(b)
        if ra == rb:
            links.append(pair)
        elif comps.can_merge(ra, rb):
            comps.union(ra, rb)
            links.append(pair)
        else:
            conflicts.append(
                Conflict(left_id=a, right_id=b, reason=f"{rule}, but a split keeps them apart")
            )

    band: list[ScoredPair] = []
    for pair in sorted(by_key.values(), key=_sort_key):
        key = pair_key(pair.left_id, pair.right_id)
        if pair.rule or key in decided:
            continue
        if pair.match_probability < link_threshold:
            if pair.match_probability >= review_lower:
                band.append(pair)
            continue
        ra, rb = comps.find(pair.left_id), comps.find(pair.right_id)
        if ra == rb:
            continue  # already joined through stronger links: not needed as a link
        elif not comps.can_merge(ra, rb):
            continue  # an operator already said no: not even worth reviewing again
        elif len(comps.members[ra]) + len(comps.members[rb]) > max_cluster_size:
            refused.append(
                ReviewItem(pair=pair, reason=f"would grow a cluster past {max_cluster_size}")
            )
        else:
            comps.union(ra, rb)
            links.append(pair)
            if pair.match_probability < review_upper:
                refused.append(
                    ReviewItem(
                        pair=pair,
                        reason=(
                            f"linked with match probability {pair.match_probability:.3f}; "
                            "confirm or split"
                        ),
                    )
                )

    review = list(refused)
    for pair in band:
        if comps.find(pair.left_id) != comps.find(pair.right_id):
            review.append(
                ReviewItem(
                    pair=pair,
                    reason=(
                        f"not linked, match probability {pair.match_probability:.3f}; "
                        "confirm to merge"
                    ),
                )
            )
    assignments = _name_clusters(comps, previous or {})
    return Clustering(
        assignments=assignments,
        links=tuple(links),
        review=tuple(review),
        conflicts=tuple(conflicts),
    )


def _name_clusters(comps: _Components, previous: Mapping[str, str]) -> dict[str, str]:
    roots = sorted(comps.members, key=lambda r: min(comps.members[r]))
    taken: set[str] = set()
    assignments: dict[str, str] = {}
    # Larger clusters choose first, so when a previous cluster was split its id stays with
    # the larger part (the part most of its records are in).
    for root in sorted(roots, key=lambda r: (-len(comps.members[r]), min(comps.members[r]))):
        members = comps.members[root]
        votes = Counter(previous[m] for m in members if m in previous)
        cluster_id = None
        for candidate, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])):
            if candidate not in taken:
                cluster_id = candidate
                break
        if cluster_id is None:
            cluster_id = new_cluster_id(members)
            while cluster_id in taken:  # a previous id equal to a fresh hash: re-hash
                cluster_id = new_cluster_id([cluster_id])
        taken.add(cluster_id)
        for m in members:
            assignments[m] = cluster_id
    return assignments


__all__ = ["Clustering", "Conflict", "ReviewItem", "cluster", "new_cluster_id"]
