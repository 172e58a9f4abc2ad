"""AwsBatchCompute: the BatchCompute port on AWS Batch (container jobs and array jobs).

Features
    Submits a job (or an array job of ``array_size`` children) to the configured job queue
    and job definition. The container runs the library's CLI::

        socialreferral run-task <task> --payload <json>

    and an array child reads its index from ``AWS_BATCH_JOB_ARRAY_INDEX`` (set by Batch).
    The job definition's image must therefore contain this package and the plugins that
    register the task. AWS Batch states map onto the port's: SUBMITTED, PENDING, RUNNABLE,
    STARTING → ``queued``; RUNNING → ``running``; SUCCEEDED; FAILED → ``failed``, or
    ``cancelled`` when the reason is the one :meth:`cancel` gives. Array jobs report their
    children per state from ``arrayProperties.statusSummary``. Capabilities:
    ``array_jobs``, ``autoscale``.

Scaling
    A managed compute environment starts instances for runnable jobs, so "scaling" means
    submitting worker jobs: ``scale(n)`` counts the unfinished worker children this
    instance submitted and submits the missing ones as one array job of
    ``batch_worker_task``; :meth:`scale_for_queue` first turns the queue depth into ``n``
    with the application's scaling policy (the paper's rule or the backlog policy of
    :mod:`socialreferral.domain.scaling`). Scaling down
    submits nothing and stops nothing: a worker exits when it finds the queue empty,
    which avoids killing one in the middle of a batch.

Gaps
    Batch runs containers, not Python functions: nothing here executes a task in-process,
    and on moto (no Docker) jobs go straight to SUCCEEDED (or FAILED with
    ``MOTO_SIMPLE_BATCH_FAIL_AFTER=0``) inside ``SubmitJob`` and never run; the conformance
    kit runs in its ``executes_tasks=False`` mode. A task's exception text is in the job's
    CloudWatch log, not in its status: ``error`` holds Batch's status reason (or the
    container's reason or exit code). The JSON payload travels in the command, so it must
    stay under 20 KiB (pass a document key for anything larger).

Emulators
    The adapter takes a ``job_runner`` (:class:`JobRunner`) that is told about every
    submitted job and whose outcome, when it has one, replaces the backend's status. This
    module holds no emulator code: with ``[aws] emulator_runs_jobs`` (refused without an
    ``endpoint_url``) the composition root supplies a factory in
    ``BuildContext.extra["emulator_job_runner"]`` that runs each job's command in a local
    subprocess (:mod:`socialreferral.testing.emulators.aws_batch`).

Configuration and permissions
    ``[aws]``: ``batch_job_queue``, ``batch_job_definition``, ``batch_worker_task``; the
    scaling policy is the application's ``[scaling]`` table, passed in
    ``BuildContext.extra["scaling"]`` (the paper's defaults otherwise). Least privilege:
    ``batch:SubmitJob`` on the queue and definition,
    ``batch:DescribeJobs``, ``batch:CancelJob``, ``batch:TerminateJob``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar, Protocol, Self

from socialreferral.domain.scaling import (
    BacklogPolicy,
    QueueSnapshot,
    ScalingPolicy,
    policy_from,
)
from socialreferral.errors import (
    BatchComputeError,
    ConfigurationError,
    InvalidInput,
    JobNotFound,
    TaskNotRegistered,
)
from socialreferral.ports import BatchCompute, RetryPolicy
from socialreferral.providers import BuildContext
from socialreferral.providers.aws.clients import make_client, make_session
from socialreferral.providers.aws.errors import map_boto_errors
from socialreferral.providers.aws.settings import AwsSettings
from socialreferral.records import Capability, JobState, JobStatus

CANCEL_REASON = "cancelled by socialreferral"
MAX_PAYLOAD_BYTES = 20 * 1024
_STATES = {
    "SUBMITTED": JobState.QUEUED,
    "PENDING": JobState.QUEUED,
    "RUNNABLE": JobState.QUEUED,
    "STARTING": JobState.QUEUED,
    "RUNNING": JobState.RUNNING,
    "SUCCEEDED": JobState.SUCCEEDED,
    "FAILED": JobState.FAILED,
}
_JOB_NAME = re.compile(r"[^A-Za-z0-9_-]")
#: The ``BuildContext.extra`` key of the factory ``(env) -> JobRunner`` that
#: ``emulator_runs_jobs`` needs; bootstrap supplies it.
JOB_RUNNER_FACTORY = "emulator_job_runner"

JobOutcome = tuple[JobState, dict[JobState, int], str | None]
"""A runner's verdict on a job: state, children per state, error text."""


class JobRunner(Protocol):
    """Something that also runs the jobs this adapter submits (an emulator's stand-in for
    containers) and reports their outcome, which then replaces the backend's status."""

    def start(self, job_id: str, command: Sequence[str], array_size: int) -> None:
        """Begin running ``command`` (the container's) for each of ``array_size`` children."""

    def outcome(self, job_id: str) -> JobOutcome | None:
        """The outcome so far, or None for a job this runner does not know."""


class AwsBatchCompute(BatchCompute):
    """Batch compute on AWS Batch (see the module docstring)."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.ARRAY_JOBS, Capability.AUTOSCALE}
    )
    provider: ClassVar[str] = "aws"

    def __init__(
        self,
        batch: Any,
        job_queue: str,
        job_definition: str,
        *,
        tasks: Mapping[str, str],
        worker_task: str = "referral.process-batch",
        policy: ScalingPolicy | BacklogPolicy | None = None,
        retry: RetryPolicy | None = None,
        job_runner: JobRunner | None = None,
    ) -> None:
        """Submit to an existing job queue and definition; ``tasks`` is the registry.

        ``job_runner`` (emulators only) is told about every submitted job and its outcome
        overrides the backend's status (see :class:`JobRunner`).
        """
        super().__init__(retry=retry)
        self.job_runner = job_runner
        self.batch, self.job_queue, self.job_definition = batch, job_queue, job_definition
        self.tasks, self.worker_task = dict(tasks), worker_task
        self.policy: ScalingPolicy | BacklogPolicy = policy or ScalingPolicy()
        self._workers: list[str] = []  # worker jobs this instance submitted, for scale()

    @classmethod
    def from_settings(cls, settings: AwsSettings, context: BuildContext) -> Self:
        """Build from ``[aws]`` settings and the task registry in ``context``."""
        session = make_session(settings)
        queue, definition = settings.batch_job_queue, settings.batch_job_definition
        if settings.create_missing_resources and (queue is None or definition is None):
            from socialreferral.providers.aws.provision import ensure_batch

            name = f"{context.namespace}-workers"
            queue, definition = ensure_batch(
                session, settings.endpoint_url, name, settings.batch_image
            )
        if queue is None or definition is None:
            raise ConfigurationError("[aws] batch_job_queue and batch_job_definition are needed")
        return cls(
            make_client(settings, "batch", session),
            queue,
            definition,
            tasks=context.tasks,
            worker_task=settings.batch_worker_task,
            # the application's [scaling] policy, when bootstrap hands it over
            policy=policy_from(context.extra.get("scaling")),
            job_runner=_job_runner(settings, context),
        )

    # -- primitives ----------------------------------------------------------------
    def _submit(self, task: str, payload: dict[str, Any], array_size: int, name: str) -> str:
        if task not in self.tasks and task != self.worker_task:
            raise TaskNotRegistered(f"{task!r} is not registered by any plugin")
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True)
        if len(body.encode("utf-8")) > MAX_PAYLOAD_BYTES:
            raise InvalidInput(
                f"{len(body)} bytes; AWS Batch takes {MAX_PAYLOAD_BYTES}", field="payload"
            )
        request: dict[str, Any] = {
            "jobName": _JOB_NAME.sub("-", name)[:128] or "job",
            "jobQueue": self.job_queue,
            "jobDefinition": self.job_definition,
            "containerOverrides": {
                "command": ["socialreferral", "run-task", task, "--payload", body],
                "environment": [{"name": "SOCIALREFERRAL_TASK", "value": task}],
            },
        }
        if array_size > 1:
            request["arrayProperties"] = {"size": array_size}
        with map_boto_errors(BatchComputeError, what=f"SubmitJob {task}"):
            job_id: str = self.batch.submit_job(**request)["jobId"]
        if self.job_runner is not None:
            self.job_runner.start(job_id, request["containerOverrides"]["command"], array_size)
        return job_id

    def _status(self, job_id: str) -> JobStatus:
        status = _status_of(self._describe(job_id))
        local = self.job_runner.outcome(job_id) if self.job_runner is not None else None
        if local is None:
            return status
        state, children, error = local
        return replace(
            status, state=state, children=children if status.array_size > 1 else {}, error=error
        )

    def _cancel(self, job_id: str) -> None:
        state = self._describe(job_id).get("status", "")
        with map_boto_errors(BatchComputeError, what=f"cancel {job_id}"):
            if state in ("SUBMITTED", "PENDING", "RUNNABLE"):
                self.batch.cancel_job(jobId=job_id, reason=CANCEL_REASON)
            elif state in ("STARTING", "RUNNING"):
                self.batch.terminate_job(jobId=job_id, reason=CANCEL_REASON)
            # SUCCEEDED/FAILED: finished, nothing to cancel

    def _scale(self, target_workers: int) -> None:
        missing = target_workers - self.active_workers()
        if missing > 0:
            job_id = self._submit(self.worker_task, {}, missing, self.worker_task)
            self._workers.append(job_id)

    # -- scaling helpers -----------------------------------------------------------
    def active_workers(self) -> int:
        """Unfinished worker children among the worker jobs this instance submitted."""
        active, still_running = 0, []
        for job_id in self._workers:
            status = self.status(job_id)
            if status.state.finished:
                continue
            still_running.append(job_id)
            if status.children:
                active += sum(n for s, n in status.children.items() if not s.finished)
            else:
                active += status.array_size
        self._workers = still_running
        return active

    def scale_for_queue(
        self,
        depth: int,
        waited_seconds: float,
        *,
        in_flight: int = 0,
        oldest_age_seconds: float | None = None,
    ) -> int:
        """Apply the scaling policy to the queue; submit the missing workers.

        ``depth``: messages waiting (SQS ``ApproximateNumberOfMessages``); ``in_flight``:
        being processed (``ApproximateNumberOfMessagesNotVisible``); ``waited_seconds``:
        how long more than the policy's trigger have waited; ``oldest_age_seconds``
        (CloudWatch ``ApproximateAgeOfOldestMessage``) defaults to ``waited_seconds``.
        The policy's answer is the number of array children wanted in all; it is
        returned. Fewer children than running are never forced: workers leave by
        themselves when they find the queue empty, which is how both policies scale in.
        """
        snapshot = QueueSnapshot(
            waiting=depth,
            running=in_flight,
            nodes=self.active_workers(),
            oldest_age_seconds=waited_seconds if oldest_age_seconds is None else oldest_age_seconds,
            held_seconds=waited_seconds,
        )
        target = self.policy.desired_nodes(snapshot)
        self.scale(target)
        return target

    def _describe(self, job_id: str) -> dict[str, Any]:
        if not job_id or not isinstance(job_id, str):
            raise JobNotFound(str(job_id))
        with map_boto_errors(BatchComputeError, what=f"DescribeJobs {job_id}"):
            jobs = self.batch.describe_jobs(jobs=[job_id])["jobs"]
        if not jobs:
            raise JobNotFound(job_id)
        job: dict[str, Any] = jobs[0]
        return job

    def close(self) -> None:
        """Close the client's connection pool."""
        self.batch.close()


def _job_runner(settings: AwsSettings, context: BuildContext) -> JobRunner | None:
    """The runner ``[aws] emulator_runs_jobs`` asks for, made by the composition root's
    factory in ``context.extra``; None when the switch is off."""
    if not settings.emulator_runs_jobs:
        return None
    factory: Callable[[Mapping[str, str]], JobRunner] | None = context.extra.get(JOB_RUNNER_FACTORY)
    if factory is None:
        raise ConfigurationError(
            f"[aws] emulator_runs_jobs needs a job runner in BuildContext.extra"
            f"[{JOB_RUNNER_FACTORY!r}]; build providers with socialreferral.build_providers, "
            "which supplies it"
        )
    return factory(_credential_env(settings))


def _credential_env(settings: AwsSettings) -> dict[str, str]:
    """The ``[aws]`` credentials as the variables a container would be given."""
    env = {}
    for name in ("access_key_id", "secret_access_key", "session_token", "profile"):
        value = getattr(settings.credentials, name, None)
        if value is not None:
            text = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
            env[f"SOCIALREFERRAL__AWS__CREDENTIALS__{name.upper()}"] = text
    return env


def _status_of(job: dict[str, Any]) -> JobStatus:
    """The portable status of a DescribeJobs entry."""
    reason = job.get("statusReason")
    state = _STATES.get(job.get("status", ""), JobState.QUEUED)
    if state is JobState.FAILED and reason == CANCEL_REASON:
        state = JobState.CANCELLED
    array = job.get("arrayProperties", {})
    children: dict[JobState, int] = {}
    for vendor_state, count in (array.get("statusSummary") or {}).items():
        if count:
            portable = _STATES.get(vendor_state, JobState.QUEUED)
            children[portable] = children.get(portable, 0) + int(count)
    error = None
    if state is JobState.FAILED:
        container = job.get("container") or {}
        exit_code = container.get("exitCode")
        error = (
            reason
            or container.get("reason")
            or (f"exit code {exit_code}" if exit_code is not None else "job failed")
        )
    command = (job.get("container") or {}).get("command") or []
    task = command[2] if len(command) > 2 and command[1] == "run-task" else job.get("jobName", "")
    return JobStatus(
        job_id=job["jobId"],
        task=str(task),
        state=state,
        array_size=int(array.get("size", 1)),
        children=children,
        error=error,
    )


__all__ = ["CANCEL_REASON", "JOB_RUNNER_FACTORY", "AwsBatchCompute", "JobOutcome", "JobRunner"]
