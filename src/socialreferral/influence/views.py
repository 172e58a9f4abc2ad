"""The four dashboard panels of seed 002, read from the aggregate state.

* :func:`top_influencers` — Influence Score Dashboard: top 5 per sentiment with name,
  score, followers, retweets on the keyword and their tweet;
* :func:`influencer_map` — Influencer Map: where the top influencers of each sentiment are;
* :func:`word_cloud` — Hashtag Word Cloud: top words per sentiment;
* :func:`hourly_trend` — Hashtag Trend: posts and average sentiment per hour.

All are pure functions of the state (and ``now`` for scores), returning pydantic models a
CLI or REST layer can print or serialise as they are.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain._time import require_aware
from socialreferral.errors import InvalidInput
from socialreferral.influence.records import SENTIMENTS, Place, SentimentLabel
from socialreferral.influence.scores import InfluencerScore, KeywordScorer
from socialreferral.influence.state import HourStats, InfluenceState

MAX_HOURS = 24 * 366


def top_influencers(
    state: InfluenceState,
    keyword: str,
    now: datetime,
    scorer: KeywordScorer | None = None,
    k: int = 5,
) -> dict[SentimentLabel, list[InfluencerScore]]:
    """The ``k`` most influential authors of each stance on ``keyword``."""
    scorer = scorer or KeywordScorer()
    table = scorer.table(state, keyword, now)
    return {s: [scorer.explain(table, i) for i in table.order(s)[:k]] for s in SENTIMENTS}


class MapPoint(DomainModel):
    """Influencers of one stance at one place."""

    place: Place
    influencers: int
    handles: tuple[str, ...]
    best_score: float


class InfluencerMap(DomainModel):
    """Per stance, the places of the top influencers; and how many could not be placed."""

    keyword: str
    points: dict[SentimentLabel, tuple[MapPoint, ...]]
    unresolved: dict[SentimentLabel, int]
    missing: dict[SentimentLabel, int]


def influencer_map(
    state: InfluenceState,
    keyword: str,
    now: datetime,
    scorer: KeywordScorer | None = None,
    per_sentiment: int = 100,
) -> InfluencerMap:
    """Where the ``per_sentiment`` top influencers of each stance are (grouped by place)."""
    scorer = scorer or KeywordScorer()
    table = scorer.table(state, keyword, now)
    points: dict[SentimentLabel, tuple[MapPoint, ...]] = {}
    unresolved: dict[SentimentLabel, int] = {}
    missing: dict[SentimentLabel, int] = {}
    for s in SENTIMENTS:
        groups: dict[str, list[int]] = {}
        places: dict[str, Place] = {}
        unresolved[s] = missing[s] = 0
        for i in table.order(s)[:per_sentiment]:
            a = table.authors[i]
            if a.place is None:
                if a.location == "missing":
                    missing[s] += 1
                else:
                    unresolved[s] += 1
                continue
            label = a.place.label
            places[label] = a.place
            groups.setdefault(label, []).append(i)
        points[s] = tuple(
            MapPoint(
                place=places[label],
                influencers=len(rows),
                handles=tuple(table.authors[i].handle for i in rows[:5]),
                best_score=round(float(table.total[rows[0]]), 2),
            )
            for label, rows in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0]))
        )
    return InfluencerMap(keyword=keyword, points=points, unresolved=unresolved, missing=missing)


class WordCount(DomainModel):
    """A word of a cloud and how many posts used it."""

    word: str
    count: int = Field(ge=1)


def _hours(
    state: InfluenceState, keyword: str, start: datetime | None, end: datetime | None
) -> list[tuple[int, HourStats]]:
    ks = state.keywords.get(keyword)
    if ks is None:
        return []
    lo = int(require_aware(start, "start").timestamp()) // 3600 if start else None
    hi = -(-int(require_aware(end, "end").timestamp()) // 3600) if end else None
    return [
        (h, v) for h, v in ks.hours.items() if (lo is None or h >= lo) and (hi is None or h < hi)
    ]


def word_cloud(
    state: InfluenceState,
    keyword: str,
    start: datetime | None = None,
    end: datetime | None = None,
    top: int = 50,
) -> dict[SentimentLabel, list[WordCount]]:
    """Per sentiment, the ``top`` words of posts on ``keyword`` in ``[start, end)``.

    Ties are broken alphabetically, so the cloud never depends on arrival order.
    """
    totals: list[Counter[str]] = [Counter(), Counter(), Counter()]
    for _, h in _hours(state, keyword, start, end):
        for s in range(3):
            totals[s].update(h.words[s])
    return {
        s: [
            WordCount(word=w, count=c)
            for w, c in sorted(totals[i].items(), key=lambda wc: (-wc[1], wc[0]))[:top]
        ]
        for i, s in enumerate(SENTIMENTS)
    }


class TrendPoint(DomainModel):
    """One hour of the trend: volume by sentiment and the average sentiment score."""

    hour: datetime
    posts: int
    negative: int
    neutral: int
    positive: int
    average_sentiment: float | None


def hourly_trend(
    state: InfluenceState, keyword: str, start: datetime, end: datetime
) -> list[TrendPoint]:
    """Every hour in ``[start, end)``, empty hours included (a chart needs the zeros)."""
    lo = int(require_aware(start, "start").timestamp()) // 3600
    hi = -(-int(require_aware(end, "end").timestamp()) // 3600)
    if hi - lo > MAX_HOURS:
        raise InvalidInput(f"at most {MAX_HOURS} hours", field="end")
    ks = state.keywords.get(keyword)
    out: list[TrendPoint] = []
    for h in range(lo, hi):
        v = ks.hours.get(h) if ks else None
        n = v.posts if v else 0
        out.append(
            TrendPoint(
                hour=datetime.fromtimestamp(h * 3600, UTC),
                posts=n,
                negative=v.sentiments[0] if v else 0,
                neutral=v.sentiments[1] if v else 0,
                positive=v.sentiments[2] if v else 0,
                average_sentiment=round(v.score_milli / n / 1000, 3) if v and n else None,
            )
        )
    return out


def hour_start(when: datetime) -> datetime:
    """The start of the UTC hour containing ``when``."""
    t = int(require_aware(when, "when").timestamp()) // 3600 * 3600
    return datetime.fromtimestamp(t, UTC)


__all__ = [
    "InfluencerMap",
    "MapPoint",
    "TrendPoint",
    "WordCount",
    "hour_start",
    "hourly_trend",
    "influencer_map",
    "top_influencers",
    "word_cloud",
]
