"""The pure-Python WordPiece tokenizer gives the ids of the model's ``tokenizer.json``.

``fixtures/wordpiece_ids.json`` holds ids recorded once with ``tokenizers`` 0.23.3 from the
model's ``tokenizer.json`` (truncation at 256): accents, CJK, control and zero-width
characters, emoji, URLs, a 150-character word ([UNK]) and a text past the length limit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socialreferral.text._wordpiece import WordPiece
from socialreferral.text.embeddings import SentenceEncoder

FIXTURE = Path(__file__).parent / "fixtures" / "wordpiece_ids.json"


@pytest.fixture(scope="module")
def shipped() -> SentenceEncoder:
    return SentenceEncoder(shipped=True, cache_size=0)


def test_ids_equal_the_reference_tokenizer(shipped: SentenceEncoder) -> None:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    tok = shipped.tokenizer
    assert tok.max_length == data["max_length"]
    for text, ids in zip(data["texts"], data["ids"], strict=True):
        assert tok.encode(text) == ids, text[:60]


def test_unknown_pieces_and_truncation() -> None:
    wp = WordPiece(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##able", "able", "."], 6)
    assert wp.encode("unable.") == [2, 4, 5, 7, 3]
    assert wp.encode("unknown") == [2, 1, 3]  # "##known" is no piece: the word is [UNK]
    assert wp.encode("able " * 10) == [2, 6, 6, 6, 6, 3]  # [CLS] + 4 + [SEP]
    assert wp.encode_batch(["", "able"]) == [[2, 3], [2, 6, 3]]
