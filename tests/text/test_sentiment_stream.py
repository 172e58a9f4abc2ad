"""SentimentStream gives SentimentModel.predict_proba's probabilities exactly, batch after
batch, with its token caches kept (and after its token table starts over)."""

from __future__ import annotations

import numpy as np

from socialreferral.demo.bank import build_bank
from socialreferral.text.sentiment import SentimentModel
from socialreferral.text.sentiment_stream import SentimentStream

TEXTS = [
    "I love this bank, the app is great!",
    "Worst service ever. Never again :(",
    "not bad at all, not good either",
    "Is the branch open on Sunday?",
    "",
    "@bank #fail http://x.co $100 refund??? 😡",
]


def _posts() -> list[str]:
    from datetime import UTC, datetime

    bank = build_bank(30, 120, 3, datetime(2026, 1, 5, tzinfo=UTC))
    return [*TEXTS, *(p.text for p in bank.posts)]


def test_equal_to_predict_proba_batch_after_batch() -> None:
    model = SentimentModel.default()
    stream = SentimentStream(model)
    posts = _posts()
    for start in range(0, len(posts), 17):
        batch = posts[start : start + 17]
        assert np.array_equal(stream.predict_proba(batch), model.predict_proba(batch))
    again = posts[:40]  # every token cached now
    assert np.array_equal(stream.predict_proba(again), model.predict_proba(again))


def test_equal_after_the_token_table_starts_over() -> None:
    model = SentimentModel.default()
    stream = SentimentStream(model, max_tokens=64)
    posts = _posts()
    for start in range(0, len(posts), 9):
        batch = posts[start : start + 9]
        assert np.array_equal(stream.predict_proba(batch), model.predict_proba(batch))
