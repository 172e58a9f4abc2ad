"""SentimentModel: negation, shipped default model offline, training and safe persistence."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from socialreferral.text import SentimentModel
from socialreferral.text._lexicon import LITOTES
from socialreferral.text._tokenize import mark_negation, raw_tokens, sentiment_tokens


@pytest.fixture(scope="module")
def default() -> SentimentModel:
    return SentimentModel.default()


def test_negation_scope_marks_until_punctuation() -> None:
    assert sentiment_tokens("not bad, great") == ["not", "bad_NEG", ",", "great"]
    assert mark_negation(["no", "problems", ",", "no", "complaints"]) == [
        "no",
        "problems_NEG",
        ",",
        "no",
        "complaints_NEG",
    ]
    toks = sentiment_tokens("I don't like it!! but ok")
    assert toks[2:] == ["like_NEG", "it_NEG", "!!", "but", "ok"]


def test_tokens_canonicalise_open_classes() -> None:
    assert raw_tokens("@bob paid $30 at http://x.co soooo good") == [
        "<user>",
        "paid",
        "<money>",
        "at",
        "<url>",
        "sooo",
        "good",
    ]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("not bad", "positive"),
        ("No problems, no complaints!", "positive"),
        ("never had a problem with them", "positive"),
        ("not worried at all", "positive"),  # "worried" is in _lexicon.LITOTES
        ("the service was not good", "negative"),
        ("This is the worst phone I have ever owned", "negative"),
        ("I love this, best purchase ever :)", "positive"),
    ],
)
def test_default_model_handles_negation(default: SentimentModel, text: str, label: str) -> None:
    assert default.predict([text]) == [label]


def test_litotes_rule_covers_worried(default: SentimentModel) -> None:
    # Negated "worried" is a stock litotes (positive); the plain word is not positive.
    assert "worried" in LITOTES
    assert default.predict(["not worried at all", "i am not worried about the exam"]) == [
        "positive",
        "positive",
    ]
    assert default.predict(["so worried about my account"]) != ["positive"]


def test_default_model_outputs(default: SentimentModel) -> None:
    texts = ["great day", "awful day", "The meeting is at 3pm on Tuesday."]
    assert default.predict(texts) == ["positive", "negative", "neutral"]
    proba = default.predict_proba(texts)
    assert proba.shape == (3, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert default.predict([]) == []
    assert any(term.startswith("awful") for term, _ in default.explain("awful day"))
    assert SentimentModel.default() is default  # cached, loaded once


def test_default_loads_offline_without_nltk_data(tmp_path: object) -> None:
    # Fresh process, sockets disabled and NLTK pointed at an empty folder: nothing may be
    # downloaded or read from NLTK data when the default model loads and predicts.
    code = textwrap.dedent(
        """
        import socket
        def _blocked(*a, **k):
            raise RuntimeError("network access attempted")
        socket.socket.connect = _blocked
        socket.socket.connect_ex = _blocked
        socket.create_connection = _blocked
        socket.getaddrinfo = _blocked
        from socialreferral.text import SentimentModel, analyze
        print(SentimentModel.default().predict(["not bad at all"])[0])
        print(analyze(["where can I get a car loan?"], {"car_loan": ["car loan"]})[0].intent)
        """
    )
    env = {"NLTK_DATA": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["positive", "question"]


def _toy() -> tuple[list[str], list[str]]:
    pos = ["love it", "great stuff", "so happy today", "awesome game", "best day ever"]
    neg = ["hate it", "terrible stuff", "so sad today", "awful game", "worst day ever"]
    neu = ["it is monday", "the game is at 5", "see the report", "new version out", "ok then"]
    return pos + neg + neu, ["positive"] * 5 + ["negative"] * 5 + ["neutral"] * 5


def test_negative_bias_shifts_only_the_negative_score_and_is_saved() -> None:
    texts, labels = _toy()
    plain = SentimentModel(C=1.0, min_df=1, negative_bias=0.0).fit(texts, labels)
    shifted = SentimentModel(C=1.0, min_df=1, negative_bias=0.5).fit(texts, labels)
    neg = plain.labels.index("negative")
    diff = shifted.decision_function(texts) - plain.decision_function(texts)
    np.testing.assert_allclose(diff[:, neg], 0.5, atol=1e-3)  # float32 solver noise
    np.testing.assert_allclose(np.delete(diff, neg, axis=1), 0.0, atol=1e-3)
    buf = io.BytesIO()
    shifted.save(buf)
    buf.seek(0)
    assert SentimentModel.load(buf).negative_bias == 0.5
    # A large enough shift makes every post negative.
    assert set(
        SentimentModel(C=1.0, min_df=1, negative_bias=50).fit(texts, labels).predict(texts)
    ) == {"negative"}
    assert SentimentModel.default().negative_bias == 0.3


def test_fit_save_load_roundtrip_without_pickle() -> None:
    texts, labels = _toy()
    model = SentimentModel(C=1.0, min_df=1).fit(texts, labels)
    assert model.predict(["love this game"]) == ["positive"]
    buf = io.BytesIO()
    model.save(buf)
    buf.seek(0)
    with np.load(buf, allow_pickle=False) as z:  # readable without pickle
        assert "coef" in z.files
    buf.seek(0)
    loaded = SentimentModel.load(buf)
    assert loaded.predict(texts) == model.predict(texts)


def test_unfitted_and_mismatched_inputs() -> None:
    with pytest.raises(RuntimeError):
        SentimentModel().predict(["x"])
    with pytest.raises(ValueError):
        SentimentModel().fit(["a"], ["positive", "negative"])


def test_cached_token_scores_equal_sparse_features(default: SentimentModel) -> None:
    texts = ["not bad at all!!", "@bob the new phone is great :)", "", "meh meh meh"]
    toks = [sentiment_tokens(t) for t in texts]
    sparse_scores = np.asarray(default._features(toks) @ default.coef.T)
    np.testing.assert_allclose(default._linear_scores(toks), sparse_scores, rtol=1e-4, atol=1e-5)
