"""IntentClassifier: training, out-of-scope rejection, catalog bootstrap, explain, persistence."""

from __future__ import annotations

import io

import numpy as np
import pytest

from socialreferral.text import IntentClassifier

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


@pytest.fixture(scope="module")
def clf() -> IntentClassifier:
    texts = [t for ts in TRAIN.values() for t in ts]
    labels = [k for k, ts in TRAIN.items() for _ in ts]
    return IntentClassifier(C=10.0).fit(texts, labels)


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


def test_explain_names_driving_terms(clf: IntentClassifier) -> None:
    terms = [t for t, _ in clf.explain("my card was stolen yesterday")]
    assert any("stolen" in t or "stole" in t for t in terms)


def test_from_catalog_bootstraps_from_seed_phrases() -> None:
    clf = IntentClassifier.from_catalog(
        {
            "car_loan": ["car loan", "auto loan", "vehicle finance", "loan for a new car"],
            "mortgage": ["mortgage", "home loan", "house loan", "mortgage rates"],
            "credit_card": ["credit card", "cashback card", "travel rewards card"],
        }
    )
    got = clf.predict(
        ["looking for an auto loan", "best mortgage rates anyone?", "my new cashback card", "lol"]
    )
    assert got == ["car_loan", "mortgage", "credit_card", None]
    assert "__none__" in clf.labels  # background class, never predicted


def test_single_product_catalog_works() -> None:
    clf = IntentClassifier.from_catalog({"car_loan": ["car loan", "auto loan"]})
    assert clf.predict(["need a car loan", "my cat is cute"]) == ["car_loan", None]


def test_save_load_roundtrip(clf: IntentClassifier) -> None:
    buf = io.BytesIO()
    clf.save(buf)
    buf.seek(0)
    loaded = IntentClassifier.load(buf)
    texts = ["where is my card", "i like trains", "exchange rate today"]
    assert loaded.predict(texts) == clf.predict(texts)
    np.testing.assert_allclose(loaded.predict_proba(texts), clf.predict_proba(texts), rtol=1e-5)


def test_input_validation() -> None:
    with pytest.raises(ValueError):
        IntentClassifier().fit(["a", "b"], ["x", "x"])
    with pytest.raises(RuntimeError):
        IntentClassifier().predict(["a"])
