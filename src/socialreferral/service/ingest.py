"""Webhook ingestion: signature → normalisation → de-duplication → batch enqueue.

:func:`ingest_webhook` is what a web endpoint calls with the request's headers and raw
body. Two payload formats are accepted:

* ``"meta"`` — Meta Page ``feed`` deliveries (:func:`~socialreferral.domain.webhooks.
  parse_meta_webhook`), signed with ``X-Hub-Signature-256`` using the app secret stored
  in the SecretStore as ``meta-app-secret``;
* ``"generic"`` — the library's documented JSON format (:mod:`socialreferral.domain.
  webhooks.generic`), signed the same way (``X-Hub-Signature-256: sha256=<hex HMAC>``)
  with the secret ``generic-webhook-secret``. Replays and custom sources use it.

Nothing is enqueued unless the signature over the raw body is valid (checked in constant
time by the domain). Entries that fail normalisation are reported in
:attr:`IngestResult.rejected` with their JSON path; the good ones are still enqueued.

De-duplication and crash safety: an event id already marked in the ``seen_events``
collection is dropped. The mark is written *after* the message is enqueued (with a 7-day
TTL, longer than Meta's 36-hour retry window): a crash between the two can only enqueue
an event twice, never lose it, and the worker's effects are idempotent (deterministic ids,
create-only writes), so the duplicate creates nothing visible.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from socialreferral.domain.webhooks import (
    RejectedItem,
    WebhookBatch,
    meta_handshake,
    parse_generic_webhook,
    parse_meta_webhook,
    verify_meta_signature,
)
from socialreferral.errors import InvalidInput
from socialreferral.ports import DocumentStore, Queue, SecretStore
from socialreferral.records import OutgoingMessage, WriteItem
from socialreferral.service.messages import encode_event, flush_timings, timing_item
from socialreferral.service.records import Collections, safe_key

SEEN_TTL_SECONDS = 7 * 24 * 3600
"""How long an event id is remembered: a week, well past Meta's 36-hour retries."""

SECRET_NAMES = {"meta": "meta-app-secret", "generic": "generic-webhook-secret"}
VERIFY_TOKEN_SECRET = "meta-verify-token"

_PARSERS = {"meta": parse_meta_webhook, "generic": parse_generic_webhook}


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


def verify_subscription(query: Mapping[str, str], secrets: SecretStore) -> str:
    """Answer Meta's subscription handshake (GET): the challenge to echo back.

    The verify token is the secret ``meta-verify-token``; a mismatch raises
    ``SignatureInvalid`` naming the query parameter.
    """
    return meta_handshake(query, secrets.get_value(VERIFY_TOKEN_SECRET))


def parse_delivery(
    raw_body: bytes,
    headers: Mapping[str, str],
    secrets: SecretStore,
    *,
    source: str = "meta",
    max_body_bytes: int = 2_000_000,
) -> WebhookBatch:
    """Check size and signature, then normalise. Raises before anything is parsed."""
    if source not in _PARSERS:
        raise InvalidInput(f"unknown source {source!r}; use one of {sorted(_PARSERS)}",
                           field="source")
    if not isinstance(raw_body, bytes | bytearray):
        raise InvalidInput("must be the raw request body as bytes", field="body")
    if len(raw_body) > max_body_bytes:
        raise InvalidInput(f"{len(raw_body)} bytes exceeds {max_body_bytes}", field="body")
    verify_meta_signature(bytes(raw_body), headers, secrets.get_value(SECRET_NAMES[source]))
    return _PARSERS[source](bytes(raw_body))


def ingest_webhook(
    headers: Mapping[str, str],
    raw_body: bytes,
    *,
    queue: Queue,
    store: DocumentStore,
    secrets: SecretStore,
    source: str = "meta",
    max_body_bytes: int = 2_000_000,
) -> IngestResult:
    """Verify, normalise, de-duplicate and enqueue one webhook delivery.

    Raises ``SignatureInvalid`` (bad or missing signature) or ``InvalidInput`` (body not
    a delivery at all) with nothing enqueued. Safe to call again with the same delivery.
    """
    started = time.perf_counter()
    batch = parse_delivery(raw_body, headers, secrets, source=source,
                           max_body_bytes=max_body_bytes)
    fresh = []
    duplicates = []
    for event in batch.events:
        if store.find(Collections.SEEN_EVENTS, safe_key(event.event_id)) is None:
            fresh.append(event)
        else:
            duplicates.append(event.event_id)
    accepted_at = time.time()
    message_ids = queue.send_batch(
        [OutgoingMessage(encode_event(event, accepted_at)) for event in fresh]
    )
    if fresh:
        marks = [
            WriteItem(safe_key(e.event_id), {"event_id": e.event_id, "at": accepted_at},
                      ttl=SEEN_TTL_SECONDS)
            for e in fresh
        ]
        if store.supports("batch"):
            store.put_many(Collections.SEEN_EVENTS, marks)
        else:
            for mark in marks:
                store.put(Collections.SEEN_EVENTS, mark.key, mark.value, ttl=mark.ttl)
        # Per-event share of the delivery's handling time: the paper's "webhook" step.
        share = (time.perf_counter() - started) / len(fresh)
        flush_timings(store, [timing_item("webhook", e.event_id, share) for e in fresh])
    return IngestResult(
        enqueued=tuple(e.event_id for e in fresh),
        duplicates=tuple(duplicates),
        rejected=batch.rejected,
        skipped=batch.skipped,
        message_ids=tuple(message_ids),
    )


__all__ = [
    "SECRET_NAMES",
    "SEEN_TTL_SECONDS",
    "VERIFY_TOKEN_SECRET",
    "IngestResult",
    "ingest_webhook",
    "parse_delivery",
    "verify_subscription",
]
