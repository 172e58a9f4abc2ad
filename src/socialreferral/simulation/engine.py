"""Discrete-event simulation of one burst: webhooks → queue → an autoscaled pool of nodes.

Messages reach the queue ``ingest_seconds`` after they are posted; a node takes one
message at a time and holds it for its service time. A sampler records, every
``sample_seconds``, whether more than the policy's ``trigger_messages`` wait (as Azure
Batch samples ``$ActiveTasks``); an evaluator calls the policy's ``desired_nodes`` every
``evaluation_interval_seconds`` (first at a random phase) and resizes the pool: new nodes
take work after their cold start; surplus nodes go starting ones first, then idle ones,
then busy ones after their current message (Azure's ``taskcompletion``). A node is billed
from the decision that adds it until it is released.

The run is deterministic given ``seed``: arrivals and service times, the evaluation phase
and the cold starts come from three independent streams of one ``SeedSequence``, so two
policies run with the same seed see the same messages (common random numbers).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from socialreferral.domain.scaling import BacklogPolicy, QueueSnapshot, ScalingPolicy
from socialreferral.errors import InvalidInput
from socialreferral.simulation._deps import simpy_module
from socialreferral.simulation.model import Platform, Workload


@dataclass(frozen=True)
class NodeSpan:
    """One node's billed life: ``released_at`` is None if it was still up at the end."""

    allocated_at: float
    released_at: float | None


@dataclass(frozen=True)
class BurstRun:
    """The outcome of one simulated burst."""

    responses: tuple[float, ...]
    max_queue: int
    peak_nodes: int
    completed_at: float
    settled_at: float
    spans: tuple[NodeSpan, ...]

    @property
    def mean_response(self) -> float:
        """Average seconds from post to processed."""
        return float(np.mean(self.responses))

    def node_seconds(self, until: float) -> float:
        """Node-seconds billed between 0 and ``until`` (nodes still up count to ``until``)."""
        total = 0.0
        for span in self.spans:
            end = until if span.released_at is None else min(span.released_at, until)
            total += max(0.0, end - min(span.allocated_at, until))
        return total


@dataclass(eq=False)
class _Node:
    allocated_at: float
    ready: bool = False
    busy: bool = False
    retiring: bool = False
    process: Any = None


@dataclass
class _Burst:
    """The state of one run (one instance per call: nothing is shared between runs)."""

    env: Any
    store: Any
    platform: Platform
    policy: ScalingPolicy | BacklogPolicy
    cold_rng: np.random.Generator
    total: int
    nodes: list[_Node] = field(default_factory=list)
    spans: list[NodeSpan] = field(default_factory=list)
    responses: list[float] = field(default_factory=list)
    running: int = 0
    max_queue: int = 0
    peak_nodes: int = 0
    held_since: float | None = None
    last_sample: float = 0.0
    last_done: float = 0.0
    finished: Any = None  # an event, succeeded when the run has settled

    # -- the pool ------------------------------------------------------------------
    def active(self) -> list[_Node]:
        return [n for n in self.nodes if not n.retiring]

    def add_node(self, *, warm: bool) -> None:
        node = _Node(allocated_at=self.env.now, ready=warm)
        delay = 0.0
        if not warm:
            cold = self.platform.cold_start_seconds
            jitter = self.platform.cold_start_jitter
            delay = cold * float(self.cold_rng.uniform(1 - jitter, 1 + jitter))
        node.process = self.env.process(self._work(node, delay))
        self.nodes.append(node)

    def resize(self, target: int) -> None:
        active = self.active()
        if target > len(active):
            for _ in range(target - len(active)):
                self.add_node(warm=False)
        elif target < len(active):
            # Starting nodes go first (newest first), then idle ones, then busy ones,
            # which finish their message before they leave.
            order = sorted(active, key=lambda n: (n.ready, n.busy, -n.allocated_at))
            for node in order[: len(active) - target]:
                node.retiring = True
                if not node.busy:
                    node.process.interrupt()
        self.peak_nodes = max(self.peak_nodes, len(self.active()))

    def _release(self, node: _Node) -> None:
        self.nodes.remove(node)
        self.spans.append(NodeSpan(node.allocated_at, self.env.now))
        self._check_settled()

    def _check_settled(self) -> None:
        done = len(self.responses) == self.total and len(self.nodes) <= self.policy.min_nodes
        if done and not self.finished.triggered:
            self.finished.succeed()

    def _work(self, node: _Node, delay: float) -> Generator[Any, Any, None]:
        simpy = simpy_module()
        try:
            if delay:
                yield self.env.timeout(delay)
        except simpy.Interrupt:
            self._release(node)
            return
        node.ready = True
        while not node.retiring:
            request = self.store.get()
            try:
                item = yield request
            except simpy.Interrupt:
                if not request.triggered:
                    request.cancel()
                    break
                item = request.value  # the message arrived with the interrupt: do it
            yield from self._process(node, item)
        self._release(node)

    def _process(self, node: _Node, item: tuple[float, float]) -> Generator[Any, Any, None]:
        posted_at, service = item
        node.busy, self.running = True, self.running + 1
        yield self.env.timeout(service)
        node.busy, self.running = False, self.running - 1
        self.responses.append(self.env.now - posted_at)
        self.last_done = self.env.now
        self._check_settled()

    # -- the load, the sampler and the evaluator -------------------------------------
    def arrivals(self, posted: np.ndarray, services: np.ndarray) -> Generator[Any, Any, None]:
        ingest = self.platform.ingest_seconds
        for posted_at, service in zip(posted, services, strict=True):
            yield self.env.timeout(max(0.0, posted_at + ingest - self.env.now))
            yield self.store.put((float(posted_at), float(service)))
            self.max_queue = max(self.max_queue, len(self.store.items))

    def sampler(self) -> Generator[Any, Any, None]:
        while True:
            self.last_sample = self.env.now
            if len(self.store.items) > self.policy.trigger_messages:
                if self.held_since is None:
                    self.held_since = self.env.now
            else:
                self.held_since = None
            yield self.env.timeout(self.platform.sample_seconds)

    def snapshot(self) -> QueueSnapshot:
        items = self.store.items
        oldest = self.env.now - (items[0][0] + self.platform.ingest_seconds) if items else 0.0
        held = 0.0 if self.held_since is None else self.last_sample - self.held_since
        return QueueSnapshot(
            waiting=len(items),
            running=self.running,
            nodes=len(self.active()),
            oldest_age_seconds=max(0.0, oldest),
            held_seconds=held,
        )

    def evaluator(self, phase: float) -> Generator[Any, Any, None]:
        yield self.env.timeout(phase)
        while True:
            self.resize(self.policy.desired_nodes(self.snapshot()))
            self._check_settled()
            yield self.env.timeout(self.platform.evaluation_interval_seconds)


def simulate_burst(
    workload: Workload,
    platform: Platform,
    policy: ScalingPolicy | BacklogPolicy,
    seed: int | np.random.SeedSequence,
) -> BurstRun:
    """Simulate ``workload`` on ``platform`` scaled by ``policy``; deterministic in ``seed``.

    The pool starts with ``policy.min_nodes`` warm nodes and the run ends when every
    message is processed and the pool is back at ``min_nodes``. Raises ``InvalidInput``
    if the policy leaves messages unprocessed (for example ``min_nodes = 0`` with a
    trigger the load never reaches).
    """
    simpy = simpy_module()
    streams = (seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed))
    load_rng, phase_rng, cold_rng = (np.random.default_rng(s) for s in streams.spawn(3))
    total = workload.messages
    posted = np.sort(load_rng.uniform(0.0, workload.arrival_window_seconds, total))
    mean, cv = platform.service_seconds, platform.service_cv
    services = (
        load_rng.gamma(1.0 / cv**2, mean * cv**2, total) if cv > 0 else np.full(total, mean)
    )
    env = simpy.Environment()
    burst = _Burst(env, simpy.Store(env), platform, policy, cold_rng, total)
    burst.finished = env.event()
    for _ in range(policy.min_nodes):
        burst.add_node(warm=True)
    burst.peak_nodes = policy.min_nodes
    env.process(burst.arrivals(posted, services))
    env.process(burst.sampler())
    interval = platform.evaluation_interval_seconds
    env.process(burst.evaluator(float(phase_rng.uniform(0.0, interval))))
    # A generous bound: every message served one after the other, plus start-ups.
    horizon = (
        workload.arrival_window_seconds
        + platform.ingest_seconds
        + float(services.sum())
        + 4 * (interval + 2 * platform.cold_start_seconds + platform.sample_seconds)
    )
    env.run(until=env.any_of([burst.finished, env.timeout(horizon)]))
    if len(burst.responses) < total:
        raise InvalidInput(
            f"{total - len(burst.responses)} of {total} messages were never processed: the "
            "policy does not drain this load (check min_nodes and the trigger)",
            field="policy",
        )
    ends = [s.released_at for s in burst.spans if s.released_at is not None]
    spans = tuple(burst.spans) + tuple(NodeSpan(n.allocated_at, None) for n in burst.nodes)
    return BurstRun(
        responses=tuple(burst.responses),
        max_queue=burst.max_queue,
        peak_nodes=burst.peak_nodes,
        completed_at=burst.last_done,
        settled_at=max([burst.last_done, *ends]),
        spans=spans,
    )


__all__ = ["BurstRun", "NodeSpan", "simulate_burst"]
