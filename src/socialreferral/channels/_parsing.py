"""The result of normalising one webhook delivery, and shared parsing helpers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pydantic import Field, ValidationError

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


class EntryRejected(Exception):
    """Raised inside a parser for one malformed entry; becomes a :class:`RejectedItem`."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, reason)
        self.path, self.reason = path, reason

    def item(self) -> RejectedItem:
        """The report for this entry."""
        return RejectedItem(path=self.path, reason=self.reason)


class EntrySkipped(EntryRejected):
    """Raised for a well-formed entry this library does not act on (reported as skipped)."""


MAX_ID_CHARS = 128


def brief(value: Any, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters: reasons quote what they refused, and a
    hostile sender must not be able to make a report (or a log line) megabytes long."""
    text = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ident(value: Any, path: str, *, required: bool = True) -> str | None:
    """An id a network may send as a string or a number; ``EntryRejected`` naming ``path``
    when it is missing (and required), not a string/integer, or empty/too long."""
    if value is None or value == "":
        if required:
            raise EntryRejected(path, "missing")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise EntryRejected(path, "expected a string id")
    text = str(value).strip()
    if not text or len(text) > MAX_ID_CHARS:
        raise EntryRejected(path, f"id empty or longer than {MAX_ID_CHARS} characters")
    return text


def event_time(value: Any, path: str, *, milliseconds: bool = False) -> datetime:
    """:func:`parse_time`, with epoch milliseconds when ``milliseconds`` (numbers or
    numeric strings, as X and LinkedIn send them); ``EntryRejected`` naming ``path``."""
    if milliseconds and isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if milliseconds and isinstance(value, int | float) and not isinstance(value, bool):
        value = value / 1000
    try:
        return parse_time(value, path)
    except ValueError as exc:
        raise EntryRejected(path, str(exc).split(": ", 1)[-1]) from None


def first_validation_error(exc: ValidationError, path: str) -> EntryRejected:
    """The first problem pydantic found in a model built from entry ``path``."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"])
    return EntryRejected(f"{path}.{field}" if field else path, first["msg"])


def dedupe(events: Iterable[SocialEvent]) -> tuple[SocialEvent, ...]:
    """Keep the first event of each id, in order."""
    seen: set[str] = set()
    out = []
    for event in events:
        if event.event_id not in seen:
            seen.add(event.event_id)
            out.append(event)
    return tuple(out)


__all__ = [
    "MAX_CHANGES_PER_DELIVERY",
    "MAX_ID_CHARS",
    "EntryRejected",
    "EntrySkipped",
    "RejectedItem",
    "WebhookBatch",
    "brief",
    "dedupe",
    "event_time",
    "first_validation_error",
    "ident",
    "load_json_object",
    "parse_time",
]
