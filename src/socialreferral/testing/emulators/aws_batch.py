"""Run AWS Batch jobs' commands locally when the endpoint is an emulator (moto).

moto accepts ``SubmitJob`` but runs no container: without Docker a job is SUCCEEDED the
moment it is submitted. With ``[aws] emulator_runs_jobs = true`` (only allowed together
with an ``endpoint_url``), the composition root gives
:class:`~socialreferral.providers.aws.batch.AwsBatchCompute` an :class:`EmulatedJobs` as
its ``job_runner``: each submitted job is handed to it, it runs exactly the container's
command — ``socialreferral run-task <task> --payload <json>`` with
``AWS_BATCH_JOB_ARRAY_INDEX`` for array children — in local subprocesses, and its outcome
then overrides the emulator's status. Secrets left out of the job payload reach the
subprocess the way they would reach a container: as ``SOCIALREFERRAL__*`` environment
variables. It satisfies the adapter's
:class:`~socialreferral.providers.aws.batch.JobRunner` protocol.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from socialreferral.records import JobState


@dataclass
class _Run:
    state: JobState = JobState.QUEUED
    children: dict[JobState, int] = field(default_factory=dict)
    error: str | None = None


class EmulatedJobs:
    """Local subprocess runs of submitted jobs, keyed by the emulator's job id."""

    def __init__(self, env: Mapping[str, str], timeout: float = 900.0) -> None:
        self._env = dict(env)
        self._timeout = timeout
        self._runs: dict[str, _Run] = {}
        self._lock = threading.Lock()

    def start(self, job_id: str, command: Sequence[str], array_size: int) -> None:
        """Run ``command`` (``socialreferral run-task ...``) once per array child."""
        with self._lock:
            self._runs[job_id] = _Run(JobState.RUNNING, {JobState.RUNNING: array_size})
        thread = threading.Thread(
            target=self._run,
            args=(job_id, list(command), array_size),
            daemon=True,
            name=f"emulated-batch-{job_id}",
        )
        thread.start()

    def outcome(self, job_id: str) -> tuple[JobState, dict[JobState, int], str | None] | None:
        """The local run's state, children and error, or None for jobs not run here."""
        with self._lock:
            run = self._runs.get(job_id)
            return None if run is None else (run.state, dict(run.children), run.error)

    def _run(self, job_id: str, command: list[str], array_size: int) -> None:
        # The console script may not be on PATH in a virtualenv run: call the module.
        argv = [sys.executable, "-m", "socialreferral.cli", *command[1:]]
        processes = []
        for index in range(array_size):
            # The child inherits this process's environment (PATH, PYTHONPATH...), as a
            # container inherits its image's, plus what Batch and the job would set.
            env = {**os.environ, **self._env, "AWS_BATCH_JOB_ARRAY_INDEX": str(index)}
            processes.append(
                subprocess.Popen(
                    argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
                )
            )
        failures = []
        for process in processes:
            try:
                _, stderr = process.communicate(timeout=self._timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                _, stderr = process.communicate()
            if process.returncode != 0:
                failures.append(_reason(stderr, process.returncode))
        with self._lock:
            run = self._runs[job_id]
            succeeded = array_size - len(failures)
            run.children = {
                s: n
                for s, n in ((JobState.SUCCEEDED, succeeded), (JobState.FAILED, len(failures)))
                if n
            }
            run.state = JobState.FAILED if failures else JobState.SUCCEEDED
            run.error = failures[0] if failures else None


def _reason(stderr: str, returncode: int) -> str:
    """The task's own one-line reason (``task failed: ...``), else the last line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith("task failed: "):
            return line.removeprefix("task failed: ")
    return lines[-1] if lines else f"exit code {returncode}"


__all__ = ["EmulatedJobs"]
