"""From webhook events to care posts, and the worker hook that feeds the care queue.

:func:`post_from_event` reads the post's own id, its parent and (where the network says
it) its thread root from a :class:`~socialreferral.domain.social.SocialEvent` of any
registered channel:

=============  ==========================  ====================  =========================
network        post id                     parent                root stated
=============  ==========================  ====================  =========================
``facebook``   ``extra.comment_id`` or     ``parent_id``         ``extra.post_id`` (a
               ``extra.post_id``                                 comment's page post)
``x``          ``extra.tweet_id``          ``parent_id`` (the    — (traced by the thread
                                           previous tweet only)  repository)
``linkedin``   ``extra.activity``          ``parent_id``         ``extra.source_post``
other          ``extra.post_id`` or the    ``parent_id``         ``extra.root_id``
               event id
=============  ==========================  ====================  =========================

Only posts and comments carry text to answer; likes, shares, profile updates, removals
and edits are not care posts (the first version of a post is the one scored).

:class:`CareEventSink` is how brand-page events reach the care queue: the referral
:class:`~socialreferral.service.worker.Worker` already receives, decodes, leases and
acknowledges every event, so it hands the events of a batch to its optional ``sinks``
before acknowledging them, and a sink that fails leaves its events' messages unacked
(redelivered; every step here is idempotent). The sink keeps the events whose
``page_id`` is one of the configured brand pages. One queue and one consumer per message
keep the exactly-once reasoning of the worker intact; a second queue would need a second
enqueue in ingestion (a change to an existing use case and a second place to lose or
duplicate an event).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from socialreferral.care.records import IncomingPost
from socialreferral.domain.social import EventKind, SocialEvent

if TYPE_CHECKING:
    from socialreferral.service.care.desk import CareDesk

log = logging.getLogger(__name__)

_NETWORK = re.compile(r"[a-z0-9_-]{1,32}")
_NOT_CONTENT = frozenset({"remove", "hide", "unhide", "edited", "edit"})


def _text(extra: dict[str, Any], key: str) -> str | None:
    value = extra.get(key)
    return value if isinstance(value, str) and value else None


def post_from_event(event: SocialEvent) -> IncomingPost | None:
    """The care post an event carries, or None (not a post/comment, or not usable)."""
    if event.kind not in (EventKind.POST, EventKind.COMMENT):
        return None
    extra = event.extra
    if extra.get("verb") in _NOT_CONTENT:
        return None
    root: str | None = None
    if event.network == "facebook":
        native = _text(extra, "comment_id") or _text(extra, "post_id")
        root = _text(extra, "post_id") if event.kind is EventKind.COMMENT else None
    elif event.network == "x":
        native = _text(extra, "tweet_id")
    elif event.network == "linkedin":
        native = _text(extra, "activity") or _text(extra, "notification_id")
        root = _text(extra, "source_post") if event.kind is EventKind.COMMENT else None
    else:
        native = _text(extra, "post_id") or event.event_id
        root = _text(extra, "root_id")
    if native is None:
        return None
    try:
        return IncomingPost(
            network=event.network if _NETWORK.fullmatch(event.network) else "other",
            native_id=native, author_id=event.author_id, text=event.text[:10_000],
            created_at=event.created_at, parent_native_id=event.parent_id or None,
            root_native_id=root, page_id=event.page_id,
            author_handle=_text(extra, "screen_name"))
    except ValidationError as exc:
        log.warning("event %s is not a usable care post: %s", event.event_id,
                    exc.errors()[0]["msg"])
        return None


@dataclass
class CareEventSink:
    """A worker sink: the events of configured brand pages go into the care queue."""

    desk: CareDesk
    name: str = "care"

    def wants(self, event: SocialEvent) -> bool:
        """True for an event of one of the brand's pages."""
        return bool(event.page_id) and (event.page_id or "").lower() in self.desk.settings.pages

    def consume(self, events: Sequence[SocialEvent]) -> set[str]:
        """Ingest the brand pages' events; return the ids of events that failed (their
        messages stay unacked). Events of other pages are ignored."""
        mine = [e for e in events if self.wants(e)]
        if not mine:
            return set()
        try:
            self.desk.ingest(mine)
        except Exception as exc:  # each one alone, so one bad event costs only itself
            log.warning("care ingestion of a batch failed, retrying one by one: %s", exc)
            failed = set()
            for event in mine:
                try:
                    self.desk.ingest([event])
                except Exception as single:
                    log.warning("care ingestion of event %s failed: %s", event.event_id, single)
                    failed.add(event.event_id)
            return failed
        return set()


__all__ = ["CareEventSink", "post_from_event"]
