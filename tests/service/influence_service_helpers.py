"""Builders for the influence service tests: tracked posts, X events, analytics over a store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from socialreferral.domain.social import EventKind, SocialEvent
from socialreferral.influence import AuthorMetrics, Gazetteer, Place, TrackedPost
from socialreferral.influence.records import SentimentLabel
from socialreferral.influence.settings import InfluenceSettings
from socialreferral.providers.local.store import LocalDocumentStore
from socialreferral.repositories import Repositories
from socialreferral.service.influence import InfluenceAnalytics

T0 = datetime(2024, 3, 4, tzinfo=UTC)  # a Monday
AUSTIN = Place(name="Austin", country_code="US", region="TX", latitude=30.27,
               longitude=-97.74, precision="city")
_SCORE = {"negative": -0.8, "neutral": 0.0, "positive": 0.8}


@dataclass
class Clock:
    """A settable clock (aware)."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


def post(post_id: str, author: str = "a1", *, keyword: str = "acme", hours: float = 0.0,
         sentiment: SentimentLabel = "neutral", retweets: int = 0, likes: int = 0,
         words: tuple[str, ...] = (), followers: int = 100, statuses: int = 1000,
         place: Place | None = None, text: str = "") -> TrackedPost:
    """A tracked post ``hours`` after :data:`T0`."""
    return TrackedPost(
        keyword=keyword, post_id=post_id, author_id=author, author_handle=f"h_{author}",
        author_name=f"Name {author}", created_at=T0 + timedelta(hours=hours),
        text=text or f"post {post_id} about {keyword}", retweets=retweets, likes=likes,
        sentiment=sentiment, sentiment_score=_SCORE[sentiment], words=words,
        metrics=AuthorMetrics(followers=followers, listed=1, statuses=statuses,
                              account_age_days=1000.0),
        place=place, location="resolved" if place is not None else "missing")


def small_gazetteer() -> Gazetteer:
    """A gazetteer that knows Austin (TX) and the US: no GeoNames load in unit tests."""
    return Gazetteer(
        [{"name": "Austin", "countrycode": "US", "admin1code": "TX", "latitude": 30.27,
          "longitude": -97.74, "population": 960_000}],
        [{"iso": "US", "iso3": "USA", "name": "United States", "capital": "Washington"}],
        [{"code": "TX", "name": "Texas"}])


def memory_repositories() -> Repositories:
    """Every repository over a private in-memory store."""
    return Repositories.over(LocalDocumentStore(":memory:"))


def analytics(repositories: Repositories, clock: Clock, **settings: Any) -> InfluenceAnalytics:
    """Analytics tracking "Acme" (and whatever ``settings`` add), with the tiny gazetteer."""
    settings.setdefault("keywords", [{"term": "Acme", "aliases": ["#AcmeBank"]}])
    return InfluenceAnalytics(repositories=repositories,
                              settings=InfluenceSettings.model_validate(settings), clock=clock,
                              gazetteer=small_gazetteer(), notify=lambda alert: None)


def x_event(tweet_id: str, author: str, text: str, at: datetime, *, kind: EventKind =
            EventKind.POST, **extra: Any) -> SocialEvent:
    """A SocialEvent as the X channel builds it (author facts in ``extra``)."""
    facts: dict[str, Any] = {"tweet_id": tweet_id, "screen_name": f"h_{author}",
                             "author_name": f"Name {author}", "followers_count": 500,
                             "friends_count": 50, "listed_count": 5, "statuses_count": 2000,
                             "location": "Austin, TX", **extra}
    return SocialEvent(event_id=f"x:{tweet_id}:tweet", network="x", kind=kind,
                       author_id=author, text=text, created_at=at, extra=facts)
