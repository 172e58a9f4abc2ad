"""Tie strength and the choice of conduit (seed 000, Section 2).

"If multiple customers are connected to the same friend, the customer who has a high social
degree of relationship with the friend is considered the conduit." The degree of
relationship is a weighted mean of four signals in 0..1, after Granovetter's tie strength
(amount of time, intimacy, reciprocity) as measurable from social data:

* frequency — interactions in the last ``frequency_window_days``, saturating
  (``1 - exp(-n / frequency_scale)``), so a few interactions matter and hundreds do not
  swamp the other signals;
* recency — ``0.5 ** (days since the last interaction / recency_half_life_days)``;
* mutual connections — saturating like frequency;
* duration — how long the connection exists, saturating over ``duration_scale_days``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import Field, model_validator

from socialreferral.domain._base import DomainModel
from socialreferral.domain._time import require_aware
from socialreferral.domain.customers import Customer
from socialreferral.domain.explain import Explanation, Factor
from socialreferral.domain.social import Connection


class TieWeights(DomainModel):
    """Weights of the four tie signals and the scales that normalise them."""

    frequency: float = Field(default=0.4, ge=0.0)
    recency: float = Field(default=0.3, ge=0.0)
    mutual_connections: float = Field(default=0.2, ge=0.0)
    duration: float = Field(default=0.1, ge=0.0)
    recency_half_life_days: float = Field(default=30.0, gt=0.0)
    frequency_window_days: float = Field(default=90.0, gt=0.0)
    frequency_scale: float = Field(default=10.0, gt=0.0)
    mutual_scale: float = Field(default=20.0, gt=0.0)
    duration_scale_days: float = Field(default=365.0, gt=0.0)

    @model_validator(mode="after")
    def _some_weight(self) -> TieWeights:
        if self.frequency + self.recency + self.mutual_connections + self.duration <= 0:
            raise ValueError("at least one tie weight must be positive")
        return self


class TieScore(DomainModel):
    """Tie strength in 0..1 and the per-signal contributions (they sum to ``score``)."""

    score: float = Field(ge=0.0, le=1.0)
    explanation: Explanation


class ConduitChoice(DomainModel):
    """The customer chosen to ask; ``runner_ups`` are (customer_id, score), best first."""

    customer_id: str
    connection: Connection
    score: float
    runner_ups: tuple[tuple[str, float], ...] = ()
    explanation: Explanation


def _saturate(amount: float, scale: float) -> float:
    return 1.0 - math.exp(-max(0.0, amount) / scale)


def tie_strength(connection: Connection, now: datetime, weights: TieWeights) -> TieScore:
    """Strength of ``connection`` at ``now``; interactions after ``now`` are ignored.

    Ignoring future interactions keeps the score a function of what was known at ``now``
    (clock skew between networks would otherwise make replays disagree).
    """
    require_aware(now)
    past = [i.at for i in connection.interactions if i.at <= now]
    window_start = now - timedelta(days=weights.frequency_window_days)
    recent = sum(1 for at in past if at > window_start)
    frequency = _saturate(recent, weights.frequency_scale)
    if past:
        idle_days = (now - max(past)).total_seconds() / 86400
        recency = 0.5 ** (idle_days / weights.recency_half_life_days)
        recency_note = f"last interaction {idle_days:.1f} days ago"
    else:
        recency, recency_note = 0.0, "no interaction"
    mutual = _saturate(connection.mutual_connections, weights.mutual_scale)
    if connection.since is not None and connection.since <= now:
        age_days = (now - connection.since).total_seconds() / 86400
        duration = _saturate(age_days, weights.duration_scale_days)
        duration_note = f"connected for {age_days:.0f} days"
    else:
        duration, duration_note = 0.0, "connection date unknown"
    total_weight = (
        weights.frequency + weights.recency + weights.mutual_connections + weights.duration
    )
    signals = [
        ("frequency", frequency, weights.frequency, f"{recent} interactions in window"),
        ("recency", recency, weights.recency, recency_note),
        (
            "mutual_connections",
            mutual,
            weights.mutual_connections,
            f"{connection.mutual_connections} mutual connections",
        ),
        ("duration", duration, weights.duration, duration_note),
    ]
    # Weights are normalised so the score stays in 0..1 whatever the settings say.
    factors = tuple(
        Factor(
            name=n, value=v, weight=w / total_weight, contribution=v * w / total_weight, note=note
        )
        for n, v, w, note in signals
    )
    score = min(1.0, max(0.0, sum(f.contribution for f in factors)))
    summary = f"tie {connection.person_id} -> {connection.other_id}: strength {score:.3f}"
    return TieScore(score=score, explanation=Explanation(summary=summary, factors=factors))


def choose_conduit(
    candidates: Sequence[tuple[Customer, Connection]],
    now: datetime,
    weights: TieWeights,
) -> ConduitChoice | None:
    """The candidate customer with the strongest tie to the prospect, or ``None``.

    Opted-out customers are never chosen. Equal scores are broken by ``customer_id`` (the
    smallest wins) so that every worker makes the same choice for the same event; a
    customer listed with several connections is scored by the strongest one.

    The choice is made by the People flow's graph code
    (:func:`socialreferral.people.conduit.choose_conduit`, on ``strongest_tie``), so the
    referral flow and B2B introductions share one implementation. Imported here, not at
    the top: the graph is built from this module's :func:`tie_strength`.
    """
    from socialreferral.people.conduit import choose_conduit as on_graph

    return on_graph(candidates, now, weights)


__all__ = ["ConduitChoice", "TieScore", "TieWeights", "choose_conduit", "tie_strength"]
