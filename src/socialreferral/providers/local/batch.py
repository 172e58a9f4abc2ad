"""Local batch compute: registered tasks run in a pool of worker processes.

Features
    Jobs run ``fn(payload, index)`` (see :mod:`socialreferral.tasks`) in a
    ``ProcessPoolExecutor`` using the ``spawn`` start method: a forked child would inherit
    the parent's threads and open SQLite handles mid-state, a spawned one starts clean.
    Capability ``array_jobs``: ``array_size`` children run with ``index`` 0..n-1; the job's
    state aggregates them (FAILED if any failed, carrying the first error text).
    Capability ``autoscale``: :meth:`~socialreferral.ports.BatchCompute.scale` sets how
    many children may run at once; the pool is recreated lazily at the new size and
    ``scale(0)`` holds new work queued until the pool is scaled up again.
    :meth:`LocalBatchCompute.scale_for_queue` sizes the pool with the application's
    scaling policy (the paper's rule or the backlog policy, ``[scaling]``).
    Cancel drops the queued children; running ones finish, but the job reports CANCELLED.
    Job status is kept in memory and written to ``data_dir/jobs.sqlite3`` at every
    transition, so another process can read it (and request a cancel) by job id.

Configuration (section ``[local]``)
    ``data_dir`` (status database), ``workers`` (initial pool size); the scaling policy is
    the application's ``[scaling]`` table, passed in ``BuildContext.extra["scaling"]``.
    Tasks come from the ``register_tasks`` hook through ``BuildContext.tasks``.

Credentials
    None; tasks run as the current user.
"""

from __future__ import annotations

import collections
import json
import multiprocessing
import threading
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, Self

from socialreferral.domain.scaling import (
    BacklogPolicy,
    QueueSnapshot,
    ScalingPolicy,
    policy_from,
)
from socialreferral.errors import InvalidInput, JobNotFound
from socialreferral.ports import BatchCompute
from socialreferral.providers import BuildContext
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.providers.local.sqlite_file import SQLiteFile, ensure_dir
from socialreferral.records import Capability, JobState, JobStatus
from socialreferral.tasks import lookup_task, run_task

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    task TEXT NOT NULL,
    name TEXT NOT NULL,
    array_size INTEGER NOT NULL,
    state TEXT NOT NULL,
    children TEXT NOT NULL,
    error TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
)
"""


def _execute(path: str, payload: dict[str, Any], index: int) -> str | None:
    """Worker-side entry point: run the task and return its error text (None = success).

    The error travels back as text because a task's exception may not be picklable.
    """
    try:
        run_task(path, payload, index)
    except Exception as exc:  # every failure of user code becomes job state
        return f"{type(exc).__name__}: {exc}"
    return None


@dataclass
class _Job:
    job_id: str
    task: str
    path: str
    payload: dict[str, Any]
    name: str
    states: list[JobState]
    cancelled: bool = False
    error: str | None = None
    created_at: float = field(default_factory=time.time)

    def status(self) -> JobStatus:
        counts = collections.Counter(self.states)
        if self.cancelled:
            state = JobState.CANCELLED
        elif all(s.finished for s in self.states):
            state = JobState.FAILED if counts[JobState.FAILED] else JobState.SUCCEEDED
        elif counts[JobState.QUEUED] == len(self.states):
            state = JobState.QUEUED
        else:
            state = JobState.RUNNING
        children = dict(counts) if len(self.states) > 1 else {}
        return JobStatus(self.job_id, self.task, state, len(self.states), children, self.error)


class LocalBatchCompute(BatchCompute):
    """Runs registered tasks in a process pool on this machine."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.ARRAY_JOBS, Capability.AUTOSCALE}
    )
    provider: ClassVar[str] = "local"

    def __init__(
        self,
        db_path: Path | str,
        *,
        tasks: Mapping[str, str],
        workers: int = 2,
        policy: ScalingPolicy | BacklogPolicy | None = None,
    ) -> None:
        """Track jobs in the SQLite file ``db_path``; run the ``tasks`` (name -> path) on
        up to ``workers`` processes; size the pool with ``policy`` in
        :meth:`scale_for_queue` (the paper's rule by default)."""
        super().__init__()
        if workers < 0:
            raise InvalidInput("must be >= 0", field="workers")
        self.policy: ScalingPolicy | BacklogPolicy = policy or ScalingPolicy()
        self._db = SQLiteFile(db_path, _SCHEMA)
        self._tasks = dict(tasks)
        self._target = workers
        self._jobs: dict[str, _Job] = {}
        self._pending: collections.deque[tuple[str, int]] = collections.deque()
        self._in_flight = 0
        self._executor: ProcessPoolExecutor | None = None
        self._executor_size = 0
        self._executors: list[ProcessPoolExecutor] = []
        self._closed = False
        self._cond = threading.Condition()
        # A dedicated dispatcher thread submits work: submitting from a done-callback
        # would run on the executor's own management thread, which can deadlock it.
        self._dispatcher = threading.Thread(
            target=self._dispatch_loop, name="local-batch-dispatch", daemon=True
        )
        self._dispatcher.start()

    @classmethod
    def from_settings(cls, settings: LocalSettings, context: BuildContext) -> Self:
        """Build from ``[local]`` settings (``data_dir``, ``workers``) and the registered
        tasks in ``context.tasks``."""
        data_dir = ensure_dir(settings.data_dir)
        return cls(
            data_dir / "jobs.sqlite3",
            tasks=context.tasks,
            workers=settings.workers,
            policy=policy_from(context.extra.get("scaling")),
        )

    @property
    def target_size(self) -> int:
        """How many children may run at once (the pool size asked for by ``scale``)."""
        return self._target

    def scale_for_queue(
        self,
        depth: int,
        waited_seconds: float,
        *,
        in_flight: int = 0,
        oldest_age_seconds: float | None = None,
    ) -> int:
        """Size the pool for the queue with the scaling policy; return the new size.

        ``depth``: messages waiting; ``in_flight``: being processed; ``waited_seconds``:
        how long more than the policy's trigger have waited; ``oldest_age_seconds``
        defaults to ``waited_seconds``. The pool's current size counts as the nodes now.
        """
        snapshot = QueueSnapshot(
            waiting=depth,
            running=in_flight,
            nodes=self._target,
            oldest_age_seconds=waited_seconds if oldest_age_seconds is None else oldest_age_seconds,
            held_seconds=waited_seconds,
        )
        target = self.policy.desired_nodes(snapshot)
        self.scale(target)
        return target

    # -- primitives ------------------------------------------------------------------
    def _submit(self, task: str, payload: dict[str, Any], array_size: int, name: str) -> str:
        path = lookup_task(self._tasks, task)
        job = _Job(uuid.uuid4().hex, task, path, payload, name, [JobState.QUEUED] * array_size)
        with self._cond:
            self._check_open()
            self._jobs[job.job_id] = job
            self._persist(job, insert=True)
            self._pending.extend((job.job_id, i) for i in range(array_size))
            self._cond.notify_all()
        return job.job_id

    def _status(self, job_id: str) -> JobStatus:
        with self._cond:
            job = self._jobs.get(job_id)
            if job is not None:
                return job.status()
        rows = self._db.query("SELECT * FROM jobs WHERE job_id = ?", (job_id,))
        if not rows:
            raise JobNotFound(f"no job {job_id!r}")
        row = rows[0]
        children = {JobState(k): v for k, v in json.loads(row["children"]).items()}
        return JobStatus(
            job_id, row["task"], JobState(row["state"]), row["array_size"], children, row["error"]
        )

    def _cancel(self, job_id: str) -> None:
        with self._cond:
            job = self._jobs.get(job_id)
            if job is not None:
                if not job.status().state.finished:
                    self._mark_cancelled(job)
                    self._persist(job)
                return
        # A job submitted by another process: flag it; its owner honours the flag the
        # next time it touches the job, and readers see CANCELLED at once.
        with self._db.transaction() as conn:
            row = conn.execute("SELECT state FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
            if row is None:
                raise JobNotFound(f"no job {job_id!r}")
            if not JobState(row[0]).finished:
                conn.execute(
                    "UPDATE jobs SET state = ?, cancel_requested = 1, updated_at = ? "
                    "WHERE job_id = ?",
                    (JobState.CANCELLED.value, time.time(), job_id),
                )

    def _scale(self, target_workers: int) -> None:
        with self._cond:
            self._check_open()
            self._target = target_workers
            self._cond.notify_all()

    # -- machinery (call with self._cond held) -----------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"{self.adapter_name} is closed")

    def _mark_cancelled(self, job: _Job) -> None:
        job.cancelled = True
        job.states = [JobState.CANCELLED if s is JobState.QUEUED else s for s in job.states]
        self._pending = collections.deque(p for p in self._pending if p[0] != job.job_id)

    def _persist(self, job: _Job, *, insert: bool = False) -> None:
        status = job.status()
        children = json.dumps({k.value: v for k, v in status.children.items()})
        now = time.time()
        with self._db.transaction() as conn:
            if insert:
                conn.execute(
                    "INSERT INTO jobs (job_id, task, name, array_size, state, children, error, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        job.job_id,
                        job.task,
                        job.name,
                        status.array_size,
                        status.state.value,
                        children,
                        status.error,
                        job.created_at,
                        now,
                    ),
                )
                return
            row = conn.execute(
                "SELECT cancel_requested FROM jobs WHERE job_id = ?", (job.job_id,)
            ).fetchone()
            if row is not None and row[0] and not job.cancelled:
                self._mark_cancelled(job)
                status = job.status()
                children = json.dumps({k.value: v for k, v in status.children.items()})
            conn.execute(
                "UPDATE jobs SET state = ?, children = ?, error = ?, updated_at = ? "
                "WHERE job_id = ?",
                (status.state.value, children, status.error, now, job.job_id),
            )

    def _current_executor(self) -> ProcessPoolExecutor:
        if self._executor is None or self._executor_size != self._target:
            if self._executor is not None:
                # Children already handed to the old pool finish there; new ones go to
                # the new pool.
                self._executor.shutdown(wait=False)
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(max_workers=self._target, mp_context=context)
            self._executor_size = self._target
            self._executors.append(self._executor)
        return self._executor

    def _dispatch_loop(self) -> None:
        while True:
            with self._cond:
                while not self._closed and not (self._pending and self._in_flight < self._target):
                    self._cond.wait()
                if self._closed:
                    return
                job_id, index = self._pending.popleft()
                job = self._jobs[job_id]
                job.states[index] = JobState.RUNNING
                self._persist(job)  # also picks up a cancel requested by another process
                if job.cancelled:
                    job.states[index] = JobState.CANCELLED
                    continue
                self._in_flight += 1
                try:
                    future = self._current_executor().submit(_execute, job.path, job.payload, index)
                except RuntimeError as exc:  # BrokenProcessPool: a worker died abruptly
                    self._executor = None
                    self._child_done(job, index, f"{type(exc).__name__}: {exc}")
                    continue
            future.add_done_callback(partial(self._on_done, job_id, index))

    def _on_done(self, job_id: str, index: int, future: Future[str | None]) -> None:
        try:
            error = future.result()
        except BaseException as exc:  # the pool broke or was shut down under the child
            error = f"{type(exc).__name__}: {exc}"
            with self._cond:
                self._executor = None if not self._closed else self._executor
        with self._cond:
            if self._closed:
                return
            self._child_done(self._jobs[job_id], index, error)

    def _child_done(self, job: _Job, index: int, error: str | None) -> None:
        self._in_flight -= 1
        job.states[index] = JobState.SUCCEEDED if error is None else JobState.FAILED
        if error is not None and job.error is None:
            job.error = error
        self._persist(job)
        self._cond.notify_all()

    def close(self) -> None:
        """Stop the pool: queued children are cancelled, running ones are terminated
        (their jobs end CANCELLED). Safe to call twice."""
        with self._cond:
            if self._closed:
                return
            for job in self._jobs.values():
                if not job.status().state.finished:
                    self._mark_cancelled(job)
                    job.error = job.error or "the batch compute adapter was closed"
                    self._persist(job)
            self._closed = True
            self._cond.notify_all()
            executors, self._executors = self._executors, []
        self._dispatcher.join(timeout=5)
        for executor in executors:
            # ProcessPoolExecutor has no public way to stop running work before 3.14
            # (terminate_workers); a long task would otherwise hold close() hostage.
            processes = list((getattr(executor, "_processes", None) or {}).values())
            executor.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            executor.shutdown(wait=True)
        self._db.close()
