"""From the worker's :class:`~socialreferral.domain.social.SocialEvent`\\ s to tracked posts.

:func:`post_from_event` turns an event into the :class:`~socialreferral.influence.
IncomingPost` the tracker reads: posts, replies and quotes with text are tracked (a quote
adds words of its own); retweets are not (they repeat someone else's text, and counting
them would make every retweeter an author of it), nor likes or profile updates. The
author's public counters and free-text location come from ``event.extra`` as the
channels put them there (``channels/x.py``): ``followers_count``, ``friends_count``,
``listed_count``, ``statuses_count``, ``screen_name``, ``author_name``, ``location``,
``account_created_at``, and the post's ``retweet_count`` / ``favorite_count`` when the
network sends them.

:class:`InfluenceSink` is the worker's hook (the ``EventSink`` protocol of
``service/worker.py``: ``name`` and ``consume(events) -> failed ids``): it tracks the
batch's events idempotently, so the redelivery of an event it failed on counts it once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from socialreferral.channels import WebhookChannel
from socialreferral.domain.social import EventKind, SocialEvent
from socialreferral.errors import InvalidInput
from socialreferral.influence.records import MAX_TEXT, AuthorMetrics, IncomingPost
from socialreferral.ports import SecretStore
from socialreferral.service.ingest import DEFAULT_MAX_BODY_BYTES, parse_delivery

if TYPE_CHECKING:
    from socialreferral.service.influence.analytics import InfluenceAnalytics, TrackResult

log = logging.getLogger(__name__)

_TRACKED_KINDS = frozenset({EventKind.POST, EventKind.COMMENT, EventKind.SHARE})
_MAX_ID = 128


def _count(extra: dict[str, Any], *names: str) -> int:
    for name in names:
        value = extra.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return 0


def _text(extra: dict[str, Any], name: str, limit: int) -> str:
    value = extra.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _age_days(extra: dict[str, Any], at: datetime) -> float | None:
    created = extra.get("account_created_at")
    if not isinstance(created, str):
        return None
    try:
        since = datetime.fromisoformat(created)
    except ValueError:
        return None
    if since.tzinfo is None:
        return None
    days = (at - since).total_seconds() / 86_400
    return min(max(days, 0.0), 36_500.0)


def post_id_of(event: SocialEvent) -> str:
    """The tracked post id of an event: its event id, or a digest of a very long one."""
    if len(event.event_id) <= _MAX_ID:
        return event.event_id
    return "h:" + hashlib.sha256(event.event_id.encode("utf-8")).hexdigest()


def post_from_event(event: SocialEvent) -> IncomingPost | None:
    """The post to track for ``event``, or None for an event that is not one (a like, a
    retweet, a post without text, or one whose author fields are unusable)."""
    extra = event.extra
    if event.kind not in _TRACKED_KINDS or not event.text.strip():
        return None
    if event.kind is EventKind.SHARE and extra.get("share") == "retweet":
        return None
    try:
        return IncomingPost(
            post_id=post_id_of(event),
            author_id=event.author_id,
            author_handle=_text(extra, "screen_name", 100),
            author_name=_text(extra, "author_name", 200),
            author_location=_text(extra, "location", 200),
            metrics=AuthorMetrics(
                followers=_count(extra, "followers_count"),
                following=_count(extra, "friends_count", "following_count"),
                listed=_count(extra, "listed_count"),
                statuses=_count(extra, "statuses_count", "tweet_count"),
                account_age_days=_age_days(extra, event.created_at),
            ),
            text=event.text[:MAX_TEXT],
            created_at=event.created_at,
            retweets=_count(extra, "retweet_count"),
            likes=_count(extra, "favorite_count", "like_count"),
        )
    except ValidationError as exc:
        log.warning("event %s is not a trackable post: %s", event.event_id,
                    exc.errors()[0]["msg"])
        return None


def track_delivery(analytics: InfluenceAnalytics, channel: WebhookChannel, raw_body: bytes,
                   headers: Mapping[str, str], secrets: SecretStore, *, verify: bool = True,
                   max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> TrackResult:
    """Track the posts of one recorded webhook delivery (a replay file), straight into
    influence analytics without the queue. With ``verify`` its signature is checked with
    the channel's secret first, exactly as ingestion does; entries the parser rejects are
    skipped (they would be rejected on ingestion too)."""
    if verify:
        batch = parse_delivery(channel, raw_body, headers, secrets,
                               max_body_bytes=max_body_bytes)
    else:
        if len(raw_body) > max_body_bytes:
            raise InvalidInput(f"{len(raw_body)} bytes exceeds {max_body_bytes}",
                               field="body")
        batch = channel.parse(bytes(raw_body))
    return analytics.track_events(list(batch.events))


@dataclass
class InfluenceSink:
    """A worker sink: every trackable event is matched against the tracked keywords,
    stored and counted (each exactly once, so redeliveries are harmless)."""

    analytics: InfluenceAnalytics
    name: str = "influence"

    def consume(self, events: Sequence[SocialEvent]) -> set[str]:
        """Track the batch's events; return the ids of those that failed (their
        messages stay unacked and come back). Events that are not posts are ignored."""
        posts = [(e.event_id, p) for e in events if (p := post_from_event(e)) is not None]
        if not posts:
            return set()
        try:
            self.analytics.track([p for _, p in posts])
        except Exception as exc:  # each one alone, so one bad event costs only itself
            log.warning("influence tracking of a batch failed, retrying one by one: %s", exc)
            failed: set[str] = set()
            for event_id, post in posts:
                try:
                    self.analytics.track([post])
                except Exception as single:
                    log.warning("influence tracking of event %s failed: %s", event_id, single)
                    failed.add(event_id)
            return failed
        return set()


__all__ = ["InfluenceSink", "post_from_event", "post_id_of", "track_delivery"]
