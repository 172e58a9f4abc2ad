"""The Queue port: at-least-once messages with visibility, dead letters, claim checks."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from socialreferral.errors import (
    InvalidInput,
    MessageTooLarge,
    Unsupported,
)
from socialreferral.ports._base import Adapter, RetryPolicy, _chunks
from socialreferral.records import (
    Capability,
    OutgoingMessage,
    ReceivedMessage,
)


# ======================================================================================
# Queue
# ======================================================================================
class Queue(Adapter):
    """At-least-once message queue.

    Delivery contract: a received message stays invisible for its visibility timeout;
    if it is not acked by then it is delivered again with ``receive_count`` one higher.
    With ``max_receives`` set (capability ``dead_letter``) a message received that many
    times without an ack moves to the dead-letter queue instead of being delivered again.
    Bodies are text; the size limit is ``max_body_bytes`` of UTF-8, above which the
    ``claim_check`` capability stores the body elsewhere, or :class:`MessageTooLarge` is
    raised.
    """

    #: Largest body sent inline, in UTF-8 bytes.
    max_body_bytes: ClassVar[int] = 256 * 1024
    #: Most messages one ``_send_batch``/``_receive`` call may carry.
    max_batch: ClassVar[int] = 10

    def __init__(
        self,
        *,
        max_receives: int | None = None,
        visibility_timeout: int = 30,
        retry: RetryPolicy | None = None,
    ) -> None:
        if max_receives is not None and max_receives < 1:
            raise InvalidInput("must be >= 1", field="max_receives")
        if max_receives is not None:
            self.require(Capability.DEAD_LETTER, "max_receives is set")
        self.max_receives = max_receives
        self.visibility_timeout = visibility_timeout
        if retry is not None:
            self.retry = retry

    # -- primitives ----------------------------------------------------------------
    @abstractmethod
    def _send_batch(self, messages: Sequence[OutgoingMessage]) -> list[str]:
        """Send at most ``max_batch`` messages; return their ids in order."""

    @abstractmethod
    def _receive(
        self, max_messages: int, visibility_timeout: int, wait_seconds: float
    ) -> list[ReceivedMessage]:
        """Receive up to ``max_messages``, waiting up to ``wait_seconds`` for the first."""

    @abstractmethod
    def _delete_batch(self, receipts: Sequence[str]) -> None:
        """Remove acked messages. Unknown or stale receipts raise ``ReceiptInvalid``."""

    @abstractmethod
    def _change_visibility(self, message: ReceivedMessage, seconds: int) -> ReceivedMessage:
        """Make the message visible again after ``seconds`` (0 = now); return it with
        its possibly new receipt (Azure issues a new pop receipt)."""

    @abstractmethod
    def _depth(self) -> int:
        """Approximate number of messages waiting (visible or delayed, not in flight)."""

    def _receive_dead_letters(self, max_messages: int) -> list[ReceivedMessage]:
        raise Unsupported(self.adapter_name, Capability.DEAD_LETTER)

    def _oldest_age(self) -> float:
        """Seconds since the oldest message the adapter can see was sent (0.0: none)."""
        raise Unsupported(self.adapter_name, Capability.OLDEST_AGE)

    def _offload(self, message: OutgoingMessage) -> OutgoingMessage:
        """Store an oversized body elsewhere and return a message carrying the pointer."""
        raise Unsupported(self.adapter_name, Capability.CLAIM_CHECK)

    def _resolve(self, message: ReceivedMessage) -> ReceivedMessage:
        """Replace a claim-check pointer by the body; other messages pass unchanged."""
        return message

    def _release_claim(self, message: ReceivedMessage) -> None:
        """Delete the stored body of an acked claim-checked message."""

    # -- public API ----------------------------------------------------------------
    def send(
        self,
        body: str,
        *,
        delay_seconds: int = 0,
        group_id: str | None = None,
        dedup_id: str | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> str:
        """Send one message and return its id."""
        message = OutgoingMessage(body, delay_seconds, group_id, dedup_id, dict(attributes or {}))
        return self.send_batch([message])[0]

    def send_batch(self, messages: Iterable[OutgoingMessage | str]) -> list[str]:
        """Send any number of messages in as few calls as the adapter allows.

        Every message is validated before the first is sent, so a bad one sends nothing.
        """
        prepared = [self._prepare(m) for m in messages]
        ids: list[str] = []
        for chunk in _chunks(prepared, self.max_batch):
            ids.extend(self._call(self._send_batch, chunk))
        return ids

    def receive(
        self,
        max_messages: int = 10,
        *,
        visibility_timeout: int | None = None,
        wait_seconds: float = 0,
    ) -> list[ReceivedMessage]:
        """Receive up to ``max_messages`` (capped at ``max_batch``); hidden until acked
        or until ``visibility_timeout`` seconds pass."""
        if max_messages < 1:
            raise InvalidInput("must be >= 1", field="max_messages")
        timeout = self.visibility_timeout if visibility_timeout is None else visibility_timeout
        if timeout < 0:
            raise InvalidInput("must be >= 0", field="visibility_timeout")
        count = min(max_messages, self.max_batch)
        received = self._call(self._receive, count, timeout, wait_seconds)
        if self.supports(Capability.CLAIM_CHECK):
            received = [self._resolve(m) for m in received]
        return received

    def ack(self, *messages: ReceivedMessage) -> None:
        """Delete processed messages (and their claim-checked bodies)."""
        for chunk in _chunks(messages, self.max_batch):
            self._call(self._delete_batch, [m.receipt for m in chunk])
            for message in chunk:
                if message.claim is not None:
                    self._release_claim(message)

    def extend_visibility(self, message: ReceivedMessage, seconds: int) -> ReceivedMessage:
        """Keep a message hidden ``seconds`` longer (for slow handlers)."""
        self.require(Capability.VISIBILITY_EXTEND)
        if seconds < 1:
            raise InvalidInput("must be >= 1", field="seconds")
        return self._call(self._change_visibility, message, seconds)

    def release(self, message: ReceivedMessage, *, delay_seconds: int = 0) -> ReceivedMessage:
        """Give a message back unprocessed: visible again after ``delay_seconds``."""
        return self._call(self._change_visibility, message, max(0, delay_seconds))

    def dead_letters(self, max_messages: int = 10) -> list[ReceivedMessage]:
        """Receive from the dead-letter queue (ack them to delete)."""
        self.require(Capability.DEAD_LETTER)
        received = self._call(self._receive_dead_letters, min(max_messages, self.max_batch))
        if self.supports(Capability.CLAIM_CHECK):
            received = [self._resolve(m) for m in received]
        return received

    def depth(self) -> int:
        """Approximate number of messages waiting; drives the scaling policy."""
        return self._call(self._depth)

    def oldest_age(self) -> float:
        """Seconds since the oldest message still in the queue was sent; 0.0 when it is
        empty (capability ``oldest_age``).

        With the depth, the backlog signal autoscaling and alerts watch: a depth that
        stays low while the age climbs is a stuck consumer. Which messages an adapter can
        see differs (in flight or only visible ones) and is stated by each adapter;
        dead-lettered messages never count.
        """
        self.require(Capability.OLDEST_AGE)
        return max(0.0, float(self._call(self._oldest_age)))

    def _prepare(self, message: OutgoingMessage | str) -> OutgoingMessage:
        if isinstance(message, str):
            message = OutgoingMessage(message)
        if not isinstance(message.body, str):
            raise InvalidInput("must be str", field="body")
        if message.delay_seconds:
            self.require(Capability.DELAY)
            if not 0 <= message.delay_seconds <= 900:
                raise InvalidInput("must be between 0 and 900", field="delay_seconds")
        if message.group_id is not None or message.dedup_id is not None:
            self.require(Capability.FIFO, "group_id/dedup_id given")
        if len(message.body.encode("utf-8")) > self.max_body_bytes:
            if not self.supports(Capability.CLAIM_CHECK):
                raise MessageTooLarge(
                    f"{self.adapter_name}: body of {len(message.body.encode())} bytes exceeds "
                    f"{self.max_body_bytes} and the adapter has no claim check"
                )
            message = self._offload(message)
        return message
