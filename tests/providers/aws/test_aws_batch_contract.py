"""The shipped BatchCompute conformance kit on AwsBatchCompute, on moto in-process
(``mock_aws``, Batch without Docker) and on moto's server app in a subprocess over HTTP.

moto runs no container: a job goes to SUCCEEDED (or, with ``MOTO_SIMPLE_BATCH_FAIL_AFTER``
set, FAILED) inside ``SubmitJob``. So the kit runs with ``executes_tasks = False``:

* failing tasks: a botocore hook marks the ``SubmitJob`` of ``contract.fail``; in-process
  it sets ``MOTO_SIMPLE_BATCH_FAIL_AFTER=0`` for that call (monkeypatch), on the server it
  sends the header that makes moto_fault_server.py set the variable for that request;
* :meth:`settle` for FAILED attaches the worker's error text as the job's status reason
  (``TerminateJob`` on a stopped moto job only records the reason), standing in for what
  a real container's exit reason would carry;
* the cancel test cannot pass on moto: jobs are already finished when ``SubmitJob``
  returns, so there is never a queued or running job to cancel. It is marked
  ``xfail(strict=True)`` here and the cancel path is tested against Batch responses in
  test_aws_batch.py.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from aws_moto import InProcess, OnFaultServer, settings

from socialreferral.providers import BuildContext
from socialreferral.providers.aws.batch import AwsBatchCompute
from socialreferral.records import JobState
from socialreferral.testing.contracts import BatchComputeContract
from socialreferral.testing.contracts._tasks import CONTRACT_TASKS

pytestmark = pytest.mark.aws

_FAILING = '"contract.fail"'
_MOTO_CANNOT_CANCEL = pytest.mark.xfail(
    strict=True, reason="moto finishes Batch jobs inside SubmitJob: nothing left to cancel"
)


class _BatchFixtures(BatchComputeContract):
    executes_tasks = False
    wait_timeout = 10.0

    @pytest.fixture
    def batch(
        self, endpoint: str | None, monkeypatch: pytest.MonkeyPatch
    ) -> Iterator[AwsBatchCompute]:
        batch = AwsBatchCompute.from_settings(
            settings(endpoint), BuildContext(tasks=CONTRACT_TASKS, namespace="contract")
        )
        events = batch.batch.meta.events
        if endpoint is None:

            def before_call(params: dict[str, Any], **_: Any) -> None:
                if _FAILING in json.dumps(params.get("containerOverrides", {})):
                    monkeypatch.setenv("MOTO_SIMPLE_BATCH_FAIL_AFTER", "0")
                else:
                    monkeypatch.delenv("MOTO_SIMPLE_BATCH_FAIL_AFTER", raising=False)

            events.register("before-parameter-build.batch.SubmitJob", before_call)
        else:

            def before_sign(request: Any, **_: Any) -> None:
                body = request.data.decode() if isinstance(request.data, bytes) else ""
                if _FAILING in body:
                    request.headers["x-moto-batch-fail"] = "1"

            events.register("before-sign.batch.SubmitJob", before_sign)
        yield batch
        batch.close()

    def settle(
        self,
        batch: Any,
        job_id: str,
        state: JobState,
        *,
        error: str | None = None,
        array_size: int = 1,
    ) -> None:
        assert batch.status(job_id).state is state, "moto decided the state at SubmitJob"
        if state is JobState.FAILED and error:
            batch.batch.terminate_job(jobId=job_id, reason=error)

    @_MOTO_CANNOT_CANCEL
    def test_cancel_long_job_ends_cancelled(self, batch: Any) -> None:
        super().test_cancel_long_job_ends_cancelled(batch)


class TestAwsBatchComputeInProcess(InProcess, _BatchFixtures):
    pass


class TestAwsBatchComputeOnServer(OnFaultServer, _BatchFixtures):
    pass


def test_environment_is_clean() -> None:
    """The in-process failure switch never leaks out of its test (monkeypatch)."""
    assert "MOTO_SIMPLE_BATCH_FAIL_AFTER" not in os.environ
