"""The scheduled jobs of the embedded runtime: a registry of (task name, interval).

Each entry names a batch task registered through the ``register_tasks`` hook, so the
same job runs here (on the local process pool), or on AWS/Azure Batch from the cloud's
own scheduler (EventBridge Scheduler, an Azure Batch job schedule) in a deployment
whose web nodes run ``serve --no-workers``. **Adding a scheduled job is one line in
:data:`SCHEDULE`** (the care categorizer, profile fusion and influence recomputation
go here); ``[schedule.every_seconds]`` overrides an interval by task name and ``0``
turns a job off.

:class:`Scheduler` submits a due job to BatchCompute unless the previous run of the same
job is still going (no overlap: a slow run is not stacked), and runs every job once at
start-up, so a restart does not wait a whole interval.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from socialreferral.ports import BatchCompute

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduledTask:
    """Run the batch task ``task`` every ``every_seconds`` (``about``: what it does)."""

    task: str
    every_seconds: float
    about: str = ""


SCHEDULE: tuple[ScheduledTask, ...] = (
    ScheduledTask("referral.promotions", 900.0,
                  "publish new CRM promotions, send reminders, pick up answered manual "
                  "offers"),
    ScheduledTask("referral.auto-approve", 300.0,
                  "approve flagged rewards nobody decided on before the deadline"),
    # Fired hourly: the task itself runs the categorizer once per [care.categorizer]
    # period (24 h by default) and wakes snoozed care items each time.
    ScheduledTask("care.categorize", 3600.0,
                  "wake snoozed care items; recluster and propose terms once a period"),
    # Idempotent (one count per item): fired often so a breach shows within minutes.
    ScheduledTask("care.sla", 120.0,
                  "stamp and count care items whose first-response SLA was just breached"),
    # Every 15 minutes, like the seed's Spark job: repair any drift of the aggregates.
    ScheduledTask("influence.recompute", 900.0,
                  "recompute influence aggregates from stored posts and repair drift"),
    # Mode auto: links new profiles each time, re-fuses everything once the last full
    # run is older than [people] full_every_hours.
    ScheduledTask("people.fuse", 900.0,
                  "link newly captured profiles into people; a full re-fusion daily"),
)
"""The built-in schedule (module docstring: one line per job)."""


def effective_schedule(overrides: Mapping[str, float], registered: Collection[str],
                       schedule: Sequence[ScheduledTask] = SCHEDULE) -> list[ScheduledTask]:
    """``schedule`` with the intervals of ``overrides`` (``0`` drops a job), keeping only
    tasks that are registered (a plugin that is not installed schedules nothing)."""
    jobs = []
    for job in schedule:
        seconds = overrides.get(job.task, job.every_seconds)
        if seconds <= 0:
            continue
        if job.task not in registered:
            log.warning("scheduled task %s is not registered; skipped", job.task)
            continue
        jobs.append(replace(job, every_seconds=float(seconds)))
    return jobs


class Scheduler:
    """Submits each due job to BatchCompute (module docstring). Call :meth:`tick`
    regularly; it never blocks on a job."""

    def __init__(self, batch: BatchCompute, jobs: Sequence[ScheduledTask],
                 payload: Callable[[], dict[str, Any]]) -> None:
        self.batch = batch
        self.jobs = list(jobs)
        self.payload = payload
        self._next: dict[str, float] = {}
        self._running: dict[str, str] = {}

    def tick(self, now: float) -> list[str]:
        """Submit the jobs due at ``now`` (monotonic seconds); return their task names."""
        submitted = []
        for job in self.jobs:
            due = self._next.setdefault(job.task, now)
            if now < due or self._still_running(job.task):
                continue
            self._running[job.task] = self.batch.submit(job.task, self.payload(),
                                                        name=job.task.replace(".", "-"))
            self._next[job.task] = now + job.every_seconds
            submitted.append(job.task)
        return submitted

    def _still_running(self, task: str) -> bool:
        job_id = self._running.get(task)
        if job_id is None:
            return False
        status = self.batch.status(job_id)
        if status.state.finished:
            del self._running[task]
            if status.error:
                log.warning("scheduled task %s ended %s: %s", task, status.state.value,
                            status.error[:200])
            return False
        return True


__all__ = ["SCHEDULE", "ScheduledTask", "Scheduler", "effective_schedule"]
