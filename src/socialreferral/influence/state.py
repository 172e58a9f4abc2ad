"""The aggregate state behind the dashboards: plain, JSON-serialisable, keyed pieces.

The state splits into small entries with natural keys, so a repository can store each as
its own document and write only the ones a post touched:

* :class:`AuthorStats` per ``(keyword, author_id)``: everything the influence score, the
  top-5 panel and the map need about one author on one keyword;
* :class:`HourStats` per ``(keyword, hour)``: volume, sentiment, word counts, per-author
  counts and the most engaging posts of one hour (trend, word clouds, spike alerts);
* :class:`KeywordState` holds both maps for one keyword, :class:`InfluenceState` all
  keywords.

Every counter is an integer (sentiment scores are summed in thousandths), so any order of
additions and removals reaches the same state: incremental updates can be checked against
a recomputation by plain equality. These are mutable slotted dataclasses, not pydantic
models, because the aggregator updates them tens of thousands of times a second;
:func:`dump_state` / :func:`load_state` (pydantic ``TypeAdapter``) give and validate JSON.

Hours are whole hours since the Unix epoch (UTC); times are Unix seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from socialreferral.influence.records import AuthorMetrics, Place

#: How many of an hour's most engaging posts the state keeps (spike explanations).
TOP_POSTS_PER_HOUR = 5
#: How much of a post's text a dashboard reference keeps.
REF_TEXT = 280


@dataclass(slots=True)
class PostRef:
    """A post a dashboard shows: an author's best tweet, or one of an hour's top posts.

    ``sentiment`` is the index into :data:`~socialreferral.influence.records.SENTIMENTS`.
    Posts are ranked by :meth:`rank`: engagement, then recency, then id (a total order,
    so "the best" never depends on arrival order).
    """

    post_id: str
    author_id: str
    author_handle: str
    created_at: int
    retweets: int
    likes: int
    sentiment: int
    text: str

    def rank(self) -> tuple[int, int, str]:
        """Ordering key: larger is more engaging."""
        return (self.retweets + self.likes, self.created_at, self.post_id)


@dataclass(slots=True)
class AuthorStats:
    """One author on one keyword.

    Counters (``posts``, ``negative``/``neutral``/``positive``, ``score_milli``,
    ``retweets``, ``likes``) are sums over the author's posts on the keyword. ``handle``,
    ``name``, ``metrics``, ``place`` and ``location`` come from the latest post (largest
    ``(created_at, post_id)``). ``statuses_min``/``statuses_max`` are the account's post
    counter at the first and last of those posts: their difference is how many posts the
    author wrote in between, the denominator of the Relevance share.
    ``best_<sentiment>`` is the author's most engaging post of that sentiment.
    """

    author_id: str
    handle: str
    name: str
    posts: int
    negative: int
    neutral: int
    positive: int
    score_milli: int
    retweets: int
    likes: int
    first_at: int
    last_at: int
    last_post_id: str
    statuses_min: int
    statuses_max: int
    metrics: AuthorMetrics
    place: Place | None
    location: str
    best_negative: PostRef | None
    best_neutral: PostRef | None
    best_positive: PostRef | None

    @property
    def sentiments(self) -> tuple[int, int, int]:
        """Posts per sentiment, in ``SENTIMENTS`` order (negative, neutral, positive)."""
        return (self.negative, self.neutral, self.positive)

    @property
    def best(self) -> tuple[PostRef | None, PostRef | None, PostRef | None]:
        """Best post per sentiment, in ``SENTIMENTS`` order (negative, neutral, positive)."""
        return (self.best_negative, self.best_neutral, self.best_positive)


@dataclass(slots=True)
class HourStats:
    """One hour of one keyword.

    ``words_<sentiment>`` counts each content word once per post of that sentiment;
    ``author_posts[author_id]`` and ``author_negative[author_id]`` count each author's
    posts and negative posts (authors without negative posts are absent from the latter);
    ``top`` holds the hour's :data:`TOP_POSTS_PER_HOUR` most engaging posts, best first.

    Counters are plain fields and ``str → int`` dicts rather than small lists: CPython's
    garbage collector does not track such dicts, which keeps collections of a large state
    cheap (measured in ``benchmarks/influence_aggregates.py``).
    """

    posts: int
    negative: int
    neutral: int
    positive: int
    score_milli: int
    retweets: int
    likes: int
    words_negative: dict[str, int]
    words_neutral: dict[str, int]
    words_positive: dict[str, int]
    author_posts: dict[str, int]
    author_negative: dict[str, int]
    top: list[PostRef]

    @property
    def sentiments(self) -> tuple[int, int, int]:
        """Posts per sentiment, in ``SENTIMENTS`` order (negative, neutral, positive)."""
        return (self.negative, self.neutral, self.positive)

    @property
    def words(self) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        """Word counts per sentiment, in ``SENTIMENTS`` order (negative, neutral, positive)."""
        return (self.words_negative, self.words_neutral, self.words_positive)


def new_hour() -> HourStats:
    """An empty hour entry."""
    return HourStats(0, 0, 0, 0, 0, 0, 0, {}, {}, {}, {}, {}, [])


@dataclass(slots=True)
class KeywordState:
    """Everything aggregated for one keyword."""

    keyword: str
    posts: int = 0
    authors: dict[str, AuthorStats] = field(default_factory=dict)
    hours: dict[int, HourStats] = field(default_factory=dict)


@dataclass(slots=True)
class InfluenceState:
    """All keywords' aggregates."""

    keywords: dict[str, KeywordState] = field(default_factory=dict)

    @property
    def total_posts(self) -> int:
        """Tracked posts over all keywords (the denominator of keyword rarity)."""
        return sum(k.posts for k in self.keywords.values())


STATE_ADAPTER: TypeAdapter[InfluenceState] = TypeAdapter(InfluenceState)
AUTHOR_ADAPTER: TypeAdapter[AuthorStats] = TypeAdapter(AuthorStats)
HOUR_ADAPTER: TypeAdapter[HourStats] = TypeAdapter(HourStats)


def dump_state(state: InfluenceState) -> dict[str, Any]:
    """The state as JSON-compatible builtins (hour keys become strings)."""
    out: dict[str, Any] = STATE_ADAPTER.dump_python(state, mode="json")
    return out


def load_state(data: dict[str, Any]) -> InfluenceState:
    """Validate :func:`dump_state` output back into a state."""
    return STATE_ADAPTER.validate_python(data)


__all__ = [
    "AUTHOR_ADAPTER",
    "HOUR_ADAPTER",
    "REF_TEXT",
    "STATE_ADAPTER",
    "TOP_POSTS_PER_HOUR",
    "AuthorStats",
    "HourStats",
    "InfluenceState",
    "KeywordState",
    "PostRef",
    "dump_state",
    "load_state",
    "new_hour",
]
