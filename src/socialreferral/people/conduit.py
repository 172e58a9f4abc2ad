"""The strongest tie to a person: the referral flow's conduit lookup on the shared graph.

Seed 000: "if multiple customers are connected to the same friend, the customer who has
a high social degree of relationship with the friend is considered the conduit". On a
:class:`~socialreferral.people.graph.SocialGraph` that is one pass over the prospect's
neighbours (or over the candidates, whichever is smaller), O(min(degree, candidates)).

The referral flow's conduit choice is :func:`choose_conduit` here, and
``socialreferral.domain.ties.choose_conduit`` (which the worker calls) delegates to it, so
both flows share this one implementation: each customer's strongest connection to the
prospect is scored with ``tie_strength`` (opted-out customers skipped), those scores are
the edges of a star :class:`SocialGraph` around the prospect, and :func:`strongest_tie`
picks the winner and the runner-ups (equal strengths: the smallest id). A bank that keeps
the whole graph (customers' connections to many prospects) builds it once per batch with
:meth:`SocialGraph.from_connections` and calls :func:`strongest_tie` directly, which is
what makes the lookup sub-millisecond.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from datetime import datetime

from socialreferral.domain._base import DomainModel
from socialreferral.domain._time import require_aware
from socialreferral.domain.customers import Customer
from socialreferral.domain.explain import Explanation
from socialreferral.domain.social import Connection
from socialreferral.domain.ties import ConduitChoice, TieScore, TieWeights, tie_strength
from socialreferral.people.graph import SocialGraph, Tie

# The prospect's node in the star graph of one choice (no customer id can contain NUL).
_PROSPECT = "\x00prospect"


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


def _graph_strengths(scores: dict[str, float]) -> dict[str, float]:
    """Edge strengths for the scores: a tie with no evidence (score 0) still competes, as
    it does in the referral flow, so it gets a strength below every positive score (the
    graph holds strengths in (0, 1]); the order of the scores is kept exactly."""
    positive = [s for s in scores.values() if s > 0]
    floor = min(positive, default=1.0) / 2 or min(positive, default=1.0)
    return {cid: s if s > 0 else floor for cid, s in scores.items()}


def choose_conduit(
    candidates: Sequence[tuple[Customer, Connection]],
    now: datetime,
    weights: TieWeights,
) -> ConduitChoice | None:
    """The candidate customer with the strongest tie to the prospect, or ``None``.

    Opted-out customers are never chosen. Equal scores are broken by ``customer_id`` (the
    smallest wins) so that every worker makes the same choice for the same event; a
    customer listed with several connections is scored by the strongest one.
    """
    require_aware(now)
    best: dict[str, tuple[float, Connection, TieScore]] = {}
    skipped: list[str] = []
    for customer, connection in candidates:
        if customer.opted_out:
            skipped.append(customer.customer_id)
            continue
        tie = tie_strength(connection, now, weights)
        current = best.get(customer.customer_id)
        if current is None or tie.score > current[0]:
            best[customer.customer_id] = (tie.score, connection, tie)
    if not best:
        return None
    strengths = _graph_strengths({cid: entry[0] for cid, entry in best.items()})
    graph = SocialGraph((), [Tie(a=cid, b=_PROSPECT, strength=s) for cid, s in strengths.items()])
    choice = strongest_tie(graph, _PROSPECT, strengths.keys(), runner_ups=len(best))
    assert choice is not None  # every candidate is a neighbour of the prospect
    score, connection, tie = best[choice.person_id]
    runner_ups = tuple((cid, best[cid][0]) for cid, _ in choice.runner_ups)
    parts = [f"{choice.person_id} has the strongest tie to {connection.other_id} ({score:.3f})"]
    if runner_ups:
        parts.append("runner-ups: " + ", ".join(f"{cid} ({s:.3f})" for cid, s in runner_ups))
    if skipped:
        parts.append("opted out, not considered: " + ", ".join(sorted(set(skipped))))
    return ConduitChoice(
        customer_id=choice.person_id,
        connection=connection,
        score=score,
        runner_ups=runner_ups,
        explanation=Explanation(summary="; ".join(parts), factors=tie.explanation.factors),
    )


__all__ = ["TieChoice", "choose_conduit", "strongest_tie"]
