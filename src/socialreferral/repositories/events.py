"""Social events: the de-duplication marks of ingestion and the record of processing.

Collections: ``seen_events`` (event id → when it was accepted, with a TTL longer than any
network's redelivery window), ``events`` (what the worker concluded about each event:
matched or not, the product, the sentiment; the report's first funnel stages) and
``rejected_messages`` (queue messages that were not ours and were dropped on a queue
without a dead-letter queue: id, reason, size and digest — never the body, which may hold
personal data).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from socialreferral.records import WriteItem
from socialreferral.repositories._base import Repository, safe_key
from socialreferral.repositories.erasure import Erasure

SEEN_EVENTS = "seen_events"
EVENTS = "events"
REJECTED = "rejected_messages"
_REASON_CHARS = 500

SEEN_TTL_SECONDS = 7 * 24 * 3600
"""How long an event id is remembered: a week, well past Meta's 36-hour retries."""


@dataclass(frozen=True, slots=True)
class ProcessedEvent:
    """What processing one event concluded (keyed by event id: a redelivery rewrites)."""

    event_id: str
    network: str
    author_id: str
    matched: bool
    product_id: str | None
    sentiment: str
    score: float
    accepted_at: float
    processed_at: float


class EventRepository(Repository):
    """De-duplication marks and processing records of social events."""

    collections = (SEEN_EVENTS, EVENTS, REJECTED)

    def seen(self, event_id: str) -> bool:
        """True if ``event_id`` was accepted before (within :data:`SEEN_TTL_SECONDS`)."""
        return self._store.find(SEEN_EVENTS, safe_key(event_id)) is not None

    def seen_among(self, event_ids: Iterable[str]) -> set[str]:
        """Those of ``event_ids`` accepted before (one batch read for a delivery)."""
        keys = {safe_key(e): e for e in event_ids}
        return {keys[key] for key in self._store.find_many(SEEN_EVENTS, keys)}

    def mark_seen(self, event_ids: Iterable[str], at: float) -> None:
        """Remember ``event_ids`` as accepted at ``at`` (epoch seconds)."""
        self._put_many(SEEN_EVENTS, [
            WriteItem(safe_key(e), {"event_id": e, "at": at}, ttl=SEEN_TTL_SECONDS)
            for e in event_ids])

    def record_processed(self, records: Sequence[ProcessedEvent]) -> None:
        """Store processing records (one batch write when the store can)."""
        self._put_many(EVENTS, [WriteItem(safe_key(r.event_id), asdict(r)) for r in records])

    def record_rejected(self, message_id: str, body: str, reason: str, at: float) -> None:
        """Record a dropped queue message by its size and digest (not its body)."""
        raw = body.encode("utf-8", "surrogatepass")
        self._store.put(REJECTED, safe_key(message_id), {
            "message_id": message_id, "reason": reason[:_REASON_CHARS], "bytes": len(raw),
            "sha256": hashlib.sha256(raw).hexdigest(), "at": at})

    def rejected(self) -> list[dict[str, Any]]:
        """Records of dropped queue messages."""
        return self._values(REJECTED)

    def processed(self) -> list[ProcessedEvent]:
        """Every processing record (for reports)."""
        names = ProcessedEvent.__dataclass_fields__
        return [ProcessedEvent(**{k: v for k, v in value.items() if k in names})
                for value in self._values(EVENTS)]

    def erase(self, erasure: Erasure) -> None:
        """Events the person authored and their de-duplication marks (a like's event id
        carries its author: ``facebook:<object>:add:like:<person>``)."""
        person_ids = erasure.subject.person_ids
        event_ids: set[str] = set()
        for document in self._where_in(EVENTS, "author_id", person_ids):
            event_ids.add(str(document.value.get("event_id", "")))
            erasure.count("events", int(self._store.delete(EVENTS, document.key)))
        for document in list(self._store.iter_query(SEEN_EVENTS, page_size=1000)):
            event_id = str(document.value.get("event_id", ""))
            if event_id in event_ids or person_ids & set(event_id.split(":")):
                erasure.count("seen_events", int(self._store.delete(SEEN_EVENTS, document.key)))
        erasure.deleted_records |= event_ids


__all__ = ["SEEN_TTL_SECONDS", "EventRepository", "ProcessedEvent"]
