"""Builders for influence tests: tracked posts without running the models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from socialreferral.influence import AuthorMetrics, Place, TrackedPost
from socialreferral.influence.records import SentimentLabel

T0 = datetime(2024, 3, 4, tzinfo=UTC)  # a Monday
AUSTIN = Place(
    name="Austin",
    country_code="US",
    region="TX",
    latitude=30.27,
    longitude=-97.74,
    precision="city",
)
LAGOS = Place(
    name="Lagos",
    country_code="NG",
    region="05",
    latitude=6.45,
    longitude=3.39,
    precision="city",
)

_SCORE = {"negative": -0.8, "neutral": 0.0, "positive": 0.8}


def post(
    post_id: str,
    author: str = "a1",
    *,
    keyword: str = "acme",
    hours: float = 0.0,
    sentiment: SentimentLabel = "neutral",
    score: float | None = None,
    retweets: int = 0,
    likes: int = 0,
    words: tuple[str, ...] = (),
    followers: int = 100,
    listed: int = 1,
    statuses: int = 1000,
    age_days: float | None = 1000.0,
    place: Place | None = None,
    location: str = "missing",
    text: str = "",
) -> TrackedPost:
    """A tracked post ``hours`` after :data:`T0`."""
    return TrackedPost(
        keyword=keyword,
        post_id=post_id,
        author_id=author,
        author_handle=f"h_{author}",
        author_name=f"Name {author}",
        created_at=T0 + timedelta(hours=hours),
        text=text or f"post {post_id} about {keyword}",
        retweets=retweets,
        likes=likes,
        sentiment=sentiment,
        sentiment_score=_SCORE[sentiment] if score is None else score,
        words=words,
        metrics=AuthorMetrics(
            followers=followers, listed=listed, statuses=statuses, account_age_days=age_days
        ),
        place=place,
        location="resolved" if place is not None else location,  # type: ignore[arg-type]
    )
