"""Poison messages of every kind reach the dead-letter queue alone while the rest flows.

Into a queue holding a real workload's events go: an undecodable body, a body nested
5,000 deep, a body over the decoder's 256 KiB limit, and a valid event whose processing
fails every time (its text crashes the analyzer). The worker drains it all: each poison
message ends in the dead-letter queue (exactly these four, each there once), and every
good event's effects equal the no-poison reference run's — nothing lost, nothing twice,
no good message dead-lettered. Local provider, ``max_receives = 3``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from conftest import Figures, local_settings
from socialreferral import build_providers
from socialreferral.domain.crm import Product
from socialreferral.domain.social import EventKind, SocialEvent
from socialreferral.service.queued_events import encode_event
from socialreferral.settings import settings_from_mapping
from socialreferral.testing.chaos import (
    ChaosWorkload,
    Ledger,
    Progress,
    compare,
    ingest_stage,
    lead_stage,
    prepare,
    reference_run,
)
from socialreferral.testing.chaos.stages import make_worker
from socialreferral.text.activity import ActivityAnalyzer, ActivitySignal

WORKLOAD = ChaosWorkload(events=200, customers=30, seed=9, lead_percent=30)
PILL = "POISON-PILL crashes the model"


class CrashingAnalyzer:
    """The real analyzer, except that a text holding :data:`PILL` makes it raise (a
    model that crashes on one input)."""

    def __init__(self, inner: ActivityAnalyzer) -> None:
        self.inner = inner

    def prepare(self, catalog: Sequence[Product]) -> None:
        self.inner.prepare(catalog)

    def analyze(self, events: Sequence[SocialEvent], catalog: Sequence[Product]
                ) -> list[ActivitySignal]:
        if any(PILL in event.text for event in events):
            raise ValueError("the model crashed on this text")
        return list(self.inner.analyze(events, catalog))


def _poison() -> dict[str, str]:
    failing = SocialEvent(event_id="facebook:poison:add:status", network="facebook",
                          kind=EventKind.POST, author_id="fb-p00001", text=PILL,
                          created_at=datetime(2026, 3, 1, tzinfo=UTC))
    return {
        "undecodable": "\x00\x01 not json at all {{{",
        "nested": '{"v":1,"event":' + "[" * 5000 + "]" * 5000 + "}",
        "oversized": '{"v":1,"accepted_at":1,"event":{"text":"' + "a" * 300_000 + '"}}',
        "valid but failing": encode_event(failing, time.time()),
    }


def test_each_poison_message_reaches_the_dead_letter_queue_alone(
        tmp_path: Path, figures: Figures) -> None:
    reference = reference_run(local_settings(tmp_path / "reference", WORKLOAD), WORKLOAD)
    poison = _poison()
    settings = local_settings(tmp_path / "run", WORKLOAD, max_receives=3, visibility_timeout=1)
    started = time.monotonic()
    with build_providers(settings_from_mapping(settings)) as providers:
        prepare(providers, WORKLOAD)
        deliveries = WORKLOAD.deliveries()
        half = len(deliveries) // 2
        ingest_stage(providers, WORKLOAD, Progress(), deliveries[:half])
        providers.queue.send_batch(list(poison.values()))  # in the middle of the traffic
        progress = Progress()
        for n in range(half):
            progress.add(n)
        ingest_stage(providers, WORKLOAD, progress, deliveries)
        worker = make_worker(providers, WORKLOAD)
        worker.analyzer = CrashingAnalyzer(worker._analyzer())  # type: ignore[assignment]
        dead: dict[str, int] = {}
        deadline = time.monotonic() + 120
        while len(dead) < len(poison) and time.monotonic() < deadline:
            worker.drain(idle_seconds=1.5, max_seconds=60)
            for message in providers.queue.dead_letters(10):
                dead[message.body] = dead.get(message.body, 0) + 1
                providers.queue.ack(message)
        good_left = providers.queue.depth()
        lead_stage(providers, WORKLOAD, Progress())
        ledger = Ledger.capture(providers)
    comparison = compare(reference, ledger)
    by_kind = {kind: dead.get(body, 0) for kind, body in poison.items()}
    figures.add("poison messages (local)", events=comparison.run["events"],
                dead_lettered=by_kind, good_messages_dead_lettered=len(set(dead) - set(
                    poison.values())), lost=comparison.lost, duplicated=comparison.duplicated,
                seconds=round(time.monotonic() - started, 1))
    assert by_kind == dict.fromkeys(poison, 1), by_kind
    assert set(dead) == set(poison.values())  # nothing else was dead-lettered
    assert good_left == 0
    assert worker.stats.malformed >= 3 * 3  # three undecodable kinds, received 3 times
    assert comparison.lost == 0 and comparison.duplicated == 0 and comparison.changed == 0, \
        comparison.describe()
