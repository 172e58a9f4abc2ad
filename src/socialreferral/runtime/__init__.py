"""The embedded runtime: one process tree runs the whole system.

``socialreferral serve`` on the embedded default (``[ports] batch = "local"``) starts a
:class:`BackgroundRuntime` beside the web app: one thread that, every
``[schedule] check_seconds``, starts queue workers by the scaling policy
(:mod:`~socialreferral.runtime.workers`) and submits the scheduled jobs that are due
(:mod:`~socialreferral.runtime.schedule`). Both run as batch tasks on the local process
pool, in child processes of the server — so a webhook accepted by the server is
processed without anyone running ``socialreferral worker``. ``serve --no-workers`` gives a
web-only node, for deployments where AWS or Azure Batch run the workers and a cloud
scheduler runs the jobs (the same registered tasks).

The pool is sized once, at start: the policy's ``max_nodes`` workers plus one slot per
scheduled job, so a scheduled job never waits for a busy worker; how many workers run is
then decided by the policy at each check.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from socialreferral.bootstrap import Providers
from socialreferral.records import Capability
from socialreferral.runtime.schedule import (
    SCHEDULE,
    ScheduledTask,
    Scheduler,
    effective_schedule,
)
from socialreferral.runtime.workers import WORKER_TASK, QueueWorkers

log = logging.getLogger(__name__)


class BackgroundRuntime:
    """Queue workers and scheduled jobs beside the web app (module docstring)."""

    def __init__(self, providers: Providers, *,
                 schedule: Sequence[ScheduledTask] = SCHEDULE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        from socialreferral.tasks.referral import task_payload

        settings = providers.settings
        self.providers = providers
        self.clock = clock
        self.check_seconds = settings.schedule.check_seconds
        idle = settings.schedule.worker_idle_seconds

        def worker_payload() -> dict[str, Any]:
            return task_payload(settings, idle_seconds=idle, max_seconds=3600.0)

        def job_payload() -> dict[str, Any]:
            return task_payload(settings)

        registered = providers.registry.tasks
        self.workers = (QueueWorkers(providers.queue, providers.batch, settings.scaling,
                                     worker_payload) if WORKER_TASK in registered else None)
        self.scheduler = Scheduler(
            providers.batch, effective_schedule(settings.schedule.every_seconds, registered,
                                                schedule), job_payload)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.errors = 0

    def size_pool(self) -> int:
        """Size the local pool for the policy's maximum plus the scheduled jobs."""
        size = self.providers.settings.scaling.max_nodes + len(self.scheduler.jobs)
        if self.providers.batch.supports(Capability.AUTOSCALE):
            self.providers.batch.scale(size)
        return size

    def tick(self) -> None:
        """One look at the queue and the schedule (what the thread does each period)."""
        now = self.clock()
        if self.workers is not None:
            self.workers.tick(now)
        self.scheduler.tick(now)

    def start(self) -> None:
        """Start the background thread (idempotent)."""
        if self._thread is not None:
            return
        size = self.size_pool()
        log.info("background runtime: up to %d queue workers, scheduled jobs: %s",
                 self.providers.settings.scaling.max_nodes,
                 ", ".join(f"{j.task} every {j.every_seconds:g} s"
                           for j in self.scheduler.jobs) or "none")
        log.debug("local pool size %d", size)
        self._thread = threading.Thread(target=self._run, name="socialreferral-runtime",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception as exc:  # a backend hiccup must not end the runtime
                self.errors += 1
                log.warning("background runtime: %s (will retry)", type(exc).__name__)
            self._stop.wait(self.check_seconds)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread (running jobs end with the providers' batch adapter)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


__all__ = ["SCHEDULE", "BackgroundRuntime", "QueueWorkers", "ScheduledTask", "Scheduler",
           "effective_schedule"]
