"""The recompute's and erasure's entry-level work for the aggregate repository.

:func:`reconcile` rewrites entries that differ from a recomputation of their posts,
conditionally on the etags read before the posts; :func:`without_authors` takes people out
of an hour shard with the core's ``erase_author`` and ``repair``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from socialreferral.errors import ConcurrencyConflict, InvalidInput
from socialreferral.influence.aggregates import InfluenceAggregates, RepairPlan
from socialreferral.influence.rebuild import author_stats, hour_stats
from socialreferral.influence.records import TrackedPost
from socialreferral.influence.state import HourStats, InfluenceState, KeywordState
from socialreferral.ports import DocumentStore
from socialreferral.records import Document
from socialreferral.repositories.influence_posts import StoredPost

log = logging.getLogger(__name__)

ATTEMPTS = 30
"""Conditional writes tried per entry before giving up (``ConcurrencyConflict``)."""


def reconcile(store: DocumentStore, collection: str, current: Mapping[str, Document],
              expected: Mapping[str, list[StoredPost]],
              value_of: Callable[[str, Sequence[StoredPost]], dict[str, Any] | None],
              model_of: Callable[[Mapping[str, Any]], object],
              reread: Callable[[str], list[StoredPost]]) -> tuple[int, int]:
    """Make every entry of ``current`` and ``expected`` equal to ``value_of`` its posts.

    Writes are conditional on the etags of ``current`` (read before the posts): an entry
    changed since is read again, then its posts (``reread``), and recomputed, so a count a
    worker added meanwhile is kept. Returns (entries rewritten, entries removed).
    """
    fixed = removed = 0
    for key in sorted(set(current) | set(expected)):
        document = current.get(key)
        want = value_of(key, expected.get(key, ()))
        if want is None and document is None:
            continue
        if (want is not None and document is not None
                and model_of(document.value) == model_of(want)):
            continue
        for _ in range(ATTEMPTS):
            try:
                if want is None:
                    assert document is not None
                    store.delete(collection, key, if_match=document.etag)
                elif document is None:
                    store.put(collection, key, want, create_only=True)
                else:
                    store.put(collection, key, want, if_match=document.etag)
                break
            except ConcurrencyConflict:
                # Changed since the snapshot: read the entry first, then its posts.
                document = store.find(collection, key)
                want = value_of(key, reread(key))
                if want is None and document is None:
                    break
                if (want is not None and document is not None
                        and model_of(document.value) == model_of(want)):
                    break
        else:
            raise ConcurrencyConflict(f"{collection}/{key}: still changing during repair")
        if want is None:
            removed += 1
        else:
            fixed += 1
    return fixed, removed


def without_authors(keyword: str, hour: int, stats: HourStats, present: set[str],
                    theirs: list[TrackedPost],
                    rest: Callable[[], list[TrackedPost]]) -> HourStats | None:
    """The shard without the posts of the authors in ``present``: ``erase_author`` and a
    ``repair`` of what it may have invalidated (only then are the other posts read); rebuilt
    from the other posts if the stored posts and the shard's counts disagree (drift, which
    the periodic recompute would fix too)."""
    ks = KeywordState(keyword, posts=stats.posts, hours={hour: stats})
    aggregates = InfluenceAggregates(InfluenceState({keyword: ks}))
    plan = RepairPlan()
    try:
        for author_id in sorted(present):
            posts = [p for p in theirs if p.author_id == author_id]
            if len(posts) != stats.author_posts.get(author_id, 0):
                raise InvalidInput("the shard and the stored posts disagree", field="posts")
            ks.authors[author_id] = author_stats(posts)
            plan.merge(aggregates.erase_author(author_id, posts))
        if plan:
            aggregates.repair(plan, rest())
    except InvalidInput as drift:
        log.warning("hour %s of %r rebuilt during erasure: %s", hour, keyword, drift)
        others = rest()
        return hour_stats(others) if others else None
    if keyword not in aggregates.state.keywords:
        return None
    return ks.hours.get(hour)


__all__ = ["ATTEMPTS", "reconcile", "without_authors"]
