"""Incremental aggregates equal a brute-force recomputation, in any order, after removals."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from influence_helpers import AUSTIN, LAGOS, post

from socialreferral.errors import InvalidInput
from socialreferral.influence import (
    InfluenceAggregates,
    TrackedPost,
    dump_state,
    load_state,
)
from socialreferral.influence.state import TOP_POSTS_PER_HOUR

# Small alphabets on purpose: the same author, hour, second and engagement repeat, so ties
# in "latest", "best" and "top posts" are exercised.
_posts = st.lists(
    st.builds(
        lambda i, kw, author, minutes, sentiment, rt, likes, words, statuses, place: post(
            f"p{i}",
            author,
            keyword=kw,
            hours=minutes / 60,
            sentiment=sentiment,
            score={"negative": -0.731, "neutral": 0.002, "positive": 0.9}[sentiment],
            retweets=rt,
            likes=likes,
            words=words,
            statuses=statuses,
            place=place,
        ),
        st.integers(0, 10_000),
        st.sampled_from(["acme", "rival"]),
        st.sampled_from(["a1", "a2", "a3", "a4"]),
        st.integers(0, 300),
        st.sampled_from(["negative", "neutral", "positive"]),
        st.integers(0, 3),
        st.integers(0, 2),
        st.lists(st.sampled_from(["late", "bag", "crew", "great"]), max_size=3, unique=True).map(
            tuple
        ),
        st.integers(100, 110),
        st.sampled_from([None, AUSTIN, LAGOS]),
    ),
    max_size=60,
    unique_by=lambda p: p.post_id,
)


def _incremental(posts: list[TrackedPost]) -> InfluenceAggregates:
    # One post at a time, in the given order (add_many would sort the batch by time).
    agg = InfluenceAggregates()
    for p in posts:
        agg.add(p)
    return agg


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_posts, st.randoms(use_true_random=False))
def test_incremental_equals_recompute_in_any_order(
    posts: list[TrackedPost], rnd: random.Random
) -> None:
    shuffled = posts[:]
    rnd.shuffle(shuffled)
    expected = InfluenceAggregates.recompute(posts)
    assert _incremental(shuffled) == expected
    batch = InfluenceAggregates()
    batch.add_many(shuffled)
    assert batch == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_posts, st.randoms(use_true_random=False))
def test_removal_then_repair_equals_recompute_of_what_is_left(
    posts: list[TrackedPost], rnd: random.Random
) -> None:
    agg = _incremental(posts)
    gone = [p for p in posts if rnd.random() < 0.4]
    left = [p for p in posts if p not in gone]
    # Removed in two rounds whose plans are merged, as a repository batching erasures would.
    plan = agg.remove(gone[: len(gone) // 2]).merge(agg.remove(gone[len(gone) // 2 :]))
    # The repository hands over the stored posts of the planned entries only.
    agg.repair(plan, [p for p in left if plan.wants(p)])
    assert agg == InfluenceAggregates.recompute(left)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_posts, st.sampled_from(["a1", "a2", "a3", "a4"]))
def test_erasing_a_person_leaves_no_trace_and_stays_consistent(
    posts: list[TrackedPost], author: str
) -> None:
    agg = _incremental(posts)
    mine = [p for p in posts if p.author_id == author]
    rest = [p for p in posts if p.author_id != author]
    plan = agg.erase_author(author, mine)
    assert not plan.authors  # the person's entries are gone, not repaired
    agg.repair(plan, [p for p in rest if plan.wants(p)])
    assert agg == InfluenceAggregates.recompute(rest)
    text = json.dumps(dump_state(agg.state))
    assert f'"{author}"' not in text and f"h_{author}" not in text


def test_state_round_trips_through_json() -> None:
    posts = [
        post("p1", "a1", hours=0.1, sentiment="negative", words=("late",), retweets=3),
        post("p2", "a2", hours=1.5, sentiment="positive", place=AUSTIN, likes=2),
        post("p3", "a1", keyword="rival", hours=30, statuses=1200),
    ]
    agg = _incremental(posts)
    data = json.loads(json.dumps(dump_state(agg.state)))
    assert load_state(data) == agg.state


def test_top_posts_keep_only_the_best_of_an_hour() -> None:
    posts = [post(f"p{i}", f"a{i}", hours=0.01 * i, retweets=i) for i in range(12)]
    h = next(iter(_incremental(posts).state.keywords["acme"].hours.values()))
    assert [r.post_id for r in h.top] == [f"p{i}" for i in range(11, 11 - TOP_POSTS_PER_HOUR, -1)]


def test_removing_a_top_post_asks_for_a_repair_of_that_hour_only() -> None:
    posts = [post(f"p{i}", f"a{i}", hours=0.01 * i, retweets=i) for i in range(8)]
    posts.append(post("q", "a0", hours=5.0))
    agg = _incremental(posts)
    plan = agg.remove([posts[7]])  # the hour's best post
    assert plan.hours == {("acme", posts[0].created_at.timestamp().__int__() // 3600)}
    assert not plan.authors  # a7 had one post: their entry is simply gone
    with pytest.raises(InvalidInput):
        agg.repair(plan, posts[:3])  # not every stored post of the hour
    agg.repair(plan, posts[:7])
    assert agg == InfluenceAggregates.recompute([*posts[:7], posts[8]])


def test_removing_an_unknown_post_is_refused() -> None:
    agg = _incremental([post("p1")])
    with pytest.raises(InvalidInput):
        agg.remove([post("p2", "someone-else")])
    with pytest.raises(InvalidInput):
        agg.erase_author("a1", [post("p2", "a2")])


def test_add_reports_what_it_touched() -> None:
    touched = InfluenceAggregates().add(post("p1", "a9", hours=2.5))
    assert touched.keyword == "acme" and touched.author_id == "a9"
    assert touched.hour == int(post("p1", hours=2.5).created_at.timestamp()) // 3600
