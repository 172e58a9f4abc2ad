"""Shared behaviour of the port base classes: retries, batching, capability checks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import pytest

from socialreferral.errors import InvalidInput, MessageTooLarge, TransientError, Unsupported
from socialreferral.ports import PORTS, Queue, RetryPolicy, matches
from socialreferral.records import Capability, Filter, OutgoingMessage, ReceivedMessage


class FlakyQueue(Queue):
    """A queue whose sends fail transiently a set number of times (a fake, on purpose:
    it isolates the base class's retry and batching logic from any backend)."""

    provider: ClassVar[str] = "test"
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    max_batch: ClassVar[int] = 10
    max_body_bytes: ClassVar[int] = 100

    def __init__(self, failures: int) -> None:
        super().__init__(retry=RetryPolicy(attempts=4, initial_wait=0, max_wait=0))
        self.failures = failures
        self.batches: list[list[str]] = []

    def _send_batch(self, messages: Sequence[OutgoingMessage]) -> list[str]:
        if self.failures:
            self.failures -= 1
            raise TransientError("throttled")
        self.batches.append([m.body for m in messages])
        return [f"id{len(self.batches)}-{i}" for i in range(len(messages))]

    def _receive(
        self, max_messages: int, visibility_timeout: int, wait_seconds: float
    ) -> list[ReceivedMessage]:
        return []

    def _delete_batch(self, receipts: Sequence[str]) -> None: ...

    def _change_visibility(self, message: ReceivedMessage, seconds: int) -> ReceivedMessage:
        return message

    def _depth(self) -> int:
        return 0


def test_transient_errors_are_retried_and_nothing_is_lost() -> None:
    queue = FlakyQueue(failures=3)
    ids = queue.send_batch([str(i) for i in range(25)])
    assert len(ids) == 25
    assert [len(b) for b in queue.batches] == [10, 10, 5]
    assert [body for batch in queue.batches for body in batch] == [str(i) for i in range(25)]


def test_retries_give_up_after_the_policy_attempts() -> None:
    queue = FlakyQueue(failures=10)
    with pytest.raises(TransientError):
        queue.send("x")


def test_one_invalid_message_sends_nothing() -> None:
    queue = FlakyQueue(failures=0)
    with pytest.raises(MessageTooLarge, match="FlakyQueue"):
        queue.send_batch(["ok", "x" * 101])
    assert queue.batches == []


def test_undeclared_capabilities_raise_unsupported_naming_the_adapter() -> None:
    queue = FlakyQueue(failures=0)
    with pytest.raises(Unsupported, match=r"FlakyQueue \(test\).*'delay'"):
        queue.send("x", delay_seconds=5)
    with pytest.raises(Unsupported, match="fifo"):
        queue.send("x", group_id="g")
    with pytest.raises(Unsupported, match="dead_letter"):
        queue.dead_letters()
    with pytest.raises(Unsupported, match="visibility_extend"):
        queue.extend_visibility(ReceivedMessage("m", "b", "r", 1, 0.0), 10)
    with pytest.raises(Unsupported, match="dead_letter"):
        Queue.__init__(queue, max_receives=3)


def test_receive_validates_arguments() -> None:
    with pytest.raises(InvalidInput, match="max_messages"):
        FlakyQueue(0).receive(0)


@pytest.mark.parametrize(
    ("value", "flt", "expected"),
    [
        ({"a": 1}, Filter("a", "eq", 1), True),
        ({"a": 1}, Filter("a", "gt", 1), False),
        ({"a": 1}, Filter("a", "ge", 1), True),
        ({"a": "x"}, Filter("a", "lt", 5), False),  # unlike types never match
        ({}, Filter("a", "eq", None), False),  # a missing field matches nothing...
        ({}, Filter("a", "ne", 1), True),  # ...but ne
        ({"a": "b"}, Filter("a", "in", ["a", "b"]), True),
    ],
)
def test_reference_filter_semantics(value: dict[str, object], flt: Filter, expected: bool) -> None:
    assert matches(value, [flt]) is expected


@pytest.mark.parametrize("port", sorted(PORTS))
def test_every_port_has_three_to_seven_underscore_primitives(port: str) -> None:
    """The convention: adapters implement a handful of primitives; the public API is the
    base's (a public abstract method would make every adapter re-implement behaviour)."""
    primitives = sorted(PORTS[port].__abstractmethods__)
    assert 3 <= len(primitives) <= 7, primitives
    assert all(name.startswith("_") for name in primitives), primitives
