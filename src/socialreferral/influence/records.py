"""Records of the influence flow: what arrives (a post and its author's public metrics) and
what is kept (one :class:`TrackedPost` per post and tracked keyword).

A tracked post keeps only what the dashboards need: the author's public counters, the
resolved :class:`Place` (never the free-text location it came from), the sentiment, the
content words of the word cloud and a clipped text. Everything in it belongs to the author
and is erased with them (``InfluenceAggregates.remove``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator

from socialreferral.domain._base import DomainModel
from socialreferral.domain._time import require_aware

SentimentLabel = Literal["negative", "neutral", "positive"]
#: Sentiment labels in the index order used by every counter list of the aggregates.
SENTIMENTS: tuple[SentimentLabel, ...] = ("negative", "neutral", "positive")
LocationStatus = Literal["resolved", "unresolved", "missing"]

MAX_TEXT = 4_000
#: A tracked post keeps at most this much of the text (the dashboard shows the tweet).
KEPT_TEXT = 560
MAX_WORDS = 40
_COUNT = 10**12  # bound on every counter: far above any real account, far below overflow


class AuthorMetrics(DomainModel):
    """Public counters of an account, as the network reports them with each post.

    ``statuses`` is the account's lifetime post counter at the time of the post; two posts
    of the same author therefore tell how many posts they wrote in between (the Relevance
    share). ``account_age_days`` turns it into posts per day, the unit of the reference
    users the Reach percentiles come from.
    """

    followers: int = Field(default=0, ge=0, le=_COUNT)
    following: int = Field(default=0, ge=0, le=_COUNT)
    listed: int = Field(default=0, ge=0, le=_COUNT)
    statuses: int = Field(default=0, ge=0, le=_COUNT)
    account_age_days: float | None = Field(default=None, ge=0.0, le=36_500.0)

    @property
    def posts_per_day(self) -> float | None:
        """Lifetime posts per day of account age; ``None`` when the age is unknown."""
        if self.account_age_days is None:
            return None
        return self.statuses / max(self.account_age_days, 1.0)


class Place(DomainModel):
    """Where a profile's free-text location points, resolved offline.

    ``region`` is the first-level division code used by GeoNames (``"CA"`` for California,
    ``"08"`` for Ontario, ``"ENG"`` for England); ``precision`` says how specific the
    place is, so a map can draw a country differently from a city.
    """

    name: str = Field(min_length=1, max_length=200)
    country_code: str = Field(pattern=r"^[A-Z]{2}$")
    region: str | None = Field(default=None, max_length=10)
    latitude: float = Field(ge=-90.0, le=90.0)
    longitude: float = Field(ge=-180.0, le=180.0)
    precision: Literal["city", "region", "country"]

    @property
    def label(self) -> str:
        """``"Austin, TX, US"``, ``"Texas, US"`` or ``"Nigeria"``."""
        if self.precision == "country":
            return self.name
        parts = [self.name]
        if self.precision == "city" and self.region and not self.region.isdigit():
            parts.append(self.region)
        parts.append(self.country_code)
        return ", ".join(parts)


def _aware(value: datetime) -> datetime:
    return require_aware(value, "created_at")


class IncomingPost(DomainModel):
    """One post as a channel delivers it, with its author's profile fields.

    ``author_location`` is the profile's free text ("NYC", "somewhere over the rainbow");
    the tracker resolves it and does not keep it.
    """

    post_id: str = Field(min_length=1, max_length=128)
    author_id: str = Field(min_length=1, max_length=128)
    author_handle: str = Field(default="", max_length=100)
    author_name: str = Field(default="", max_length=200)
    author_location: str = Field(default="", max_length=200)
    metrics: AuthorMetrics = AuthorMetrics()
    text: str = Field(max_length=MAX_TEXT)
    created_at: datetime
    retweets: int = Field(default=0, ge=0, le=_COUNT)
    likes: int = Field(default=0, ge=0, le=_COUNT)

    _aware = field_validator("created_at")(_aware)


class TrackedPost(DomainModel):
    """A post about one tracked keyword, with everything the aggregates need.

    ``(keyword, post_id)`` is its identity: a post about two keywords is two records. The
    record is self-contained so that any aggregate can be rebuilt from stored records alone
    (``InfluenceAggregates.recompute``).
    """

    keyword: str = Field(min_length=1, max_length=100)
    post_id: str = Field(min_length=1, max_length=128)
    author_id: str = Field(min_length=1, max_length=128)
    author_handle: str = Field(default="", max_length=100)
    author_name: str = Field(default="", max_length=200)
    created_at: datetime
    text: str = Field(default="", max_length=KEPT_TEXT)
    retweets: int = Field(default=0, ge=0, le=_COUNT)
    likes: int = Field(default=0, ge=0, le=_COUNT)
    sentiment: SentimentLabel
    sentiment_score: float = Field(ge=-1.0, le=1.0)
    words: tuple[str, ...] = Field(default=(), max_length=MAX_WORDS)
    metrics: AuthorMetrics = AuthorMetrics()
    place: Place | None = None
    location: LocationStatus = "missing"

    _aware = field_validator("created_at")(_aware)

    @field_validator("sentiment_score")
    @classmethod
    def _three_decimals(cls, value: float) -> float:
        # Aggregates sum scores as integer thousandths so that any order of additions and
        # removals gives the same total; keeping three decimals here makes that exact.
        return round(value, 3)

    @property
    def key(self) -> tuple[str, str]:
        """``(keyword, post_id)``: the record's identity."""
        return (self.keyword, self.post_id)

    @property
    def engagement(self) -> int:
        """Retweets plus likes received by this post."""
        return self.retweets + self.likes


__all__ = [
    "KEPT_TEXT",
    "MAX_WORDS",
    "SENTIMENTS",
    "AuthorMetrics",
    "IncomingPost",
    "LocationStatus",
    "Place",
    "SentimentLabel",
    "TrackedPost",
]
