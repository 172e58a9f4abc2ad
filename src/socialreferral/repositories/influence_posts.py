"""Tracked posts: the records every influence aggregate is counted from.

Collection ``influence_posts``: one document per ``(keyword, post id)``
(:class:`~socialreferral.influence.TrackedPost`), written **create-only**, so the first
delivery of a post decides what is stored and a redelivery finds it. Bookkeeping beside
the record: ``_tracked_at`` (when it was stored: how the aggregates tell a redelivery that
may not have been counted yet from an old one), ``_kw_hour`` (``<keyword>:<hour>``, the
index of an hour's posts) and ``_kw`` is the record's own ``keyword`` field. Reads by
author (``author_id``) serve erasure and repairs.

The record is the person's data (their public counters, text, place): erasure deletes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from socialreferral.errors import DocumentExists
from socialreferral.influence.rebuild import hour_of
from socialreferral.influence.records import TrackedPost
from socialreferral.records import Document, Filter, WriteItem
from socialreferral.repositories._base import Repository, dump, load, safe_key
from socialreferral.repositories.erasure import Erasure

POSTS = "influence_posts"


@dataclass(frozen=True, slots=True)
class StoredPost:
    """A tracked post as stored, and when it was first stored (epoch seconds)."""

    post: TrackedPost
    tracked_at: float


def post_key(keyword: str, post_id: str) -> str:
    """The document key of a tracked post."""
    return safe_key(keyword, post_id)


def hour_index(keyword: str, hour: int) -> str:
    """The ``_kw_hour`` value of a keyword's hour (hours since the epoch)."""
    return f"{keyword}:{hour}"


def _stored(document: Document) -> StoredPost:
    return StoredPost(load(TrackedPost, document.value),
                      float(document.value.get("_tracked_at", 0.0)))


class TrackedPostRepository(Repository):
    """Tracked-post records: create-only writes, reads by keyword, hour and author."""

    collections = (POSTS,)

    def add(self, posts: Sequence[TrackedPost], now: float) -> list[tuple[StoredPost, bool]]:
        """Store each post unless its ``(keyword, post id)`` is stored already.

        Returns, in input order, the stored version of each post and whether this call
        created it. A post stored before (a redelivery) comes back as it was first
        stored, so a re-run counts what the first run counted even if the models that
        produced the record have changed since.
        """
        unique: dict[str, TrackedPost] = {}
        for post in posts:
            unique.setdefault(post_key(post.keyword, post.post_id), post)
        values = {key: dump(post, tracked_at=now, kw_hour=hour_index(post.keyword, hour_of(post)))
                  for key, post in unique.items()}
        result = self._store.put_many(
            POSTS, [WriteItem(key, value, create_only=True) for key, value in values.items()])
        existing: dict[str, StoredPost] = {}
        for key, error in result.failed.items():
            if not isinstance(error, DocumentExists):
                raise error
            document = self._store.find(POSTS, key)
            if document is not None:
                existing[key] = _stored(document)
            else:  # erased between the two calls: this delivery is new again
                self._store.put(POSTS, key, values[key])
        out: list[tuple[StoredPost, bool]] = []
        seen: set[str] = set()
        for post in posts:
            key = post_key(post.keyword, post.post_id)
            if key in existing:
                out.append((existing[key], False))
            else:
                out.append((StoredPost(post, now), key not in seen))
            seen.add(key)
        return out

    def get(self, keyword: str, post_id: str) -> StoredPost | None:
        """One stored post, or None."""
        document = self._store.find(POSTS, post_key(keyword, post_id))
        return None if document is None else _stored(document)

    def of_keyword(self, keyword: str) -> Iterator[StoredPost]:
        """Every stored post about ``keyword``."""
        for document in self._store.iter_query(POSTS, {"keyword": keyword}, page_size=1000):
            yield _stored(document)

    def of_hour(self, keyword: str, hour: int) -> list[StoredPost]:
        """The stored posts of one hour (hours since the epoch) of ``keyword``."""
        return [_stored(d) for d in self._store.iter_query(
            POSTS, {"_kw_hour": hour_index(keyword, hour)}, page_size=1000)]

    def of_author(self, keyword: str, author_id: str) -> list[StoredPost]:
        """The stored posts of one author about ``keyword``."""
        return [_stored(d) for d in self._store.iter_query(
            POSTS, [Filter("author_id", "eq", author_id), Filter("keyword", "eq", keyword)],
            page_size=1000)]

    def of_authors(self, author_ids: Iterable[str]) -> list[StoredPost]:
        """The stored posts of these authors, on every keyword."""
        return [_stored(d) for d in self._where_in(POSTS, "author_id", author_ids)]

    def erase(self, erasure: Erasure) -> None:
        """The person's tracked posts (their text, counters and place). The aggregates
        counted from them are repaired first, by the aggregate repository, which comes
        before this one in the bundle."""
        self._delete_where_in(POSTS, "author_id", erasure.subject.person_ids,
                              "influence_posts", erasure)


__all__ = ["POSTS", "StoredPost", "TrackedPostRepository", "hour_index", "post_key"]
