"""BERT's uncased WordPiece tokenizer in pure Python (what ``tokenizer.json`` of
all-MiniLM-L6-v2 describes), for the shipped sentence model.

The shipped copy of the sentence model (``_models/minilm_l6_int8.npz``) must work on a
plain ``pip install socialreferral``, without the Rust ``tokenizers`` wheel (which pulls
``huggingface_hub``). The model's tokenizer is small and fully specified:

* normaliser (``BertNormalizer``: clean text, CJK characters spaced, accents stripped, lower
  case);
* pre-tokeniser (``BertPreTokenizer``: split on whitespace, every punctuation character
  its own token);
* greedy longest-match-first WordPiece with the ``##`` continuation prefix, ``[UNK]`` for a
  word with an unknown piece or longer than 100 characters;
* ``[CLS] ... [SEP]``, truncated to ``max_length`` ids.

``tests/text/test_wordpiece.py`` checks it id for id against ``tokenizers`` when that is
installed, and against recorded ids otherwise. Word → pieces results are cached per
tokenizer (bounded).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

__all__ = ["WordPiece"]

_MAX_WORD_CHARS = 100


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    # ASCII non-alphanumerics count as punctuation even where Unicode says otherwise ("$").
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def _normalize(text: str) -> str:
    out: list[str] = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD:
            continue
        if ch in "\t\n\r" or unicodedata.category(ch) == "Zs":
            out.append(" ")
            continue
        if unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        if _is_cjk(cp):
            out.append(f" {ch} ")
            continue
        out.append(ch)
    text = unicodedata.normalize("NFD", "".join(out))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text.lower()


def _split_words(text: str) -> list[str]:
    words: list[str] = []
    for chunk in text.split():
        if chunk.isalnum():  # the common case: no punctuation inside
            words.append(chunk)
            continue
        start = 0
        for i, ch in enumerate(chunk):
            if _is_punctuation(ch):
                if i > start:
                    words.append(chunk[start:i])
                words.append(ch)
                start = i + 1
        if start < len(chunk):
            words.append(chunk[start:])
    return words


class WordPiece:
    """Text → token ids of an uncased BERT vocabulary (list of pieces, index = id).

    Args:
        vocab: the pieces in id order (``vocab.txt``).
        max_length: ids per text including ``[CLS]`` and ``[SEP]``.
        cache_size: words whose pieces are kept (cleared when full).
    """

    def __init__(self, vocab: Sequence[str], max_length: int = 256, cache_size: int = 50_000):
        self.vocab = {piece: i for i, piece in enumerate(vocab)}
        self.max_length = max_length
        self.unk = self.vocab["[UNK]"]
        self.cls = self.vocab["[CLS]"]
        self.sep = self.vocab["[SEP]"]
        self._cache: dict[str, tuple[int, ...]] = {}
        self._cache_size = cache_size

    def _pieces(self, word: str) -> tuple[int, ...]:
        if len(word) > _MAX_WORD_CHARS:
            return (self.unk,)
        vocab = self.vocab
        out: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = -1
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = vocab.get(piece, -1)
                if found >= 0:
                    break
                end -= 1
            if found < 0:
                return (self.unk,)
            out.append(found)
            start = end
        return tuple(out)

    def encode(self, text: str) -> list[int]:
        """``[CLS]`` + pieces + ``[SEP]``, at most ``max_length`` ids."""
        cache = self._cache
        ids = [self.cls]
        for word in _split_words(_normalize(text)):
            pieces = cache.get(word)
            if pieces is None:
                pieces = self._pieces(word)
                if len(cache) >= self._cache_size:
                    cache.clear()
                cache[word] = pieces
            ids.extend(pieces)
        del ids[self.max_length - 1 :]
        ids.append(self.sep)
        return ids

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        """:meth:`encode` of each text."""
        return [self.encode(t) for t in texts]
