"""PostTracker: records per matched keyword, with sentiment, words and resolved places."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from socialreferral.errors import InvalidInput
from socialreferral.influence import (
    AuthorMetrics,
    IncomingPost,
    PostTracker,
    TrackedKeyword,
    TrackingConfig,
)
from socialreferral.influence.tracker import MAX_BATCH

WHEN = datetime(2024, 5, 1, 12, tzinfo=UTC)
CONFIG = TrackingConfig(
    keywords=(
        TrackedKeyword(term="United Airlines", aliases=("@united",)),
        TrackedKeyword(term="Delta", kind="competitor"),
    )
)


def _post(pid: str, text: str, location: str = "") -> IncomingPost:
    return IncomingPost(
        post_id=pid,
        author_id=f"a{pid}",
        author_handle=f"h{pid}",
        author_location=location,
        metrics=AuthorMetrics(followers=10, statuses=5),
        text=text,
        created_at=WHEN,
        retweets=2,
        likes=3,
    )


@pytest.fixture(scope="module")
def tracker() -> PostTracker:
    return PostTracker(CONFIG)


def test_tracks_matched_posts_with_everything_the_aggregates_need(tracker: PostTracker) -> None:
    posts = [
        _post("1", "@united lost my bag again, worst service ever. So angry", "NYC"),
        _post("2", "Lovely crew on Delta today, thank you!", "somewhere over the rainbow"),
        _post("3", "Just had coffee"),
        _post("4", "Delta or United Airlines for Chicago? flights", ""),
    ]
    out = tracker.track(posts)
    assert [(t.post_id, t.keyword) for t in out] == [
        ("1", "unitedairlines"),
        ("2", "delta"),
        ("4", "unitedairlines"),
        ("4", "delta"),
    ]
    first, second = out[0], out[1]
    assert first.sentiment == "negative" and first.sentiment_score < 0
    assert second.sentiment == "positive" and second.sentiment_score > 0
    assert first.place is not None and first.place.name == "New York City"
    assert first.location == "resolved"
    assert second.place is None and second.location == "unresolved"
    assert out[2].location == "missing"
    assert "united" not in first.words and "bag" in first.words and "worst" in first.words
    assert "delta" not in out[3].words and "chicago" in out[3].words
    assert (first.retweets, first.likes, first.metrics.followers) == (2, 3, 10)


def test_records_keep_no_free_text_location(tracker: PostTracker) -> None:
    (rec,) = tracker.track([_post("9", "Delta rocks", "my secret hideout, Austin TX")])
    assert "hideout" not in rec.model_dump_json()
    assert rec.place is not None and rec.place.name == "Austin"


def test_batches_are_bounded(tracker: PostTracker) -> None:
    assert tracker.track([]) == []
    with pytest.raises(InvalidInput):
        tracker.track([_post("x", "Delta")] * (MAX_BATCH + 1))
