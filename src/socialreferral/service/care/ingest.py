"""Care ingestion: posts into their threads and conversations, items refreshed.

:func:`ingest_posts` takes :class:`~socialreferral.care.records.IncomingPost` values or
webhook :class:`~socialreferral.domain.social.SocialEvent` values (from the worker's sink,
a replay of recorded deliveries, or a JSON lines file) and, per post:

1. recognises the brand's own posts (``is_brand``, or an author id or handle among the
   configured brand ids and pages): they are agent responses;
2. stores the post in its thread (root tracing with out-of-order re-linking) and
   conversation (:meth:`~socialreferral.repositories.CareThreadRepository.add`), merging
   the queue items of conversations a late ancestor joined;
3. then, once per conversation touched, rescores it with the active ranker and writes
   its item (:func:`~socialreferral.service.care.scoring.refresh`).

Every step is idempotent (create-only posts, etag-guarded items, set-valued author
histories, workflow events derived from timestamps), so a redelivered batch or a crash
half way changes nothing on the second run beyond finishing the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from socialreferral.care.records import IncomingPost
from socialreferral.care.threads import is_brand_author
from socialreferral.domain.social import SocialEvent
from socialreferral.errors import InvalidInput
from socialreferral.service.care.events import post_from_event
from socialreferral.service.care.scoring import merge_items, refresh

if TYPE_CHECKING:
    from socialreferral.service.care.desk import CareDesk

MAX_INGEST = 10_000  # posts per call


@dataclass
class CareIngestResult:
    """What one ingestion did (counts, and the items refreshed)."""

    posts: int = 0  # new posts stored
    duplicates: int = 0  # posts known already (redeliveries)
    skipped: int = 0  # events that carry no care post (likes, shares, edits...)
    brand_posts: int = 0  # of the new posts, the brand's own (agent responses)
    merged: int = 0  # conversations joined by a late ancestor
    items: list[str] = field(default_factory=list)  # items created or refreshed


def is_brand_post(post: IncomingPost, brand_ids: frozenset[str]) -> bool:
    """True if the brand wrote ``post`` (flag, author id or X handle configured)."""
    return post.is_brand or is_brand_author(post.author_id, brand_ids) or (
        post.author_handle is not None and is_brand_author(post.author_handle, brand_ids))


def ingest_posts(desk: CareDesk, posts: Sequence[IncomingPost | SocialEvent]
                 ) -> CareIngestResult:
    """Store ``posts`` and refresh their conversations' items (module docstring)."""
    if len(posts) > MAX_INGEST:
        raise InvalidInput(f"at most {MAX_INGEST} posts per call", field="posts")
    result = CareIngestResult()
    threads = desk.repositories.care_threads
    touched: dict[str, None] = {}
    for raw in posts:
        post = post_from_event(raw) if isinstance(raw, SocialEvent) else raw
        if post is None:
            result.skipped += 1
            continue
        if not isinstance(post, IncomingPost):
            raise InvalidInput("expected IncomingPost or SocialEvent values", field="posts")
        arrival = threads.add(post, is_brand=is_brand_post(post, desk.settings.brand_ids))
        if arrival.created:
            result.posts += 1
            result.brand_posts += int(arrival.record.is_brand)
        else:
            result.duplicates += 1  # still refreshed: a crash may have stopped the item
        for old, new in arrival.merged:
            merge_items(desk, old, new)
            result.merged += 1
        touched[post.post_id] = None
    if not touched:
        return result
    ranker, counts = desk.ranker(), desk.bfi_counts()
    conversations: dict[str, None] = {}
    for post_id in touched:  # re-read: a merge may have moved an earlier post
        record = threads.get(post_id)
        if record is not None:
            conversations[record.conversation_id] = None
    for conversation_id in conversations:
        item = refresh(desk, conversation_id, ranker, counts)
        if item is not None:
            result.items.append(item.ticket_id)
    return result


__all__ = ["MAX_INGEST", "CareIngestResult", "ingest_posts", "is_brand_post"]
