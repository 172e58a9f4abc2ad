"""Clustering from scored pairs, rules and operator decisions (no linkage engine needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socialreferral.people.clustering import cluster, new_cluster_id
from socialreferral.people.decisions import ReviewDecision
from socialreferral.people.engine import ScoredPair

T = datetime(2026, 1, 1, tzinfo=UTC)


def pair(a: str, b: str, p: float, rule: str = "") -> ScoredPair:
    return ScoredPair(left_id=a, right_id=b, match_probability=p, match_weight=0.0, rule=rule)


def decide(a: str, b: str, what: str, minutes: int = 0) -> ReviewDecision:
    return ReviewDecision(
        left_id=a,
        right_id=b,
        decision=what,  # type: ignore[arg-type]
        decided_by="op",
        decided_at=T + timedelta(minutes=minutes),
    )


def run(ids: list[str], pairs: list[ScoredPair], **kw: object) -> dict[str, list[str]]:
    result = cluster(ids, pairs, link_threshold=0.5, review_lower=0.2, max_cluster_size=10, **kw)  # type: ignore[arg-type]
    return {cid: m for cid, m in result.members().items()}


def groups(members: dict[str, list[str]]) -> set[tuple[str, ...]]:
    return {tuple(m) for m in members.values()}


def test_links_above_threshold_only() -> None:
    members = run(["a", "b", "c", "d"], [pair("a", "b", 0.9), pair("c", "d", 0.3)])
    assert groups(members) == {("a", "b"), ("c",), ("d",)}


def test_split_is_a_hard_constraint_even_through_a_chain() -> None:
    pairs = [pair("a", "b", 0.99), pair("b", "c", 0.98)]
    members = run(["a", "b", "c"], pairs, decisions=[decide("a", "c", "split")])
    # b joins a (stronger link); c may not join a's cluster.
    assert groups(members) == {("a", "b"), ("c",)}


def test_confirm_links_below_threshold_and_latest_decision_wins() -> None:
    pairs = [pair("a", "b", 0.3)]
    assert groups(run(["a", "b"], pairs, decisions=[decide("a", "b", "confirm")])) == {("a", "b")}
    later_split = [decide("a", "b", "confirm"), decide("b", "a", "split", minutes=5)]
    assert groups(run(["a", "b"], pairs, decisions=later_split)) == {("a",), ("b",)}


def test_rule_link_refused_by_split_is_reported() -> None:
    result = cluster(
        ["a", "b"],
        [pair("a", "b", 1.0, rule="same account")],
        link_threshold=0.5,
        review_lower=0.2,
        max_cluster_size=10,
        decisions=[decide("a", "b", "split")],
    )
    assert result.assignments["a"] != result.assignments["b"]
    assert [c.left_id for c in result.conflicts] == ["a"]


def test_review_band_lists_both_sides_of_the_threshold() -> None:
    result = cluster(
        ["a", "b", "c", "d"],
        [pair("a", "b", 0.7), pair("c", "d", 0.3), pair("a", "c", 0.99)],
        link_threshold=0.5,
        review_lower=0.2,
        review_upper=0.95,
        max_cluster_size=10,
    )
    reviewed = {(i.pair.left_id, i.pair.right_id) for i in result.review}
    assert reviewed == {("a", "b"), ("c", "d")}


def test_max_cluster_size_sends_links_to_review() -> None:
    ids = [f"r{i}" for i in range(6)]
    chain = [pair(ids[i], ids[i + 1], 0.99 - i * 0.01) for i in range(5)]
    result = cluster(ids, chain, link_threshold=0.5, review_lower=0.2, max_cluster_size=3)
    sizes = sorted(len(m) for m in result.members().values())
    assert max(sizes) <= 3
    assert any("grow a cluster" in item.reason for item in result.review)


def test_cluster_ids_carry_over_and_are_stable() -> None:
    first = cluster(
        ["a", "b", "c"],
        [pair("a", "b", 0.9)],
        link_threshold=0.5,
        review_lower=0.2,
        max_cluster_size=10,
    )
    assert first.assignments["a"] == new_cluster_id(["a", "b"])
    renamed = {rid: f"person-{cid[-4:]}" for rid, cid in first.assignments.items()}
    second = cluster(
        ["a", "b", "c", "z"],
        [pair("a", "b", 0.9), pair("c", "z", 0.9)],
        link_threshold=0.5,
        review_lower=0.2,
        max_cluster_size=10,
        previous=renamed,
    )
    assert second.assignments["a"] == renamed["a"] == second.assignments["b"]
    assert second.assignments["z"] == renamed["c"]


def test_decision_on_one_record_is_rejected() -> None:
    with pytest.raises(ValueError, match="two different records"):
        decide("a", "a", "split")
