"""Per-keyword influence: Reach, Resonance and Relevance, 0-100, each explained.

For one keyword, every author who posted about it gets

``score = 100 x (W_reach·reach + W_resonance·resonance + W_relevance·relevance)``

with each pillar in [0, 1] and the weights of :class:`~socialreferral.influence.weights.
PillarWeights` (random-forest importances on the Kaggle pairs):

* **reach** — followers, lists and posts/day, each as a percentile among the reference
  (Kaggle) users, so reach means the same on every keyword; posts/day needs the account's
  age and is left out (weights renormalised) when it is unknown;
* **resonance** — retweets and likes received *on this keyword*, as percentiles among the
  keyword's authors (an author with none gets 0);
* **relevance** — ``share`` of the author's posts that are about the keyword (smoothed:
  ``(k + a·p0) / (n + a)`` where ``k`` keyword posts were seen among ``n`` posts the account
  wrote meanwhile, read from its post counter, or estimated from posts/day for a single
  post), ``recency`` of their last keyword post (half-life, default 72 h) and ``rarity``
  of the keyword (1 - its share of all tracked posts; constant within a keyword, so it
  shifts scores between keywords, never the order within one).

Scores are computed when asked (``now`` given), from
:class:`~socialreferral.influence.state.AuthorStats`, vectorised over the keyword's
authors; only the authors returned are explained in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain._time import require_aware
from socialreferral.influence.config import ScoringConfig
from socialreferral.influence.records import SENTIMENTS, Place, SentimentLabel
from socialreferral.influence.state import AuthorStats, InfluenceState, PostRef
from socialreferral.influence.weights import PillarWeights

_F = npt.NDArray[np.float64]


class PillarScore(DomainModel):
    """One pillar of one author's score: value 0-100, weight, points it adds, why."""

    name: str
    value: float
    weight: float
    points: float
    explanation: str


class TweetRef(DomainModel):
    """The author's tweet a dashboard shows next to their score."""

    post_id: str
    text: str
    created_at: datetime
    retweets: int
    likes: int
    sentiment: SentimentLabel


class InfluencerScore(DomainModel):
    """An author's influence on a keyword, with the panel's fields (seed 002)."""

    keyword: str
    author_id: str
    handle: str
    name: str
    score: float = Field(ge=0.0, le=100.0)
    pillars: tuple[PillarScore, PillarScore, PillarScore]
    stance: SentimentLabel
    followers: int
    posts: int
    retweets: int
    likes: int
    tweet: TweetRef | None
    place: Place | None

    @property
    def explanation(self) -> str:
        """One line: the score and each pillar's points."""
        parts = ", ".join(f"{p.name} {p.value:.0f} (+{p.points:.1f})" for p in self.pillars)
        return f"{self.score:.1f}/100 = {parts}"


def _ref_percentile(quantiles: tuple[float, ...], values: _F) -> _F:
    # Piecewise-linear ECDF through the quantiles; tied quantiles (many zeros) sit at the
    # middle of their run so a value equal to them is not pushed to either end.
    q = np.asarray(quantiles, dtype=np.float64)
    pos = np.linspace(0.0, 1.0, len(q))
    xs, first, counts = np.unique(q, return_index=True, return_counts=True)
    ys = (pos[first] + pos[first + counts - 1]) / 2.0
    if len(xs) == 1:
        return np.where(values > xs[0], 1.0, np.where(values < xs[0], 0.0, 0.5))
    return np.asarray(np.interp(values, xs, ys, left=0.0, right=1.0), dtype=np.float64)


def _midrank(values: _F) -> _F:
    srt = np.sort(values)
    n = max(len(values), 1)
    left = np.searchsorted(srt, values, side="left")
    right = np.searchsorted(srt, values, side="right")
    return np.where(values > 0, (left + right) / (2.0 * n), 0.0)


@dataclass(frozen=True, slots=True)
class ScoreTable:
    """Vectorised scores of every author of one keyword (row ``i`` is ``authors[i]``)."""

    keyword: str
    now: datetime
    authors: list[AuthorStats]
    reach: _F
    resonance: _F
    relevance: _F
    total: _F
    stance: npt.NDArray[np.int64]
    parts: dict[str, _F]
    rarity: float
    ranked: npt.NDArray[np.int64]  # all rows, best first (ties by author id)

    def order(self, sentiment: SentimentLabel | None = None) -> list[int]:
        """Row indices best first, optionally only authors of one stance.

        Ties are broken by author id, so the order never depends on insertion order.
        """
        ranked = self.ranked
        if sentiment is not None:
            ranked = ranked[self.stance[ranked] == SENTIMENTS.index(sentiment)]
        return [int(i) for i in ranked]


class KeywordScorer:
    """Scores authors on a keyword (see the module docstring)."""

    def __init__(
        self, weights: PillarWeights | None = None, config: ScoringConfig | None = None
    ) -> None:
        self.weights = weights or PillarWeights.default()
        self.config = config or ScoringConfig()

    def table(self, state: InfluenceState, keyword: str, now: datetime) -> ScoreTable:
        """Scores of all authors of ``keyword`` at ``now`` (an empty table if it has no posts)."""
        require_aware(now)
        ks = state.keywords.get(keyword)
        authors = list(ks.authors.values()) if ks else []
        w = self.weights
        n = len(authors)
        followers = np.array([a.metrics.followers for a in authors], dtype=np.float64)
        listed = np.array([a.metrics.listed for a in authors], dtype=np.float64)
        ppd = np.array(
            [np.nan if (v := a.metrics.posts_per_day) is None else v for a in authors],
            dtype=np.float64,
        )
        parts: dict[str, _F] = {
            "followers": _ref_percentile(w.reference["followers"], followers),
            "listed": _ref_percentile(w.reference["listed"], listed),
            "posts_per_day": _ref_percentile(w.reference["posts_per_day"], np.nan_to_num(ppd)),
        }
        known = ~np.isnan(ppd)
        reach_w = np.array([w.reach[f] for f in ("followers", "listed", "posts_per_day")])
        num = reach_w[0] * parts["followers"] + reach_w[1] * parts["listed"]
        num = num + np.where(known, reach_w[2] * parts["posts_per_day"], 0.0)
        reach = num / np.where(known, reach_w.sum(), reach_w[:2].sum())

        retweets = np.array([a.retweets for a in authors], dtype=np.float64)
        likes = np.array([a.likes for a in authors], dtype=np.float64)
        parts["retweets"], parts["likes"] = _midrank(retweets), _midrank(likes)
        resonance = (
            w.resonance["retweets"] * parts["retweets"] + w.resonance["likes"] * parts["likes"]
        )

        cfg = self.config
        k = np.array([a.posts for a in authors], dtype=np.float64)
        span = np.array([a.statuses_max - a.statuses_min + 1 for a in authors], dtype=np.float64)
        single = np.nan_to_num(ppd, nan=1.0)  # one post: about a day of the author's posts
        written = np.maximum(k, np.where(k > 1, span, np.maximum(single, 1.0)))
        a_ = cfg.share_prior_weight
        parts["share"] = (k + a_ * cfg.share_prior) / (written + a_)
        parts["written"] = written
        now_s = now.timestamp()
        last = np.array([a.last_at for a in authors], dtype=np.float64)
        age_h = np.maximum(now_s - last, 0.0) / 3600.0
        parts["recency"] = 0.5 ** (age_h / cfg.recency_half_life_hours)
        parts["age_hours"] = age_h
        total_posts = state.total_posts
        rarity = 1.0 - (ks.posts / total_posts) if ks and total_posts else 0.0
        parts["rarity"] = np.full(n, rarity)
        relevance = (
            w.relevance["share"] * parts["share"]
            + w.relevance["recency"] * parts["recency"]
            + w.relevance["rarity"] * parts["rarity"]
        )
        total = 100.0 * (
            w.pillars["reach"] * reach
            + w.pillars["resonance"] * resonance
            + w.pillars["relevance"] * relevance
        )
        sent = np.array([a.sentiments for a in authors], dtype=np.int64).reshape(n, 3)
        top = sent.max(axis=1, keepdims=True) if n else np.zeros((0, 1), dtype=np.int64)
        tied = (sent == top).sum(axis=1) > 1
        stance = np.where(tied, 1, sent.argmax(axis=1) if n else np.zeros(0, dtype=np.int64))
        ids = np.array([a.author_id for a in authors], dtype=object)
        ranked = np.lexsort((ids, -total)) if n else np.zeros(0, dtype=np.int64)
        return ScoreTable(
            keyword, now, authors, reach, resonance, relevance, total, stance, parts, rarity, ranked
        )

    def top(
        self,
        state: InfluenceState,
        keyword: str,
        now: datetime,
        sentiment: SentimentLabel | None = None,
        k: int = 5,
    ) -> list[InfluencerScore]:
        """The ``k`` most influential authors on ``keyword`` (of one stance if given)."""
        table = self.table(state, keyword, now)
        return [self.explain(table, i) for i in table.order(sentiment)[: max(k, 0)]]

    def score(
        self, state: InfluenceState, keyword: str, author_id: str, now: datetime
    ) -> InfluencerScore:
        """One author's score on ``keyword``; ``KeyError`` if they never posted on it."""
        table = self.table(state, keyword, now)
        for i, a in enumerate(table.authors):
            if a.author_id == author_id:
                return self.explain(table, i)
        raise KeyError(author_id)

    def explain(self, table: ScoreTable, i: int) -> InfluencerScore:
        """The full, explained score of row ``i`` of a :class:`ScoreTable`."""
        a, p = table.authors[i], table.parts
        m = a.metrics
        pillars = (
            self._pillar(
                "reach",
                float(table.reach[i]),
                f"{m.followers:,} followers (p{100 * p['followers'][i]:.0f}), on {m.listed:,} "
                f"lists (p{100 * p['listed'][i]:.0f}), "
                + (
                    f"{m.posts_per_day:.1f} posts/day (p{100 * p['posts_per_day'][i]:.0f})"
                    if m.posts_per_day is not None
                    else "posts/day unknown (no account age)"
                )
                + " — percentiles among reference users",
            ),
            self._pillar(
                "resonance",
                float(table.resonance[i]),
                f"{a.retweets:,} retweets (p{100 * p['retweets'][i]:.0f}) and {a.likes:,} likes "
                f"(p{100 * p['likes'][i]:.0f}) on {table.keyword!r}, among "
                f"{len(table.authors):,} authors",
            ),
            self._pillar(
                "relevance",
                float(table.relevance[i]),
                f"{a.posts} of ~{p['written'][i]:.0f} posts about {table.keyword!r} (share "
                f"{p['share'][i]:.2f}), last {p['age_hours'][i]:.0f} h ago (recency "
                f"{p['recency'][i]:.2f}), keyword rarity {table.rarity:.2f}",
            ),
        )
        stance = SENTIMENTS[int(table.stance[i])]
        return InfluencerScore(
            keyword=table.keyword,
            author_id=a.author_id,
            handle=a.handle,
            name=a.name,
            score=round(min(max(float(table.total[i]), 0.0), 100.0), 2),
            pillars=pillars,
            stance=stance,
            followers=m.followers,
            posts=a.posts,
            retweets=a.retweets,
            likes=a.likes,
            tweet=_tweet(a, SENTIMENTS.index(stance)),
            place=a.place,
        )

    def _pillar(self, name: str, value: float, why: str) -> PillarScore:
        weight = self.weights.pillars[name]
        return PillarScore(
            name=name,
            value=round(100.0 * value, 1),
            weight=round(weight, 4),
            points=round(100.0 * weight * value, 2),
            explanation=why,
        )


def _tweet(a: AuthorStats, stance: int) -> TweetRef | None:
    ref: PostRef | None = a.best[stance]
    if ref is None:
        cands = [r for r in a.best if r is not None]
        ref = max(cands, key=PostRef.rank) if cands else None
    if ref is None:
        return None
    return TweetRef(
        post_id=ref.post_id,
        text=ref.text,
        created_at=datetime.fromtimestamp(ref.created_at, UTC),
        retweets=ref.retweets,
        likes=ref.likes,
        sentiment=SENTIMENTS[ref.sentiment],
    )


__all__ = [
    "InfluencerScore",
    "KeywordScorer",
    "PillarScore",
    "ScoreTable",
    "ScoringConfig",
    "TweetRef",
]
