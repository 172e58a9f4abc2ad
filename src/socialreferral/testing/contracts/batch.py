"""Conformance tests every :class:`~socialreferral.ports.BatchCompute` adapter must pass.

Fixture API (provide both in the test class or a mixin)::

    batch     a fresh adapter (function scope) whose task registry includes
              :data:`socialreferral.testing.contracts._tasks.CONTRACT_TASKS`, e.g.
              ``LocalBatchCompute.from_settings(settings, BuildContext(tasks=CONTRACT_TASKS))``;
              the fixture closes it afterwards
    backend   a short string naming what the adapter ran against; recorded on every test
              with ``record_property("backend", ...)``

The kit's tasks: ``contract.succeed`` writes ``payload["dir"]/done-<index>``,
``contract.fail`` raises ``RuntimeError("boom")``, ``contract.sleep`` sleeps
``payload["seconds"]``.

Backends that execute nothing (a fake of a cloud service) set ``executes_tasks = False``
and override :meth:`BatchComputeContract.settle` to make the backend report an outcome
(e.g. set the fake's task states); the kit then checks submission and state mapping only.
``wait_timeout`` bounds every wait (seconds).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, ClassVar

import pytest

from socialreferral.errors import InvalidInput, JobNotFound, TaskNotRegistered, Unsupported
from socialreferral.ports import BatchCompute
from socialreferral.records import Capability, JobState, JobStatus


class BatchComputeContract:
    """Mixin of behaviour tests; subclass it with ``batch`` and ``backend`` fixtures."""

    #: False for backends whose workers never run (fakes); see :meth:`settle`.
    executes_tasks: ClassVar[bool] = True
    #: Upper bound of any wait for a job to finish, in seconds.
    wait_timeout: ClassVar[float] = 60.0

    @pytest.fixture(autouse=True)
    def _record_backend(self, record_property: Any, backend: str) -> None:
        record_property("backend", backend)

    def settle(
        self,
        batch: BatchCompute,
        job_id: str,
        state: JobState,
        *,
        error: str | None = None,
        array_size: int = 1,
    ) -> None:
        """Make a non-executing backend report ``state`` for every child of ``job_id``
        (with ``error`` as the failure text). Executing backends never call this."""
        raise NotImplementedError(
            "set executes_tasks = True, or override settle() to drive the fake backend"
        )

    def _finish(
        self,
        batch: BatchCompute,
        job_id: str,
        state: JobState,
        *,
        error: str | None = None,
        array_size: int = 1,
    ) -> JobStatus:
        if not self.executes_tasks:
            self.settle(batch, job_id, state, error=error, array_size=array_size)
        status = batch.wait(job_id, timeout=self.wait_timeout)
        assert status.state.finished, f"job did not finish in {self.wait_timeout}s: {status}"
        return status

    # -- tests -------------------------------------------------------------------------
    def test_submit_runs_to_success(self, batch: BatchCompute, tmp_path: Path) -> None:
        markers = tmp_path / "contract-markers"  # the adapter may keep files in tmp_path
        job_id = batch.submit("contract.succeed", {"dir": str(markers)})
        status = self._finish(batch, job_id, JobState.SUCCEEDED)
        assert status.state is JobState.SUCCEEDED
        assert status.job_id == job_id
        assert status.task == "contract.succeed"
        assert status.error is None
        if self.executes_tasks:
            assert (markers / "done-0").read_text() == "0"

    def test_failing_task_ends_failed_with_error_text(self, batch: BatchCompute) -> None:
        job_id = batch.submit("contract.fail", {})
        status = self._finish(batch, job_id, JobState.FAILED, error="RuntimeError: boom")
        assert status.state is JobState.FAILED
        assert status.error is not None and "boom" in status.error

    def test_array_job_runs_every_index(self, batch: BatchCompute, tmp_path: Path) -> None:
        markers = tmp_path / "contract-markers"  # the adapter may keep files in tmp_path
        if not batch.supports(Capability.ARRAY_JOBS):
            with pytest.raises(Unsupported):
                batch.submit("contract.succeed", {"dir": str(markers)}, array_size=4)
            return
        job_id = batch.submit("contract.succeed", {"dir": str(markers)}, array_size=4)
        status = self._finish(batch, job_id, JobState.SUCCEEDED, array_size=4)
        assert status.state is JobState.SUCCEEDED
        assert status.array_size == 4
        assert dict(status.children) == {JobState.SUCCEEDED: 4}
        if self.executes_tasks:
            assert sorted(p.name for p in markers.iterdir()) == [f"done-{i}" for i in range(4)]

    def test_array_job_with_failures_fails(self, batch: BatchCompute) -> None:
        if not batch.supports(Capability.ARRAY_JOBS):
            with pytest.raises(Unsupported):
                batch.submit("contract.fail", {}, array_size=2)
            return
        job_id = batch.submit("contract.fail", {}, array_size=2)
        status = self._finish(
            batch, job_id, JobState.FAILED, error="RuntimeError: boom", array_size=2
        )
        assert status.state is JobState.FAILED
        assert dict(status.children) == {JobState.FAILED: 2}
        assert status.error is not None and "boom" in status.error

    def test_cancel_long_job_ends_cancelled(self, batch: BatchCompute) -> None:
        job_id = batch.submit("contract.sleep", {"seconds": 30})
        if self.executes_tasks:
            time.sleep(0.2)  # let it start, so cancelling a running job is what we test
        batch.cancel(job_id)
        deadline = time.monotonic() + self.wait_timeout
        status = batch.status(job_id)
        while status.state is not JobState.CANCELLED and time.monotonic() < deadline:
            time.sleep(0.1)
            status = batch.status(job_id)
        assert status.state is JobState.CANCELLED
        batch.cancel(job_id)  # cancelling a finished job is a no-op
        assert batch.status(job_id).state is JobState.CANCELLED

    def test_unknown_job_id_raises_job_not_found(self, batch: BatchCompute) -> None:
        with pytest.raises(JobNotFound):
            batch.status("no-such-job-0000")
        with pytest.raises(KeyError):
            batch.status("no-such-job-0001")

    def test_unregistered_task_rejected_at_submit(self, batch: BatchCompute) -> None:
        with pytest.raises(TaskNotRegistered):
            batch.submit("contract.never-registered", {})
        with pytest.raises(InvalidInput):
            batch.submit("Not A Task Name", {})
        with pytest.raises(InvalidInput):
            batch.submit("contract.succeed", {"not-json": object()})

    def test_scale(self, batch: BatchCompute, tmp_path: Path) -> None:
        markers = tmp_path / "contract-markers"  # the adapter may keep files in tmp_path
        if not batch.supports(Capability.AUTOSCALE):
            with pytest.raises(Unsupported):
                batch.scale(2)
            return
        with pytest.raises(InvalidInput):
            batch.scale(-1)
        batch.scale(3)
        batch.scale(1)
        job_id = batch.submit("contract.succeed", {"dir": str(markers)})
        assert self._finish(batch, job_id, JobState.SUCCEEDED).state is JobState.SUCCEEDED
