"""Per-keyword scores: top 5 per sentiment, pillar explanations, relevance per keyword."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from influence_helpers import AUSTIN, T0, post
from pydantic import ValidationError

from socialreferral.influence import (
    InfluenceAggregates,
    InfluenceState,
    KeywordScorer,
    PillarWeights,
    TrackedPost,
    top_influencers,
)
from socialreferral.scoring import InfluenceModel

NOW = T0 + timedelta(hours=10)


def _state(posts: list[TrackedPost]) -> InfluenceState:
    agg = InfluenceAggregates()
    agg.add_many(posts)
    return agg.state


def _panel_case() -> list[TrackedPost]:
    posts = [
        # Six negative voices of decreasing reach: the top 5 must be n0..n4 in order.
        *(
            post(
                f"n{i}",
                f"neg{i}",
                sentiment="negative",
                followers=10 ** (7 - i),
                listed=10 ** (5 - i) + 1,
                retweets=2000 - i,
                hours=1,
            )
            for i in range(6)
        ),
        # A big positive voice with several posts, and a small one.
        post(
            "bp1",
            "bigpos",
            sentiment="positive",
            followers=2_000_000,
            listed=20_000,
            retweets=3000,
            hours=2,
            text="love it",
        ),
        post(
            "bp2",
            "bigpos",
            sentiment="positive",
            followers=2_000_000,
            listed=20_000,
            retweets=10,
            hours=3,
            place=AUSTIN,
        ),
        post("sp1", "smallpos", sentiment="positive", followers=50, listed=0, hours=4),
        # Mixed: one positive and one negative post → neutral stance.
        post("m1", "mixed", sentiment="positive", followers=30_000, hours=1),
        post("m2", "mixed", sentiment="negative", followers=30_000, hours=2),
        # Mostly negative, but their most retweeted post is positive: the panel shows the
        # negative one, because they are listed among the negative voices.
        post(
            "d1",
            "mostlyneg",
            sentiment="negative",
            followers=5,
            listed=0,
            retweets=1,
            hours=1,
            text="awful",
        ),
        post(
            "d2",
            "mostlyneg",
            sentiment="negative",
            followers=5,
            listed=0,
            retweets=2,
            hours=2,
            text="worse",
        ),
        post(
            "d3",
            "mostlyneg",
            sentiment="positive",
            followers=5,
            listed=0,
            retweets=60,
            hours=3,
            text="ok",
        ),
    ]
    return posts


def test_top_five_per_sentiment_on_a_constructed_case() -> None:
    panel = top_influencers(_state(_panel_case()), "acme", NOW)
    assert [x.author_id for x in panel["negative"]] == ["neg0", "neg1", "neg2", "neg3", "neg4"]
    assert [x.author_id for x in panel["positive"]] == ["bigpos", "smallpos"]
    assert [x.author_id for x in panel["neutral"]] == ["mixed"]
    assert "neg5" not in [x.author_id for x in panel["negative"]]
    big = panel["positive"][0]
    assert (big.handle, big.followers, big.retweets, big.posts) == ("h_bigpos", 2_000_000, 3010, 2)
    assert big.tweet is not None and big.tweet.text == "love it" and big.tweet.retweets == 3000
    assert big.place == AUSTIN  # profile fields come from the latest post
    for lst in panel.values():
        assert [x.score for x in lst] == sorted((x.score for x in lst), reverse=True)


def test_the_tweet_shown_matches_the_stance() -> None:
    scorer = KeywordScorer()
    s = scorer.score(_state(_panel_case()), "acme", "mostlyneg", NOW)
    assert s.stance == "negative"
    assert s.tweet is not None and s.tweet.text == "worse"  # best negative, not the viral "ok"


def test_score_is_the_sum_of_explained_pillar_points() -> None:
    s = KeywordScorer().score(_state(_panel_case()), "acme", "bigpos", NOW)
    assert 0 <= s.score <= 100
    assert s.score == pytest.approx(sum(p.points for p in s.pillars), abs=0.05)
    reach, resonance, relevance = s.pillars
    assert (reach.name, resonance.name, relevance.name) == ("reach", "resonance", "relevance")
    assert "2,000,000 followers" in reach.explanation
    assert "3,010 retweets" in resonance.explanation and "'acme'" in resonance.explanation
    assert "2 of ~" in relevance.explanation
    assert sum(p.weight for p in s.pillars) == pytest.approx(1.0, abs=1e-3)
    assert s.explanation.startswith(f"{s.score:.1f}/100")


def test_relevance_is_per_keyword() -> None:
    # The same author: 4 of the ~10 posts they wrote meanwhile are about "acme"; their one
    # "rival" post is one of the ~10 a day they write.
    posts = [post(f"a{i}", "x", hours=i, statuses=1000 + 3 * i, age_days=100.0) for i in range(4)]
    posts.append(post("r1", "x", keyword="rival", hours=1, statuses=1003, age_days=100.0))
    posts.append(post("filler", "y", keyword="rival", hours=1))
    scorer, state = KeywordScorer(), _state(posts)
    on_acme = scorer.score(state, "acme", "x", NOW)
    on_rival = scorer.score(state, "rival", "x", NOW)
    assert on_acme.pillars[2].value > on_rival.pillars[2].value
    assert on_acme.pillars[0].value == on_rival.pillars[0].value  # reach is the person's
    assert "4 of ~10 posts" in on_acme.pillars[2].explanation


def test_recency_and_rarity_move_relevance() -> None:
    fresh = [post("f", "fresh", hours=9.5), post("s", "stale", hours=-200)]
    table = KeywordScorer().table(_state(fresh), "acme", NOW)
    rec = dict(zip([a.author_id for a in table.authors], table.parts["recency"], strict=True))
    assert rec["fresh"] > 0.99 > 0.2 > rec["stale"]
    common = [post(f"c{i}", f"u{i}", hours=1) for i in range(9)]
    state = _state([*common, post("z", "u0", keyword="rare", hours=1)])
    scorer = KeywordScorer()
    assert scorer.table(state, "rare", NOW).rarity == pytest.approx(0.9)
    assert scorer.table(state, "acme", NOW).rarity == pytest.approx(0.1)


def test_scores_do_not_depend_on_arrival_order() -> None:
    posts = _panel_case()
    a, b = _state(posts), _state(list(reversed(posts)))
    scorer = KeywordScorer()
    assert scorer.top(a, "acme", NOW, k=20) == scorer.top(b, "acme", NOW, k=20)


def test_unknown_keyword_and_author() -> None:
    scorer = KeywordScorer()
    assert scorer.top(InfluenceState(), "acme", NOW) == []
    with pytest.raises(KeyError):
        scorer.score(_state([post("p")]), "acme", "nobody", NOW)


def test_weights_are_normalised_and_validated() -> None:
    w = PillarWeights.default()
    for group in (w.pillars, w.reach, w.resonance, w.relevance):
        assert sum(group.values()) == pytest.approx(1.0)
    ref = dict(w.reference)
    ref["followers"] = (3.0, 1.0)
    with pytest.raises(ValidationError):
        PillarWeights(pillars=w.pillars, reach=w.reach, resonance=w.resonance, reference=ref)
    with pytest.raises(ValidationError):
        PillarWeights(
            pillars={"reach": 1, "resonance": 1},
            reach=w.reach,
            resonance=w.resonance,
            reference=w.reference,
        )


def test_weights_from_a_fitted_model() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.lognormal(3, 2, (300, 11)), rng.lognormal(3, 2, (300, 11))
    y = (np.log1p(a[:, 0]) + np.log1p(a[:, 4]) > np.log1p(b[:, 0]) + np.log1p(b[:, 4])).astype(int)
    model = InfluenceModel(n_estimators=30).fit(np.hstack([a, b]), y)
    w = PillarWeights.from_model(model)
    assert w.reach["followers"] > w.reach["posts_per_day"]  # followers carry the signal
    assert w.resonance["retweets"] > w.resonance["likes"]
    assert w.pillars == pytest.approx(model.pillar_weights, abs=1e-3)
    assert len(w.reference["followers"]) == 101
