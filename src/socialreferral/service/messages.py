"""The body of a queue message between ingestion and the workers, and step timings.

One message carries one normalised :class:`~socialreferral.domain.social.SocialEvent` plus
the time the webhook was accepted (for the accepted → offer-stored latency). Keeping one
event per message makes a poison event cost only itself: the others in the same delivery
are acked and only the bad one goes to the dead-letter queue.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from socialreferral.domain.social import SocialEvent
from socialreferral.errors import InvalidInput
from socialreferral.ports import DocumentStore
from socialreferral.records import WriteItem
from socialreferral.service.records import Collections, safe_key

MESSAGE_VERSION = 1


@dataclass(frozen=True, slots=True)
class EventMessage:
    """A decoded queue message."""

    event: SocialEvent
    accepted_at: float


def encode_event(event: SocialEvent, accepted_at: float) -> str:
    """The queue body for ``event`` accepted at ``accepted_at`` (epoch seconds)."""
    return json.dumps(
        {"v": MESSAGE_VERSION, "accepted_at": accepted_at, "event": event.model_dump(mode="json")},
        separators=(",", ":"),
    )


def decode_event(body: str) -> EventMessage:
    """Parse a queue body; ``InvalidInput`` naming the field when it is not one of ours."""
    try:
        data: Any = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not JSON: {exc}", field="body") from exc
    if not isinstance(data, dict) or data.get("v") != MESSAGE_VERSION:
        raise InvalidInput(f"expected an object with v={MESSAGE_VERSION}", field="body.v")
    try:
        event = SocialEvent.model_validate(data.get("event"))
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"])
        raise InvalidInput(exc.errors()[0]["msg"], field=f"body.event.{where}") from exc
    accepted = data.get("accepted_at")
    if not isinstance(accepted, int | float):
        raise InvalidInput("must be a number", field="body.accepted_at")
    return EventMessage(event=event, accepted_at=float(accepted))


# Step names match the rows of the paper's Table 2 (seed 000, Section 7.1).
STEPS = {
    "post": "Post messages related to the offers in the Facebook App",
    "webhook": "Webhook trigger to POST the updated or added message to Azure Web API",
    "semantic": "Determine semantic meaning of POST message",
    "influence": "Computing social influence",
    "incentive": "Calculate personalized incentives",
    "offer": "Offer generation and rewards",
}
PAPER_SECONDS = {
    "post": 0.89,
    "webhook": 1.34,
    "semantic": 1.98,
    "influence": 2.34,
    "incentive": 5.78,
    "offer": 2.1,
}


def timing_item(step: str, record_id: str, seconds: float) -> WriteItem:
    """One duration sample as a write (keyed, so a retried step overwrites, not adds)."""
    return WriteItem(
        safe_key(step, record_id),
        {"step": step, "record_id": record_id, "seconds": seconds, "at": time.time()},
    )


def record_timing(store: DocumentStore, step: str, record_id: str, seconds: float) -> None:
    """Store one duration sample."""
    item = timing_item(step, record_id, seconds)
    store.put(Collections.TIMINGS, item.key, item.value)


def flush_timings(store: DocumentStore, items: list[WriteItem]) -> None:
    """Store many samples in one batch when the store can (they are bookkeeping only)."""
    if not items:
        return
    if store.supports("batch"):
        store.put_many(Collections.TIMINGS, items)
    else:
        for item in items:
            store.put(Collections.TIMINGS, item.key, item.value)
    items.clear()


__all__ = [
    "MESSAGE_VERSION",
    "PAPER_SECONDS",
    "STEPS",
    "EventMessage",
    "decode_event",
    "encode_event",
    "flush_timings",
    "record_timing",
    "timing_item",
]
