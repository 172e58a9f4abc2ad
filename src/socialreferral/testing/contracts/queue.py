"""Conformance tests every :class:`~socialreferral.ports.Queue` adapter must pass.

Fixture API (provide both in the test class or a mixin)::

    make_queue  a callable ``make_queue(**options) -> Queue`` returning a fresh, empty
                queue on every call (function scope; the fixture closes and deletes what
                it made). Options the kit passes: ``max_receives`` (int) and
                ``visibility_timeout`` (int seconds); the fixture forwards them to the
                adapter's constructor. An adapter without ``dead_letter`` must raise
                ``Unsupported`` when given ``max_receives`` (the base class does).
    backend     a short string naming what the adapter ran against ("local SQLite",
                "moto in-process", "Azurite 3.35"); recorded on every test with
                ``record_property("backend", ...)`` and quoted in assertion messages.

Usage::

    class TestLocalQueue(QueueContract):
        @pytest.fixture
        def backend(self) -> str:
            return "local SQLite"

        @pytest.fixture
        def make_queue(self, tmp_path):
            made = []
            def make(**options):
                made.append(LocalQueue(tmp_path / f"q{len(made)}.sqlite3", "q", **options))
                return made[-1]
            yield make
            for queue in made:
                queue.close()

What is checked depends on ``adapter.capabilities``: a declared capability has its
behaviour tested; an undeclared one must raise ``Unsupported`` naming the adapter.

Documented expectations an adapter may relax by overriding a class attribute:

* ``stale_receipts_rejected = True``: acking with the receipt of an earlier delivery,
  after the message was delivered again, raises ``ReceiptInvalid``. Set it to False for
  a backend that silently accepts old receipts; the test then only checks that the
  current receipt acks the message for good.
* ``oldest_age_sees_in_flight = True``: ``oldest_age()`` (capability ``oldest_age``)
  counts a received, unacked message. Set it to False for a backend that can only look
  at visible messages (Azure Queue Storage's peek); the test then skips that check.
* ``assert_claim_released(queue, message)``: called after acking a claim-checked message;
  override it to check that the stored body was deleted (default: no check).

Timing: the kit uses 1-second visibility timeouts and delays and sleeps
``1 + timing_slack`` seconds (``timing_slack = 0.5``), the oldest-age test 3.5 s; about
10 s of sleeping in all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from socialreferral.errors import MessageTooLarge, ReceiptInvalid
from socialreferral.ports import Queue
from socialreferral.records import Capability, OutgoingMessage, ReceivedMessage
from socialreferral.testing.contracts._support import (
    assert_unsupported,
    bodies,
    drain,
    eventually,
    expect_raises,
)

MakeQueue = Callable[..., Queue]


class QueueContract:
    """Mixin of behaviour tests; subclass it with ``make_queue`` and ``backend`` fixtures."""

    stale_receipts_rejected: ClassVar[bool] = True
    oldest_age_sees_in_flight: ClassVar[bool] = True
    timing_slack: ClassVar[float] = 0.5
    #: How long a receive that should come back empty may wait for stray messages.
    quiet_wait: ClassVar[float] = 0.3

    @pytest.fixture(autouse=True)
    def _record_backend(self, record_property: Any, backend: str) -> None:
        record_property("backend", backend)

    def assert_claim_released(self, queue: Queue, message: ReceivedMessage) -> None:
        """Hook: check that an acked claim-checked message's stored body is gone."""

    def _nothing(self, queue: Queue, backend: str, why: str) -> None:
        extra = queue.receive(10, wait_seconds=self.quiet_wait)
        assert extra == [], f"[{backend}] {why}, but receive returned {bodies(extra)!r}"

    def _one(self, queue: Queue, backend: str, what: str, **kwargs: Any) -> ReceivedMessage:
        got = drain(queue, 1, **kwargs)
        assert len(got) == 1, f"[{backend}] expected {what}, received {len(got)} messages"
        return got[0]

    # -- basics --------------------------------------------------------------------------
    def test_round_trip_unicode_body_and_attributes(
        self, make_queue: MakeQueue, backend: str
    ) -> None:
        """A unicode body and string attributes arrive unchanged, first delivery counts 1."""
        queue = make_queue()
        body = 'Grüße 👋 — naïve «café» \u2603 <x a="1"/> & \\ \n\t end'
        attributes = {"source": "facebook", "kind": "comment ✓"}
        message_id = queue.send(body, attributes=attributes)
        got = self._one(queue, backend, "the message just sent")
        assert got.body == body, f"[{backend}] body changed in transit: {got.body!r}"
        assert got.message_id == message_id, (
            f"[{backend}] send returned id {message_id!r}, receive said {got.message_id!r}"
        )
        assert dict(got.attributes) == attributes, (
            f"[{backend}] attributes {attributes!r} arrived as {dict(got.attributes)!r}"
        )
        assert got.receive_count == 1, (
            f"[{backend}] first delivery should have receive_count 1, got {got.receive_count}"
        )
        queue.ack(got)

    def test_batch_of_25_received_exactly_once(self, make_queue: MakeQueue, backend: str) -> None:
        """25 messages sent in one call are all received, each exactly once."""
        queue = make_queue(visibility_timeout=30)
        sent = [f"batch-{i:02d}" for i in range(25)]
        ids = queue.send_batch(sent)
        assert len(set(ids)) == 25, f"[{backend}] send_batch returned {len(set(ids))} ids"
        got = drain(queue, 25, timeout=10)
        assert bodies(got) == sent, (
            f"[{backend}] expected each of the 25 bodies once, got {len(got)} messages: "
            f"missing {sorted(set(sent) - set(bodies(got)))}, "
            f"duplicates {sorted({b for b in bodies(got) if bodies(got).count(b) > 1})}"
        )
        queue.ack(*got)
        self._nothing(queue, backend, "all 25 were acked")

    def test_in_flight_message_is_hidden(self, make_queue: MakeQueue, backend: str) -> None:
        """While a message is in flight a second receive does not get it."""
        queue = make_queue(visibility_timeout=30)
        queue.send("in flight")
        first = self._one(queue, backend, "the message")
        self._nothing(queue, backend, "the only message is in flight")
        queue.ack(first)

    def test_redelivered_after_visibility_timeout(
        self, make_queue: MakeQueue, backend: str
    ) -> None:
        """An unacked message comes back after its timeout with receive_count 2 and a new
        receipt."""
        queue = make_queue(visibility_timeout=1)
        queue.send("come back")
        first = self._one(queue, backend, "the message")
        time.sleep(1 + self.timing_slack)
        second = self._one(queue, backend, "the message again after its timeout")
        assert second.message_id == first.message_id and second.body == "come back"
        assert second.receive_count == 2, (
            f"[{backend}] redelivery should have receive_count 2, got {second.receive_count}"
        )
        assert second.receipt != first.receipt, (
            f"[{backend}] each delivery needs its own receipt; both were {first.receipt!r}"
        )
        queue.ack(second)

    def test_ack_removes_for_good(self, make_queue: MakeQueue, backend: str) -> None:
        """An acked message is never delivered again, even after its timeout."""
        queue = make_queue(visibility_timeout=1)
        queue.send("done")
        queue.ack(self._one(queue, backend, "the message"))
        time.sleep(1 + self.timing_slack)
        self._nothing(queue, backend, "the message was acked before its timeout")

    def test_release_makes_visible_at_once(self, make_queue: MakeQueue, backend: str) -> None:
        """release() gives a message back: the next receive gets it without waiting."""
        queue = make_queue(visibility_timeout=30)
        queue.send("give back")
        first = self._one(queue, backend, "the message")
        queue.release(first)
        again = self._one(queue, backend, "the released message", timeout=3)
        assert again.message_id == first.message_id and again.receive_count == 2, (
            f"[{backend}] released message came back as {again!r}"
        )
        queue.ack(again)

    def test_stale_receipt_after_redelivery(self, make_queue: MakeQueue, backend: str) -> None:
        """After a redelivery only the newest receipt is valid: the old one raises
        ReceiptInvalid (see ``stale_receipts_rejected``); the new one acks for good."""
        queue = make_queue(visibility_timeout=1)
        queue.send("stale")
        first = self._one(queue, backend, "the message")
        time.sleep(1 + self.timing_slack)
        second = self._one(queue, backend, "the redelivered message")
        if self.stale_receipts_rejected:
            with expect_raises(ReceiptInvalid, backend, "acking with a superseded receipt"):
                queue.ack(first)
        queue.ack(second)
        self._nothing(queue, backend, "the redelivered message was acked")

    def test_depth_counts_waiting_messages(self, make_queue: MakeQueue, backend: str) -> None:
        """depth() counts waiting messages, not those in flight or acked."""
        queue = make_queue(visibility_timeout=30)
        assert queue.depth() == 0, f"[{backend}] a new queue should be empty"
        queue.send_batch(["d1", "d2", "d3"])
        depth = eventually(queue.depth, lambda d: d == 3)
        assert depth == 3, f"[{backend}] 3 sent, depth() says {depth}"
        message = self._one(queue, backend, "one message", wait_seconds=0)
        depth = eventually(queue.depth, lambda d: d == 2)
        assert depth == 2, f"[{backend}] 1 of 3 in flight, depth() says {depth}"
        queue.ack(message)
        depth = eventually(queue.depth, lambda d: d == 2)
        assert depth == 2, f"[{backend}] 1 of 3 acked, depth() says {depth}"

    # -- capabilities --------------------------------------------------------------------
    def test_extend_visibility(self, make_queue: MakeQueue, backend: str) -> None:
        """extend_visibility keeps a message hidden past its original timeout
        (capability ``visibility_extend``)."""
        queue = make_queue(visibility_timeout=1)
        queue.send("slow job")
        message = self._one(queue, backend, "the message")
        if not queue.supports(Capability.VISIBILITY_EXTEND):
            assert_unsupported(
                queue,
                Capability.VISIBILITY_EXTEND,
                lambda: queue.extend_visibility(message, 5),
                backend,
            )
            return
        message = queue.extend_visibility(message, 5)
        time.sleep(1 + self.timing_slack)
        self._nothing(queue, backend, "its visibility was extended to 5 s")
        queue.ack(message)

    def test_oldest_age(self, make_queue: MakeQueue, backend: str) -> None:
        """oldest_age() is 0 on an empty queue, the age of the *oldest* message (not the
        newest) while several wait, and drops once that one is acked (capability
        ``oldest_age``; undeclared, it raises Unsupported)."""
        queue = make_queue(visibility_timeout=30)
        if not queue.supports(Capability.OLDEST_AGE):
            assert_unsupported(queue, Capability.OLDEST_AGE, queue.oldest_age, backend)
            return
        assert queue.oldest_age() == 0.0, f"[{backend}] an empty queue has no oldest message"
        queue.send("old")
        started = time.monotonic()
        time.sleep(3 + self.timing_slack)
        queue.send_batch(["new 1", "new 2"])
        # The age grows with time, so each probe is compared with the time 'old' had
        # surely waited when the probe began (a newest-message age would catch up with a
        # fixed bound). A backend keeping whole seconds rounds the send time down, which
        # makes the age larger, never smaller.

        def probe() -> tuple[float, float]:
            waited = time.monotonic() - started
            return queue.oldest_age(), waited

        age, waited = eventually(probe, lambda found: found[0] >= found[1])
        assert waited <= age < waited + 30, (
            f"[{backend}] 'old' has waited {waited:.1f} s and two newer messages were sent "
            f"since; oldest_age() says {age:.2f} s (the newest message's age, or no age?)"
        )
        got = drain(queue, 3, timeout=10)
        old = [m for m in got if m.body == "old"]
        assert old, f"[{backend}] the 3 messages did not all arrive: {bodies(got)!r}"
        if self.oldest_age_sees_in_flight:
            age = queue.oldest_age()
            assert age >= waited, (
                f"[{backend}] 'old' is in flight, not acked; it must still count "
                f"(oldest_age() says {age:.2f} s)"
            )
        queue.ack(*old)
        for message in got:
            if message.body != "old":
                queue.release(message)
        # The newer two were sent >= 3 s after 'old'; allow 1 s of timestamp rounding.
        age = eventually(queue.oldest_age,
                         lambda a: a < time.monotonic() - started - 2.0)
        since_old = time.monotonic() - started
        assert age < since_old - 2.0, (
            f"[{backend}] 'old' (sent {since_old:.1f} s ago) was acked, the others are "
            f"3 s younger; oldest_age() still says {age:.2f} s"
        )
        queue.ack(*drain(queue, 2, timeout=10))
        age = eventually(queue.oldest_age, lambda a: a == 0.0)
        assert age == 0.0, f"[{backend}] every message acked; oldest_age() says {age:.2f}"

    def test_dead_letter_after_max_receives(self, make_queue: MakeQueue, backend: str) -> None:
        """With max_receives=2 a message delivered twice without ack goes to
        dead_letters() with its body and leaves the main queue (capability ``dead_letter``)."""
        if not self._declares(make_queue, Capability.DEAD_LETTER):
            plain = make_queue()
            assert_unsupported(
                plain, Capability.DEAD_LETTER, lambda: make_queue(max_receives=2), backend
            )
            assert_unsupported(plain, Capability.DEAD_LETTER, plain.dead_letters, backend)
            return
        queue = make_queue(max_receives=2, visibility_timeout=30)
        queue.send("poison ☠")
        for attempt in (1, 2):
            message = self._one(queue, backend, f"delivery {attempt}", timeout=3)
            assert message.receive_count == attempt
            queue.release(message)  # a failed delivery, without waiting for the timeout
        self._nothing(queue, backend, "the message failed max_receives=2 deliveries")
        dead = eventually(lambda: queue.dead_letters(10), bool)
        assert bodies(dead) == ["poison ☠"], (
            f"[{backend}] expected the message in dead_letters(), got {bodies(dead)!r}"
        )
        queue.ack(*dead)
        self._nothing(queue, backend, "the message was dead-lettered and acked there")

    def test_delay(self, make_queue: MakeQueue, backend: str) -> None:
        """A message sent with delay_seconds=1 is not received before ~1 s, then is
        (capability ``delay``)."""
        queue = make_queue()
        if not queue.supports(Capability.DELAY):
            assert_unsupported(
                queue, Capability.DELAY, lambda: queue.send("late", delay_seconds=1), backend
            )
            self._nothing(queue, backend, "the delayed send raised Unsupported")
            return
        started = time.monotonic()
        queue.send("late", delay_seconds=1)
        early = queue.receive(10)
        if time.monotonic() - started < 0.8:  # only meaningful while the delay runs
            assert early == [], f"[{backend}] delayed message arrived at once: {early!r}"
        message = self._one(queue, backend, "the delayed message", timeout=4)
        elapsed = time.monotonic() - started
        assert elapsed >= 0.9, f"[{backend}] delayed message arrived after {elapsed:.2f} s"
        queue.ack(message)

    def test_oversized_body(self, make_queue: MakeQueue, backend: str) -> None:
        """A body over max_body_bytes round-trips by claim check (capability
        ``claim_check``), or raises MessageTooLarge and sends nothing."""
        queue = make_queue()
        big = "é" * ((queue.max_body_bytes // 2) + 1)  # 2 bytes each in UTF-8
        assert len(big.encode()) > queue.max_body_bytes
        if not queue.supports(Capability.CLAIM_CHECK):
            with expect_raises(MessageTooLarge, backend, "sending a body over the limit"):
                queue.send_batch(["small, valid", big])
            self._nothing(queue, backend, "a batch holding an oversized body was rejected")
            assert queue.depth() == 0
            return
        queue.send(big)
        message = self._one(queue, backend, "the claim-checked message", timeout=10)
        assert message.body == big, f"[{backend}] claim-checked body came back changed"
        assert message.claim is not None, f"[{backend}] claim-checked message has no claim"
        queue.ack(message)
        self.assert_claim_released(queue, message)

    def test_fifo_groups_and_dedup(self, make_queue: MakeQueue, backend: str) -> None:
        """group_id keeps order within a group and dedup_id drops duplicates (capability
        ``fifo``); without it both raise Unsupported."""
        queue = make_queue()
        if not queue.supports(Capability.FIFO):
            assert_unsupported(
                queue, Capability.FIFO, lambda: queue.send("x", group_id="g"), backend
            )
            assert_unsupported(
                queue, Capability.FIFO, lambda: queue.send("x", dedup_id="d"), backend
            )
            return
        queue.send_batch(
            [OutgoingMessage(f"g-{i}", group_id="g", dedup_id=f"g-{i}") for i in range(5)]
        )
        queue.send("dup", group_id="h", dedup_id="same")
        queue.send("dup", group_id="h", dedup_id="same")
        order: list[str] = []
        deadline = time.monotonic() + 10
        while len(order) < 6 and time.monotonic() < deadline:
            batch = queue.receive(10, wait_seconds=0.5)
            order.extend(m.body for m in batch)
            queue.ack(*batch)
        in_group = [b for b in order if b.startswith("g-")]
        assert in_group == [f"g-{i}" for i in range(5)], (
            f"[{backend}] group order lost: {in_group!r}"
        )
        assert order.count("dup") == 1, f"[{backend}] dedup_id ignored: {order!r}"
        self._nothing(queue, backend, "everything was received and acked")

    @staticmethod
    def _declares(make_queue: MakeQueue, capability: Capability) -> bool:
        probe = make_queue()
        try:
            return probe.supports(capability)
        finally:
            probe.close()


__all__ = ["QueueContract"]
