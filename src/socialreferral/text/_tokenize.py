"""Fast tweet tokenisation with negation scope marking.

One compiled regex per post instead of NLTK's TweetTokenizer: ``analyze`` must handle more
than 10,000 posts/s on one core, and NLTK data (``word_tokenize``) is not available offline.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

# Order matters: URLs and mentions before words, emoticons before punctuation.
_TOKEN = re.compile(
    r"""
    https?://\S+ | www\.\S+                     # URLs
    | @\w+                                      # mentions
    | \#\w+                                     # hashtags
    | [$€£]\s?\d+(?:[.,]\d+)*[kmb]?             # money
    | \d+(?:[.,:/]\d+)*(?:st|nd|rd|th|%)?       # numbers, times, dates
    | [a-z]+(?:['\u2019][a-z]+)*                     # words with contractions
    | [<>]?[:;=8][\-o*']?[)\](\[dpP/\\|@3o]+    # western emoticons
    | [)\](\[dp/\\|@3]+[\-o*']?[:;=8]           # reversed emoticons
    | <3
    | [!?.]+                                    # runs of sentence punctuation
    | [^\s\w]                                   # any other symbol (emoji, comma, ...)
    """,
    re.VERBOSE,  # applied to lower-cased text: IGNORECASE would only slow the scan
)
_ELONGATED = re.compile(r"(.)\1{2,}")

NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "nowhere",
        "cannot",
        "hardly",
        "barely",
        "scarcely",
        "without",
        "dont",
        "cant",
        "wont",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "aint",
        "didnt",
        "doesnt",
        "couldnt",
        "shouldnt",
        "wouldnt",
        "hasnt",
        "havent",
        "hadnt",
        "nope",
    ]
)
# Tokens that end a negation scope ("not bad, great" must leave "great" positive).
_SCOPE_END = frozenset(".,!?;:") | frozenset(["but", "however", "although", "though"])
NEG_SUFFIX = "_NEG"


def normalize(text: str) -> str:
    """Lower-case and squash character elongation ("soooo" → "sooo")."""
    return _ELONGATED.sub(r"\1\1\1", text.lower())


def _canonical(tok: str) -> str:
    # Map open classes to one symbol each so the vocabulary stays small and general.
    c = tok[0]
    if c == "@" and len(tok) > 1:
        return "<user>"
    if c in "hw" and (tok.startswith("http") or tok.startswith("www.")):
        return "<url>"
    if c in "$€£":
        return "<money>"
    if c.isdigit():
        return "<num>"
    if c in "!?." and len(tok) > 1:
        return tok[:3]
    return tok.replace("\u2019", "'")


_CANON: dict[str, str] = {}


def raw_tokens(text: str) -> list[str]:
    """Tokens of ``text`` (lower-cased), URLs/mentions/numbers mapped to placeholders."""
    cache = _CANON
    out = []
    for t in _TOKEN.findall(normalize(text)):
        c = cache.get(t)
        if c is None:
            c = _canonical(t)
            if len(cache) < 500_000:
                cache[t] = c
        out.append(c)
    return out


def is_negator(tok: str) -> bool:
    """True for "not", "never", "no", "don't", "isn't", ... ."""
    return tok in NEGATORS or tok.endswith("n't")


def mark_negation(tokens: list[str]) -> list[str]:
    """Append ``_NEG`` to every word after a negator until punctuation or "but".

    This is the classic scope rule (Das & Chen 2001; Pang et al. 2002): "not bad" becomes
    ``not bad_NEG``, so the model learns that negated "bad" is not negative.
    """
    out: list[str] = []
    neg = False
    for t in tokens:
        if t in _SCOPE_END or t[0] in "!?.":
            neg = False
            out.append(t)
        elif neg:
            out.append(t + NEG_SUFFIX)
        else:
            out.append(t)
            if t in NEGATORS or t.endswith("n't"):
                neg = True
    return out


def sentiment_tokens(text: str) -> list[str]:
    """Tokens used by the sentiment model: canonical tokens with negation marking."""
    return mark_negation(raw_tokens(text))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    # Imported on first use: ``import nltk`` alone takes ~2 s, too slow for import time.
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


class _StemCache(dict[str, str]):
    # A dict with __missing__: hits cost one C-level lookup (no lru_cache wrapper call).
    def __missing__(self, word: str) -> str:
        out = str(_stemmer().stem(word))
        if len(self) >= 200_000:  # bound memory on adversarial streams
            self.clear()
        self[word] = out
        return out


_STEMS = _StemCache()
_stem = _STEMS.__getitem__


def stem(word: str) -> str:
    """Snowball stem, cached: the same few thousand words repeat across posts."""
    return _stem(word)


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def stemmed_words(text: str) -> list[str]:
    """Lower-cased, stemmed alphanumeric words (used by intent and product matching)."""
    return list(map(_stem, _WORD.findall(text.lower().replace("\u2019", "'"))))


def with_bigrams(tokens: list[str]) -> list[str]:
    """Unigrams followed by adjacent bigrams ("a b")."""
    return [*tokens, *map(" ".join, pairwise(tokens))]


def gate_words(tokens: list[str]) -> set[str]:
    """Words of a token list without ``_NEG`` marks, contractions also split ("today's")."""
    out = {t[:-4] if t.endswith(NEG_SUFFIX) else t for t in tokens}
    out.update([w.split("'")[0] for w in out if "'" in w])
    return out


# ---------------------------------------------------------------------------- token ids
# ``analyze`` works on integer token ids so that everything after tokenisation is numpy over
# the whole batch. A process-wide table interns *canonical* tokens (base id ``k``); the
# negation-marked form ``tok_NEG`` is unit id ``2k + 1``, the plain form unit id ``2k``.
# Per-token data (model scores, rule gates) lives in :class:`TokenArrays`, computed once per
# new token and indexed by id.

# Table and chunk caches are reset beyond this many entries (adversarial streams; bounded
# memory: roughly 300 bytes per token and per chunk).
_MAX_TOKENS = 300_000

IntArray = npt.NDArray[np.int64]


class _RawIds(dict[str, int]):
    def __init__(self, table: TokenTable) -> None:
        super().__init__()
        self.table = table

    def __missing__(self, raw: str) -> int:
        k = self.table.intern(_canonical(raw))
        self[raw] = k
        return k


class _ChunkIds(dict[str, tuple[int, ...]]):
    # Whitespace-delimited chunk of lower-cased text -> base ids of its tokens. No token
    # spans whitespace (except money "$ 5", which encode() sends to the full-text path) and
    # the token regex has no look-behind, so a post's tokens are its chunks' tokens in order;
    # elongation runs never span whitespace either. Chunks repeat far more than posts do.
    def __init__(self, table: TokenTable) -> None:
        super().__init__()
        self.table = table

    def __missing__(self, chunk: str) -> tuple[int, ...]:
        out = tuple(map(self.table.raw.__getitem__, _TOKEN.findall(normalize(chunk))))
        self[chunk] = out
        return out


class TokenTable:
    """Interned canonical tokens; ``generation`` changes whenever ids are invalidated."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.generation = 0
        self.strings: list[str] = []
        self.ids: dict[str, int] = {}
        self.raw = _RawIds(self)
        self.chunks = _ChunkIds(self)

    def __len__(self) -> int:
        return len(self.strings)

    def reset(self) -> None:
        self.generation += 1
        self.strings = []
        self.ids = {}
        self.raw = _RawIds(self)
        self.chunks = _ChunkIds(self)

    def intern(self, token: str) -> int:
        """Base id of a canonical token (added if new)."""
        k = self.ids.get(token)
        if k is None:
            k = self.ids[token] = len(self.strings)
            self.strings.append(token)
        return k

    def unit(self, marked: str) -> int:
        """Unit id of a token as the sentiment model sees it (``bad`` or ``bad_NEG``)."""
        if marked.endswith(NEG_SUFFIX):
            return 2 * self.intern(marked[: -len(NEG_SUFFIX)]) + 1
        return 2 * self.intern(marked)


TABLE = TokenTable()


class TokenArrays:
    """An array indexed by base id, computed by ``fn(new token strings)`` for new ids only.

    ``per_token`` rows per token (2 for unit-indexed arrays: plain, then ``_NEG``).
    """

    def __init__(
        self,
        fn: Callable[[list[str]], npt.NDArray[Any]],
        per_token: int = 1,
        table: TokenTable = TABLE,
    ) -> None:
        self.fn = fn
        self.per_token = per_token
        self.table = table
        self.generation = -1
        self.n = 0
        self.data: npt.NDArray[Any] = np.zeros(0)

    def get(self) -> npt.NDArray[Any]:
        """The array covering every token currently in the table."""
        tab = self.table
        if self.generation != tab.generation:
            self.generation, self.n = tab.generation, 0
        n = len(tab)
        if n > self.n:
            new = self.fn(tab.strings[self.n : n])
            if self.n == 0:
                self.data = new
            else:
                rows = self.n * self.per_token
                if len(self.data) < n * self.per_token:  # grow geometrically
                    cap = max(n * self.per_token, 2 * len(self.data))
                    grown = np.zeros((cap, *self.data.shape[1:]), dtype=self.data.dtype)
                    grown[:rows] = self.data[:rows]
                    self.data = grown
                self.data[rows : rows + len(new)] = new
            self.n = n
        return self.data


def _flags(strings: list[str]) -> npt.NDArray[np.int8]:
    # bit 0: negator, bit 1: ends a negation scope
    return np.array(
        [
            (s in NEGATORS or s.endswith("n't")) | (s in _SCOPE_END or s[0] in "!?.") << 1
            for s in strings
        ],
        dtype=np.int8,
    )


_FLAGS = TokenArrays(_flags)


@dataclass(frozen=True, slots=True)
class TokenBatch:
    """Sentiment tokens of a batch of posts as ids (see :func:`encode`).

    ``base[i]``/``units[i]``: base and unit id of the batch's ``i``-th token; post ``p``
    holds tokens ``ends[p-1]:ends[p]``; ``owner[i]`` is the post of token ``i``.
    """

    base: IntArray
    units: IntArray
    ends: IntArray
    owner: IntArray
    generation: int
    lower: list[str]
    stems: list[list[str]] | None = None

    def __len__(self) -> int:
        return len(self.ends)


class _ChunkStems(dict[str, tuple[str, ...]]):
    # Chunk of lower-cased text -> its stemmed_words (the word regex never spans whitespace).
    def __missing__(self, chunk: str) -> tuple[str, ...]:
        out = tuple(map(_stem, _WORD.findall(chunk.replace("\u2019", "'"))))
        if len(self) >= _MAX_TOKENS:
            self.clear()
        self[chunk] = out
        return out


_CHUNK_STEMS = _ChunkStems()


def encode(texts: Sequence[str], table: TokenTable = TABLE, stems: bool = False) -> TokenBatch:
    """Tokenise a batch to ids: the same tokens and negation marks as :func:`sentiment_tokens`.

    ``stems=True`` also gives each post's :func:`stemmed_words`. The caller holds
    ``table.lock`` while it uses the ids.
    """
    if len(table) > _MAX_TOKENS or len(table.chunks) > _MAX_TOKENS:
        table.reset()
    getitem = table.raw.__getitem__
    chunk_ids = table.chunks.__getitem__
    chunk_stems = _CHUNK_STEMS.__getitem__
    findall = _TOKEN.findall
    chain = itertools.chain.from_iterable
    flat: list[int] = []
    ends: list[int] = []
    lows: list[str] = []
    docs: list[list[str]] = []
    for text in texts:
        low = text.lower()
        lows.append(low)
        chunks = low.split()
        if "$" in low or "\u20ac" in low or "\xa3" in low:  # "$ 5" spans whitespace
            flat += map(getitem, findall(normalize(low)))
        else:
            flat += chain(map(chunk_ids, chunks))
        ends.append(len(flat))
        if stems:
            docs.append(list(chain(map(chunk_stems, chunks))))
    base = np.array(flat, dtype=np.int64)
    ends_a = np.array(ends, dtype=np.int64)
    lens = np.diff(ends_a, prepend=0)
    owner = np.repeat(np.arange(len(ends_a)), lens)
    n = len(base)
    gen = table.generation
    if n == 0:
        return TokenBatch(base, base, ends_a, owner, gen, lows, docs if stems else None)
    flags = _FLAGS.get()[base]
    # A token is negated when a negator precedes it in its post with no scope end in between
    # (the scope end itself is never marked): mark_negation without the Python loop.
    idx = np.arange(n)
    last_end = np.maximum.accumulate(np.where(flags & 2, idx, -1))
    last_reset = np.maximum(last_end, (ends_a - lens)[owner] - 1)
    last_neg = np.maximum.accumulate(np.where(flags & 1, idx, -1))
    before = np.empty(n, dtype=np.int64)
    before[0] = -1
    before[1:] = last_neg[:-1]
    units = 2 * base + (before > last_reset)
    return TokenBatch(base, units, ends_a, owner, gen, lows, docs if stems else None)


def unit_string(table: TokenTable, unit: int) -> str:
    """The token of a unit id as :func:`sentiment_tokens` spells it."""
    s = table.strings[unit >> 1]
    return s + NEG_SUFFIX if unit & 1 else s
