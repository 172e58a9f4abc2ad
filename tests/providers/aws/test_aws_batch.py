"""AwsBatchCompute behaviour beyond the conformance kit.

On moto (in-process and moto_server): what a submitted job looks like to Batch (the
``socialreferral run-task`` command, array properties), an array job reaching SUCCEEDED,
a job failing under ``MOTO_SIMPLE_BATCH_FAIL_AFTER=0`` reported as failed, and the scaling
policy turned into the number of array children.

With botocore's ``Stubber`` (a mock, used because no emulator keeps a Batch job queued or
running: moto finishes every job inside ``SubmitJob``): cancel of queued and running jobs,
CANCELLED mapping, counting active workers before scaling.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_moto import InProcess, OnServer, fail_first, settings, unique

from socialreferral.domain.scaling import ScalingPolicy
from socialreferral.errors import ConfigurationError, InvalidInput, TaskNotRegistered
from socialreferral.ports import RetryPolicy
from socialreferral.providers import BuildContext
from socialreferral.providers.aws.batch import CANCEL_REASON, AwsBatchCompute
from socialreferral.records import JobState

pytestmark = pytest.mark.aws

TASKS = {"referrals.process": "app.tasks:process", "referral.process-batch": "app.tasks:drain"}


def _build(endpoint: str | None, **overrides: Any) -> AwsBatchCompute:
    return AwsBatchCompute.from_settings(
        settings(endpoint, **overrides), BuildContext(tasks=TASKS, namespace="t")
    )


class _BatchTests:
    @pytest.fixture
    def batch(self, endpoint: str | None) -> Iterator[AwsBatchCompute]:
        batch = _build(endpoint)
        yield batch
        batch.close()

    def test_array_job_reaches_succeeded(self, batch: AwsBatchCompute, backend: str) -> None:
        job_id = batch.submit("referrals.process", {"batch": 7}, array_size=4)
        status = batch.wait(job_id, timeout=10)
        assert status.state is JobState.SUCCEEDED, backend
        assert status.array_size == 4 and dict(status.children) == {JobState.SUCCEEDED: 4}
        assert status.task == "referrals.process"
        [job] = batch.batch.describe_jobs(jobs=[job_id])["jobs"]
        assert job["container"]["command"] == [
            "socialreferral",
            "run-task",
            "referrals.process",
            "--payload",
            json.dumps({"batch": 7}, separators=(",", ":")),
        ]

    def test_policy_sets_number_of_array_children(
        self, batch: AwsBatchCompute, backend: str
    ) -> None:
        batch.policy = ScalingPolicy()  # the paper's: +1 node per 20 messages, at most 5
        submitted: list[str] = []
        original = batch._submit

        def spy(*args: Any) -> str:
            submitted.append(original(*args))
            return submitted[-1]

        batch._submit = spy  # type: ignore[method-assign]
        # moto finishes each worker job at once, so every call finds 0 active workers
        cases = [(48, 120.0, 4), (65, 120.0, 5), (500, 120.0, 5), (3, 120.0, 1), (65, 5.0, 1)]
        for depth, waited, expected in cases:
            assert batch.scale_for_queue(depth, waited) == expected
            [job] = batch.batch.describe_jobs(jobs=[submitted[-1]])["jobs"]
            size = job.get("arrayProperties", {}).get("size", 1)
            assert size == expected, f"[{backend}] depth {depth}: {size} children"
            assert job["container"]["command"][2] == "referral.process-batch"
        assert len(submitted) == len(cases)

    def test_throttling_is_retried_without_duplicate_jobs(
        self, batch: AwsBatchCompute, backend: str
    ) -> None:
        batch.retry = RetryPolicy(attempts=5, initial_wait=0.01, max_wait=0.05)
        submits = fail_first(batch.batch, "SubmitJob", 2, code="TooManyRequestsException")
        describes = fail_first(batch.batch, "DescribeJobs", 2)
        job_id = batch.submit("referrals.process", {"n": 1}, name=unique("throttled"))
        assert batch.status(job_id).state is JobState.SUCCEEDED, backend
        assert len(submits) == 3 and len(describes) == 3
        name = batch.batch.describe_jobs(jobs=[job_id])["jobs"][0]["jobName"]
        listed = batch.batch.list_jobs(
            jobQueue=batch.job_queue,
            filters=[{"name": "JOB_NAME", "values": [name]}],
        )["jobSummaryList"]
        assert [j["jobId"] for j in listed] == [job_id]


class TestBatchInProcess(InProcess, _BatchTests):
    def test_failing_job_reported_failed(
        self, batch: AwsBatchCompute, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("MOTO_SIMPLE_BATCH_FAIL_AFTER", "0")  # read by moto at SubmitJob
        job_id = batch.submit("referrals.process", {})
        status = batch.wait(job_id, timeout=10)
        assert status.state is JobState.FAILED and status.error


class TestBatchOnServer(OnServer, _BatchTests):
    pass


def test_failing_job_reported_failed_on_server(moto_failing_server: str) -> None:
    """On a moto_server subprocess started with MOTO_SIMPLE_BATCH_FAIL_AFTER=0."""
    batch = _build(moto_failing_server)
    job_id = batch.submit("referrals.process", {}, array_size=3)
    status = batch.wait(job_id, timeout=10)
    assert status.state is JobState.FAILED and status.error
    assert dict(status.children) == {JobState.FAILED: 3}


@pytest.mark.usefixtures("moto_inprocess")
def test_submit_validation() -> None:
    """moto in-process: unknown tasks and oversized payloads never reach Batch."""
    batch = _build(None)
    with pytest.raises(TaskNotRegistered):
        batch.submit("not.registered")
    with pytest.raises(InvalidInput):
        batch.submit("referrals.process", {"blob": "x" * 30_000})
    with pytest.raises(ConfigurationError):
        _build(None, create_missing_resources=False)


# -- Stubber: job states moto cannot produce --------------------------------------------
def _stubbed() -> tuple[AwsBatchCompute, Any]:
    import boto3
    from botocore.stub import Stubber

    client = boto3.client(
        "batch", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    return AwsBatchCompute(client, "q", "d", tasks=TASKS), Stubber(client)


def _job(status: str, **extra: Any) -> dict[str, Any]:
    return {
        "jobs": [
            {
                "jobId": "j1",
                "jobName": "referrals-process",
                "jobQueue": "q",
                "jobDefinition": "d",
                "status": status,
                "startedAt": 1,
                "container": {"command": ["socialreferral", "run-task", "referrals.process"]},
                **extra,
            }
        ]
    }


@pytest.mark.parametrize(
    ("state", "call"), [("RUNNABLE", "cancel_job"), ("RUNNING", "terminate_job")]
)
def test_cancel_queued_or_running_job(state: str, call: str) -> None:
    batch, stub = _stubbed()
    stub.add_response("describe_jobs", _job(state), {"jobs": ["j1"]})
    stub.add_response(call, {}, {"jobId": "j1", "reason": CANCEL_REASON})
    stub.add_response("describe_jobs", _job("FAILED", statusReason=CANCEL_REASON))
    with stub:
        batch.cancel("j1")
        assert batch.status("j1").state is JobState.CANCELLED
    stub.assert_no_pending_responses()


def test_cancel_finished_job_is_a_no_op() -> None:
    batch, stub = _stubbed()
    stub.add_response("describe_jobs", _job("SUCCEEDED"))
    with stub:
        batch.cancel("j1")  # no CancelJob/TerminateJob stubbed: calling one would fail
    stub.assert_no_pending_responses()


def test_states_map_onto_the_port() -> None:
    batch, stub = _stubbed()
    expected = {
        "SUBMITTED": JobState.QUEUED,
        "PENDING": JobState.QUEUED,
        "RUNNABLE": JobState.QUEUED,
        "STARTING": JobState.QUEUED,
        "RUNNING": JobState.RUNNING,
        "SUCCEEDED": JobState.SUCCEEDED,
    }
    with stub:
        for vendor in expected:
            stub.add_response("describe_jobs", _job(vendor))
        stub.add_response("describe_jobs", _job("FAILED", statusReason="Essential container"))
        for vendor, portable in expected.items():
            assert batch.status("j1").state is portable, vendor
        failed = batch.status("j1")
        assert failed.state is JobState.FAILED and failed.error == "Essential container"


def test_scale_submits_only_missing_workers() -> None:
    batch, stub = _stubbed()
    batch._workers = ["w1"]
    running = _job(
        "RUNNING",
        arrayProperties={"size": 3, "statusSummary": {"RUNNING": 2, "SUCCEEDED": 1}},
    )
    stub.add_response("describe_jobs", running)
    stub.add_response(
        "submit_job",
        {"jobId": "w2", "jobName": "referral-process-batch"},
        {
            "jobName": "referral-process-batch",
            "jobQueue": "q",
            "jobDefinition": "d",
            "arrayProperties": {"size": 3},
            "containerOverrides": {
                "command": [
                    "socialreferral",
                    "run-task",
                    "referral.process-batch",
                    "--payload",
                    "{}",
                ],
                "environment": [{"name": "SOCIALREFERRAL_TASK", "value": "referral.process-batch"}],
            },
        },
    )
    stub.add_response("describe_jobs", running)
    stub.add_response("describe_jobs", _job("RUNNABLE", arrayProperties={"size": 3}))
    with stub:
        batch.scale(5)  # 2 running children, 3 missing
        batch.scale(4)  # 2 + 3 active: scaling down submits nothing
    stub.assert_no_pending_responses()


@pytest.mark.usefixtures("moto_inprocess")
def test_application_scaling_policy_from_context() -> None:
    """moto in-process: the app's [scaling] table (BuildContext.extra) caps the children."""
    batch = AwsBatchCompute.from_settings(
        settings(None), BuildContext(tasks=TASKS, extra={"scaling": {"max_nodes": 2}})
    )
    assert batch.scale_for_queue(500, 120.0) == 2
    assert _build(None).scale_for_queue(500, 120.0) == 5  # the paper's defaults


def test_emulator_runs_jobs_executes_the_command_locally(moto_server: str, tmp_path: Path) -> None:
    """moto_server + local subprocesses. moto marks every job SUCCEEDED at submission and
    runs nothing; with ``emulator_runs_jobs`` the job's own command (``socialreferral
    run-task ...``) runs locally and its outcome is the status. Covers the real
    ``referral.process-batch`` task (an empty local queue: drains nothing, exits 0) and a
    failing one (settings naming a provider that does not exist)."""
    from socialreferral.bootstrap import emulator_job_runner
    from socialreferral.plugins import load_registry

    batch = AwsBatchCompute.from_settings(
        settings(moto_server, emulator_runs_jobs=True),
        BuildContext(
            tasks=load_registry().tasks,
            namespace="t",
            extra={"emulator_job_runner": emulator_job_runner},  # what bootstrap passes
        ),
    )
    try:
        good = {"settings": {"local": {"data_dir": str(tmp_path)}}, "idle_seconds": 0.2}
        done = batch.wait(batch.submit("referral.process-batch", good), timeout=120)
        assert done.state is JobState.SUCCEEDED, done.error
        bad = {"settings": {"ports": {"queue": "nowhere"}, "local": {"data_dir": str(tmp_path)}}}
        failed = batch.wait(batch.submit("referral.process-batch", bad), timeout=120)
        assert failed.state is JobState.FAILED
        assert failed.error is not None and "nowhere" in failed.error
    finally:
        batch.close()


def test_emulator_runs_jobs_is_refused_without_an_emulator_endpoint() -> None:
    """Pure settings validation: the switch is for emulators only."""
    with pytest.raises(ValueError, match="emulators only"):
        settings(None, emulator_runs_jobs=True)


def test_emulator_runs_jobs_needs_the_runner_from_the_composition_root(
    moto_server: str,
) -> None:
    """The adapter holds no emulator code: without bootstrap's runner factory in the
    build context, the switch is a configuration error, not a silent no-op."""
    with pytest.raises(ConfigurationError, match="emulator_job_runner"):
        AwsBatchCompute.from_settings(
            settings(moto_server, emulator_runs_jobs=True), BuildContext(tasks=TASKS)
        )


def test_job_runner_outcome_replaces_the_emulator_status(moto_server: str) -> None:
    """moto_server + an injected runner: the adapter hands it every submitted job (the
    container's command, the array size) and reports the runner's outcome."""
    started: list[tuple[str, list[str], int]] = []

    class Runner:
        def start(self, job_id: str, command: Any, array_size: int) -> None:
            started.append((job_id, list(command), array_size))

        def outcome(self, job_id: str) -> Any:
            return (JobState.FAILED, {JobState.FAILED: 1, JobState.SUCCEEDED: 1}, "boom")

    batch = AwsBatchCompute.from_settings(
        settings(moto_server, emulator_runs_jobs=True),
        BuildContext(
            tasks=TASKS, namespace="t", extra={"emulator_job_runner": lambda env: Runner()}
        ),
    )
    try:
        job_id = batch.submit("referrals.process", {"n": 1}, array_size=2)
        status = batch.status(job_id)
    finally:
        batch.close()
    assert started == [(job_id, ["socialreferral", "run-task", "referrals.process",
                                 "--payload", '{"n":1}'], 2)]  # fmt: skip
    assert (status.state, status.error) == (JobState.FAILED, "boom")
    assert dict(status.children) == {JobState.FAILED: 1, JobState.SUCCEEDED: 1}


def test_production_adapters_hold_no_emulator_code() -> None:
    """Emulator support lives in socialreferral.testing.emulators, not under providers."""
    import socialreferral.providers.aws as aws

    package = Path(aws.__file__).parent
    sources = {p.name: p.read_text(encoding="utf-8") for p in package.glob("*.py")}
    assert "emulated_jobs.py" not in sources
    offenders = [
        name
        for name, text in sources.items()
        if "import socialreferral.testing" in text or "from socialreferral.testing" in text
    ]
    assert offenders == []
