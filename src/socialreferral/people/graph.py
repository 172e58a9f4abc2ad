"""The social graph that introductions and conduit choice walk on.

Nodes are people (our employees, customers, contacts); undirected edges are ties with a
strength in (0, 1] — from :func:`socialreferral.domain.ties.tie_strength` when
interactions are known, or any other 0..1 measure (shared connections, CRM history).

The graph is built once and then queried many times, so it is stored for the queries:
integer node indices, per-node adjacency lists of ``(neighbour, cost)`` for the path
search, a per-node ``{neighbour: strength}`` map for the O(degree) strongest-tie lookup,
and a compressed sparse matrix of costs for the one single-source shortest-path run a
path query starts with (SciPy, in C).

Costs. Walking an edge into person ``v`` costs
``(hop_cost + tie_cost * -ln(strength)) * factor(v)``: each hop costs something (short
chains are better introductions), weak ties cost more, and the factor makes paths
through sales colleagues (``sales_factor``) and other employees (``employee_factor``)
cheaper, as seed 004 asks ("if a contact person is another employee from the sales
team, this path might be preferable").
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain.social import Connection
from socialreferral.domain.ties import TieWeights, tie_strength
from socialreferral.errors import InvalidInput

MAX_NODES = 5_000_000
MAX_EDGES = 50_000_000
_MIN_STRENGTH = 1e-3


class Person(DomainModel):
    """A node: who the person is to us. Unlisted people in ties are plain contacts."""

    person_id: str = Field(min_length=1, max_length=128)
    display_name: str = Field(default="", max_length=200)
    is_employee: bool = False
    is_sales: bool = False
    title: str = Field(default="", max_length=200)
    company: str = Field(default="", max_length=200)
    updated_at: AwareDatetime | None = None


class Tie(DomainModel):
    """An undirected tie between two people with a strength in (0, 1]."""

    a: str = Field(min_length=1, max_length=128)
    b: str = Field(min_length=1, max_length=128)
    strength: float = Field(gt=0.0, le=1.0)


class PathWeights(DomainModel):
    """How edge costs are made from tie strengths and the kind of person reached."""

    hop_cost: float = Field(default=1.0, ge=0.0)
    tie_cost: float = Field(default=1.0, ge=0.0)
    sales_factor: float = Field(default=0.5, gt=0.0, le=1.0)
    employee_factor: float = Field(default=0.8, gt=0.0, le=1.0)


class SocialGraph:
    """An immutable, query-optimised social graph (see the module docstring)."""

    def __init__(
        self,
        people: Iterable[Person],
        ties: Iterable[Tie],
        weights: PathWeights | None = None,
    ) -> None:
        self.weights = weights or PathWeights()
        self.people: dict[str, Person] = {}
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        for person in people:
            self._add(person.person_id, person)
        strengths: list[dict[int, float]] = [{} for _ in self.ids]
        n_edges = 0
        for tie in ties:
            if tie.a == tie.b:
                continue
            ia, ib = self._add(tie.a, None), self._add(tie.b, None)
            while len(strengths) < len(self.ids):
                strengths.append({})
            if ib not in strengths[ia]:
                n_edges += 1
                if n_edges > MAX_EDGES:
                    raise InvalidInput(f"more than {MAX_EDGES} ties", field="ties")
            # Two sources may report one tie: keep the strongest evidence.
            s = max(tie.strength, strengths[ia].get(ib, 0.0))
            strengths[ia][ib] = s
            strengths[ib][ia] = s
        while len(strengths) < len(self.ids):
            strengths.append({})
        self.strengths = strengths
        self.n_edges = n_edges
        self.factor = [self._factor(pid) for pid in self.ids]
        self.adjacency: list[list[tuple[int, float]]] = [
            [(v, self.edge_cost(u, v)) for v in sorted(nbrs)] for u, nbrs in enumerate(strengths)
        ]
        self._reverse_csr: Any = None
        self._arrays: tuple[list[Any], list[Any]] | None = None

    def _add(self, person_id: str, person: Person | None) -> int:
        idx = self.index.get(person_id)
        if idx is None:
            if len(self.ids) >= MAX_NODES:
                raise InvalidInput(f"more than {MAX_NODES} people", field="people")
            idx = len(self.ids)
            self.index[person_id] = idx
            self.ids.append(person_id)
        if person is not None:
            self.people[person_id] = person
        return idx

    def _factor(self, person_id: str) -> float:
        person = self.people.get(person_id)
        if person is None:
            return 1.0
        if person.is_sales:
            return self.weights.sales_factor
        if person.is_employee:
            return self.weights.employee_factor
        return 1.0

    def edge_cost(self, u: int, v: int) -> float:
        """The cost of walking from node index ``u`` to its neighbour ``v``."""
        strength = max(self.strengths[u][v], _MIN_STRENGTH)
        w = self.weights
        return (w.hop_cost + w.tie_cost * -math.log(strength)) * self.factor[v]

    def person(self, person_id: str) -> Person:
        """The node's attributes (a plain contact if it was only named in ties)."""
        return self.people.get(person_id) or Person(person_id=person_id)

    def __contains__(self, person_id: object) -> bool:
        return person_id in self.index

    def __len__(self) -> int:
        return len(self.ids)

    def strength(self, a: str, b: str) -> float:
        """Tie strength between ``a`` and ``b`` (0.0 if not connected or unknown)."""
        ia, ib = self.index.get(a), self.index.get(b)
        if ia is None or ib is None:
            return 0.0
        return self.strengths[ia].get(ib, 0.0)

    def neighbours(self, person_id: str) -> dict[str, float]:
        """``{neighbour: strength}`` of ``person_id`` (empty if unknown)."""
        idx = self.index.get(person_id)
        if idx is None:
            return {}
        return {self.ids[v]: s for v, s in self.strengths[idx].items()}

    def reverse_cost_matrix(self) -> Any:
        """CSR matrix ``R`` with ``R[v, u] = cost(u -> v)`` (built on first use, then kept).

        A single-source Dijkstra on ``R`` from a target gives every node's cost *to*
        the target, which is the exact heuristic the path search uses.
        """
        if self._reverse_csr is None:
            import numpy as np
            from scipy.sparse import csr_matrix

            rows: list[int] = []
            cols: list[int] = []
            data: list[float] = []
            for u, nbrs in enumerate(self.adjacency):
                for v, cost in nbrs:
                    rows.append(v)
                    cols.append(u)
                    data.append(cost)
            n = len(self.ids)
            matrix = csr_matrix(
                (np.asarray(data, dtype=float), (np.asarray(rows), np.asarray(cols))),
                shape=(n, n),
            )
            matrix.sort_indices()
            self._reverse_csr = matrix
        return self._reverse_csr

    def neighbour_arrays(self) -> tuple[list[Any], list[Any]]:
        """Per node, NumPy arrays of neighbour indices and edge costs (built once).

        Scanning a hub's thousand neighbours is one vector operation instead of a
        thousand interpreted steps.
        """
        if self._arrays is None:
            import numpy as np

            nodes = [
                np.fromiter((v for v, _ in nb), dtype=np.int64, count=len(nb))
                for nb in self.adjacency
            ]
            costs = [
                np.fromiter((c for _, c in nb), dtype=float, count=len(nb)) for nb in self.adjacency
            ]
            self._arrays = (nodes, costs)
        return self._arrays

    @classmethod
    def from_connections(
        cls,
        connections: Iterable[Connection],
        now: datetime,
        tie_weights: TieWeights,
        *,
        people: Iterable[Person] = (),
        weights: PathWeights | None = None,
    ) -> SocialGraph:
        """A graph whose edge strengths are the referral flow's tie strengths at ``now``.

        Ties scoring 0 (no interaction, no mutual friends, unknown age) are left out: a
        tie with no evidence is not one to ask a favour through.
        """
        ties = []
        for connection in connections:
            score = tie_strength(connection, now, tie_weights).score
            if score > 0:
                ties.append(Tie(a=connection.person_id, b=connection.other_id, strength=score))
        return cls(people, ties, weights)


__all__ = ["PathWeights", "Person", "SocialGraph", "Tie"]
