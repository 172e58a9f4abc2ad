"""Webhook ingestion: signature → normalisation → de-duplication → batch enqueue.

:func:`ingest_webhook` is what a web endpoint (or a replay) calls with a registered
:class:`~socialreferral.channels.WebhookChannel`, the request's headers and its raw body.
Nothing is enqueued unless the channel finds the signature over the raw body valid
(checked in constant time). Entries that fail normalisation are reported in
:attr:`IngestResult.rejected` with their JSON path; the good ones are still enqueued.

De-duplication and crash safety: an event id the events repository has seen is dropped.
The mark is written *after* the message is enqueued (with a TTL longer than Meta's
36-hour retry window): a crash between the two can only enqueue an event twice, never
lose it, and the worker's effects are idempotent (deterministic ids, create-only writes),
so the duplicate creates nothing visible.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from socialreferral import observability
from socialreferral.channels import HandshakeReply, RejectedItem, WebhookBatch, WebhookChannel
from socialreferral.domain.social import SocialEvent
from socialreferral.errors import (
    ChannelNotConfigured,
    InvalidInput,
    SecretNotFound,
    SocialReferralError,
)
from socialreferral.ports import Queue, SecretStore
from socialreferral.records import OutgoingMessage
from socialreferral.repositories import Repositories, TimingSample
from socialreferral.service.queued_events import encode_event

DEFAULT_MAX_BODY_BYTES = 2_000_000


@dataclass(frozen=True)
class IngestResult:
    """What one delivery produced.

    ``enqueued`` are the event ids sent to the queue now; ``duplicates`` the ids dropped
    because they were seen before (or twice in this delivery); ``rejected`` the malformed
    entries with their JSON path; ``skipped`` entries of kinds the library does not act on.
    """

    enqueued: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    rejected: tuple[RejectedItem, ...] = ()
    skipped: tuple[RejectedItem, ...] = ()
    message_ids: tuple[str, ...] = field(default=(), repr=False)


def channel_secret(secrets: SecretStore, name: str) -> str:
    """The current value of a channel's secret; ``ChannelNotConfigured`` when missing (a
    server misconfiguration, not a missing resource: the sender should retry later)."""
    try:
        return secrets.get_value(name)
    except SecretNotFound:
        raise ChannelNotConfigured(
            f"the secret {name!r} is not set; set it with: socialreferral secrets set {name}"
        ) from None


def answer_handshake(channel: WebhookChannel, query: Mapping[str, str],
                     secrets: SecretStore) -> HandshakeReply:
    """Answer ``channel``'s subscription check (GET) with its secret from ``secrets``."""
    return channel.handshake(query, lambda name: channel_secret(secrets, name))


def parse_delivery(channel: WebhookChannel, raw_body: bytes, headers: Mapping[str, str],
                   secrets: SecretStore, *,
                   max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> WebhookBatch:
    """Check size and signature, then normalise. Raises before anything is parsed."""
    if not isinstance(raw_body, bytes | bytearray):
        raise InvalidInput("must be the raw request body as bytes", field="body")
    if len(raw_body) > max_body_bytes:
        raise InvalidInput(f"{len(raw_body)} bytes exceeds {max_body_bytes}", field="body")
    channel.verify(bytes(raw_body), headers, channel_secret(secrets, channel.signing_secret))
    return channel.parse(bytes(raw_body))


def ingest_webhook(
    channel: WebhookChannel,
    headers: Mapping[str, str],
    raw_body: bytes,
    *,
    queue: Queue,
    secrets: SecretStore,
    repositories: Repositories,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> IngestResult:
    """Verify, normalise, de-duplicate and enqueue one webhook delivery.

    Raises ``SignatureInvalid`` (bad or missing signature), ``InvalidInput`` (body not a
    delivery at all) or ``ChannelNotConfigured`` with nothing enqueued. Safe to call again
    with the same delivery.
    """
    with observability.span("webhook.ingest", kind="server",
                            attributes={"socialreferral.channel": channel.name}):
        return _ingest(channel, headers, raw_body, queue=queue, secrets=secrets,
                       repositories=repositories, max_body_bytes=max_body_bytes)


def _ingest(channel: WebhookChannel, headers: Mapping[str, str], raw_body: bytes, *,
            queue: Queue, secrets: SecretStore, repositories: Repositories,
            max_body_bytes: int) -> IngestResult:
    started = time.perf_counter()
    try:
        batch = parse_delivery(channel, raw_body, headers, secrets,
                               max_body_bytes=max_body_bytes)
    except SocialReferralError as exc:
        observability.count("socialreferral.webhook.rejections", reason=type(exc).__name__)
        raise
    events = repositories.events
    fresh: list[SocialEvent] = []
    duplicates: list[SocialEvent] = []
    seen = events.seen_among(e.event_id for e in batch.events)
    for event in batch.events:
        (duplicates if event.event_id in seen else fresh).append(event)
    accepted_at = time.time()
    with observability.span("queue.send", kind="producer",
                            attributes={"messaging.batch.message_count": len(fresh)}):
        # The producer span's context rides in every message: the worker continues it.
        trace = observability.carrier()
        message_ids = queue.send_batch(
            [OutgoingMessage(encode_event(event, accepted_at, trace)) for event in fresh])
    if fresh:
        events.mark_seen([e.event_id for e in fresh], accepted_at)
        # Per-event share of the delivery's handling time: the paper's "webhook" step.
        share = (time.perf_counter() - started) / len(fresh)
        repositories.timings.add(TimingSample("webhook", e.event_id, share) for e in fresh)
        observability.count("socialreferral.webhook.events", len(fresh),
                            channel=channel.name)
    for reason, items in (("malformed_entry", batch.rejected), ("duplicate", duplicates)):
        if items:
            observability.count("socialreferral.webhook.rejections", len(items), reason=reason)
    return IngestResult(
        enqueued=tuple(e.event_id for e in fresh),
        duplicates=tuple(e.event_id for e in duplicates),
        rejected=batch.rejected,
        skipped=batch.skipped,
        message_ids=tuple(message_ids),
    )


__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "IngestResult",
    "answer_handshake",
    "channel_secret",
    "ingest_webhook",
    "parse_delivery",
]
