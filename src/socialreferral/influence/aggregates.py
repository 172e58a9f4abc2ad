"""Incremental aggregates: each tracked post updates the state as it arrives.

:class:`InfluenceAggregates` wraps an :class:`~socialreferral.influence.state.InfluenceState`
and keeps it equal to :func:`~socialreferral.influence.rebuild.recompute_state` of the posts
added so far, in any order (tested by property, benchmarked on 100,000 posts).

Contract with the caller (a repository):

* :meth:`add` once per stored post: de-duplication belongs to the create-only write of the
  post record, which knows whether the post is new. ``add`` returns the keys of the
  entries it touched so that only those are written back;
* :meth:`remove` takes posts out again (erasure of a person, a deleted post). Counters are
  exact. Extremes (an author's best tweet, first/last post, an hour's top posts) cannot be
  "un-maxed" from counters alone, so when a removed post may have been one, ``remove``
  names the entry in the returned :class:`RepairPlan`; :meth:`repair` rebuilds exactly
  those entries from their remaining stored posts. Erasing a person's posts removes their
  author entries outright, so only hours whose top posts included theirs need a repair;
* :meth:`recompute` rebuilds everything from stored posts (the periodic drift repair).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

from socialreferral.errors import InvalidInput
from socialreferral.influence.rebuild import (
    author_stats,
    hour_of,
    hour_stats,
    recompute_state,
)
from socialreferral.influence.records import SENTIMENTS, TrackedPost
from socialreferral.influence.state import (
    REF_TEXT,
    TOP_POSTS_PER_HOUR,
    AuthorStats,
    InfluenceState,
    KeywordState,
    PostRef,
    new_hour,
)

_INDEX = {s: i for i, s in enumerate(SENTIMENTS)}
_CREATED = attrgetter("created_at")


class Touched(NamedTuple):
    """The entries one post changed: ``(keyword, author_id)`` and ``(keyword, hour)``."""

    keyword: str
    author_id: str
    hour: int


@dataclass(slots=True)
class RepairPlan:
    """Entries whose extremes a removal may have invalidated (see :meth:`repair`)."""

    authors: set[tuple[str, str]] = field(default_factory=set)
    hours: set[tuple[str, int]] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.authors or self.hours)

    def merge(self, other: RepairPlan) -> RepairPlan:
        """Add another plan's entries to this one (returns ``self``)."""
        self.authors |= other.authors
        self.hours |= other.hours
        return self

    def wants(self, post: TrackedPost) -> bool:
        """Whether ``post`` belongs to an entry the plan rebuilds."""
        return (post.keyword, post.author_id) in self.authors or (
            post.keyword,
            hour_of(post),
        ) in self.hours


class InfluenceAggregates:
    """The incrementally maintained state (see the module docstring)."""

    def __init__(self, state: InfluenceState | None = None) -> None:
        self.state = state if state is not None else InfluenceState()

    # ------------------------------------------------------------------ adding
    def add(self, post: TrackedPost) -> Touched:
        """Count one new post; returns the entries it touched."""
        return Touched(post.keyword, post.author_id, self._add(post))

    def add_many(self, posts: Iterable[TrackedPost]) -> None:
        """:meth:`add` each post of a batch.

        The batch is counted in time order: the result does not depend on order, but
        neighbouring posts share hour and author entries, so a shuffled batch runs about
        as fast as a stream (measured: ``benchmarks/influence_aggregates.py``).
        """
        add = self._add
        for p in sorted(posts, key=_CREATED):
            add(p)

    def _add(self, post: TrackedPost) -> int:
        # The hot path (tens of thousands of calls a second): attributes are read once into
        # locals, per-sentiment fields are chosen by branches rather than indexing small
        # lists (see HourStats), and a dashboard reference is built only when needed.
        kw, author, pid = post.keyword, post.author_id, post.post_id
        rt, lk = post.retweets, post.likes
        keywords = self.state.keywords
        ks = keywords.get(kw)
        if ks is None:
            ks = keywords[kw] = KeywordState(kw)
        ks.posts += 1
        s = _INDEX[post.sentiment]
        at = int(post.created_at.timestamp())
        milli = round(post.sentiment_score * 1000)
        eng = rt + lk
        ref: PostRef | None = None

        a = ks.authors.get(author)
        if a is None:
            ref = PostRef(pid, author, post.author_handle, at, rt, lk, s, post.text[:REF_TEXT])
            metrics = post.metrics
            statuses = metrics.statuses
            ks.authors[author] = AuthorStats(
                author,
                post.author_handle,
                post.author_name,
                1,
                1 if s == 0 else 0,
                1 if s == 1 else 0,
                1 if s == 2 else 0,
                milli,
                rt,
                lk,
                at,
                at,
                pid,
                statuses,
                statuses,
                metrics,
                post.place,
                post.location,
                ref if s == 0 else None,
                ref if s == 1 else None,
                ref if s == 2 else None,
            )
        else:
            a.posts += 1
            a.score_milli += milli
            a.retweets += rt
            a.likes += lk
            if at < a.first_at:
                a.first_at = at
            if at > a.last_at or (at == a.last_at and pid > a.last_post_id):
                a.last_at, a.last_post_id = at, pid
                a.handle, a.name = post.author_handle, post.author_name
                a.metrics, a.place, a.location = post.metrics, post.place, post.location
            statuses = post.metrics.statuses
            if statuses < a.statuses_min:
                a.statuses_min = statuses
            elif statuses > a.statuses_max:
                a.statuses_max = statuses
            if s == 0:
                a.negative += 1
                b = a.best_negative
            elif s == 1:
                a.neutral += 1
                b = a.best_neutral
            else:
                a.positive += 1
                b = a.best_positive
            if b is None or _beats(eng, at, pid, b):
                ref = PostRef(pid, author, post.author_handle, at, rt, lk, s, post.text[:REF_TEXT])
                if s == 0:
                    a.best_negative = ref
                elif s == 1:
                    a.best_neutral = ref
                else:
                    a.best_positive = ref

        hour = at // 3600
        h = ks.hours.get(hour)
        if h is None:
            h = ks.hours[hour] = new_hour()
        h.posts += 1
        h.score_milli += milli
        h.retweets += rt
        h.likes += lk
        posts_by = h.author_posts
        posts_by[author] = posts_by.get(author, 0) + 1
        if s == 0:
            h.negative += 1
            words = h.words_negative
            neg_by = h.author_negative
            neg_by[author] = neg_by.get(author, 0) + 1
        elif s == 1:
            h.neutral += 1
            words = h.words_neutral
        else:
            h.positive += 1
            words = h.words_positive
        get = words.get
        for w in post.words:
            words[w] = get(w, 0) + 1
        top = h.top
        if len(top) < TOP_POSTS_PER_HOUR or _beats(eng, at, pid, top[-1]):
            if ref is None:
                ref = PostRef(pid, author, post.author_handle, at, rt, lk, s, post.text[:REF_TEXT])
            _insert_top(top, ref, eng)
        return hour

    # ------------------------------------------------------------------ removing
    def remove(self, posts: Iterable[TrackedPost]) -> RepairPlan:
        """Take posts out of the aggregates; see the module docstring for the plan."""
        plan = RepairPlan()
        for post in posts:
            self._remove_one(post, plan)
        # Entries that disappeared entirely need no repair.
        plan.authors = {
            (kw, a)
            for kw, a in plan.authors
            if kw in self.state.keywords and a in self.state.keywords[kw].authors
        }
        plan.hours = {
            (kw, h)
            for kw, h in plan.hours
            if kw in self.state.keywords and h in self.state.keywords[kw].hours
        }
        return plan

    def _remove_one(self, post: TrackedPost, plan: RepairPlan) -> None:
        ks = self.state.keywords.get(post.keyword)
        a = ks.authors.get(post.author_id) if ks else None
        at = int(post.created_at.timestamp())
        hour = at // 3600
        h = ks.hours.get(hour) if ks else None
        if ks is None or a is None or h is None:
            raise InvalidInput(
                f"post {post.post_id!r} on {post.keyword!r} is not in the aggregates",
                field="posts",
            )
        s = _INDEX[post.sentiment]
        label = SENTIMENTS[s]
        milli = round(post.sentiment_score * 1000)
        ks.posts -= 1
        if ks.posts == 0:
            del self.state.keywords[post.keyword]
        a.posts -= 1
        if a.posts == 0:
            del ks.authors[post.author_id]
        else:
            left = getattr(a, label) - 1
            setattr(a, label, left)
            a.score_milli -= milli
            a.retweets -= post.retweets
            a.likes -= post.likes
            best: PostRef | None = getattr(a, f"best_{label}")
            if left == 0:
                setattr(a, f"best_{label}", None)
            elif best is not None and best.post_id == post.post_id:
                plan.authors.add((post.keyword, post.author_id))
            st = post.metrics.statuses
            if (
                at in (a.first_at, a.last_at)
                or post.post_id == a.last_post_id
                or st in (a.statuses_min, a.statuses_max)
            ):
                plan.authors.add((post.keyword, post.author_id))
        h.posts -= 1
        if h.posts == 0:
            del ks.hours[hour]
            return
        setattr(h, label, getattr(h, label) - 1)
        h.score_milli -= milli
        h.retweets -= post.retweets
        h.likes -= post.likes
        words: dict[str, int] = getattr(h, f"words_{label}")
        for w in post.words:
            n = words[w] - 1
            if n:
                words[w] = n
            else:
                del words[w]
        _decrement(h.author_posts, post.author_id)
        if s == 0:
            _decrement(h.author_negative, post.author_id)
        kept = [r for r in h.top if r.post_id != post.post_id]
        if len(kept) != len(h.top):
            h.top[:] = kept
            if h.posts > len(kept):  # a post outside the list may now belong in it
                plan.hours.add((post.keyword, hour))

    def repair(self, plan: RepairPlan, posts: Iterable[TrackedPost]) -> None:
        """Rebuild the plan's entries from their remaining stored posts.

        ``posts`` must include every stored post of each planned entry (others are
        ignored); a count that disagrees with the exact counters raises ``InvalidInput``.
        Plans of several removals may be merged (``RepairPlan.merge``) and repaired once;
        entries that have disappeared since are skipped.
        """
        by_author: dict[tuple[str, str], list[TrackedPost]] = defaultdict(list)
        by_hour: dict[tuple[str, int], list[TrackedPost]] = defaultdict(list)
        for p in posts:
            if (p.keyword, p.author_id) in plan.authors:
                by_author[(p.keyword, p.author_id)].append(p)
            if (p.keyword, hour_of(p)) in plan.hours:
                by_hour[(p.keyword, hour_of(p))].append(p)
        for kw, author_id in plan.authors:
            ks = self.state.keywords.get(kw)
            if ks is None or author_id not in ks.authors:
                continue  # removed since the plan was made: nothing left to repair
            current = ks.authors[author_id]
            group = by_author.get((kw, author_id), [])
            if len(group) != current.posts:
                raise InvalidInput(
                    f"repair of author {author_id!r} on {kw!r} needs all {current.posts} "
                    f"stored posts, got {len(group)}",
                    field="posts",
                )
            ks.authors[author_id] = author_stats(group)
        for kw, hour in plan.hours:
            ks = self.state.keywords.get(kw)
            if ks is None or hour not in ks.hours:
                continue
            current_h = ks.hours[hour]
            group = by_hour.get((kw, hour), [])
            if len(group) != current_h.posts:
                raise InvalidInput(
                    f"repair of hour {hour} on {kw!r} needs all {current_h.posts} stored "
                    f"posts, got {len(group)}",
                    field="posts",
                )
            ks.hours[hour] = hour_stats(group)

    def erase_author(self, author_id: str, posts: Iterable[TrackedPost]) -> RepairPlan:
        """Remove every post of one person (all of them: the caller's stored records)."""
        mine = list(posts)
        if any(p.author_id != author_id for p in mine):
            raise InvalidInput("posts of another author", field="posts")
        plan = self.remove(mine)
        left = [kw for kw, ks in self.state.keywords.items() if author_id in ks.authors]
        if left:
            raise InvalidInput(
                f"author {author_id!r} still has posts on {left}: pass all of their posts",
                field="posts",
            )
        return plan

    # ------------------------------------------------------------------ recompute
    @classmethod
    def recompute(cls, posts: Iterable[TrackedPost]) -> InfluenceAggregates:
        """Aggregates rebuilt from scratch from stored posts (brute force)."""
        return cls(recompute_state(posts))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InfluenceAggregates):
            return NotImplemented
        return self.state == other.state

    __hash__ = None  # type: ignore[assignment]


def _decrement(counts: dict[str, int], key: str) -> None:
    n = counts[key] - 1
    if n:
        counts[key] = n
    else:
        del counts[key]


def _beats(engagement: int, at: int, post_id: str, ref: PostRef) -> bool:
    # ``(engagement, at, post_id) > ref.rank()`` without building tuples: this runs for
    # almost every post, and most comparisons are settled by engagement alone.
    other = ref.retweets + ref.likes
    if engagement != other:
        return engagement > other
    if at != ref.created_at:
        return at > ref.created_at
    return post_id > ref.post_id


def _insert_top(top: list[PostRef], ref: PostRef, engagement: int) -> None:
    # Best first; the list is at most TOP_POSTS_PER_HOUR long, so a linear scan is fastest.
    at, pid = ref.created_at, ref.post_id
    for i, other in enumerate(top):
        if _beats(engagement, at, pid, other):
            top.insert(i, ref)
            break
    else:
        top.append(ref)
    if len(top) > TOP_POSTS_PER_HOUR:
        top.pop()


__all__ = ["InfluenceAggregates", "RepairPlan", "Touched"]
