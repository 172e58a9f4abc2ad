"""The opt-in "minilm" sentiment model: n-gram features plus all-MiniLM-L6-v2 embeddings.

Runs on the shipped int8 encoder (numpy forward pass), offline.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from pydantic import ValidationError

from socialreferral.text import Annotator, SentimentModel
from socialreferral.text._tokenize import sentiment_tokens
from socialreferral.text.activity import AnalyzerSettings
from socialreferral.text.catalog_analyzer import TextAnalyticsAnalyzer
from socialreferral.text.sentiment_stream import SentimentStream

POSTS = [
    "The staff at the branch were incredibly courteous and sorted it in minutes",
    "Utterly dreadful customer service, three weeks and still no refund",
    "The branch on Main Street opens at nine on Saturdays",
    "not bad at all!!",
    "",
    "@bob is the new app any good? http://t.co/x",
]


@pytest.fixture(scope="module")
def minilm() -> SentimentModel:
    return SentimentModel.default("minilm")


def test_the_default_stays_the_fast_model_and_minilm_is_named(minilm: SentimentModel) -> None:
    fast = SentimentModel.default()
    assert fast.encoder is None and fast.encoder_weight == 0.0
    assert minilm.encoder is not None and minilm.encoder.precision == "int8"
    assert minilm.encoder_weight == 1.0
    assert SentimentModel.default("minilm") is minilm  # loaded once per process
    # The embedding block (layers 3 and 6, 384 columns each) after the n-gram and lexicon
    # features.
    assert minilm.encoder_layers == minilm.encoder.pool_layers == (3, 6)
    assert minilm.coef.shape[1] == minilm._n_base + 2 * 384
    with pytest.raises(ValueError, match="no shipped sentiment model"):
        SentimentModel.default("bert")  # type: ignore[arg-type]
    with pytest.raises(AttributeError, match="read-only"):
        minilm.encoder_weight = 2.0


@pytest.mark.parametrize(
    ("text", "label"),
    [
        (POSTS[0], "positive"),
        (POSTS[1], "negative"),
        (POSTS[2], "neutral"),
        ("not bad", "positive"),  # the litotes rule applies to this model too
        ("This is the worst phone I have ever owned", "negative"),
    ],
)
def test_minilm_model_labels(minilm: SentimentModel, text: str, label: str) -> None:
    assert minilm.predict([text]) == [label]


def test_scores_are_the_ngram_part_plus_the_embedding_part(minilm: SentimentModel) -> None:
    toks = [sentiment_tokens(p) for p in POSTS]
    embedded = minilm.encoder_scores([p.lower() for p in POSTS])
    assert embedded is not None and np.abs(embedded).max() > 0.05
    emb = minilm.encoder.encode([p.lower() for p in POSTS])  # type: ignore[union-attr]
    np.testing.assert_allclose(
        embedded, emb @ minilm.coef[:, minilm._n_base :].T, rtol=1e-5, atol=1e-6
    )
    full = minilm.decision_tokens(toks, POSTS)
    ngram = minilm._linear_scores(toks) + minilm.intercept
    rule = np.zeros(len(POSTS), dtype=bool)
    rule[3] = True  # "not bad at all!!": the litotes rule sets its positive score
    np.testing.assert_allclose(full[~rule], (ngram + embedded)[~rule], rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="texts"):
        minilm.decision_tokens(toks)


def test_fast_paths_equal_the_reference(minilm: SentimentModel) -> None:
    """Annotator and SentimentStream add the embedding block as decision_tokens does."""
    ref = minilm.decision_tokens([sentiment_tokens(p) for p in POSTS], POSTS)
    np.testing.assert_allclose(minilm.decision_function(POSTS), ref, rtol=1e-5, atol=1e-5)
    annotations = Annotator(minilm).annotate(POSTS)
    assert [a.sentiment for a in annotations] == [minilm.labels[i] for i in ref.argmax(axis=1)]
    np.testing.assert_allclose(
        SentimentStream(minilm).predict_proba(POSTS), minilm.predict_proba(POSTS), atol=1e-6
    )


def _toy() -> tuple[list[str], list[str]]:
    pos = ["I love this phone", "great service, thank you", "what a wonderful day"]
    neg = ["I hate this phone", "terrible service, never again", "what an awful day"]
    neu = ["the branch opens at nine", "the meeting is on tuesday", "my card arrived today"]
    return pos * 3 + neg * 3 + neu * 3, ["positive"] * 9 + ["negative"] * 9 + ["neutral"] * 9


@pytest.mark.parametrize("layers", [(6,), (2, 6)])
def test_fit_with_an_encoder_saves_and_loads_without_pickle(layers: tuple[int, ...]) -> None:
    texts, labels = _toy()
    model = SentimentModel(C=1.0, min_df=1, encoder_weight=1.0, encoder_layers=layers)
    model.fit(texts, labels)
    assert model.encoder is not None and model.encoder.pool_layers == layers
    buf = io.BytesIO()
    model.save(buf)
    buf.seek(0)
    with np.load(buf, allow_pickle=False) as z:
        assert z["coef"].shape[1] == model._n_base + 384 * len(layers)
    buf.seek(0)
    loaded = SentimentModel.load(buf)
    assert loaded.encoder_weight == 1.0 and loaded.encoder is not None
    assert loaded.encoder_layers == loaded.encoder.pool_layers == layers
    np.testing.assert_allclose(
        loaded.decision_function(texts), model.decision_function(texts), atol=2e-2
    )  # float16 weights on disk
    assert loaded.predict(texts) == model.predict(texts)
    with pytest.raises(ValueError, match="encoder_weight"):
        SentimentModel(encoder_weight=-1.0)


def test_the_analyzer_setting_selects_the_model(minilm: SentimentModel) -> None:
    chosen = TextAnalyticsAnalyzer(AnalyzerSettings(sentiment_model="minilm"))
    assert chosen.annotator.sentiment_model is minilm
    default = TextAnalyticsAnalyzer(AnalyzerSettings())
    assert default.annotator.sentiment_model is SentimentModel.default()
    with pytest.raises(ValidationError):
        AnalyzerSettings(sentiment_model="bert")  # type: ignore[arg-type]


def test_an_encoder_pooling_other_layers_is_refused() -> None:
    from socialreferral.text import SentenceEncoder

    texts, labels = _toy()
    model = SentimentModel(min_df=1, encoder_weight=1.0, encoder_layers=(3, 6))
    with pytest.raises(ValueError, match="pool_layers"):
        model.fit(texts, labels, encoder=SentenceEncoder(shipped=True))
