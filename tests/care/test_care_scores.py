"""Equations 1-4 of seed 003 on hand-computed examples, and factor bookkeeping."""

from __future__ import annotations

import math

import pytest

from socialreferral.care import AuthorHistory, CarePost, CareRanker, CareSettings
from socialreferral.care.scores import (
    ascore,
    ascore_terms,
    author_score,
    author_terms,
    bfi_from_counts,
    bfi_value,
    count_actionable,
    rank_score,
)
from socialreferral.care.settings import AScoreWeights, AuthorScoreSettings, BfiSettings


def test_eq1_ascore_hand_computed() -> None:
    w = AScoreWeights(entities=0.5, sentiment=2.0, comments=1.0, question=3.0, tone=0.0)
    terms = ascore_terms(
        w, n_entities=2, n_negative=3, n_positive=1, n_comments=4, is_question=True
    )
    # 0.5*2 + 2*(3-1) + 1*4 + 3*1 = 1 + 4 + 4 + 3
    assert ascore(terms) == pytest.approx(12.0)


def test_eq1_entity_cap_and_extension_terms() -> None:
    w = AScoreWeights(
        entities=1.0,
        sentiment=0,
        comments=0,
        question=0,
        tone=2.0,
        purchase=5.0,
        sharing=7.0,
        entity_cap=3,
    )
    terms = ascore_terms(
        w,
        n_entities=10,
        n_negative=0,
        n_positive=0,
        n_comments=0,
        is_question=False,
        tone=-0.25,
        purchase=True,
        sharing=False,
    )
    assert ascore(terms) == pytest.approx(3.0 - 0.5 + 5.0)


def test_eq2_author_score_hand_computed() -> None:
    s = AuthorScoreSettings(floor=0.2, comments_norm=4.0, ascore_norm=2.0, interactions_norm=10.0)
    history = AuthorHistory(
        main_posts=4, relevant_comments_received=8, ascore_total=4.0, representative_interactions=5
    )
    terms = dict(author_terms(history, s))
    # avg comments 2 -> 0.2 + 0.8*0.5 = 0.6; avg AScore 1 -> 0.6; interactions 5 -> 0.6
    assert terms == pytest.approx(
        {"avg_relevant_comments": 0.6, "avg_ascore": 0.6, "representative_interactions": 0.6}
    )
    assert author_score(author_terms(history, s)) == pytest.approx(0.216)


def test_eq2_new_author_gets_the_floor_not_zero() -> None:
    s = AuthorScoreSettings(floor=0.5)
    assert author_score(author_terms(None, s)) == pytest.approx(0.125)
    saturated = AuthorHistory(
        main_posts=1,
        relevant_comments_received=100,
        ascore_total=100,
        representative_interactions=100,
    )
    assert author_score(author_terms(saturated, s)) == pytest.approx(1.0)


def test_author_history_updates_incrementally() -> None:
    h = AuthorHistory(author_id="a").record_main_post(2.0, 3).record_main_post(1.0, 1)
    h = h.record_interaction(2)
    assert (
        h.main_posts,
        h.ascore_total,
        h.relevant_comments_received,
        h.representative_interactions,
    ) == (2, 3.0, 4, 2)


def test_eq3_bfi_ratio_and_smoothing() -> None:
    exact = bfi_from_counts({"warranty": (3, 4), "sales": (1, 4)}, BfiSettings(prior_weight=0))
    assert exact == {"warranty": 0.75, "sales": 0.25}
    smooth = bfi_from_counts({"warranty": (1, 1)}, BfiSettings(prior=0.5, prior_weight=1))
    assert smooth["warranty"] == pytest.approx((1 + 0.5) / 2)
    with pytest.raises(ValueError):
        bfi_from_counts({"x": (5, 2)}, BfiSettings())


def test_count_actionable_feeds_eq3() -> None:
    counts = count_actionable([("a", True), ("a", False), (None, True)])
    assert counts == {"a": (1, 2), "undecided": (1, 1)}


def test_bfi_precedence_profile_then_ranking_then_prior() -> None:
    ranking = BfiSettings(mode="ranking", ranking={"sales": 0.9}, prior=0.3)
    assert bfi_value(("sales",), ranking, {}, {}) == (0.9, "ranking")
    assert bfi_value(("sales",), ranking, {}, {"sales": 0.2}) == (0.2, "profile")
    assert bfi_value(("other",), ranking, {}, {}) == (0.3, "prior")
    observed = BfiSettings(mode="observed")
    # a tie between functions takes the more important one
    assert bfi_value(("a", "b"), observed, {"a": 0.2, "b": 0.7}, {}) == (0.7, "observed")


def test_eq4_rank_is_the_product() -> None:
    assert rank_score(0.5, 0.4, 2.0) == pytest.approx(0.4)


def test_ranker_scores_equal_the_equations() -> None:
    ranker = CareRanker(tone_model=False)
    post = CarePost(
        text="@acme my order never arrived and nobody answers, terrible service",
        author=AuthorHistory(
            main_posts=2,
            relevant_comments_received=2,
            ascore_total=2.0,
            representative_interactions=1,
        ),
    )
    [s] = ranker.score([post], bfi_counts={"customer_care": (3, 4)})
    w = ranker.profile.ascore
    expected_a = (
        w.entities * min(len(s.features.entities), w.entity_cap)
        + w.sentiment * (len(s.features.negative_phrases) - len(s.features.positive_phrases))
        + w.question * bool(s.features.info_seeking)
    )
    assert s.ascore == pytest.approx(expected_a)
    assert s.author_score == pytest.approx(
        author_score(author_terms(post.author, ranker.settings.author))
    )
    assert s.rank_score == pytest.approx(s.author_score * s.bfi * s.ascore)


def test_factor_contributions_sum_to_the_scores() -> None:
    ranker = CareRanker()
    posts = [
        "@acme why is my refund still not here?? been waiting 3 weeks",
        "thanks @acme, the new app update is great",
        CarePost(
            text="can anyone tell me where to find the warranty form?",
            author=AuthorHistory(main_posts=3, ascore_total=1.5),
        ),
    ]
    for s in ranker.score(posts):
        by_part: dict[str, list[float]] = {}
        for f in s.factors:
            by_part.setdefault(f.part, []).append(f.contribution)
        assert sum(by_part["ascore"]) == pytest.approx(s.ascore)
        assert math.prod(by_part["author_score"]) == pytest.approx(s.author_score)
        assert math.prod(by_part["bfi"]) == pytest.approx(s.bfi)
        assert sum(f.rank_contribution for f in s.factors) == pytest.approx(s.rank_score)


def test_settings_reject_unknown_active_profile() -> None:
    with pytest.raises(ValueError):
        CareSettings(active_profile="nope")


def test_configured_profiles_add_to_the_shipped_ones_and_take_their_key_as_name() -> None:
    settings = CareSettings.model_validate(
        {"profiles": {"black_friday": {"ascore": {"purchase": 3.0}}}}
    )
    assert {"default", "holiday_season", "black_friday"} <= set(settings.profiles)
    assert settings.profiles["black_friday"].name == "black_friday"
    assert settings.profiles["black_friday"].ascore.purchase == 3.0
    assert settings.profiles["black_friday"].ascore.sentiment == AScoreWeights().sentiment
    with pytest.raises(ValueError):
        CareSettings.model_validate({"profiles": {"a": {"name": "b"}}})
