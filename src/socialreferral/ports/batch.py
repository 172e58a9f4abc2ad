"""The BatchCompute port: registered tasks run as (array) jobs on workers."""

from __future__ import annotations

import re
import time
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any

from socialreferral.errors import (
    InvalidInput,
    Unsupported,
)
from socialreferral.ports._base import Adapter, RetryPolicy, encode_json
from socialreferral.records import (
    Capability,
    JobStatus,
)

_TASK_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,127}$")


# ======================================================================================
# BatchCompute
# ======================================================================================
class BatchCompute(Adapter):
    """Runs registered tasks as jobs on workers, and sizes the worker pool.

    A task is a function ``fn(payload: dict, index: int) -> None`` registered by name
    through the ``register_tasks`` plugin hook; an array job runs it ``array_size`` times
    with ``index`` 0..n-1. Payloads must be JSON.
    """

    def __init__(self, *, retry: RetryPolicy | None = None) -> None:
        if retry is not None:
            self.retry = retry

    @abstractmethod
    def _submit(self, task: str, payload: dict[str, Any], array_size: int, name: str) -> str:
        """Start a job and return its id."""

    @abstractmethod
    def _status(self, job_id: str) -> JobStatus:
        """Current status; raise ``JobNotFound``."""

    @abstractmethod
    def _cancel(self, job_id: str) -> None:
        """Cancel a queued or running job (no-op when finished)."""

    def _scale(self, target_workers: int) -> None:
        raise Unsupported(self.adapter_name, Capability.AUTOSCALE)

    def submit(
        self,
        task: str,
        payload: Mapping[str, Any] | None = None,
        *,
        array_size: int = 1,
        name: str | None = None,
    ) -> str:
        """Submit ``task`` with a JSON ``payload``; ``array_size`` > 1 needs ``array_jobs``."""
        if not isinstance(task, str) or not _TASK_NAME.match(task):
            raise InvalidInput("must be a lower-case dotted task name", field="task")
        if array_size < 1 or array_size > 10_000:
            raise InvalidInput("must be between 1 and 10000", field="array_size")
        if array_size > 1:
            self.require(Capability.ARRAY_JOBS)
        body = dict(payload or {})
        encode_json(body)
        job_name = name or task.replace(".", "-")
        return self._call(self._submit, task, body, array_size, job_name)

    def status(self, job_id: str) -> JobStatus:
        """The job's portable status."""
        return self._call(self._status, job_id)

    def wait(self, job_id: str, *, timeout: float = 60.0, poll: float = 0.05) -> JobStatus:
        """Poll until the job finishes or ``timeout`` passes (returns the last status)."""
        deadline = time.monotonic() + timeout
        status = self.status(job_id)
        while not status.state.finished and time.monotonic() < deadline:
            time.sleep(poll)
            poll = min(poll * 1.5, 1.0)
            status = self.status(job_id)
        return status

    def cancel(self, job_id: str) -> None:
        """Cancel the job."""
        self._call(self._cancel, job_id)

    def scale(self, target_workers: int) -> None:
        """Ask for ``target_workers`` workers (the scaling policy computes the number)."""
        self.require(Capability.AUTOSCALE)
        if target_workers < 0:
            raise InvalidInput("must be >= 0", field="target_workers")
        self._call(self._scale, target_workers)
