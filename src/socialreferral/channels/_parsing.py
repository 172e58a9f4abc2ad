"""The result of normalising one webhook delivery, and shared parsing helpers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain.json_input import parse_json_object
from socialreferral.domain.social import SocialEvent

MAX_CHANGES_PER_DELIVERY = 1000
"""Meta's documented maximum of changes in one delivery; more is refused outright."""


class RejectedItem(DomainModel):
    """One entry that could not be normalised: where it is and why."""

    path: str = Field(description='JSON path, e.g. "entry[2].changes[0].value.from.id"')
    reason: str


class WebhookBatch(DomainModel):
    """Events normalised from one delivery.

    ``events`` are de-duplicated by ``event_id`` (first one wins); ``rejected`` are
    malformed entries (worth logging and alerting on); ``skipped`` are well-formed changes
    this library does not act on (another field, an unsupported item type).
    """

    events: tuple[SocialEvent, ...] = ()
    rejected: tuple[RejectedItem, ...] = ()
    skipped: tuple[RejectedItem, ...] = ()

    @property
    def event_ids(self) -> list[str]:
        return [e.event_id for e in self.events]


def load_json_object(raw_body: bytes) -> dict[str, Any]:
    """Parse the body; ``InvalidInput(field="body")`` if it is not a JSON object, not
    UTF-8, or nested deeper than :data:`~socialreferral.domain.json_input.MAX_DEPTH`."""
    return parse_json_object(raw_body, field="body")


def parse_time(value: Any, path: str) -> datetime:
    """Unix seconds, or ISO 8601 with a zone ("+0000" as Meta writes it, or "Z")."""
    if isinstance(value, bool):
        raise ValueError(f"{path}: not a time")
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise ValueError(f"{path}: timestamp out of range") from exc
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"{path}: not an ISO 8601 time") from exc
        if parsed.tzinfo is None:
            raise ValueError(f"{path}: time has no timezone")
        return parsed
    raise ValueError(f"{path}: not a time")


def dedupe(events: Iterable[SocialEvent]) -> tuple[SocialEvent, ...]:
    """Keep the first event of each id, in order."""
    seen: set[str] = set()
    out = []
    for event in events:
        if event.event_id not in seen:
            seen.add(event.event_id)
            out.append(event)
    return tuple(out)
