"""The strongest tie to a person: the referral flow's conduit lookup on the shared graph.

Seed 000: "if multiple customers are connected to the same friend, the customer who has
a high social degree of relationship with the friend is considered the conduit". On a
:class:`~socialreferral.people.graph.SocialGraph` that is one pass over the prospect's
neighbours (or over the candidates, whichever is smaller), O(min(degree, candidates)).

How ``socialreferral.domain.ties.choose_conduit(candidates, now, weights)`` maps onto it:
build the graph with :meth:`SocialGraph.from_connections` from the candidates'
connections at ``now`` with the same :class:`TieWeights` (edge strength = ``tie_strength``
score), then call ``strongest_tie(graph, prospect, candidates=<person ids of customers
who have not opted out>)``. Equal strengths go to the smallest id, as in
``choose_conduit``; the winner's person id maps back to its customer through
``Customer.social_accounts``. Building the graph once per batch (instead of scoring the
connections per event) is what makes the lookup sub-millisecond.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from socialreferral.domain._base import DomainModel
from socialreferral.people.graph import SocialGraph


class TieChoice(DomainModel):
    """The person with the strongest tie to ``prospect``; runner-ups best first."""

    prospect: str
    person_id: str
    strength: float
    runner_ups: tuple[tuple[str, float], ...] = ()


def strongest_tie(
    graph: SocialGraph,
    prospect: str,
    candidates: Iterable[str] | None = None,
    *,
    runner_ups: int = 3,
) -> TieChoice | None:
    """Who among ``candidates`` (default: every neighbour) has the strongest tie to ``prospect``.

    ``None`` when the prospect is unknown or no candidate is connected to it.
    """
    idx = graph.index.get(prospect)
    if idx is None:
        return None
    nbrs = graph.strengths[idx]
    ids = graph.ids
    scored: list[tuple[float, str]]
    if candidates is None:
        scored = [(s, ids[v]) for v, s in nbrs.items()]
    else:
        pool = candidates if isinstance(candidates, set | frozenset) else set(candidates)
        if len(pool) < len(nbrs):
            index = graph.index
            scored = []
            for c in pool:
                v = index.get(c)
                if v is not None and v in nbrs:
                    scored.append((nbrs[v], c))
        else:
            scored = [(s, ids[v]) for v, s in nbrs.items() if ids[v] in pool]
    if not scored:
        return None
    ranked = heapq.nsmallest(1 + runner_ups, scored, key=lambda t: (-t[0], t[1]))
    best = ranked[0]
    return TieChoice(
        prospect=prospect,
        person_id=best[1],
        strength=best[0],
        runner_ups=tuple((pid, s) for s, pid in ranked[1 : 1 + runner_ups]),
    )


__all__ = ["TieChoice", "strongest_tie"]
