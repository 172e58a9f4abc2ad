"""InfluenceModel on synthetic pairs: pillar weights, score, compare, learned option."""

from __future__ import annotations

import numpy as np
import pytest

from socialreferral.scoring import KAGGLE_COLUMNS, InfluenceModel, Profile


def _pairs(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    # Hidden truth: influence = log followers + log retweets received (+ noise).
    rng = np.random.default_rng(seed)
    a = rng.lognormal(3.0, 2.0, size=(n, 11))
    b = rng.lognormal(3.0, 2.0, size=(n, 11))

    def truth(x: np.ndarray) -> np.ndarray:
        return np.log1p(x[:, 0]) + np.log1p(x[:, 4]) + rng.normal(0, 0.5, len(x))

    y = (truth(a) > truth(b)).astype(int)
    return np.hstack([a, b]), y


@pytest.fixture(scope="module")
def model() -> InfluenceModel:
    x, y = _pairs()
    return InfluenceModel(n_estimators=60).fit(x, y)


def test_pillar_weights_follow_the_signal(model: InfluenceModel) -> None:
    w = model.pillar_weights
    assert set(w) == {"reach", "resonance", "relevance"}
    assert abs(sum(w.values()) - 1.0) < 1e-3
    assert w["relevance"] < min(w["reach"], w["resonance"])  # noise features
    assert model.feature_weights["follower_count"] > 0


def test_score_and_compare(model: InfluenceModel) -> None:
    big = Profile(follower_count=1e6, retweets_received=500, listed_count=3000, posts=50)
    small = Profile(follower_count=20, retweets_received=0.1, listed_count=0, posts=1)
    s = model.score(big)
    assert s.total > model.score(small).total
    assert s.total == pytest.approx(s.reach + s.resonance + s.relevance, abs=1e-3)
    assert "reach" in s.explanation and 0 <= s.percentile <= 100
    p = model.compare(big, small)
    assert p > 0.9
    assert model.compare(small, big) == pytest.approx(1 - p)
    assert model.rank([small, big]) == [1, 0]


def test_keyword_relevance_changes_score(model: InfluenceModel) -> None:
    base = Profile(follower_count=1000, posts=100)
    on_topic = Profile(follower_count=1000, posts=100, keyword_posts=60, keyword_engagement=200)
    assert model.score(on_topic).relevance > model.score(base).relevance


def test_learned_option_is_symmetric_and_accurate() -> None:
    x, y = _pairs()
    learned = InfluenceModel(learned=True, n_estimators=40).fit(x[:300], y[:300])
    p = learned.compare_many(x[300:])
    swapped = np.hstack([x[300:, 11:], x[300:, :11]])
    np.testing.assert_allclose(p, 1 - learned.compare_many(swapped), atol=1e-9)
    assert ((p > 0.5) == y[300:]).mean() > 0.75


def test_profile_helpers_and_errors() -> None:
    p = Profile.from_row(list(range(11)))
    assert p.vector().tolist() == [float(i) for i in range(11)]
    assert len(KAGGLE_COLUMNS) == 11
    with pytest.raises(ValueError):
        Profile.from_row([1.0])
    with pytest.raises(RuntimeError):
        InfluenceModel().score(p)
    with pytest.raises(ValueError):
        InfluenceModel().fit(np.zeros((3, 5)), [0, 1, 0])


def test_fit_on_a_constant_feature_column_gives_finite_weights() -> None:
    # Regression: np.corrcoef of a constant column is NaN, which made every weight and
    # score NaN (and warned). A column that never varies carries no signal: weight 0.
    x, y = _pairs(300)
    x[:, KAGGLE_COLUMNS.index("network_feature_3")] = 7.0
    x[:, 11 + KAGGLE_COLUMNS.index("network_feature_3")] = 7.0
    model = InfluenceModel(n_estimators=30).fit(x, y)
    assert all(np.isfinite(v) for v in model.feature_weights.values())
    assert all(np.isfinite(v) for v in model.pillar_weights.values())
    assert model.feature_weights["network_feature_3"] == 0.0
    p = model.compare_many(x[:50])
    assert np.isfinite(p).all()
    assert ((p > 0.5) == y[:50]).mean() > 0.7
    assert np.isfinite(model.score(Profile(follower_count=10)).total)


def test_fit_rejects_data_without_any_varying_pillar_feature() -> None:
    from socialreferral.errors import InvalidInput

    x = np.ones((20, 22))
    with pytest.raises(InvalidInput):
        InfluenceModel(n_estimators=5).fit(x, [0, 1] * 10)
