"""IntentClassifier: training, out-of-scope rejection, catalog bootstrap, explain, persistence.

Runs every behaviour with TF-IDF, embedding and hybrid features (the embeddings come from
the installed float32 model package, or else the shipped int8 copy: nothing to skip).
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from socialreferral.text import IntentClassifier
from socialreferral.text._persist import load_arrays, save_arrays

TRAIN = {
    "card_arrival": [
        "my card has not arrived yet",
        "when will my new card arrive",
        "still waiting for my card to be delivered",
        "how long does card delivery take",
        "card not received after two weeks",
        "where is my card",
    ],
    "exchange_rate": [
        "what exchange rate do you use",
        "how is the currency exchange rate calculated",
        "is the exchange rate good for euros",
        "exchange rate for dollars to pounds",
        "why is the exchange rate so bad",
        "which rate applies when i exchange money",
    ],
    "lost_card": [
        "i lost my card",
        "my card was stolen",
        "someone stole my wallet and card",
        "i can't find my card anywhere",
        "what to do if card is lost",
        "report a stolen card",
    ],
}


CATALOG = {
    "car_loan": ["car loan", "auto loan", "vehicle finance", "loan for a new car"],
    "mortgage": ["mortgage", "home loan", "house loan", "mortgage rates"],
    "credit_card": ["credit card", "cashback card", "travel rewards card"],
}


@pytest.fixture(scope="module", params=["tfidf", "hybrid", "embeddings"])
def clf(request: pytest.FixtureRequest) -> IntentClassifier:
    texts = [t for ts in TRAIN.values() for t in ts]
    labels = [k for k, ts in TRAIN.items() for _ in ts]
    return IntentClassifier(C=10.0, features=request.param).fit(texts, labels)


def test_predicts_known_intents(clf: IntentClassifier) -> None:
    assert clf.predict(["my card still hasn't arrived", "help, my card got stolen"]) == [
        "card_arrival",
        "lost_card",
    ]
    proba = clf.predict_proba(["exchange rate for yen"])
    assert proba.shape == (1, 3)
    assert clf.labels[int(proba.argmax())] == "exchange_rate"


def test_rejects_out_of_scope(clf: IntentClassifier) -> None:
    assert clf.predict(["I love pizza with pineapple", "the weather is lovely"]) == [None, None]
    assert 0.0 < (clf.threshold or 0.0) < 1.0  # estimated from in-scope CV folds
    assert 0.0 < clf.decision_threshold < 1.0
    expected_rule = "prob" if clf.features == "tfidf" else "prob+nn"
    assert clf.decision_rule == expected_rule
    conf = clf.confidence(["where is my card", "I love pizza with pineapple"])
    assert conf[0] > clf.decision_threshold
    if clf.features != "tfidf":  # TF-IDF rejects pizza for sharing no word with the data
        assert conf[1] < clf.decision_threshold


def test_budget_threshold_spends_at_most_the_budget() -> None:
    from socialreferral.text.intent import budget_threshold

    conf = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95])
    correct = np.array([False, True, False, True, True, True, True, True, True, True])
    known = np.ones(10, dtype=bool)
    # No budget: reject only below the least confident right answer (0.2).
    assert budget_threshold(conf, correct, known, 0.0) == pytest.approx(0.2)
    # One right answer in ten may go: 0.2 is rejected, 0.3 (wrong) too, 0.4 kept.
    assert budget_threshold(conf, correct, known, 0.1) == pytest.approx(0.4)
    assert budget_threshold(conf, correct, known, 0.25) == pytest.approx(0.5)
    # Texts lost to the other check (unknown content) use up the budget first.
    known[5] = False
    assert budget_threshold(conf, correct, known, 0.1) == pytest.approx(0.2)
    # Everything may go: above the highest right answer.
    assert budget_threshold(conf, correct, np.ones(10, dtype=bool), 0.99) > 0.95


def test_rejection_budget_is_a_documented_trade_off() -> None:
    texts = [t for ts in TRAIN.values() for t in ts]
    labels = [k for k, ts in TRAIN.items() for _ in ts]
    tight = IntentClassifier(C=10.0, features="tfidf", max_accuracy_loss=0.0).fit(texts, labels)
    loose = IntentClassifier(C=10.0, features="tfidf", max_accuracy_loss=0.3).fit(texts, labels)
    assert tight.threshold is not None and loose.threshold is not None
    assert loose.threshold >= tight.threshold
    curve = tight.rejection_tradeoff((0.0, 0.1, 0.3))
    assert [round(loss, 2) for loss, _, _ in curve] == [0.0, 0.1, 0.3]
    thresholds = [t for _, t, _ in curve]
    rejected = [r for _, _, r in curve]
    assert thresholds == sorted(thresholds) and rejected == sorted(rejected)
    assert thresholds[0] == pytest.approx(tight.threshold)
    # Each budget holds on the CV folds it was chosen on.
    lost = (tight.cv_correct & ((tight.cv_confidence < thresholds[1]) | ~tight.cv_known)).mean()
    assert lost <= 0.1 + 1e-9
    quantile = IntentClassifier(C=10.0, features="tfidf", reject_quantile=0.2).fit(texts, labels)
    n = len(quantile.cv_confidence)  # the quantile interpolates: one example of slack
    assert np.mean(quantile.cv_confidence < (quantile.threshold or 0.0)) <= 0.2 + 1 / n
    with pytest.raises(ValueError, match="max_accuracy_loss"):
        IntentClassifier(max_accuracy_loss=1.5)


def test_explain_names_driving_terms(clf: IntentClassifier) -> None:
    terms = [t for t, _ in clf.explain("my card was stolen yesterday")]
    assert any("stolen" in t or "stole" in t for t in terms)


@pytest.mark.parametrize("features", ["tfidf", "hybrid", "embeddings"])
def test_from_catalog_bootstraps_from_seed_phrases(features: str) -> None:
    clf = IntentClassifier.from_catalog(CATALOG, features=features)
    got = clf.predict(
        ["looking for an auto loan", "best mortgage rates anyone?", "my new cashback card", "lol"]
    )
    assert got == ["car_loan", "mortgage", "credit_card", None]
    assert "__none__" in clf.labels  # background class, never predicted


def test_from_catalog_defaults_to_tfidf() -> None:
    # analyze() builds catalogs on every call and must stay fast.
    assert IntentClassifier.from_catalog(CATALOG).features == "tfidf"


def test_embeddings_match_catalog_paraphrases_without_shared_words() -> None:
    texts = ["borrowing money to buy a toyota", "any lender for buying my first apartment?"]
    assert IntentClassifier.from_catalog(CATALOG).predict(texts) == [None, None]
    hybrid = IntentClassifier.from_catalog(CATALOG, features="hybrid")
    assert hybrid.predict([*texts, "sunny day at the beach", "new phone who dis"]) == [
        "car_loan",
        "mortgage",
        None,
        None,
    ]


@pytest.mark.parametrize("features", ["tfidf", "hybrid"])
def test_single_product_catalog_works(features: str) -> None:
    clf = IntentClassifier.from_catalog({"car_loan": ["car loan", "auto loan"]}, features=features)
    assert clf.predict(["need a car loan", "my cat is cute"]) == ["car_loan", None]


def test_auto_features_use_embeddings_when_installed() -> None:
    assert IntentClassifier().features == "hybrid"
    assert IntentClassifier(features="tfidf").features == "tfidf"
    with pytest.raises(ValueError):
        IntentClassifier(features="bert")


def test_save_load_roundtrip(clf: IntentClassifier) -> None:
    buf = io.BytesIO()
    clf.save(buf)
    buf.seek(0)
    loaded = IntentClassifier.load(buf)
    assert loaded.features == clf.features
    assert loaded.decision_rule == clf.decision_rule
    assert loaded.decision_threshold == pytest.approx(clf.decision_threshold)
    texts = ["where is my card", "i like trains", "exchange rate today"]
    assert loaded.predict(texts) == clf.predict(texts)
    np.testing.assert_allclose(loaded.predict_proba(texts), clf.predict_proba(texts), rtol=1e-5)
    np.testing.assert_allclose(loaded.confidence(texts), clf.confidence(texts), atol=1e-3)


def test_files_without_feature_mode_load_as_tfidf() -> None:
    texts = [t for ts in TRAIN.values() for t in ts]
    labels = [k for k, ts in TRAIN.items() for _ in ts]
    clf = IntentClassifier(C=10.0, features="tfidf").fit(texts, labels)
    buf = io.BytesIO()
    clf.save(buf)
    buf.seek(0)
    arrays, meta = load_arrays(buf)
    for key in ("features", "embedding_weight", "embedding_dim", "rule", "score_threshold"):
        del meta[key]  # a file written before embeddings existed
    old = io.BytesIO()
    save_arrays(old, arrays, json.loads(json.dumps(meta)))
    old.seek(0)
    loaded = IntentClassifier.load(old)
    assert loaded.features == "tfidf"
    assert loaded.predict(texts) == clf.predict(texts)


def test_input_validation() -> None:
    with pytest.raises(ValueError):
        IntentClassifier().fit(["a", "b"], ["x", "x"])
    with pytest.raises(RuntimeError):
        IntentClassifier().predict(["a"])


def test_analyze_uses_an_embedding_catalog_by_its_own_rule() -> None:
    """analyze() with a hybrid catalog classifier: paraphrases sharing no word with the
    seeds still match, and unrelated posts are rejected by the classifier's own rule."""
    from socialreferral.text import analyze

    hybrid = IntentClassifier.from_catalog(CATALOG, features="hybrid")
    posts = ["borrowing money to buy a toyota", "sunny day at the beach"]
    first, second = analyze(posts, catalog=hybrid)
    assert [m.product for m in first.products][:1] == ["car_loan"]
    assert not second.products
