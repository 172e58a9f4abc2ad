"""Response bodies of the influence API: what the console's dashboard draws.

Each panel of seed 002 has one model: :class:`TopInfluencersPanel` (Influence Score
Dashboard), :class:`InfluencerMapPanel`, :class:`WordCloudPanel`, :class:`TrendPanel`
(with the alerts of its hours marked), plus :class:`AlertList` and the tracked keywords.
They nest the core's own models (:class:`~socialreferral.influence.InfluencerScore`,
:class:`~socialreferral.influence.MapPoint`, :class:`~socialreferral.influence.SpikeAlert`
...), so the OpenAPI schema is the library's vocabulary.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from socialreferral.influence.alerts import SpikeAlert
from socialreferral.influence.keywords import TrackedKeyword
from socialreferral.influence.scores import InfluencerScore
from socialreferral.influence.views import InfluencerMap, MapPoint, TrendPoint, WordCount
from socialreferral.repositories import StoredAlert
from socialreferral.service.influence import KeywordInfo, TrendView


class _Body(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# "At least one letter or digit" (any script) is checked by the model, not stated as a
# pattern: JSON Schema's \w is ASCII-only and would refuse "Zürich"-like terms.
Term = Annotated[str, Field(min_length=1, max_length=100,
                            description="needs at least one letter or digit")]


class KeywordIn(_Body):
    """A keyword or hashtag to track (a marketer's; the configured ones are in settings).

    ``aliases`` are other spellings (``@handle`` ones match only as mentions or hashtags),
    ``exclude`` phrases veto a match ("delta variant")."""

    term: Term = Field(examples=["#UnitedAirlines"])
    kind: Literal["brand", "competitor", "topic"] = "brand"
    aliases: list[Term] = Field(default_factory=list, max_length=20)
    exclude: list[Term] = Field(default_factory=list, max_length=20)


class KeywordOut(_Body):
    """A tracked keyword: its key (how every other route names it) and its origin."""

    key: str
    term: str
    kind: Literal["brand", "competitor", "topic"]
    aliases: list[str]
    exclude: list[str]
    source: Literal["settings", "added"] = Field(
        description="settings: configured, not removable here; added: by a marketer")

    @classmethod
    def of(cls, info: KeywordInfo) -> KeywordOut:
        """The body of a tracked keyword."""
        k: TrackedKeyword = info.keyword
        return cls(key=k.key, term=k.term, kind=k.kind, aliases=list(k.aliases),
                   exclude=list(k.exclude), source=info.source)


class KeywordList(_Body):
    """Every tracked keyword."""

    keywords: list[KeywordOut]


class TopInfluencersPanel(_Body):
    """The Influence Score Dashboard: the top influencers of each stance on a keyword,
    each with score 0-100, followers, retweets and likes on the keyword, their tweet and
    the per-pillar explanation."""

    keyword: str
    at: datetime = Field(description="When the scores were computed (recency is relative)")
    negative: list[InfluencerScore]
    neutral: list[InfluencerScore]
    positive: list[InfluencerScore]


class InfluencerMapPanel(_Body):
    """Where the top influencers of each stance are; those who could not be placed are
    counted (``unresolved``: a location no place matched; ``missing``: none given)."""

    keyword: str
    at: datetime
    negative: list[MapPoint]
    neutral: list[MapPoint]
    positive: list[MapPoint]
    unresolved: dict[Literal["negative", "neutral", "positive"], int]
    missing: dict[Literal["negative", "neutral", "positive"], int]

    @classmethod
    def of(cls, found: InfluencerMap, at: datetime) -> InfluencerMapPanel:
        """The body of a map."""
        return cls(keyword=found.keyword, at=at, negative=list(found.points["negative"]),
                   neutral=list(found.points["neutral"]),
                   positive=list(found.points["positive"]), unresolved=found.unresolved,
                   missing=found.missing)


class WordCloudPanel(_Body):
    """Word frequencies per sentiment (stop words, the keyword and URLs removed); a word
    counts once per post."""

    keyword: str
    start: datetime
    end: datetime
    negative: list[WordCount]
    neutral: list[WordCount]
    positive: list[WordCount]


class AlertMark(_Body):
    """An alert raised in an hour of the trend (its details are in ``alerts``)."""

    alert_id: str
    kind: Literal["volume", "negativity"]


class TrendHour(_Body):
    """One hour of the trend: volume by sentiment, average sentiment, its alerts."""

    hour: datetime
    posts: int
    negative: int
    neutral: int
    positive: int
    average_sentiment: float | None = Field(description="-1..1; null for an hour without posts")
    alerts: list[AlertMark]

    @classmethod
    def of(cls, point: TrendPoint, marks: list[AlertMark]) -> TrendHour:
        """The body of one trend point."""
        return cls(hour=point.hour, posts=point.posts, negative=point.negative,
                   neutral=point.neutral, positive=point.positive,
                   average_sentiment=point.average_sentiment, alerts=marks)


class TrendPanel(_Body):
    """The Hashtag Trend: every hour of the range, empty ones included, and the alerts."""

    keyword: str
    start: datetime
    end: datetime
    hours: list[TrendHour]
    alerts: list[SpikeAlert]

    @classmethod
    def of(cls, view: TrendView) -> TrendPanel:
        """The body of a trend view, each alert marked on its hour."""
        marks: dict[datetime, list[AlertMark]] = {}
        for alert in view.alerts:
            marks.setdefault(alert.hour, []).append(
                AlertMark(alert_id=alert.alert_id, kind=alert.kind))
        return cls(keyword=view.keyword, start=view.start, end=view.end,
                   hours=[TrendHour.of(p, marks.get(p.hour, [])) for p in view.points],
                   alerts=view.alerts)


class AlertOut(_Body):
    """A stored spike alert: what rose, by how much, who and what drove it, and when it
    was first raised and notified."""

    alert: SpikeAlert
    first_seen: datetime
    updated_at: datetime
    notified_at: datetime | None

    @classmethod
    def of(cls, stored: StoredAlert) -> AlertOut:
        """The body of a stored alert."""
        def at(seconds: float) -> datetime:
            return datetime.fromtimestamp(seconds, UTC)

        return cls(alert=stored.alert, first_seen=at(stored.first_seen),
                   updated_at=at(stored.updated_at),
                   notified_at=None if stored.notified_at is None else at(stored.notified_at))


class AlertList(_Body):
    """Alerts, newest hour first."""

    alerts: list[AlertOut]


__all__ = [
    "AlertList",
    "AlertMark",
    "AlertOut",
    "InfluencerMapPanel",
    "KeywordIn",
    "KeywordList",
    "KeywordOut",
    "TopInfluencersPanel",
    "TrendHour",
    "TrendPanel",
    "WordCloudPanel",
]
