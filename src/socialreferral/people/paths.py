"""Warm introductions: the k best paths from any of our employees to a contact.

The answer is the one Yen's algorithm gives (the k cheapest *simple* paths, what
``networkx.shortest_simple_paths`` enumerates), computed a faster way so it can run per
request on a graph of thousands of people and ~100k ties:

1. one reverse Dijkstra from the target (SciPy, in C) on the blacklist-filtered graph
   gives every person's exact cost-to-target ``h``;
2. a best-first search over simple prefixes, ordered by ``g + h``, pops complete paths in
   order of cost. ``h`` can only underestimate the cost of completing a prefix without
   revisiting it, so the order is exact; and since ``h`` is exact for the unconstrained
   graph, the search walks almost straight to the target and only branches where the
   k-th path actually differs. Successors are generated lazily in order of
   ``cost + h``, one per pop, so a hub's thousand neighbours cost one sort, not a
   thousand queue entries.

Yen's spur searches, by contrast, repeat a shortest-path search per node of every
accepted path; with networkx's Python Dijkstra that takes seconds on the same graph (see
``benchmarks/people_paths.py``, which checks both return paths of equal costs).

Several employees are handled by a virtual source joined to each of them at no cost, so
the k paths are the k best over all employees. Blacklisted contacts and ties are removed
before anything is searched: they cannot appear on any path. Tests compare the results
with brute-force enumeration on small graphs; ties between equal costs are broken by the
node sequence, so a query always returns the same paths.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain.explain import Explanation, Factor
from socialreferral.errors import InvalidInput, NotFound
from socialreferral.people.graph import SocialGraph

MAX_K = 100
_VIRTUAL = -1


class Blacklist(DomainModel):
    """Contacts and ties one user never wants introductions to go through."""

    contacts: frozenset[str] = frozenset()
    ties: frozenset[tuple[str, str]] = Field(
        default=frozenset(), description="undirected: (a, b) also bans (b, a)"
    )

    @classmethod
    def of(cls, items: Blacklist | Iterable[str | tuple[str, str]]) -> Blacklist:
        """A blacklist from a :class:`Blacklist` or a mix of contact ids and (a, b) ties."""
        if isinstance(items, Blacklist):
            return items
        contacts: set[str] = set()
        ties: set[tuple[str, str]] = set()
        for item in items:
            if isinstance(item, str):
                contacts.add(item)
            elif (
                isinstance(item, tuple) and len(item) == 2 and all(isinstance(x, str) for x in item)
            ):
                ties.add((item[0], item[1]))
            else:
                raise InvalidInput("expected a contact id or an (a, b) tie", field="blacklist")
        return cls(contacts=frozenset(contacts), ties=frozenset(ties))


class IntroPath(DomainModel):
    """One introduction path: ``people[0]`` is our employee, ``people[-1]`` the target."""

    people: tuple[str, ...]
    cost: float = Field(ge=0.0)
    score: float = Field(ge=0.0, le=1.0, description="exp(-cost): 1 is a direct strong tie")
    explanation: Explanation

    @property
    def performer(self) -> str:
        """The employee who starts the introduction."""
        return self.people[0]

    @property
    def intermediaries(self) -> tuple[str, ...]:
        """The people asked to pass the introduction on."""
        return self.people[1:-1]


class _Query:
    """One warm-path query's state: banned nodes/edges and the heuristic."""

    def __init__(
        self, graph: SocialGraph, sources: list[int], target: int, blacklist: Blacklist
    ) -> None:
        self.graph = graph
        self.target = target
        self.banned_nodes = {graph.index[c] for c in blacklist.contacts if c in graph.index}
        self.banned_edges: set[tuple[int, int]] = set()
        for a, b in blacklist.ties:
            ia, ib = graph.index.get(a), graph.index.get(b)
            if ia is not None and ib is not None:
                self.banned_edges.add((ia, ib))
                self.banned_edges.add((ib, ia))
        self.banned_from = {u for u, _ in self.banned_edges}
        self.sources = [s for s in sources if s not in self.banned_nodes and s != target]
        self.h = self._heuristic()
        self.nb_nodes, self.nb_costs = graph.neighbour_arrays()

    def _heuristic(self) -> Any:
        import numpy as np
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import dijkstra

        reverse = self.graph.reverse_cost_matrix()
        if self.banned_nodes or self.banned_edges:
            data = reverse.data.copy()
            indptr, indices = reverse.indptr, reverse.indices
            for x in self.banned_nodes:
                # Arcs into x are enough: a path through x has to enter it.
                data[indptr[x] : indptr[x + 1]] = np.inf
            for u, v in self.banned_edges:  # R[v, u] is the arc u -> v
                row = indices[indptr[v] : indptr[v + 1]]
                pos = np.searchsorted(row, u)
                if pos < row.size and row[pos] == u:
                    data[indptr[v] + pos] = np.inf
            reverse = csr_matrix((data, indices, indptr), shape=reverse.shape)
        distances = dijkstra(reverse, directed=True, indices=self.target)
        for x in self.banned_nodes:
            distances[x] = np.inf  # never a step on a path (its own arcs out stay finite)
        self.h_list: list[float] = distances.tolist()
        return distances

    def h_of(self, u: int) -> float:
        if u == _VIRTUAL:
            return min((self.h_list[s] for s in self.sources), default=math.inf)
        return self.h_list[u]

    def successors(
        self, u: int, cache: dict[int, tuple[list[int], list[float], list[float]]]
    ) -> tuple[list[int], list[float], list[float]]:
        """``u``'s usable neighbours sorted by ``cost + h``: (nodes, costs, cost + h).

        Banned contacts have ``h = inf`` and drop out with the unreachable ones.
        """
        import numpy as np

        if u == _VIRTUAL:
            items = sorted((self.h_list[s], s) for s in self.sources)
            items = [(hv, s) for hv, s in items if hv < math.inf]
            result = ([s for _, s in items], [0.0] * len(items), [hv for hv, _ in items])
        else:
            nodes, costs = self.nb_nodes[u], self.nb_costs[u]
            fvals = costs + self.h[nodes]
            keep = np.nonzero(np.isfinite(fvals))[0]
            if u in self.banned_from:
                keep = np.asarray(
                    [i for i in keep.tolist() if (u, int(nodes[i])) not in self.banned_edges],
                    dtype=np.int64,
                )
            keep = keep[np.argsort(fvals[keep], kind="stable")]
            result = (nodes[keep].tolist(), costs[keep].tolist(), fvals[keep].tolist())
        cache[u] = result
        return result


def k_best_paths(
    graph: SocialGraph,
    sources: Iterable[str],
    target: str,
    k: int,
    blacklist: Blacklist,
    *,
    max_expansions: int = 200_000,
) -> list[tuple[float, list[str]]]:
    """The ``k`` cheapest simple paths from any source to ``target``, as (cost, ids).

    Best-first search over simple prefixes, ordered by ``g + h`` where ``h`` is the exact
    cost-to-target in the blacklist-filtered graph. ``h`` never overestimates the cost of
    completing a prefix without revisiting its nodes, so complete paths leave the queue
    in order of cost: the first ``k`` are the answer. Successors are generated lazily, in
    order of ``cost + h``, one per queue pop (a hub's thousand neighbours are not pushed
    at once). ``max_expansions`` bounds the work on pathological graphs (few simple paths
    among many dead ends); the paths found by then are returned.
    """
    if target not in graph.index:
        raise NotFound(f"unknown person {target!r}")
    source_idx = sorted({graph.index[s] for s in sources if s in graph.index})
    query = _Query(graph, source_idx, graph.index[target], blacklist)
    if query.target in query.banned_nodes or not query.sources:
        return []
    start_h = query.h_of(_VIRTUAL)
    if start_h == math.inf:
        return []
    goal = query.target
    successors: dict[int, tuple[list[int], list[float], list[float]]] = {}
    found: list[tuple[float, list[str]]] = []
    # Entries: (f, prefix, g, j). j < 0: the prefix itself (pop = reached its last node);
    # j >= 0: the j-th cheapest successor of the prefix's last node, not yet generated.
    heap: list[tuple[float, tuple[int, ...], float, int]] = [(start_h, (_VIRTUAL,), 0.0, -1)]
    expansions = 0
    while heap and len(found) < k and expansions < max_expansions:
        _, prefix, g, j = heapq.heappop(heap)
        expansions += 1
        u = prefix[-1]
        if j < 0:
            if u == goal:
                found.append((g, [graph.ids[v] for v in prefix[1:]]))
                continue
            j = 0
        nodes, costs, fvals = successors.get(u) or query.successors(u, successors)
        n = len(nodes)
        while j < n and nodes[j] in prefix:  # simple paths only
            j += 1
        if j >= n:
            continue
        v, c = nodes[j], costs[j]
        heapq.heappush(heap, (g + fvals[j], (*prefix, v), g + c, -1))
        if j + 1 < n:
            heapq.heappush(heap, (g + fvals[j + 1], prefix, g, j + 1))
    return found


def _explain(graph: SocialGraph, people: Sequence[str], cost: float) -> Explanation:
    # Built with model_construct: every value comes from the graph we built and validated,
    # and validating ~20 small models per query was a fifth of the query time.
    factors: list[Factor] = []
    via: list[str] = []
    for a, b in itertools.pairwise(people):
        ia, ib = graph.index[a], graph.index[b]
        person = graph.people.get(b)
        kind = "contact"
        if person is not None and person.is_sales:
            kind = "sales colleague"
        elif person is not None and person.is_employee:
            kind = "employee"
        if kind != "contact" and b != people[-1]:
            via.append(b)
        strength = graph.strengths[ia][ib]
        hop = graph.edge_cost(ia, ib)
        factors.append(
            Factor.model_construct(
                name=f"hop {len(factors) + 1}",
                value=strength,
                weight=1.0,
                contribution=hop,
                note=f"{a} -> {b} ({kind}), tie strength {strength:.2f}, cost {hop:.3f}"[:400],
            )
        )
    summary = f"{people[0]} reaches {people[-1]} in {len(people) - 1} hop(s), cost {cost:.3f}"
    if via:
        summary += "; through colleague(s) " + ", ".join(via)
    return Explanation.model_construct(summary=summary[:2000], factors=tuple(factors))


def warm_paths(
    graph: SocialGraph,
    sources: Iterable[str],
    target: str,
    k: int = 5,
    blacklist: Blacklist | Iterable[str | tuple[str, str]] = (),
) -> list[IntroPath]:
    """The ``k`` best introduction paths from any of ``sources`` to ``target``, best first.

    Unknown sources are skipped; an unknown target raises :class:`NotFound`; a
    blacklisted target, or no path, gives ``[]``. ``k`` is between 1 and :data:`MAX_K`.
    """
    if isinstance(sources, str):
        raise InvalidInput("expected a collection of employee ids", field="sources")
    if not 1 <= k <= MAX_K:
        raise InvalidInput(f"k must be between 1 and {MAX_K}", field="k")
    found = k_best_paths(graph, sources, target, k, Blacklist.of(blacklist))
    return [
        IntroPath.model_construct(
            people=tuple(people),
            cost=cost,
            score=math.exp(-cost),
            explanation=_explain(graph, people, cost),
        )
        for cost, people in found
    ]


__all__ = ["MAX_K", "Blacklist", "IntroPath", "k_best_paths", "warm_paths"]
