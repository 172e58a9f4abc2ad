"""Azure Queue Storage adapter: :class:`AzureStorageQueue`.

Features
    * batch receive of up to 32 messages (the service's maximum per call);
    * visibility updates (each issues a new pop receipt, returned in the new receipt);
    * ack by message id + pop receipt; stale receipts raise ``ReceiptInvalid``;
    * poison handling the Azure Functions way: a message whose ``dequeue_count`` exceeds
      ``max_dequeue`` is moved to ``<queue>-poison`` instead of being delivered again,
      so Functions and this library can share queues;
    * message encoding ``base64`` (Functions' default) or ``none``;
    * claim check through Blob storage for bodies over 64 KiB (48 KiB of raw bytes with
      base64); the blob is deleted on ack;
    * ``oldest_age`` from a peek at the front of the queue (up to 32 messages, one
      request): the oldest ``inserted_on`` among them. A peek sees **visible messages
      only**: messages in flight or sent with a delay are not counted, so a message that
      keeps failing (invisible most of the time) may not show; Azure Monitor has no
      per-queue age metric to fall back on. Second resolution (the service's timestamps);
    * 429/503/5xx and connection errors are ``TransientError`` and retried by the base;
    * sends and deletes of one batch run ``concurrency`` requests at a time: the service
      has no batch send or delete, so a batch costs one round trip per message, and
      overlapping them is what makes a batch cheaper than a loop (Azure SDK clients are
      thread-safe).

Wire format: a message without attributes is its body, byte for byte (after the chosen
encoding), so other readers see plain text. A message with attributes, or claim-checked,
is a JSON envelope ``{"$sr": 1, "body" | "claim": ..., "attributes": {...}}``. A body that
is itself a JSON object with exactly those keys would be misread; nothing else is.

Configuration (``[azure]``): storage connection string or ``queue_account_url`` +
credential, ``queue_name``, ``poison_suffix``, ``max_dequeue``, ``visibility_timeout``,
``message_encoding``, ``claim_check_container``, ``queue_concurrency``. RBAC: *Storage
Queue Data Contributor* (and *Storage Blob Data Contributor* for the claim check).
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, TypeVar, cast

from socialreferral.errors import InvalidInput, MessageTooLarge, QueueError, ReceiptInvalid
from socialreferral.ports import Queue, RetryPolicy
from socialreferral.providers.azure.errors import error_code, map_azure_errors
from socialreferral.records import Capability, OutgoingMessage, ReceivedMessage

if TYPE_CHECKING:
    from socialreferral.providers import BuildContext
    from socialreferral.providers.azure.claim_check import BlobClaimCheck
    from socialreferral.providers.azure.settings import AzureSettings

SERVICE_LIMIT = 64 * 1024  # bytes of message text the service accepts
ENVELOPE_KEYS = frozenset({"$sr", "body", "claim", "attributes"})
_MAIN, _POISON = "m", "p"
_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


class AzureStorageQueue(Queue):
    """A queue on Azure Queue Storage, with ``<queue>-poison`` as its dead-letter queue."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.DEAD_LETTER,
            Capability.DELAY,
            Capability.CLAIM_CHECK,
            Capability.VISIBILITY_EXTEND,
            Capability.OLDEST_AGE,
        }
    )
    provider: ClassVar[str] = "azure"
    max_body_bytes: ClassVar[int] = SERVICE_LIMIT
    max_batch: ClassVar[int] = 32

    def __init__(
        self,
        queue_client: Any,
        poison_client: Any,
        *,
        claim_check: BlobClaimCheck | None = None,
        encoding: Literal["base64", "none"] = "base64",
        max_receives: int | None = 5,
        visibility_timeout: int = 30,
        create: bool = True,
        retry: RetryPolicy | None = None,
        concurrency: int = 8,
    ) -> None:
        """Wrap two ``QueueClient``s built with the encode/decode policies of ``encoding``
        (see :func:`queue_clients`). ``max_receives=None`` disables the poison move;
        ``concurrency`` is how many sends or deletes of a batch are in flight at once
        (1 = one after the other)."""
        super().__init__(
            max_receives=max_receives, visibility_timeout=visibility_timeout, retry=retry
        )
        if concurrency < 1:
            raise InvalidInput("must be >= 1", field="concurrency")
        self._queue, self._poison = queue_client, poison_client
        self._concurrency = concurrency
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid = 0
        self._failed = threading.local()
        self._claims = claim_check
        self._encoding = encoding
        if create:
            for client in (queue_client, poison_client):
                _create_queue(client)

    @classmethod
    def from_settings(cls, settings: AzureSettings, context: BuildContext) -> Self:
        """Build the queue, its poison queue and the blob claim check from ``[azure]``."""
        from socialreferral.providers.azure.claim_check import BlobClaimCheck

        main, poison = queue_clients(
            settings, context, settings.queue_name, settings.poison_queue_name
        )
        claims = BlobClaimCheck.from_settings(settings, context, prefix=f"{settings.queue_name}/")
        return cls(
            main,
            poison,
            claim_check=claims,
            encoding=settings.message_encoding,
            max_receives=settings.max_dequeue,
            visibility_timeout=settings.visibility_timeout,
            create=settings.create_queues,
            concurrency=settings.queue_concurrency,
        )

    @property
    def name(self) -> str:
        """The queue's name (the poison queue is ``name + poison_suffix``)."""
        return str(self._queue.queue_name)

    # -- primitives ----------------------------------------------------------------
    def _send_batch(self, messages: Sequence[OutgoingMessage]) -> list[str]:
        # Queue Storage has no batch send: one request per message, several in flight.
        return self._resumable(self._send_one, messages)

    def _send_one(self, message: OutgoingMessage) -> str:
        text = self._wire_text(message)
        with map_azure_errors("queue", self.name):
            sent = self._queue.send_message(
                text, visibility_timeout=message.delay_seconds or None, time_to_live=-1
            )
        return str(sent.id)

    def _receive(
        self, max_messages: int, visibility_timeout: int, wait_seconds: float
    ) -> list[ReceivedMessage]:
        # No long polling in Queue Storage: poll with growing pauses until the deadline.
        deadline = time.monotonic() + max(0.0, wait_seconds)
        pause = 0.1
        while True:
            received = self._receive_once(max_messages, max(1, visibility_timeout))
            if received or time.monotonic() >= deadline:
                return received
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, 1.0)

    def _receive_once(self, max_messages: int, visibility_timeout: int) -> list[ReceivedMessage]:
        delivered: list[ReceivedMessage] = []
        for raw in self._fetch(self._queue, max_messages, visibility_timeout):
            if self.max_receives is not None and raw.dequeue_count > self.max_receives:
                self._move_to_poison(raw)
                continue
            delivered.append(self._to_received(raw, _MAIN))
        return delivered

    def _delete_batch(self, receipts: Sequence[str]) -> None:
        self._resumable(self._delete_one, receipts)

    def _delete_one(self, receipt: str) -> None:
        client, message_id, pop_receipt = self._parse_receipt(receipt)
        with map_azure_errors("queue", self.name):
            client.delete_message(message_id, pop_receipt)

    def _change_visibility(self, message: ReceivedMessage, seconds: int) -> ReceivedMessage:
        client, message_id, pop_receipt = self._parse_receipt(message.receipt)
        with map_azure_errors("queue", self.name):
            updated = client.update_message(message_id, pop_receipt, visibility_timeout=seconds)
        which = _MAIN if client is self._queue else _POISON
        return replace(message, receipt=_receipt(which, message_id, str(updated.pop_receipt)))

    def _depth(self) -> int:
        # The service's approximate count includes in-flight (invisible) messages. While
        # it is small, peek (which sees only visible messages) gives the exact number of
        # those waiting; above one peek's reach the approximate count is what there is.
        with map_azure_errors("queue", self.name):
            approximate = int(self._queue.get_queue_properties().approximate_message_count or 0)
            if approximate > self.max_batch:
                return approximate
            return len(self._queue.peek_messages(max_messages=self.max_batch))

    def _oldest_age(self) -> float:
        # Queue Storage is only roughly FIFO (a message whose visibility timeout ran out
        # goes back behind newer ones), so one peek of the most the service returns,
        # rather than of the first message, and the minimum of their insertion times.
        with map_azure_errors("queue", self.name):
            front = list(self._queue.peek_messages(max_messages=self.max_batch))
        inserted = [m.inserted_on.timestamp() for m in front if m.inserted_on is not None]
        return time.time() - min(inserted) if inserted else 0.0

    def _receive_dead_letters(self, max_messages: int) -> list[ReceivedMessage]:
        raw = self._fetch(self._poison, max_messages, self.visibility_timeout)
        return [self._to_received(message, _POISON) for message in raw]

    # -- claim check ---------------------------------------------------------------
    def _offload(self, message: OutgoingMessage) -> OutgoingMessage:
        if self._claims is None:
            raise MessageTooLarge(f"{self.name}: body too large and no claim check configured")
        pointer = self._claims.put(message.body)
        envelope = {"$sr": 1, "claim": pointer, "attributes": dict(message.attributes)}
        return OutgoingMessage(_dump(envelope), delay_seconds=message.delay_seconds)

    def _resolve(self, message: ReceivedMessage) -> ReceivedMessage:
        if message.claim is None or self._claims is None:
            return message
        return replace(message, body=self._claims.get(message.claim))

    def _release_claim(self, message: ReceivedMessage) -> None:
        if message.claim is not None and self._claims is not None:
            self._claims.delete(message.claim)

    # -- helpers -------------------------------------------------------------------
    def _resumable(self, call: Callable[[_Item], _Result], batch: Sequence[_Item]) -> list[_Result]:
        """``call`` over ``batch``, up to ``concurrency`` in flight; the results in order.

        The calls of a failed attempt all finish before its first error is raised. The
        base retries a batch by calling again with the same sequence object; the items
        that succeeded in the failed attempt are then not repeated (a message is not sent
        twice, a deleted one not deleted again). Remembered per thread, for the latest
        failed batch only.
        """
        previous = getattr(self._failed, "batch", None)
        done: dict[int, _Result] = {}
        if previous is not None and previous[0] is batch:
            done = dict(previous[1])
        self._failed.batch = None
        todo = [index for index in range(len(batch)) if index not in done]
        error: BaseException | None = None
        outcomes = self._run(call, [batch[i] for i in todo])  # stops early one at a time
        for index, (value, failure) in zip(todo, outcomes, strict=False):
            if failure is None:
                done[index] = cast(_Result, value)
            elif error is None:
                error = failure
        if error is not None:
            self._failed.batch = (batch, done)
            raise error
        return [done[index] for index in range(len(batch))]

    def _run(
        self, call: Callable[[_Item], _Result], items: Sequence[_Item]
    ) -> list[tuple[_Result | None, BaseException | None]]:
        """Each item's (result, error); one after the other stops at the first error."""
        if self._concurrency == 1 or len(items) < 2:
            outcomes: list[tuple[_Result | None, BaseException | None]] = []
            for item in items:
                try:
                    outcomes.append((call(item), None))
                except Exception as exc:  # handed to _resumable, which re-raises it
                    outcomes.append((None, exc))
                    break
            return outcomes
        futures = [self._executor().submit(call, item) for item in items]
        return [
            (None, error) if (error := future.exception()) is not None else (future.result(), None)
            for future in futures
        ]

    def _executor(self) -> ThreadPoolExecutor:
        # Threads do not survive fork: a worker process forked from a parent that used
        # this queue builds its own pool.
        if self._pool is None or self._pool_pid != os.getpid():
            self._pool = ThreadPoolExecutor(self._concurrency, thread_name_prefix="azure-queue")
            self._pool_pid = os.getpid()
        return self._pool

    def _wire_text(self, message: OutgoingMessage) -> str:
        text = message.body
        if message.attributes:
            text = _dump({"$sr": 1, "body": text, "attributes": dict(message.attributes)})
        if self._wire_size(text) <= SERVICE_LIMIT:
            return text
        # Base64 (or an envelope) pushed a body under 64 KiB over the service limit.
        if self._claims is None or _envelope(message.body) is not None:
            raise MessageTooLarge(f"{self.name}: {self._wire_size(text)} bytes on the wire")
        return self._offload(message).body

    def _wire_size(self, text: str) -> int:
        raw = text.encode("utf-8")
        return len(base64.b64encode(raw)) if self._encoding == "base64" else len(raw)

    def _fetch(self, client: Any, count: int, visibility_timeout: int) -> list[Any]:
        with map_azure_errors("queue", self.name):
            pages = client.receive_messages(
                messages_per_page=count, visibility_timeout=visibility_timeout, max_messages=count
            )
            return list(pages)

    def _move_to_poison(self, raw: Any) -> None:
        # Same content, same encoding: what Functions does, so its tooling can requeue it.
        with map_azure_errors("queue", self.name):
            self._poison.send_message(raw.content, time_to_live=-1)
        try:
            with map_azure_errors("queue", self.name):
                self._queue.delete_message(raw.id, raw.pop_receipt)
        except ReceiptInvalid:
            pass  # another consumer moved it first; the duplicate poison copy is harmless

    def _to_received(self, raw: Any, which: str) -> ReceivedMessage:
        content = raw.content if isinstance(raw.content, str) else raw.content.decode("utf-8")
        envelope = _envelope(content)
        body, claim, attributes = content, None, {}
        if envelope is not None:
            attributes = {str(k): str(v) for k, v in (envelope.get("attributes") or {}).items()}
            claim = envelope.get("claim")
            body = "" if claim is not None else str(envelope.get("body", ""))
        return ReceivedMessage(
            message_id=str(raw.id),
            body=body,
            receipt=_receipt(which, str(raw.id), str(raw.pop_receipt)),
            receive_count=int(raw.dequeue_count or 1),
            sent_at=raw.inserted_on.timestamp() if raw.inserted_on else time.time(),
            attributes=attributes,
            claim=claim,
        )

    def _parse_receipt(self, receipt: str) -> tuple[Any, str, str]:
        try:
            which, message_id, pop_receipt = json.loads(receipt)
        except (ValueError, TypeError) as exc:
            raise ReceiptInvalid(f"{self.name}: not a receipt of this adapter") from exc
        if which not in (_MAIN, _POISON):
            raise ReceiptInvalid(f"{self.name}: not a receipt of this adapter")
        return (self._queue if which == _MAIN else self._poison), message_id, pop_receipt

    def close(self) -> None:
        """Stop the request threads and close the HTTP sessions of both queue clients."""
        if self._pool is not None and self._pool_pid == os.getpid():
            self._pool.shutdown(wait=True)
        self._pool = None
        self._queue.close()
        self._poison.close()


def queue_clients(
    settings: AzureSettings, context: BuildContext, *names: str, **extra: Any
) -> list[Any]:
    """``QueueClient``s for ``names`` with the encode/decode policies of the settings."""
    from socialreferral.providers.azure._clients import sdk, storage_service

    service = storage_service("queue", settings, context, **extra)
    policies: dict[str, Any] = {}
    if settings.message_encoding == "base64":
        module = sdk("azure.storage.queue")
        policies = {
            "message_encode_policy": module.TextBase64EncodePolicy(),
            "message_decode_policy": module.TextBase64DecodePolicy(),
        }
    return [service.get_queue_client(name, **policies) for name in names]


def _create_queue(client: Any) -> None:
    try:
        with map_azure_errors("queue", str(client.queue_name)):
            client.create_queue()
    except QueueError as exc:
        # An existing queue answers 204 or 409 (QueueAlreadyExists) depending on metadata.
        if error_code(exc.__cause__ or exc) != "QueueAlreadyExists":
            raise


def _receipt(which: str, message_id: str, pop_receipt: str) -> str:
    return json.dumps([which, message_id, pop_receipt], separators=(",", ":"))


def _dump(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _envelope(text: str) -> dict[str, Any] | None:
    if not text.startswith('{"$sr"'):
        return None  # fast path: plain bodies are never parsed
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, dict) and value.get("$sr") == 1 and set(value) <= ENVELOPE_KEYS:
        return value
    return None


__all__ = ["AzureStorageQueue", "queue_clients"]
