"""Warm paths: exact k best simple paths (vs brute force), blacklists never crossed."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialreferral.errors import InvalidInput, NotFound
from socialreferral.people import Blacklist, Person, SocialGraph, Tie, warm_paths
from socialreferral.people.paths import k_best_paths


@st.composite
def small_graphs(draw: st.DrawFn) -> tuple[SocialGraph, list[str], str]:
    n = draw(st.integers(min_value=2, max_value=8))
    ids = [f"n{i}" for i in range(n)]
    pairs = list(itertools.combinations(ids, 2))
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    ties = [
        Tie(a=a, b=b, strength=draw(st.floats(min_value=0.05, max_value=1.0))) for a, b in chosen
    ]
    sales = draw(st.sets(st.sampled_from(ids), max_size=3))
    # Every node is listed, so people without ties exist in the graph too.
    people = [Person(person_id=p, is_employee=p in sales, is_sales=p in sales) for p in ids]
    sources = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
    target = draw(st.sampled_from(ids))
    return SocialGraph(people, ties), sources, target


def brute_force(
    graph: SocialGraph, sources: list[str], target: str, blacklist: Blacklist
) -> list[float]:
    """Costs of every simple path from any source to target avoiding the blacklist."""
    g = nx.Graph()
    g.add_nodes_from(graph.ids)
    for a in graph.ids:
        for b in graph.neighbours(a):
            if (a, b) not in blacklist.ties and (b, a) not in blacklist.ties:
                g.add_edge(a, b)
    g.remove_nodes_from(blacklist.contacts)
    costs = []
    for s in sources:
        if s == target or s not in g or target not in g:
            continue
        for path in nx.all_simple_paths(g, s, target):
            costs.append(
                sum(
                    graph.edge_cost(graph.index[a], graph.index[b])
                    for a, b in itertools.pairwise(path)
                )
            )
    return sorted(costs)


@settings(max_examples=150, deadline=None)
@given(small_graphs(), st.integers(min_value=1, max_value=6), st.data())
def test_k_best_equal_brute_force_and_respect_blacklist(
    case: tuple[SocialGraph, list[str], str], k: int, data: st.DataObject
) -> None:
    graph, sources, target = case
    banned_nodes = data.draw(st.sets(st.sampled_from(graph.ids), max_size=2))
    edges = sorted({tuple(sorted((a, b))) for a in graph.ids for b in graph.neighbours(a)})
    banned_edges = data.draw(st.sets(st.sampled_from(edges), max_size=3)) if edges else set()
    blacklist = Blacklist(
        contacts=frozenset(banned_nodes - {target} if data.draw(st.booleans()) else banned_nodes),
        ties=frozenset((a, b) for a, b in banned_edges),
    )
    result = warm_paths(graph, sources, target, k=k, blacklist=blacklist)
    expected = brute_force(graph, sources, target, blacklist)[:k]
    assert [p.cost for p in result] == pytest.approx(expected)
    for path in result:
        assert path.people[0] in sources and path.people[-1] == target
        assert len(set(path.people)) == len(path.people)  # simple
        assert not set(path.people) & blacklist.contacts
        hops = set(itertools.pairwise(path.people))
        assert not hops & {(a, b) for a, b in blacklist.ties}
        assert not hops & {(b, a) for a, b in blacklist.ties}
        assert path.explanation.total == pytest.approx(path.cost)
        assert path.score == pytest.approx(math.exp(-path.cost))


def test_sales_colleague_is_preferred_over_a_plain_contact() -> None:
    ties = [
        Tie(a="me", b="colleague", strength=0.5),
        Tie(a="colleague", b="target", strength=0.5),
        Tie(a="me", b="stranger", strength=0.5),
        Tie(a="stranger", b="target", strength=0.5),
    ]
    graph = SocialGraph([Person(person_id="colleague", is_employee=True, is_sales=True)], ties)
    best, second = warm_paths(graph, ["me"], "target", k=2)
    assert best.people == ("me", "colleague", "target")
    assert second.people == ("me", "stranger", "target")
    assert "colleague" in best.explanation.summary


def test_stronger_ties_and_fewer_hops_win() -> None:
    ties = [
        Tie(a="me", b="weak", strength=0.05),
        Tie(a="weak", b="t", strength=0.05),
        Tie(a="me", b="x", strength=0.9),
        Tie(a="x", b="y", strength=0.9),
        Tie(a="y", b="t", strength=0.9),
        Tie(a="me", b="s", strength=0.9),
        Tie(a="s", b="t", strength=0.9),
    ]
    graph = SocialGraph([], ties)
    paths = warm_paths(graph, ["me"], "t", k=3)
    assert paths[0].people == ("me", "s", "t")
    assert [p.cost for p in paths] == sorted(p.cost for p in paths)


def test_blacklisted_target_unknown_target_and_bad_arguments() -> None:
    graph = SocialGraph([], [Tie(a="a", b="b", strength=0.5)])
    assert warm_paths(graph, ["a"], "b", blacklist=["b"]) == []
    assert warm_paths(graph, ["a"], "b", blacklist=[("b", "a")]) == []
    assert warm_paths(graph, ["nobody"], "b") == []
    with pytest.raises(NotFound):
        warm_paths(graph, ["a"], "zz")
    with pytest.raises(InvalidInput):
        warm_paths(graph, ["a"], "b", k=0)
    with pytest.raises(InvalidInput):
        warm_paths(graph, "a", "b")
    with pytest.raises(InvalidInput):
        warm_paths(graph, ["a"], "b", blacklist=[("a", "b", "c")])  # type: ignore[list-item]


def test_many_sources_compete_and_results_are_deterministic() -> None:
    ties = [Tie(a=f"e{i}", b="hub", strength=0.2 + 0.1 * i) for i in range(5)]
    ties.append(Tie(a="hub", b="t", strength=0.9))
    graph = SocialGraph([], ties)
    first = k_best_paths(graph, [f"e{i}" for i in range(5)], "t", 3, Blacklist())
    assert [p[1][0] for p in first] == ["e4", "e3", "e2"]
    assert first == k_best_paths(graph, [f"e{i}" for i in range(5)], "t", 3, Blacklist())
