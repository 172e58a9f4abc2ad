"""AzureStorageQueue against Azurite 3.35.0 (Queue + Blob services, in memory).

What Azurite does not cover: real Azure's throttling and latency, geo-replication, the
exact 64 KiB accounting of the production service (Azurite enforces the same limit), and
Azure Functions itself (interoperability is shown by a second, independently configured
client reading what the adapter wrote, not by a Functions host).
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from azure_emulators import Azurite

from socialreferral.errors import TransientError
from socialreferral.ports import Queue, RetryPolicy
from socialreferral.providers import BuildContext
from socialreferral.providers.azure.claim_check import BlobClaimCheck
from socialreferral.providers.azure.queue import AzureStorageQueue, queue_clients
from socialreferral.providers.azure.settings import AzureSettings
from socialreferral.records import ReceivedMessage
from socialreferral.testing.contracts.queue import QueueContract

pytestmark = pytest.mark.azure
BACKEND = "Azurite 3.35.0"


def settings_for(azurite: Azurite, **overrides: Any) -> AzureSettings:
    fields: dict[str, Any] = {
        "storage_connection_string": azurite.connection_string,
        "queue_name": f"q{uuid.uuid4().hex[:16]}",
        "claim_check_container": "claims",
    }
    return AzureSettings(**(fields | overrides))


def build_queue(settings: AzureSettings, **options: Any) -> AzureStorageQueue:
    context = BuildContext()
    main, poison = queue_clients(settings, context, settings.queue_name, settings.poison_queue_name)
    claims = BlobClaimCheck.from_settings(settings, context, prefix=f"{settings.queue_name}/")
    return AzureStorageQueue(
        main,
        poison,
        claim_check=claims,
        encoding=settings.message_encoding,
        max_receives=options.get("max_receives"),
        visibility_timeout=options.get("visibility_timeout", 30),
        retry=RetryPolicy(attempts=3, initial_wait=0.01, max_wait=0.05),
    )


def blob_exists(queue: AzureStorageQueue, pointer: str) -> bool:
    claims = queue._claims
    assert claims is not None
    name = pointer.partition("/")[2]
    return bool(claims._container.get_blob_client(name).exists())


class AzureQueueFixtures:
    encoding = "base64"

    @pytest.fixture
    def backend(self) -> str:
        return f"{BACKEND}, message_encoding={self.encoding}"

    @pytest.fixture
    def make_queue(self, azurite: Azurite) -> Iterator[Callable[..., Queue]]:
        made: list[AzureStorageQueue] = []

        def make(**options: Any) -> Queue:
            settings = settings_for(azurite, message_encoding=self.encoding)
            made.append(build_queue(settings, **options))
            return made[-1]

        yield make
        for queue in made:
            queue.close()


class TestAzureQueueContractBase64(AzureQueueFixtures, QueueContract):
    """The conformance kit on Azurite 3.35.0 with Functions' base64 encoding.

    Not covered: production throttling and latency (Azurite answers at once)."""

    encoding = "base64"
    # oldest_age peeks, and a peek sees visible messages only (the adapter's docstring)
    oldest_age_sees_in_flight = False

    def assert_claim_released(self, queue: Queue, message: ReceivedMessage) -> None:
        assert isinstance(queue, AzureStorageQueue) and message.claim is not None
        assert not blob_exists(queue, message.claim), "claim-check blob survived the ack"


class TestAzureQueueContractPlainText(TestAzureQueueContractBase64):
    """The conformance kit on Azurite 3.35.0 with message_encoding="none" (XML-escaped
    text on the wire). Not covered: control characters, which XML cannot carry."""

    encoding = "none"


def test_poison_queue_after_max_dequeue(azurite: Azurite) -> None:
    """Against Azurite: with max_dequeue=3 the 4th delivery attempt moves the message,
    unchanged, to ``<queue>-poison``, where a plain QueueClient (as Azure Functions would)
    finds it. Not covered: the Functions host itself."""
    settings = settings_for(azurite, max_dequeue=3)
    queue = AzureStorageQueue.from_settings(settings, BuildContext())
    queue.send("never works")
    for attempt in (1, 2, 3):
        [message] = queue.receive(32, visibility_timeout=30)
        assert message.receive_count == attempt
        queue.release(message)
    assert queue.receive(32) == []
    [poison_client] = queue_clients(settings, BuildContext(), f"{settings.queue_name}-poison")
    [raw] = list(poison_client.peek_messages(max_messages=32))
    assert raw.content == "never works"
    [dead] = queue.dead_letters()
    assert dead.body == "never works"
    queue.ack(dead)
    assert list(poison_client.peek_messages(max_messages=32)) == []
    queue.close()


def test_100_kib_message_through_blob_claim_check(azurite: Azurite) -> None:
    """Against Azurite (Queue + Blob): a 100 KiB body is stored as a blob, the queue holds
    only a small pointer, the body round-trips, and the blob is deleted on ack.
    Not covered: blob lifecycle policies for bodies of messages that are never acked."""
    settings = settings_for(azurite)
    queue = AzureStorageQueue.from_settings(settings, BuildContext())
    body = ("0123456789abcdef" * 64) * 100  # 100 KiB
    queue.send(body, attributes={"kind": "big"})
    [raw_client] = queue_clients(settings, BuildContext(), settings.queue_name)
    [raw] = list(raw_client.peek_messages())
    assert len(raw.content) < 1024 and '"claim"' in raw.content
    [message] = queue.receive(32)
    assert message.body == body and message.claim is not None
    assert dict(message.attributes) == {"kind": "big"}
    assert blob_exists(queue, message.claim)
    queue.ack(message)
    assert not blob_exists(queue, message.claim)
    queue.close()


def test_base64_threshold_is_48_kib_of_raw_bytes(azurite: Azurite) -> None:
    """Against Azurite: with base64 a 50 KiB body (67 KiB encoded) goes through the claim
    check although it is under the 64 KiB service limit; with encoding "none" the same body
    is sent inline. Not covered: the production service's exact limit accounting."""
    body = "b" * (50 * 1024)
    for encoding, claim_checked in (("base64", True), ("none", False)):
        queue = AzureStorageQueue.from_settings(
            settings_for(azurite, message_encoding=encoding), BuildContext()
        )
        queue.send(body)
        [message] = queue.receive()
        assert message.body == body
        assert (message.claim is not None) is claim_checked, encoding
        queue.ack(message)
        queue.close()


def test_base64_message_read_by_another_client_configured_the_same(azurite: Azurite) -> None:
    """Against Azurite: a message the adapter writes with base64 is base64 of the UTF-8 text
    on the wire (what Azure Functions expects), and a second, independently built adapter
    with the same settings reads it. Not covered: a real Functions host."""
    settings = settings_for(azurite, message_encoding="base64")
    writer = AzureStorageQueue.from_settings(settings, BuildContext())
    reader = AzureStorageQueue.from_settings(settings.model_copy(), BuildContext())
    writer.send("héllo Functions ✓")
    [wire] = queue_clients(
        settings.model_copy(update={"message_encoding": "none"}),
        BuildContext(),
        settings.queue_name,
    )
    [raw] = list(wire.peek_messages())
    assert base64.b64decode(raw.content).decode("utf-8") == "héllo Functions ✓"
    [message] = reader.receive()
    assert message.body == "héllo Functions ✓"
    reader.ack(message)
    writer.close()
    reader.close()


class _FailFirst:
    """An azure-core transport wrapper that answers the first ``n`` requests with 503."""

    def __init__(self, inner: Any, failures: int, status: int) -> None:
        self.inner, self.failures, self.status, self.seen = inner, failures, status, 0

    def __enter__(self) -> _FailFirst:
        self.inner.__enter__()
        return self

    def __exit__(self, *args: Any) -> None:
        self.inner.__exit__(*args)

    def open(self) -> None:
        self.inner.open()

    def close(self) -> None:
        self.inner.close()

    def send(self, request: Any, **kwargs: Any) -> Any:
        self.seen += 1
        if self.failures > 0 and request.method == "POST":
            self.failures -= 1
            from azure.core.pipeline.transport import HttpResponse

            class Busy(HttpResponse):
                def body(self) -> bytes:
                    return b""

            response = Busy(request, None)
            response.status_code = self.status
            response.reason = "Server Busy"
            response.headers = {"x-ms-error-code": "ServerBusy"}
            return response
        return self.inner.send(request, **kwargs)


@pytest.mark.parametrize("status", [429, 503])
def test_throttled_send_is_retried(azurite: Azurite, status: int) -> None:
    """Against Azurite behind a transport that answers the first two sends with ``status``:
    the send is retried by the port's RetryPolicy and lands once; with fewer attempts than
    failures it raises TransientError. Not covered: Retry-After headers of the real service.
    """
    from azure.core.pipeline.transport import RequestsTransport

    settings = settings_for(azurite)
    transport = _FailFirst(RequestsTransport(), failures=2, status=status)
    main, poison = queue_clients(
        settings, BuildContext(), settings.queue_name, "unused-poison", transport=transport
    )
    queue = AzureStorageQueue(
        main, poison, retry=RetryPolicy(attempts=3, initial_wait=0.01, max_wait=0.02)
    )
    queue.send("after the storm")
    [message] = queue.receive()
    assert message.body == "after the storm"
    queue.ack(message)
    transport.failures = 5
    queue.retry = RetryPolicy(attempts=2, initial_wait=0.01, max_wait=0.02)
    with pytest.raises(TransientError):
        queue.send("still busy")
    queue.close()


def test_wait_seconds_polls_until_a_message_arrives(azurite: Azurite) -> None:
    """Against Azurite: receive(wait_seconds=) polls (Queue Storage has no long polling)
    and returns as soon as a delayed message becomes visible. Not covered: cost of polling
    on the real service (each poll is a billed transaction)."""
    queue = AzureStorageQueue.from_settings(settings_for(azurite), BuildContext())
    queue.send("soon", delay_seconds=1)
    started = time.monotonic()
    [message] = queue.receive(wait_seconds=5)
    assert 0.8 <= time.monotonic() - started < 4
    queue.ack(message)
    queue.close()


class _InFlight:
    """An azure-core transport that counts requests in flight at once (each held 20 ms so
    overlapping ones are seen) and can fail the n-th POST (a send) with a 503."""

    def __init__(self, inner: Any, fail_post: int | None = None) -> None:
        self.inner, self.fail_post = inner, fail_post
        self.now = self.peak = self.posts = 0
        self.lock = threading.Lock()

    def __enter__(self) -> _InFlight:
        self.inner.__enter__()
        return self

    def __exit__(self, *args: Any) -> None:
        self.inner.__exit__(*args)

    def open(self) -> None:
        self.inner.open()

    def close(self) -> None:
        self.inner.close()

    def send(self, request: Any, **kwargs: Any) -> Any:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
            if request.method == "POST":
                self.posts += 1
                failing = self.posts == self.fail_post
            else:
                failing = False
        try:
            time.sleep(0.02)
            if failing:
                return _FailFirst(self.inner, failures=1, status=503).send(request, **kwargs)
            return self.inner.send(request, **kwargs)
        finally:
            with self.lock:
                self.now -= 1


def _queue_over(azurite: Azurite, transport: Any, **options: Any) -> AzureStorageQueue:
    settings = settings_for(azurite)
    main, poison = queue_clients(
        settings, BuildContext(), settings.queue_name, settings.poison_queue_name,
        transport=transport,
    )  # fmt: skip
    return AzureStorageQueue(
        main, poison, retry=RetryPolicy(attempts=3, initial_wait=0.01, max_wait=0.02), **options
    )


def assert_overlap(peak: int, concurrency: int) -> None:
    # One at a time means exactly one; with a pool, overlap but never above the bound.
    assert peak == 1 if concurrency == 1 else 1 < peak <= concurrency


@pytest.mark.parametrize("concurrency", [1, 8])
def test_batch_sends_and_deletes_overlap_and_keep_order(azurite: Azurite, concurrency: int) -> None:
    """Against Azurite through a counting transport: a batch of 32 sends and its acks run
    up to ``concurrency`` requests at once (Queue Storage has no batch call), the ids come
    back in the order of the messages, and every message arrives once."""
    from azure.core.pipeline.transport import RequestsTransport

    transport = _InFlight(RequestsTransport())
    queue = _queue_over(azurite, transport, concurrency=concurrency)
    bodies = [f"message {i}" for i in range(32)]
    ids = queue.send_batch(bodies)
    assert_overlap(transport.peak, concurrency)
    received: list[ReceivedMessage] = []
    while len(received) < 32:
        batch = queue.receive(32)
        assert batch, "messages went missing"
        received.extend(batch)
    assert sorted(m.body for m in received) == sorted(bodies)
    assert [dict((m.message_id, m.body) for m in received)[i] for i in ids] == bodies
    transport.peak = 0
    queue.ack(*received)
    assert_overlap(transport.peak, concurrency)
    assert queue.depth() == 0
    queue.close()


def test_retried_batch_sends_only_what_failed(azurite: Azurite) -> None:
    """Against Azurite through a transport that answers the 5th send of a 16-message batch
    with 503: all other sends of that attempt finish, the base's retry sends only the failed
    one, and the queue holds each message exactly once (no duplicate from the retry)."""
    from azure.core.pipeline.transport import RequestsTransport

    transport = _InFlight(RequestsTransport(), fail_post=5)
    queue = _queue_over(azurite, transport, concurrency=4)
    bodies = [f"message {i}" for i in range(16)]
    queue.send_batch(bodies)
    assert transport.posts == 17  # 16 sends and one resend: nothing sent twice
    received: list[ReceivedMessage] = []
    while batch := queue.receive(32):
        received.extend(batch)
    assert sorted(m.body for m in received) == sorted(bodies)
    queue.ack(*received)
    queue.close()


def test_concurrency_must_be_positive(azurite: Azurite) -> None:
    """Against Azurite's client objects (no request made): concurrency 0 is refused."""
    from socialreferral.errors import InvalidInput

    settings = settings_for(azurite)
    main, poison = queue_clients(settings, BuildContext(), settings.queue_name, "p-unused")
    with pytest.raises(InvalidInput):
        AzureStorageQueue(main, poison, create=False, concurrency=0)


def test_oldest_age_sees_only_visible_messages(azurite: Azurite) -> None:
    """Against Azurite: the documented limit of the peek behind ``oldest_age`` — a message
    in flight (or sent with a delay) is not seen, one made visible again is."""
    queue = build_queue(settings_for(azurite))
    queue.send("slow")
    queue.send("later", delay_seconds=60)
    time.sleep(1.2)
    assert queue.oldest_age() >= 1.0
    [message] = queue.receive(1, visibility_timeout=60)
    assert queue.oldest_age() == 0.0  # in flight and delayed: nothing visible to peek at
    queue.release(message)
    assert queue.oldest_age() >= 1.0
    queue.close()
