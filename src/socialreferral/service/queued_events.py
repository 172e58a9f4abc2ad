"""The body of a queue message between ingestion and the workers.

One message carries one normalised :class:`~socialreferral.domain.social.SocialEvent` plus
the time the webhook was accepted (for the accepted → offer-stored latency) and, when
telemetry is on, the producer's trace context (W3C ``traceparent``), so the worker's span
continues the webhook's trace across the queue hop. One event per
message makes a poison event cost only itself: the others of the same delivery are acked
and only the bad one is isolated.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from socialreferral.domain.json_input import parse_json_object
from socialreferral.domain.social import SocialEvent
from socialreferral.errors import InvalidInput

MESSAGE_VERSION = 1
MAX_MESSAGE_BYTES = 256 * 1024
"""No body of ours is near this; anything larger was not written by ingestion."""
MAX_TRACE_ENTRIES, MAX_TRACE_CHARS = 8, 512
"""Bounds of the trace carrier (a traceparent is 55 characters, a tracestate ≤ 512)."""


@dataclass(frozen=True, slots=True)
class QueuedEvent:
    """A decoded queue message."""

    event: SocialEvent
    accepted_at: float
    trace: Mapping[str, str] = field(default_factory=dict)


def encode_event(event: SocialEvent, accepted_at: float,
                 trace: Mapping[str, str] | None = None) -> str:
    """The queue body for ``event`` accepted at ``accepted_at`` (epoch seconds), with the
    trace context ``trace`` (propagation headers) when given.

    Non-ASCII text stays as UTF-8 (an escaped emoji takes 12 bytes, three times its UTF-8
    size), so the largest event allowed still fits one queue message.
    """
    body = {"v": MESSAGE_VERSION, "accepted_at": accepted_at,
            "event": event.model_dump(mode="json")}
    if trace:
        body["trace"] = dict(trace)
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from code that bypassed the boundary
        text = json.dumps(body, separators=(",", ":"))
    return text


def decode_event(body: str) -> QueuedEvent:
    """Parse a queue body; ``InvalidInput`` naming the field when it is not one of ours
    (not JSON, too large, too deeply nested, another version, an invalid event)."""
    data = parse_json_object(body, field="body", max_bytes=MAX_MESSAGE_BYTES)
    if data.get("v") != MESSAGE_VERSION:
        raise InvalidInput(f"expected an object with v={MESSAGE_VERSION}", field="body.v")
    try:
        event = SocialEvent.model_validate(data.get("event"))
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"])
        raise InvalidInput(exc.errors()[0]["msg"], field=f"body.event.{where}") from None
    accepted = data.get("accepted_at")
    if isinstance(accepted, bool) or not isinstance(accepted, int | float):
        raise InvalidInput("must be a number", field="body.accepted_at")
    return QueuedEvent(event=event, accepted_at=float(accepted),
                       trace=_trace_carrier(data.get("trace")))


def _trace_carrier(value: object) -> dict[str, str]:
    """The message's trace headers; anything malformed or oversized is dropped (telemetry
    never makes a message poison)."""
    if not isinstance(value, dict) or len(value) > MAX_TRACE_ENTRIES:
        return {}
    if not all(isinstance(k, str) and isinstance(v, str) and len(k) + len(v) <= MAX_TRACE_CHARS
               for k, v in value.items()):
        return {}
    return dict(value)


__all__ = ["MAX_MESSAGE_BYTES", "MESSAGE_VERSION", "QueuedEvent", "decode_event",
           "encode_event"]
