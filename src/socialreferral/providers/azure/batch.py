"""Azure Batch adapter: :class:`AzureBatchCompute` on ``azure.batch.BatchClient`` (15.x).

Features
    * a pool created on first use with an **autoscale formula generated from the scaling
      policy** (:mod:`socialreferral.providers.azure.autoscale`), evaluation interval
      validated (>= 5 minutes);
    * one Batch job per submission; an array job is ``array_size`` tasks, each with the
      environment variable ``SOCIALREFERRAL_TASK_INDEX`` (0..n-1) and
      ``SOCIALREFERRAL_TASK_COUNT``; the job terminates itself when all tasks complete;
    * each task runs ``socialreferral run-task <task> --payload <json>`` through
      ``/bin/sh -c`` (Batch runs command lines without a shell); the pool's image must have
      the package and the task's module installed (a start task or a custom image);
    * task states map to portable ones: active → queued, preparing/running → running,
      completed + success → succeeded, completed + failure → failed; a job terminated by
      ``cancel`` is cancelled. A failed job's error is Batch's failure info plus the last
      line of the task's ``stderr.txt`` (the Python exception);
    * ``scale(n)`` pins the pool formula to ``n`` nodes; ``apply_policy()`` restores the
      generated formula.

Configuration (``[azure]``): ``batch_account_url``, ``batch_account_name`` +
``batch_account_key`` (shared key) or a token credential (role *Azure Batch Data
Contributor*, or Contributor on the account), ``pool_id``, ``vm_size``, the image fields,
``create_pool``, ``scaling``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import uuid
from typing import TYPE_CHECKING, Any, ClassVar, Self

from socialreferral.domain.scaling import BacklogPolicy, ScalingPolicy, policy_from
from socialreferral.errors import (
    BatchComputeError,
    ConfigurationError,
    JobNotFound,
    TaskNotRegistered,
)
from socialreferral.ports import BatchCompute, RetryPolicy
from socialreferral.providers.azure.autoscale import (
    autoscale_formula,
    evaluation_interval,
    pinned_formula,
)
from socialreferral.providers.azure.errors import error_code, map_azure_errors
from socialreferral.records import Capability, JobState, JobStatus

if TYPE_CHECKING:
    from socialreferral.providers import BuildContext
    from socialreferral.providers.azure.settings import AzureSettings

CANCEL_REASON = "socialreferral-cancel"
INDEX_VARIABLE = "SOCIALREFERRAL_TASK_INDEX"
COUNT_VARIABLE = "SOCIALREFERRAL_TASK_COUNT"
_TASK_KEY, _SIZE_KEY = "socialreferral-task", "socialreferral-array-size"


def task_state(state: str, result: str | None) -> JobState:
    """Portable state of one Batch task (``state`` and ``executionInfo.result``)."""
    if state == "completed":
        return JobState.SUCCEEDED if result == "success" else JobState.FAILED
    if state in ("preparing", "running"):
        return JobState.RUNNING
    return JobState.QUEUED


class AzureBatchCompute(BatchCompute):
    """Runs registered tasks as Azure Batch jobs on one autoscaled pool."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.ARRAY_JOBS, Capability.AUTOSCALE}
    )
    provider: ClassVar[str] = "azure"

    def __init__(
        self,
        client: Any,
        *,
        pool_id: str,
        tasks: dict[str, str],
        policy: ScalingPolicy | BacklogPolicy | None = None,
        pool_options: dict[str, Any] | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        """Wrap a ``BatchClient``. ``pool_options`` (vm size and image) enable creating
        the pool on first use; without them the pool must exist."""
        super().__init__(retry=retry)
        self._client = client
        self.pool_id = pool_id
        self._tasks = dict(tasks)
        self.policy: ScalingPolicy | BacklogPolicy = policy or ScalingPolicy()
        evaluation_interval(self.policy)  # fail at build time, not at the first submit
        self._pool_options = pool_options
        self._pool_ready = pool_options is None

    @classmethod
    def from_settings(cls, settings: AzureSettings, context: BuildContext) -> Self:
        """Build a ``BatchClient`` (shared key or token credential) from ``[azure]``."""
        from socialreferral.providers.azure._clients import sdk, token_credential

        settings.require("AzureBatchCompute", "batch_account_url")
        policy = policy_from(context.extra.get("scaling"))
        try:
            evaluation_interval(policy)
        except ValueError as exc:
            raise ConfigurationError(
                f"[scaling] evaluation_interval_seconds: {exc} (Azure Batch evaluates "
                "autoscale formulas at most every 5 minutes)"
            ) from None
        if settings.batch_account_key is not None:
            credential = sdk("azure.core.credentials").AzureNamedKeyCredential(
                settings.batch_account_name, settings.batch_account_key.get_secret_value()
            )
        else:
            credential = token_credential(context)
        client = sdk("azure.batch").BatchClient(
            settings.batch_account_url, credential, connection_verify=settings.connection_verify
        )
        pool_options = None
        if settings.create_pool:
            pool_options = {
                "vm_size": settings.vm_size,
                "image": (settings.image_publisher, settings.image_offer, settings.image_sku),
                "node_agent_sku_id": settings.node_agent_sku_id,
            }
        return cls(client, pool_id=settings.pool_id, tasks=dict(context.tasks),
                   policy=policy, pool_options=pool_options)  # fmt: skip

    # -- pool ------------------------------------------------------------------------
    def ensure_pool(self) -> None:
        """Create the pool with the policy's autoscale formula unless it exists."""
        if self._pool_ready or self._pool_options is None:
            return
        models = _models()
        if not self._pool_exists():
            with map_azure_errors("batch", f"pool {self.pool_id}"):
                publisher, offer, sku = self._pool_options["image"]
                self._client.create_pool(
                    models.BatchPoolCreateOptions(
                        id=self.pool_id,
                        vm_size=self._pool_options["vm_size"],
                        virtual_machine_configuration=models.VirtualMachineConfiguration(
                            image_reference=models.BatchVmImageReference(
                                publisher=publisher, offer=offer, sku=sku, version="latest"
                            ),
                            node_agent_sku_id=self._pool_options["node_agent_sku_id"],
                        ),
                        enable_auto_scale=True,
                        auto_scale_formula=autoscale_formula(self.policy),
                        auto_scale_evaluation_interval=self._interval(),
                    )
                )
        self._pool_ready = True

    def _pool_exists(self) -> bool:
        try:
            with map_azure_errors("batch", f"pool {self.pool_id}"):
                return bool(self._client.pool_exists(self.pool_id))
        except JobNotFound:
            # BatchClient 15.x raises on the 404 of HEAD /pools/{id} instead of
            # returning False; the 404 is the answer we asked for.
            return False

    def apply_policy(self) -> None:
        """(Re)apply the formula generated from the scaling policy to the pool."""
        self.ensure_pool()
        self._enable_formula(autoscale_formula(self.policy))

    def _scale(self, target_workers: int) -> None:
        self.ensure_pool()
        self._enable_formula(pinned_formula(min(target_workers, self.policy.max_nodes)))

    def _enable_formula(self, formula: str) -> None:
        options = _models().BatchPoolEnableAutoScaleOptions(
            auto_scale_formula=formula, auto_scale_evaluation_interval=self._interval()
        )
        with map_azure_errors("batch", f"pool {self.pool_id}"):
            self._client.enable_pool_auto_scale(self.pool_id, options)

    def _interval(self) -> dt.timedelta:
        return dt.timedelta(seconds=evaluation_interval(self.policy))

    # -- jobs ------------------------------------------------------------------------
    def _submit(self, task: str, payload: dict[str, Any], array_size: int, name: str) -> str:
        if task not in self._tasks:
            raise TaskNotRegistered(f"{task}: no plugin registered this task")
        self.ensure_pool()
        models = _models()
        job_id = f"{re.sub(r'[^A-Za-z0-9_-]', '-', name)[:50]}-{uuid.uuid4().hex[:12]}"
        metadata = [
            models.BatchMetadataItem(name=_TASK_KEY, value=task),
            models.BatchMetadataItem(name=_SIZE_KEY, value=str(array_size)),
        ]
        with map_azure_errors("batch", job_id):
            self._client.create_job(
                models.BatchJobCreateOptions(
                    id=job_id,
                    pool_info=models.BatchPoolInfo(pool_id=self.pool_id),
                    all_tasks_complete_mode="terminatejob",
                    metadata=metadata,
                )
            )
            command = command_line(task, payload)
            self._client.create_tasks(
                job_id,
                [
                    models.BatchTaskCreateOptions(
                        id=f"task-{index:05d}",
                        command_line=command,
                        environment_settings=[
                            models.EnvironmentSetting(name=INDEX_VARIABLE, value=str(index)),
                            models.EnvironmentSetting(name=COUNT_VARIABLE, value=str(array_size)),
                        ],
                    )
                    for index in range(array_size)
                ],
            )
        return job_id

    def _status(self, job_id: str) -> JobStatus:
        with map_azure_errors("batch", job_id):
            job = self._client.get_job(job_id)
            tasks = list(self._client.list_tasks(job_id))
        meta = {item.name: item.value for item in (job.metadata or [])}
        states = [task_state(_text(t.state) or "active", _result(t)) for t in tasks]
        children: dict[JobState, int] = {}
        for state in states:
            children[state] = children.get(state, 0) + 1
        size = int(meta.get(_SIZE_KEY, len(tasks) or 1))
        reason = getattr(job.execution_info, "termination_reason", None)
        state, error = self._overall(_text(job.state) or "active", reason, states, size)
        if state is JobState.FAILED and error is None:
            error = self._failure_text(job_id, tasks, states)
        return JobStatus(job_id, str(meta.get(_TASK_KEY, "")), state, size, children, error)

    @staticmethod
    def _overall(
        job_state: str, reason: str | None, states: list[JobState], size: int
    ) -> tuple[JobState, str | None]:
        if reason == CANCEL_REASON:
            return JobState.CANCELLED, None
        finished = [s for s in states if s.finished]
        if len(finished) == size and size:
            failed = JobState.FAILED in finished
            return (JobState.FAILED if failed else JobState.SUCCEEDED), None
        if job_state in ("terminating", "completed", "deleting"):
            return JobState.FAILED, f"job ended early: {reason or job_state}"
        if finished or JobState.RUNNING in states:
            return JobState.RUNNING, None
        return JobState.QUEUED, None

    def _failure_text(self, job_id: str, tasks: list[Any], states: list[JobState]) -> str:
        task = next(t for t, s in zip(tasks, states, strict=True) if s is JobState.FAILED)
        info = getattr(task.execution_info, "failure_info", None)
        parts = [str(getattr(info, "message", None) or "task failed")]
        exit_code = getattr(task.execution_info, "exit_code", None)
        if exit_code is not None:
            parts.append(f"exit code {exit_code}")
        try:  # the worker's exception is the last line of stderr.txt
            with map_azure_errors("batch", job_id):
                raw = b"".join(self._client.download_task_file(job_id, task.id, "stderr.txt"))
            lines = raw.decode("utf-8", "replace").strip().splitlines()
            if lines:
                parts.append(lines[-1])
        except BatchComputeError:
            pass  # the node may be gone; Batch's own failure info is still there
        return "; ".join(parts)

    def _cancel(self, job_id: str) -> None:
        options = _models()._models.BatchJobTerminateOptions(termination_reason=CANCEL_REASON)
        try:
            with map_azure_errors("batch", job_id):
                self._client.begin_terminate_job(job_id, options, polling_interval=1).result()
        except BatchComputeError as exc:
            if error_code(exc.__cause__ or exc) not in ("JobCompleted", "JobBeingTerminated"):
                raise

    def close(self) -> None:
        """Close the client's HTTP session."""
        self._client.close()


def command_line(task: str, payload: dict[str, Any]) -> str:
    """``/bin/sh -c 'socialreferral run-task <task> --payload <json>'``, safely quoted."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True)
    inner = f"socialreferral run-task {shlex.quote(task)} --payload {shlex.quote(body)}"
    return f"/bin/sh -c {shlex.quote(inner)}"


def _text(value: Any) -> str | None:
    # The SDK's enums are str enums whose str() is "Class.MEMBER": use the wire value.
    return None if value is None else str(getattr(value, "value", value))


def _result(task: Any) -> str | None:
    return _text(getattr(task.execution_info, "result", None))


def _models() -> Any:
    from socialreferral.providers.azure._clients import sdk

    return sdk("azure.batch.models")


__all__ = ["AzureBatchCompute", "command_line", "task_state"]
