"""LocalQueue against the local SQLite backend: the conformance kit plus multi-process tests.

Backend: a real SQLite file (WAL) in pytest's ``tmp_path``; worker processes are real
forked processes sharing that file.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from socialreferral.errors import TransientError
from socialreferral.ports import NO_RETRY
from socialreferral.providers import BuildContext
from socialreferral.providers.local.queue import LocalQueue
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.records import OutgoingMessage
from socialreferral.testing.contracts import QueueContract

_FORK = multiprocessing.get_context("fork")


class TestLocalQueue(QueueContract):
    """The Queue contract on a LocalQueue (local SQLite file)."""

    @pytest.fixture
    def backend(self) -> str:
        return "local SQLite"

    @pytest.fixture
    def make_queue(self, tmp_path: Path) -> Iterator[Any]:
        made: list[LocalQueue] = []

        def make(**options: Any) -> LocalQueue:
            queue = LocalQueue(tmp_path / f"queue-{len(made)}.sqlite3", "events", **options)
            made.append(queue)
            return queue

        yield make
        for queue in made:
            queue.close()


def test_from_settings_uses_data_dir(tmp_path: Path) -> None:
    """from_settings puts the file in data_dir and takes name, max_receives and timeout."""
    settings = LocalSettings(
        data_dir=tmp_path, queue_name="jobs", max_receives=3, visibility_timeout=7
    )
    queue = LocalQueue.from_settings(settings, BuildContext())
    assert queue.path == tmp_path / "queue.sqlite3"
    assert (queue.name, queue.max_receives, queue.visibility_timeout) == ("jobs", 3, 7)
    queue.send("x")
    assert LocalQueue(tmp_path / "queue.sqlite3", "jobs").depth() == 1
    assert LocalQueue(tmp_path / "queue.sqlite3", "other").depth() == 0


def _drain_worker(queue: LocalQueue, start: Any, results: Any) -> None:
    start.wait()
    got: list[str] = []
    idle_since = time.monotonic()
    while time.monotonic() - idle_since < 0.5:
        batch = queue.receive(10)
        if batch:
            got.extend(m.body for m in batch)
            queue.ack(*batch)
            idle_since = time.monotonic()
            time.sleep(0.005)  # some work, so one worker cannot drain all before the other starts
    results.put((os.getpid(), got))


@pytest.mark.slow
def test_two_processes_drain_500_exactly_once(tmp_path: Path) -> None:
    """Two forked worker processes draining 500 messages from one file each get a
    disjoint share, and together all 500 (no duplicates, none lost)."""
    queue = LocalQueue(tmp_path / "q.sqlite3", "events", visibility_timeout=60)
    sent = [f"m-{i:03d}" for i in range(500)]
    queue.send_batch(sent)
    start, results = _FORK.Event(), _FORK.Queue()
    # The parent's connection is open: the children must notice the fork and reopen.
    workers = [_FORK.Process(target=_drain_worker, args=(queue, start, results)) for _ in "ab"]
    for worker in workers:
        worker.start()
    start.set()
    shares = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(10)
        assert worker.exitcode == 0, f"worker exit code {worker.exitcode}"
    received = [body for _, got in shares for body in got]
    assert len(received) == 500, f"{len(received)} deliveries, expected 500"
    assert sorted(received) == sent
    assert all(got for _, got in shares), f"a worker got nothing: {[len(g) for _, g in shares]}"
    assert queue.depth() == 0


def _receive_and_hang(path: Path, ready: Any) -> None:
    queue = LocalQueue(path, "events", visibility_timeout=1)
    batch = queue.receive(10)
    ready.put([m.body for m in batch])
    time.sleep(60)  # killed long before this ends


@pytest.mark.slow
def test_killed_worker_messages_are_redelivered(tmp_path: Path) -> None:
    """A worker SIGKILLed after receiving a batch without acking: its messages come back
    after the visibility timeout with receive_count 2, and nothing is lost."""
    path = tmp_path / "q.sqlite3"
    queue = LocalQueue(path, "events", visibility_timeout=1)
    sent = [f"k-{i:02d}" for i in range(25)]
    queue.send_batch(sent)
    ready = _FORK.Queue()
    worker = _FORK.Process(target=_receive_and_hang, args=(path, ready))
    worker.start()
    taken = ready.get(timeout=30)
    assert len(taken) == 10
    os.kill(worker.pid or 0, signal.SIGKILL)
    worker.join(10)
    assert worker.exitcode == -signal.SIGKILL

    rest = []
    while batch := queue.receive(10):
        rest.extend(batch)
    assert sorted(m.body for m in rest) == sorted(set(sent) - set(taken))
    queue.ack(*rest)

    time.sleep(1.3)
    redelivered = queue.receive(10)
    assert sorted(m.body for m in redelivered) == sorted(taken)
    assert {m.receive_count for m in redelivered} == {2}
    queue.ack(*redelivered)
    assert queue.depth() == 0


def _busy_worker(path: Path, log: Path) -> None:
    queue = LocalQueue(path, "events", visibility_timeout=1)
    with log.open("a") as handle:
        while True:
            batch = queue.receive(10)
            # Logged before the ack: a kill between the two may cause a redelivery
            # (at-least-once) but never a message that is neither logged nor queued.
            handle.write("".join(f"{m.body}\n" for m in batch))
            handle.flush()
            queue.ack(*batch)


@pytest.mark.slow
def test_kill_mid_batch_loses_nothing(tmp_path: Path) -> None:
    """A worker SIGKILLed at an arbitrary moment while receiving and acking in a loop:
    every message is either processed (logged) or still in the queue, and the file is
    intact."""
    path, log = tmp_path / "q.sqlite3", tmp_path / "done.log"
    queue = LocalQueue(path, "events", visibility_timeout=1)
    sent = [f"b-{i:04d}" for i in range(3000)]
    queue.send_batch(sent)
    worker = _FORK.Process(target=_busy_worker, args=(path, log))
    worker.start()
    deadline = time.monotonic() + 10
    while queue.depth() > 1500 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(worker.pid or 0, signal.SIGKILL)
    worker.join(10)
    processed = set(log.read_text().split()) if log.exists() else set()
    assert 0 < len(processed) < len(sent), "the kill should land mid-run"

    time.sleep(1.2)  # let the killed worker's in-flight batch time out
    remaining: list[str] = []
    while batch := queue.receive(10):
        remaining.extend(m.body for m in batch)
        queue.ack(*batch)
    assert set(sent) == processed | set(remaining), (
        f"lost: {sorted(set(sent) - processed - set(remaining))[:5]}"
    )
    assert len(remaining) == len(set(remaining))


def test_locked_file_is_transient_and_retried(tmp_path: Path) -> None:
    """While another connection holds the write lock past busy_timeout the call raises
    TransientError; with the default retry policy it succeeds once the lock is gone."""
    path = tmp_path / "q.sqlite3"
    impatient = LocalQueue(path, "events", busy_timeout=0.05, retry=NO_RETRY)
    patient = LocalQueue(path, "events", busy_timeout=0.05)
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(TransientError):
        impatient.send("blocked")
    releaser = threading.Timer(0.2, holder.execute, args=("ROLLBACK",))
    releaser.start()
    patient.send("eventually")
    releaser.join()
    holder.close()
    assert [m.body for m in patient.receive(10)] == ["eventually"]


def test_fifo_group_waits_for_its_head(tmp_path: Path) -> None:
    """A group delivers one message at a time: while its head is in flight the rest of the
    group waits (ungrouped messages do not); a released head comes back first; a repeated
    dedup_id is dropped and answered with the first message's id."""
    queue = LocalQueue(tmp_path / "q.sqlite3", "events", visibility_timeout=30)
    first_id = queue.send("g1", group_id="g", dedup_id="one")
    assert queue.send("g1 again", group_id="g", dedup_id="one") == first_id
    queue.send_batch([OutgoingMessage("g2", group_id="g"), "free"])
    batch = queue.receive(10)
    assert sorted(m.body for m in batch) == ["free", "g1"]
    assert queue.receive(10) == []  # g2 waits behind the in-flight g1
    head = next(m for m in batch if m.body == "g1")
    assert head.group_id == "g"
    queue.release(head)
    again = queue.receive(10)
    assert [m.body for m in again] == ["g1"]
    queue.ack(*again)
    assert [m.body for m in queue.receive(10)] == ["g2"]
