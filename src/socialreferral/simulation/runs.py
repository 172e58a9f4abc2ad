"""Replicated runs: a workload row simulated many times, summarised.

Each row uses its own ``SeedSequence`` children (one per replication), derived from the
caller's seed and the row's user count, so a row's result does not depend on which other
rows are run, and two policies given the same seed see the same messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from socialreferral.domain.scaling import BacklogPolicy, ScalingPolicy
from socialreferral.errors import InvalidInput
from socialreferral.simulation.engine import BurstRun, simulate_burst
from socialreferral.simulation.model import MAX_REPLICATIONS, Platform, Workload


def row_seeds(seed: int, users: int, replications: int) -> list[np.random.SeedSequence]:
    """The replications' seeds of one row (``users``), reproducible from ``seed``."""
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise InvalidInput(f"must be between 1 and {MAX_REPLICATIONS}", field="replications")
    if seed < 0:
        raise InvalidInput("must be >= 0", field="seed")
    return np.random.SeedSequence([seed, users]).spawn(replications)


@dataclass(frozen=True)
class RowSummary:
    """Means over the replications of one workload row."""

    users: int
    messages: int
    mean_response_seconds: float
    p95_response_seconds: float
    max_queue: float
    peak_nodes: float
    node_minutes: float  # until the pool was back at its floor (each run's own window)
    makespan_seconds: float


def replicate(
    workload: Workload,
    platform: Platform,
    policy: ScalingPolicy | BacklogPolicy,
    *,
    replications: int,
    seed: int,
) -> list[BurstRun]:
    """``replications`` runs of one row."""
    return [
        simulate_burst(workload, platform, policy, child)
        for child in row_seeds(seed, workload.users, replications)
    ]


def summarise(workload: Workload, runs: Sequence[BurstRun]) -> RowSummary:
    """Average a row's runs; node-minutes count each run until its pool settled."""
    responses = np.concatenate([np.asarray(r.responses) for r in runs])
    return RowSummary(
        users=workload.users,
        messages=workload.messages,
        mean_response_seconds=float(np.mean([r.mean_response for r in runs])),
        p95_response_seconds=float(np.percentile(responses, 95)),
        max_queue=float(np.mean([r.max_queue for r in runs])),
        peak_nodes=float(np.mean([r.peak_nodes for r in runs])),
        node_minutes=float(np.mean([r.node_seconds(r.settled_at) for r in runs])) / 60,
        makespan_seconds=float(np.mean([r.completed_at for r in runs])),
    )


__all__ = ["RowSummary", "replicate", "row_seeds", "summarise"]
