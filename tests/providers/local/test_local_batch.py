"""LocalBatchCompute: the conformance kit plus pool sizing, cancellation and persistence.

Backend: a real ``spawn`` process pool running the kit's tasks, job status in a real SQLite
file under tmp_path; no mocks.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from socialreferral.errors import InvalidInput, TaskNotRegistered
from socialreferral.providers import BuildContext
from socialreferral.providers.local.batch import LocalBatchCompute
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.records import JobState
from socialreferral.tasks import resolve_task, run_task
from socialreferral.testing.contracts._tasks import CONTRACT_TASKS
from socialreferral.testing.contracts.batch import BatchComputeContract

SRC = Path(__file__).resolve().parents[3] / "src"


def _build(data_dir: Path, workers: int = 2) -> LocalBatchCompute:
    settings = LocalSettings(data_dir=data_dir, workers=workers)
    return LocalBatchCompute.from_settings(settings, BuildContext(tasks=CONTRACT_TASKS))


@pytest.fixture
def make(tmp_path: Path) -> Iterator[object]:
    built: list[LocalBatchCompute] = []

    def factory(workers: int = 2) -> LocalBatchCompute:
        built.append(_build(tmp_path / "data", workers))
        return built[-1]

    yield factory
    for adapter in built:
        adapter.close()


class TestLocalBatchCompute(BatchComputeContract):
    """Runs the shipped BatchCompute contract on a real process pool."""

    wait_timeout = 30.0

    @pytest.fixture
    def backend(self) -> str:
        return "local: spawn process pool + SQLite status"

    @pytest.fixture
    def batch(self, tmp_path: Path) -> Iterator[LocalBatchCompute]:
        adapter = _build(tmp_path / "data")
        yield adapter
        adapter.close()


def test_scale_to_zero_holds_work_until_scaled_up(make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    batch = make(workers=1)
    batch.scale(0)
    assert batch.target_size == 0
    job_id = batch.submit("contract.succeed", {"dir": str(tmp_path / "out")}, array_size=2)
    time.sleep(0.5)
    assert batch.status(job_id).state is JobState.QUEUED
    assert not (tmp_path / "out").exists()
    batch.scale(2)
    assert batch.target_size == 2
    assert batch.wait(job_id, timeout=30).state is JobState.SUCCEEDED
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["done-0", "done-1"]


def test_paper_rule_sizes_the_pool_and_keeps_it_until_drained(make) -> None:  # type: ignore[no-untyped-def]
    """The application's policy (the paper's rule by default) sets the pool size from the
    queue: 48 waiting for 2 minutes -> 4; still 3 waiting -> kept; drained -> 1."""
    batch = make(workers=1)
    assert batch.scale_for_queue(48, 120.0) == 4
    assert batch.target_size == 4
    assert batch.scale_for_queue(3, 120.0) == 4
    assert batch.scale_for_queue(0, 0.0, in_flight=2) == 1
    assert batch.target_size == 1


def test_backlog_policy_from_settings_scales_to_zero(tmp_path: Path) -> None:
    """``[scaling] kind = "backlog"`` reaches the adapter through BuildContext.extra:
    4 messages a node, none when idle, one more for an old message when asked."""
    context = BuildContext(tasks=CONTRACT_TASKS, extra={"scaling": {"kind": "backlog"}})
    batch = LocalBatchCompute.from_settings(LocalSettings(data_dir=tmp_path), context)
    try:
        assert batch.scale_for_queue(9, 0.0, in_flight=3) == 3
        assert batch.target_size == 3
        assert batch.scale_for_queue(0, 0.0) == 0
        assert batch.target_size == 0
        batch.policy = batch.policy.model_copy(update={"max_age_seconds": 60.0})
        assert batch.scale_for_queue(1, 0.0, oldest_age_seconds=90.0) == 1
        assert batch.scale_for_queue(2, 90.0, in_flight=2) == 2  # age defaults to waited
    finally:
        batch.close()


def test_cancel_drops_queued_children_running_one_finishes(make) -> None:  # type: ignore[no-untyped-def]
    batch = make(workers=1)
    job_id = batch.submit("contract.sleep", {"seconds": 0.5}, array_size=3)
    deadline = time.monotonic() + 30
    while batch.status(job_id).state is JobState.QUEUED and time.monotonic() < deadline:
        time.sleep(0.05)
    batch.cancel(job_id)
    status = batch.status(job_id)
    assert status.state is JobState.CANCELLED
    assert status.children[JobState.CANCELLED] == 2
    assert status.children[JobState.RUNNING] == 1
    deadline = time.monotonic() + 30
    while JobState.RUNNING in batch.status(job_id).children and time.monotonic() < deadline:
        time.sleep(0.05)
    final = batch.status(job_id)
    assert final.state is JobState.CANCELLED
    assert dict(final.children) == {JobState.SUCCEEDED: 1, JobState.CANCELLED: 2}


def test_status_readable_from_another_process(make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    batch = make()
    ok = batch.submit("contract.succeed", {"dir": str(tmp_path / "o")}, array_size=2)
    bad = batch.submit("contract.fail", {})
    assert batch.wait(ok, timeout=30).state is JobState.SUCCEEDED
    assert batch.wait(bad, timeout=30).state is JobState.FAILED
    code = (
        "import sys; from pathlib import Path\n"
        "from socialreferral.providers.local.batch import LocalBatchCompute\n"
        "b = LocalBatchCompute(Path(sys.argv[1]), tasks={}, workers=1)\n"
        "for j in sys.argv[2:]:\n"
        "    s = b.status(j); print(s.state.value, dict(s.children), s.error)\n"
        "b.close()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "data" / "jobs.sqlite3"), ok, bad],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(SRC)},
        check=True,
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "succeeded {<JobState.SUCCEEDED: 'succeeded'>: 2} None"
    assert lines[1] == "failed {} RuntimeError: boom"


def test_cancel_from_another_instance_stops_the_owner(make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    owner = make(workers=1)
    owner.scale(0)
    job_id = owner.submit("contract.succeed", {"dir": str(tmp_path / "never")})
    other = make(workers=1)
    other.cancel(job_id)
    assert other.status(job_id).state is JobState.CANCELLED
    owner.scale(1)
    time.sleep(0.5)
    assert owner.status(job_id).state is JobState.CANCELLED
    assert not (tmp_path / "never").exists()


def test_close_stops_running_work_and_records_it(tmp_path: Path) -> None:
    batch = _build(tmp_path / "data", workers=1)
    job_id = batch.submit("contract.sleep", {"seconds": 60})
    time.sleep(0.3)
    started = time.monotonic()
    batch.close()
    assert time.monotonic() - started < 20
    batch.close()  # idempotent
    reader = _build(tmp_path / "data", workers=1)
    try:
        status = reader.status(job_id)
        assert status.state is JobState.CANCELLED
        assert status.error is not None and "closed" in status.error
    finally:
        reader.close()


def test_first_error_of_an_array_job_is_reported(make) -> None:  # type: ignore[no-untyped-def]
    batch = make()
    status = batch.wait(batch.submit("contract.fail", {}, array_size=3), timeout=30)
    assert status.state is JobState.FAILED
    assert status.error == "RuntimeError: boom"


def test_task_helpers_resolve_and_run(tmp_path: Path) -> None:
    run_task(CONTRACT_TASKS["contract.succeed"], {"dir": str(tmp_path)}, 7)
    assert (tmp_path / "done-7").read_text() == "7"
    with pytest.raises(RuntimeError, match="boom"):
        resolve_task(CONTRACT_TASKS["contract.fail"])({}, 0)
    with pytest.raises(InvalidInput):
        resolve_task("no-colon")
    with pytest.raises(TaskNotRegistered):
        resolve_task("socialreferral.no_such_module:fn")
    with pytest.raises(TaskNotRegistered):
        resolve_task("socialreferral.tasks:no_such_function")
