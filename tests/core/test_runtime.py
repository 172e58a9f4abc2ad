"""The embedded runtime: the schedule registry, the scheduler (due jobs, no overlap) and
the queue workers sized by the scaling policy.

Backend: an in-memory BatchCompute that records submissions and whose jobs the test
finishes by hand; a queue stand-in with a settable depth. The end-to-end check (a
webhook processed by ``serve`` alone) is tests/web/test_serve_runtime.py.
"""

from __future__ import annotations

from typing import Any, ClassVar

from socialreferral.domain.scaling import BacklogPolicy, ScalingPolicy
from socialreferral.plugins import load_registry
from socialreferral.ports import BatchCompute
from socialreferral.records import Capability, JobState, JobStatus
from socialreferral.runtime import SCHEDULE, ScheduledTask, Scheduler, effective_schedule
from socialreferral.runtime.workers import WORKER_TASK, QueueWorkers


class MemoryBatch(BatchCompute):
    """Jobs stay QUEUED/RUNNING until :meth:`finish`."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.ARRAY_JOBS})
    provider: ClassVar[str] = "memory"

    def __init__(self) -> None:
        super().__init__()
        self.jobs: dict[str, tuple[str, int, dict[str, Any]]] = {}
        self.states: dict[str, JobState] = {}

    def _submit(self, task: str, payload: dict[str, Any], array_size: int, name: str) -> str:
        job_id = f"job-{len(self.jobs) + 1}"
        self.jobs[job_id] = (task, array_size, payload)
        self.states[job_id] = JobState.RUNNING
        return job_id

    def _status(self, job_id: str) -> JobStatus:
        task, size, _ = self.jobs[job_id]
        state = self.states[job_id]
        children = {state: size} if size > 1 else {}
        return JobStatus(job_id, task, state, size, children, None)

    def _cancel(self, job_id: str) -> None:
        self.states[job_id] = JobState.CANCELLED

    def finish(self, job_id: str) -> None:
        self.states[job_id] = JobState.SUCCEEDED

    def submitted(self, task: str) -> list[str]:
        return [j for j, (t, _, _) in self.jobs.items() if t == task]


class Depth:
    """A queue that only answers its depth."""

    def __init__(self) -> None:
        self.waiting = 0

    def depth(self) -> int:
        return self.waiting


def test_every_scheduled_task_is_registered_by_the_core_plugin() -> None:
    registered = load_registry(env={"SOCIALREFERRAL_PLUGINS": "local"}).tasks
    assert {job.task for job in SCHEDULE} <= set(registered)
    assert "referral.auto-approve" in registered


def test_overrides_change_or_drop_jobs_and_unregistered_ones_are_skipped() -> None:
    schedule = (*SCHEDULE, ScheduledTask("plugin.not-installed", 60))
    jobs = effective_schedule({"referral.promotions": 0, "referral.auto-approve": 30},
                              {"referral.promotions", "referral.auto-approve"}, schedule)
    assert [(j.task, j.every_seconds) for j in jobs] == [("referral.auto-approve", 30.0)]


def test_the_scheduler_runs_due_jobs_once_each_and_never_overlaps() -> None:
    batch = MemoryBatch()
    jobs = [ScheduledTask("a.job", 60), ScheduledTask("b.job", 300)]
    scheduler = Scheduler(batch, jobs, lambda: {"settings": {}})
    assert scheduler.tick(0.0) == ["a.job", "b.job"]  # everything at start-up
    assert scheduler.tick(30.0) == []
    # a.job is due at 60 but its first run has not finished: not stacked.
    assert scheduler.tick(61.0) == []
    batch.finish(batch.submitted("a.job")[0])
    assert scheduler.tick(62.0) == ["a.job"]
    batch.finish(batch.submitted("a.job")[1])
    batch.finish(batch.submitted("b.job")[0])
    assert scheduler.tick(100.0) == []  # a.job next at 122, b.job at 300
    assert scheduler.tick(300.0) == ["a.job", "b.job"]
    assert len(batch.submitted("a.job")) == 3 and len(batch.submitted("b.job")) == 2


def test_workers_start_only_when_events_wait_as_many_as_the_paper_rule_asks() -> None:
    batch, queue = MemoryBatch(), Depth()
    workers = QueueWorkers(queue, batch, ScalingPolicy(), lambda: {})  # type: ignore[arg-type]
    assert workers.tick(0.0) == 0 and batch.jobs == {}  # idle: no worker process
    queue.waiting = 3
    assert workers.tick(1.0) == 1  # min_nodes while events wait
    assert workers.tick(2.0) == 0  # that one is alive
    queue.waiting = 50  # above the trigger (5) ...
    assert workers.tick(3.0) == 0  # ... but not yet for 60 s
    assert workers.tick(64.0) == 3  # 1 + ceil(50 / 20) = 4 nodes; 1 alive
    assert workers.last_desired == 4
    [first, second] = batch.submitted(WORKER_TASK)
    assert batch.jobs[second][1] == 3  # one array job of three children
    queue.waiting = 0
    for job_id in (first, second):
        batch.finish(job_id)  # workers exit once the queue stayed empty
    assert workers.tick(70.0) == 0 and workers.alive() == 0


def test_the_backlog_policy_scales_on_backlog_per_worker() -> None:
    batch, queue = MemoryBatch(), Depth()
    workers = QueueWorkers(queue, batch, BacklogPolicy(), lambda: {})  # type: ignore[arg-type]
    queue.waiting = 9
    assert workers.tick(0.0) == 3  # ceil(9 / 4), no sustain period
    queue.waiting = 100
    assert workers.tick(1.0) == 7  # capped at max_nodes = 10
