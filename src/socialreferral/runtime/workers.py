"""Queue workers of the embedded runtime, as many as the scaling policy asks for.

At every :meth:`QueueWorkers.tick` the events queue's depth becomes a
:class:`~socialreferral.domain.scaling.QueueSnapshot` (with how long more than the
policy's trigger have waited, and the workers alive as its nodes), the ``[scaling]``
policy answers how many workers there should be, and the difference is started as
``referral.process-batch`` children on BatchCompute. A worker drains the queue and exits
once it has stayed empty for ``[schedule] worker_idle_seconds``; so workers start only
when events wait, the policy's ``min_nodes`` applies while they do, and an idle system
runs no worker process. Workers are never killed to scale in: a busy worker finishes its
batch (the platform's "task completion" release).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from socialreferral.domain.scaling import BacklogPolicy, QueueSnapshot, ScalingPolicy
from socialreferral.ports import BatchCompute, Queue
from socialreferral.records import Capability, JobState

WORKER_TASK = "referral.process-batch"
_ALIVE = (JobState.QUEUED, JobState.RUNNING)


@dataclass
class QueueWorkers:
    """Starts queue workers by the scaling policy (module docstring)."""

    queue: Queue
    batch: BatchCompute
    policy: ScalingPolicy | BacklogPolicy
    payload: Callable[[], dict[str, Any]]
    task: str = WORKER_TASK
    jobs: dict[str, int] = field(default_factory=dict)
    """Job id -> children, for the jobs this runtime started and that may still run."""
    _over_since: float | None = None
    last_desired: int = 0

    def alive(self) -> int:
        """Workers started by this runtime that are queued or running."""
        count = 0
        for job_id in list(self.jobs):
            status = self.batch.status(job_id)
            if status.state.finished:
                del self.jobs[job_id]
                continue
            if status.array_size > 1 and status.children:
                count += sum(status.children.get(s, 0) for s in _ALIVE)
            else:
                count += 1 if status.state in _ALIVE else 0
        return count

    def tick(self, now: float) -> int:
        """Look at the queue at ``now`` (monotonic seconds); start workers if the policy
        asks for more than are alive. Returns how many were started."""
        waiting = self.queue.depth()
        if waiting > self.policy.trigger_messages:
            if self._over_since is None:
                self._over_since = now
        else:
            self._over_since = None
        held = 0.0 if self._over_since is None else now - self._over_since
        alive = self.alive()
        desired = self.policy.desired_nodes(QueueSnapshot(
            waiting=waiting, nodes=alive, oldest_age_seconds=held, held_seconds=held))
        self.last_desired = desired
        if waiting == 0 or desired <= alive:
            return 0
        more = desired - alive
        if self.batch.supports(Capability.ARRAY_JOBS):
            job_id = self.batch.submit(self.task, self.payload(), array_size=more,
                                       name="queue-workers")
            self.jobs[job_id] = more
        else:
            for _ in range(more):
                self.jobs[self.batch.submit(self.task, self.payload(),
                                            name="queue-worker")] = 1
        return more


__all__ = ["WORKER_TASK", "QueueWorkers"]
