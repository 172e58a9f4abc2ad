"""Brute-force recomputation of the aggregate state from stored posts.

This is deliberately a second, independent implementation of the aggregates: it groups
all posts and computes every field directly (sums, ``min``/``max``, sorting), where
:class:`~socialreferral.influence.aggregates.InfluenceAggregates` updates counters one post
at a time. The periodic repair job runs it over stored posts; tests and
``benchmarks/influence_aggregates.py`` check that the incremental state equals it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from socialreferral.influence.records import SENTIMENTS, TrackedPost
from socialreferral.influence.state import (
    REF_TEXT,
    TOP_POSTS_PER_HOUR,
    AuthorStats,
    HourStats,
    InfluenceState,
    KeywordState,
    PostRef,
)

_INDEX = {s: i for i, s in enumerate(SENTIMENTS)}


def seconds(post: TrackedPost) -> int:
    """Unix seconds of a post (the state's time unit)."""
    return int(post.created_at.timestamp())


def hour_of(post: TrackedPost) -> int:
    """Whole hours since the epoch of a post (the key of its :class:`HourStats`)."""
    return seconds(post) // 3600


def milli(post: TrackedPost) -> int:
    """Sentiment score in integer thousandths."""
    return round(post.sentiment_score * 1000)


def post_ref(post: TrackedPost) -> PostRef:
    """The dashboard reference of a post."""
    return PostRef(
        post.post_id,
        post.author_id,
        post.author_handle,
        seconds(post),
        post.retweets,
        post.likes,
        _INDEX[post.sentiment],
        post.text[:REF_TEXT],
    )


def _rank(post: TrackedPost) -> tuple[int, int, str]:
    return (post.retweets + post.likes, seconds(post), post.post_id)


def author_stats(posts: Sequence[TrackedPost]) -> AuthorStats:
    """An author's entry from all their posts on one keyword."""
    latest = max(posts, key=lambda p: (seconds(p), p.post_id))
    statuses = [p.metrics.statuses for p in posts]
    best: list[PostRef | None] = []
    for label in SENTIMENTS:
        of_label = [p for p in posts if p.sentiment == label]
        best.append(post_ref(max(of_label, key=_rank)) if of_label else None)
    return AuthorStats(
        author_id=latest.author_id,
        handle=latest.author_handle,
        name=latest.author_name,
        posts=len(posts),
        negative=sum(1 for p in posts if p.sentiment == "negative"),
        neutral=sum(1 for p in posts if p.sentiment == "neutral"),
        positive=sum(1 for p in posts if p.sentiment == "positive"),
        score_milli=sum(milli(p) for p in posts),
        retweets=sum(p.retweets for p in posts),
        likes=sum(p.likes for p in posts),
        first_at=min(seconds(p) for p in posts),
        last_at=seconds(latest),
        last_post_id=latest.post_id,
        statuses_min=min(statuses),
        statuses_max=max(statuses),
        metrics=latest.metrics,
        place=latest.place,
        location=latest.location,
        best_negative=best[0],
        best_neutral=best[1],
        best_positive=best[2],
    )


def hour_stats(posts: Sequence[TrackedPost]) -> HourStats:
    """An hour's entry from all its posts on one keyword."""
    words: dict[str, Counter[str]] = {s: Counter() for s in SENTIMENTS}
    for p in posts:
        words[p.sentiment].update(p.words)
    top = sorted(posts, key=_rank, reverse=True)[:TOP_POSTS_PER_HOUR]
    return HourStats(
        posts=len(posts),
        negative=sum(1 for p in posts if p.sentiment == "negative"),
        neutral=sum(1 for p in posts if p.sentiment == "neutral"),
        positive=sum(1 for p in posts if p.sentiment == "positive"),
        score_milli=sum(milli(p) for p in posts),
        retweets=sum(p.retweets for p in posts),
        likes=sum(p.likes for p in posts),
        words_negative=dict(words["negative"]),
        words_neutral=dict(words["neutral"]),
        words_positive=dict(words["positive"]),
        author_posts=dict(Counter(p.author_id for p in posts)),
        author_negative=dict(Counter(p.author_id for p in posts if p.sentiment == "negative")),
        top=[post_ref(p) for p in top],
    )


def merge_hours(parts: Sequence[HourStats]) -> HourStats:
    """One hour entry from entries of disjoint sets of its posts (a store's shards).

    Exact: counters and word counts add up, and the hour's top posts are the best of the
    parts' top posts (each part keeps its own best :data:`TOP_POSTS_PER_HOUR`, so the best
    of the union is among them). Equal to :func:`hour_stats` of all the posts.
    """
    words: list[Counter[str]] = [Counter(), Counter(), Counter()]
    author_posts: Counter[str] = Counter()
    author_negative: Counter[str] = Counter()
    for part in parts:
        for i, counts in enumerate(part.words):
            words[i].update(counts)
        author_posts.update(part.author_posts)
        author_negative.update(part.author_negative)
    top = sorted((r for part in parts for r in part.top), key=PostRef.rank, reverse=True)
    return HourStats(
        posts=sum(p.posts for p in parts),
        negative=sum(p.negative for p in parts),
        neutral=sum(p.neutral for p in parts),
        positive=sum(p.positive for p in parts),
        score_milli=sum(p.score_milli for p in parts),
        retweets=sum(p.retweets for p in parts),
        likes=sum(p.likes for p in parts),
        words_negative=dict(words[0]),
        words_neutral=dict(words[1]),
        words_positive=dict(words[2]),
        author_posts=dict(author_posts),
        author_negative=dict(author_negative),
        top=top[:TOP_POSTS_PER_HOUR],
    )


def recompute_state(posts: Iterable[TrackedPost]) -> InfluenceState:
    """The aggregate state of a set of posts, computed from scratch."""
    by_author: dict[tuple[str, str], list[TrackedPost]] = defaultdict(list)
    by_hour: dict[tuple[str, int], list[TrackedPost]] = defaultdict(list)
    for p in posts:
        by_author[(p.keyword, p.author_id)].append(p)
        by_hour[(p.keyword, hour_of(p))].append(p)
    state = InfluenceState()
    for (kw, author), group in by_author.items():
        ks = state.keywords.setdefault(kw, KeywordState(kw))
        ks.authors[author] = author_stats(group)
        ks.posts += len(group)
    for (kw, hour), group in by_hour.items():
        state.keywords[kw].hours[hour] = hour_stats(group)
    return state


__all__ = [
    "author_stats",
    "hour_of",
    "hour_stats",
    "merge_hours",
    "milli",
    "post_ref",
    "recompute_state",
    "seconds",
]
