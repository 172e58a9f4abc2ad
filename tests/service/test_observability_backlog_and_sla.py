"""Telemetry of the backlog and the care SLA, read with OTel's in-memory metric reader:
the queue's oldest-message age beside its depth, first-response breaches counted once per
item (across repeated sweeps, a restart, a race and a resolve), and the in-breach gauge."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

import pytest

pytest.importorskip("opentelemetry.sdk.metrics")

from care_helpers import COMPLAINTS, T0, Clock, care_providers, desk_for, post
from telemetry_helpers import in_memory_metrics, points

from socialreferral.observability.setup import watch_care, watch_queue
from socialreferral.providers.local.queue import LocalQueue
from socialreferral.records import Capability

AGE, DEPTH = "socialreferral.queue.oldest_age", "socialreferral.queue.depth"
BREACHES, BREACHED = "socialreferral.care.sla_breaches", "socialreferral.care.sla_breached"
QUESTION = "@acmecare how do I reset my voicemail password?"


class _NoAgeQueue(LocalQueue):
    """A queue that cannot tell its oldest message's age (as SQS)."""

    capabilities: ClassVar[frozenset[Capability]] = (
        LocalQueue.capabilities - {Capability.OLDEST_AGE})


def test_oldest_age_is_reported_beside_depth_per_queue(tmp_path: Path) -> None:
    events = LocalQueue(tmp_path / "q.sqlite3", "events")
    other = _NoAgeQueue(tmp_path / "q.sqlite3", "other")
    try:
        with in_memory_metrics() as reader:
            watch_queue(events)
            watch_queue(other)
            assert points(reader)[AGE] == {(("queue", "events"),): 0.0}  # empty
            events.send("first")
            time.sleep(1.2)
            events.send("second")
            [first] = events.receive(1)  # in flight: still the oldest
            found = points(reader)
            age = found[AGE][(("queue", "events"),)]
            assert 1.2 <= age < 30, age
            assert found[DEPTH] == {(("queue", "events"),): 1, (("queue", "other"),): 0}
            # The queue without the capability has a depth but no age series at all.
            assert (("queue", "other"),) not in found[AGE]
            events.ack(first)
            assert points(reader)[AGE][(("queue", "events"),)] < 1.2
    finally:
        events.close()
        other.close()


def test_a_failing_gauge_reader_skips_its_sample_only(tmp_path: Path) -> None:
    events = LocalQueue(tmp_path / "q.sqlite3", "events")
    with in_memory_metrics() as reader:
        watch_queue(events)
        events.close()
        (tmp_path / "q.sqlite3").unlink()
        (tmp_path / "q.sqlite3").mkdir()  # the file is gone: every read fails
        found = points(reader)
        assert (("queue", "events"),) not in found.get(AGE, {})


def _breaches(reader: object) -> dict[str, float]:
    found = points(reader)  # type: ignore[arg-type]
    return {dict(k)["queue"]: v for k, v in found.get(BREACHES, {}).items()}


def _in_breach(reader: object) -> dict[str, float]:
    found = points(reader)  # type: ignore[arg-type]
    return {dict(k)["queue"]: v for k, v in found.get(BREACHED, {}).items() if v}


def test_breaches_are_counted_once_per_item_and_the_gauge_follows(tmp_path: Path) -> None:
    clock = Clock(T0 + timedelta(minutes=20))
    sla = {"first_response": 3600, "by_intent": {"complaint": 1800}}
    with care_providers(tmp_path / "data", sla=sla) as providers, \
            in_memory_metrics() as reader:
        desk = desk_for(providers, clock=clock)
        desk.ingest([post("1", "c1", COMPLAINTS[0]), post("2", "c2", QUESTION),
                     post("3", "c3", COMPLAINTS[1])])
        queue_of = {e.item.ticket_id: e.item.queue for e in desk.queue().entries}
        assert set(queue_of) == {"x:1", "x:2", "x:3"}
        watch_care(desk.sla_breached_now)
        assert desk.record_sla_breaches() == [] and _breaches(reader) == {}
        assert _in_breach(reader) == {}

        clock.at = T0 + timedelta(minutes=31)  # the complaints' 30 minutes are over
        stamped = desk.record_sla_breaches()
        assert sorted(i.ticket_id for i in stamped) == ["x:1", "x:3"]
        assert all(i.sla_breached_at == T0 + timedelta(minutes=30) for i in stamped)
        expected: dict[str, float] = {}
        for ticket in ("x:1", "x:3"):
            expected[queue_of[ticket]] = expected.get(queue_of[ticket], 0) + 1
        assert _breaches(reader) == expected
        assert _in_breach(reader) == expected

        # Sweeping again, or from a restarted process (a new desk), counts nothing more.
        assert desk.record_sla_breaches() == []
        assert desk_for(providers, clock=clock).record_sla_breaches() == []
        assert _breaches(reader) == expected

        # A late reply ends the breach (gauge) but the breach stays counted, once.
        desk.reply("x:3", "Sorry for the wait, refund on its way", private=False)
        assert desk.record_sla_breaches() == []
        in_breach = dict(expected)
        in_breach[queue_of["x:3"]] -= 1
        assert _in_breach(reader) == {q: n for q, n in in_breach.items() if n}
        assert _breaches(reader) == expected

        # Resolved past due without any reply, before a sweep saw it: resolve counts it.
        clock.at = T0 + timedelta(hours=2)
        assert desk.resolve("x:2").sla_breached_at == T0 + timedelta(hours=1)
        expected[queue_of["x:2"]] = expected.get(queue_of["x:2"], 0) + 1
        assert desk.record_sla_breaches() == []
        assert _breaches(reader) == expected
        assert sum(expected.values()) == 3


def test_racing_sweeps_count_each_breach_once(tmp_path: Path) -> None:
    clock = Clock(T0 + timedelta(hours=3))
    with care_providers(tmp_path / "data") as providers, in_memory_metrics() as reader:
        desk = desk_for(providers, clock=clock)
        desk.ingest([post(str(n), f"c{n}", text) for n, text in enumerate(COMPLAINTS[:4])])
        open_items = len(desk.queue().entries)
        assert open_items >= 2
        barrier = threading.Barrier(3)
        results: list[int] = []

        def sweep() -> None:
            racer = desk_for(providers, clock=clock)
            barrier.wait()
            results.append(len(racer.record_sla_breaches()))

        threads = [threading.Thread(target=sweep) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sum(results) == open_items  # every breach stamped by exactly one sweep
        assert sum(_breaches(reader).values()) == open_items
