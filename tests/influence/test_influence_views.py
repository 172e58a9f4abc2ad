"""Dashboard panels: word clouds, hourly trend, influencer map, and erasure from all of them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from influence_helpers import AUSTIN, LAGOS, T0, post

from socialreferral.errors import InvalidInput
from socialreferral.influence import (
    InfluenceAggregates,
    TrackedPost,
    hourly_trend,
    influencer_map,
    top_influencers,
    word_cloud,
)

NOW = T0 + timedelta(hours=48)


def _agg(posts: list[TrackedPost]) -> InfluenceAggregates:
    agg = InfluenceAggregates()
    agg.add_many(posts)
    return agg


POSTS = [
    post("1", "ann", sentiment="negative", words=("late", "bag"), hours=0.5, place=AUSTIN),
    post("2", "bob", sentiment="negative", words=("late", "crew"), hours=1.2, place=LAGOS),
    post(
        "3", "cat", sentiment="positive", words=("great", "crew"), hours=1.7, location="unresolved"
    ),
    post("4", "dan", sentiment="positive", words=("great",), hours=3.1),
    post("5", "ann", sentiment="negative", words=("refund",), hours=30.0, place=AUSTIN),
    post("6", "eve", sentiment="neutral", words=("gate",), hours=3.2, place=AUSTIN),
]


def test_word_cloud_per_sentiment_with_window() -> None:
    state = _agg(POSTS).state
    cloud = word_cloud(state, "acme")
    assert [(w.word, w.count) for w in cloud["negative"]] == [
        ("late", 2),
        ("bag", 1),
        ("crew", 1),
        ("refund", 1),
    ]
    assert [w.word for w in cloud["positive"]] == ["great", "crew"]
    assert [w.word for w in cloud["neutral"]] == ["gate"]
    first_day = word_cloud(state, "acme", T0, T0 + timedelta(hours=24), top=1)
    assert [w.word for w in first_day["negative"]] == ["late"]
    assert word_cloud(state, "other") == {"negative": [], "neutral": [], "positive": []}


def test_hourly_trend_has_every_hour_and_average_sentiment() -> None:
    trend = hourly_trend(_agg(POSTS).state, "acme", T0, T0 + timedelta(hours=4))
    assert [p.posts for p in trend] == [1, 2, 0, 2]
    assert trend[1].negative == 1 and trend[1].positive == 1
    assert trend[1].average_sentiment == pytest.approx(0.0)
    assert trend[0].average_sentiment == pytest.approx(-0.8)
    assert trend[2].average_sentiment is None
    assert trend[0].hour == T0
    with pytest.raises(InvalidInput):
        hourly_trend(_agg(POSTS).state, "acme", T0, T0 + timedelta(days=400))


def test_influencer_map_splits_by_sentiment_and_counts_the_unplaced() -> None:
    m = influencer_map(_agg(POSTS).state, "acme", NOW)
    neg = {p.place.label: p.influencers for p in m.points["negative"]}
    assert neg == {"Austin, TX, US": 1, "Lagos, NG": 1}
    assert [p.place.label for p in m.points["neutral"]] == ["Austin, TX, US"]
    assert m.points["positive"] == ()
    assert m.unresolved["positive"] == 1 and m.missing["positive"] == 1


def test_erasure_removes_a_person_from_every_panel() -> None:
    agg = _agg(POSTS)
    mine = [p for p in POSTS if p.author_id == "ann"]
    rest = [p for p in POSTS if p.author_id != "ann"]
    plan = agg.erase_author("ann", mine)
    agg.repair(plan, [p for p in rest if plan.wants(p)])
    state = agg.state
    panel = top_influencers(state, "acme", NOW)
    assert "ann" not in {x.author_id for lst in panel.values() for x in lst}
    neg = {p.place.label for p in influencer_map(state, "acme", NOW).points["negative"]}
    assert neg == {"Lagos, NG"}
    words = {w.word for w in word_cloud(state, "acme")["negative"]}
    assert words == {"late", "crew"}  # "bag" and "refund" were only ann's
    trend = hourly_trend(state, "acme", T0, T0 + timedelta(hours=31))
    assert sum(p.posts for p in trend) == len(rest)
    assert agg == InfluenceAggregates.recompute(rest)
