"""The worker under slow starts, slow batches, poison messages and flaky acks.

Each test is a regression test for a defect seen on the 0.1 worker (issue 9, defects 1-3):
it ran on the local provider (SQLite queue and store).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from service_helpers import add_customer, analyzer, ingest, local_providers, make_worker

from socialreferral.bootstrap import Providers
from socialreferral.domain.crm import Product
from socialreferral.domain.social import SocialEvent
from socialreferral.errors import TransientError
from socialreferral.text.activity import ActivitySignal

POSTS = [(f"1_{n}", f"p{n}", "I am looking for a car loan") for n in range(9)]
OPEN_POLICY = {"max_asks_per_referrer": 100}


@pytest.fixture
def providers(tmp_path: Any) -> Iterator[Providers]:
    """Local providers whose referrer cap lets one customer refer all nine prospects."""
    with local_providers(tmp_path / "data", contact_policy=OPEN_POLICY) as built:
        yield built


class SlowAnalyzer:
    """The keyword analyzer behind a slow model build and, optionally, slow batches."""

    def __init__(self, prepare_seconds: float = 0.0, analyze_seconds: float = 0.0) -> None:
        self.prepare_seconds, self.analyze_seconds = prepare_seconds, analyze_seconds
        self.prepared_at: float | None = None

    def prepare(self, catalog: Sequence[Product]) -> None:
        if self.prepared_at is None:
            time.sleep(self.prepare_seconds)
            self.prepared_at = time.monotonic()

    def analyze(self, events: Sequence[SocialEvent],
                catalog: Sequence[Product]) -> list[ActivitySignal]:
        time.sleep(self.analyze_seconds)
        return analyzer().analyze(events, catalog)


def test_models_are_built_before_the_first_receive(providers: Providers) -> None:
    """Defect 1: messages were received first and then waited on a 6 s model build."""
    add_customer(providers, 1, {f"p{n}": 5 for n in range(9)})
    ingest(providers, POSTS)
    slow = SlowAnalyzer(prepare_seconds=0.3)
    received_at: list[float] = []
    receive = providers.queue.receive

    def spy(*args: Any, **kwargs: Any) -> Any:
        received_at.append(time.monotonic())
        return receive(*args, **kwargs)

    providers.queue.receive = spy  # type: ignore[method-assign]
    worker = make_worker(providers, analyzer=slow)
    worker.drain(idle_seconds=0.1)
    assert slow.prepared_at is not None and received_at
    assert slow.prepared_at <= received_at[0]
    assert worker.stats.processed == 9


def test_a_batch_slower_than_the_visibility_timeout_keeps_its_messages(
    providers: Providers,
) -> None:
    """Defect 1: nothing extended the visibility, another worker took the same messages
    and the first worker's stale ack failed the job. The queue's timeout is 1 s here."""
    add_customer(providers, 1, {f"p{n}": 5 for n in range(9)})
    ingest(providers, POSTS)
    worker = make_worker(providers, analyzer=SlowAnalyzer(analyze_seconds=2.5))
    stolen: list[int] = []

    def other_worker() -> None:
        time.sleep(1.6)  # past the visibility timeout, while the batch still runs
        stolen.append(len(providers.queue.receive(10)))

    thief = threading.Thread(target=other_worker)
    thief.start()
    outcomes = worker.run_once()
    thief.join()
    assert stolen == [0], "the messages became visible to another worker mid-batch"
    assert sorted({o.status for o in outcomes}) == ["offer"] and len(outcomes) == 9
    assert worker.stats.extensions > 0 and worker.stats.stale_acks == 0
    assert providers.queue.depth() == 0


def test_one_nested_json_message_is_isolated_and_the_rest_flows(tmp_path: Any) -> None:
    """Defect 2: a deeply nested body raised RecursionError out of the batch, so all ten
    messages were redelivered and dead-lettered together."""
    with local_providers(tmp_path / "data", contact_policy=OPEN_POLICY) as providers:
        add_customer(providers, 1, {f"p{n}": 5 for n in range(9)})
        ingest(providers, POSTS)
        providers.queue.send("[" * 5000 + "]" * 5000)
        worker = make_worker(providers)
        first = worker.run_once()
        assert sorted(o.status for o in first) == ["malformed"] + ["offer"] * 9
        assert len(providers.repositories.referrals.offers()) == 9
        # The poison message comes back alone until the queue dead-letters it
        # (max_receives is 5 on the local queue).
        for _ in range(10):
            if not worker.run_once():
                break
        dead = providers.queue.dead_letters(10)
        assert [m.body[:3] for m in dead] == ["[[["]
        assert providers.queue.depth() == 0
        assert worker.stats.processed == 9 and worker.stats.malformed >= 1


def test_an_ack_that_succeeded_but_reported_a_failure_does_not_end_the_job(
    providers: Providers,
) -> None:
    """Defect 3: the retry of a successful ack got ReceiptInvalid and ended the drain."""
    add_customer(providers, 1, {"p0": 5})
    ingest(providers, POSTS[:1])
    queue: Any = providers.queue
    real = queue._delete_batch
    calls: list[int] = []

    def flaky(receipts: Sequence[str]) -> None:
        real(receipts)
        calls.append(len(receipts))
        if len(calls) == 1:
            raise TransientError("connection reset after the delete was applied")

    queue._delete_batch = flaky
    worker = make_worker(providers)
    assert worker.drain(idle_seconds=0.1) == 1
    assert worker.stats.stale_acks == 1 and worker.stats.processed == 1
    assert len(providers.repositories.referrals.offers()) == 1
    assert providers.queue.depth() == 0


def test_a_message_whose_processing_fails_stays_alone_for_redelivery(
    providers: Providers, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A valid message whose processing raises is left unacked; the rest are acked."""
    add_customer(providers, 1, {f"p{n}": 5 for n in range(3)})
    ingest(providers, POSTS[:3])
    contacts = providers.repositories.contacts
    real = contacts.reserve

    def broken(policy: Any, **kwargs: Any) -> Any:
        if kwargs["prospect_id"] == "p1":
            raise RuntimeError("a bug for this author only")
        return real(policy, **kwargs)

    monkeypatch.setattr(contacts, "reserve", broken)
    outcomes = make_worker(providers).run_once()
    assert sorted(o.status for o in outcomes) == ["failed", "offer", "offer"]
    assert providers.queue.depth() == 0  # the failed one is in flight, not acked
    monkeypatch.undo()
    time.sleep(1.2)  # the visibility timeout of the test queue
    assert [o.status for o in make_worker(providers).run_once()] == ["offer"]


def test_the_largest_event_a_channel_accepts_fits_one_queue_message() -> None:
    """Events are bounded so that a signed delivery can never produce a queue message the
    worker refuses (256 KiB, SQS's limit): the longest text of 4-byte characters and the
    largest extras."""
    from socialreferral.domain.social import MAX_EXTRA_BYTES, EventKind
    from socialreferral.service.queued_events import (
        MAX_MESSAGE_BYTES,
        decode_event,
        encode_event,
    )

    event = SocialEvent(event_id="x:1", network="x", kind=EventKind.POST, author_id="a",
                        text="\U0001f600" * 20_000,
                        extra={"bio": "\u00e9" * ((MAX_EXTRA_BYTES - 20) // 2)})
    body = encode_event(event, 1.0)
    assert len(body.encode("utf-8")) <= MAX_MESSAGE_BYTES
    assert decode_event(body).event == event
    with pytest.raises(ValueError, match="extra"):
        SocialEvent(event_id="x:2", network="x", kind=EventKind.POST, author_id="a",
                    extra={"bio": "x" * (MAX_EXTRA_BYTES + 1)})
