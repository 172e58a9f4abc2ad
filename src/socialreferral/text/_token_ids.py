"""Posts as integer token ids, and the per-token caches that make ``analyze`` fast.

``analyze`` works on integer token ids so that everything after tokenisation is numpy over
the whole batch. A :class:`TokenTable` interns *canonical* tokens (base id ``k``); the
negation-marked form ``tok_NEG`` is unit id ``2k + 1``, the plain form unit id ``2k``.
Per-token data (model scores, rule gates) lives in :class:`TokenArrays`, computed once per
new token and indexed by id.

Every cache here belongs to one :class:`TokenTable` object (no module-level state): its
owner (an :class:`~socialreferral.text.Annotator`, or a one-off call) decides how long the
caches live. Each is bounded: beyond ``max_tokens`` interned tokens or cached chunks the
table starts over (a new ``generation``), and the stem caches are capped. Callers hold
``table.lock`` while they encode and use ids, so one table can serve several threads.
"""

from __future__ import annotations

import itertools
import threading
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from socialreferral.text._tokenize import (
    _SCOPE_END,
    _TOKEN,
    NEG_SUFFIX,
    NEGATORS,
    WORD,
    Stemmer,
    _canonical,
    normalize,
)

# Default bound of a table and its chunk caches (adversarial streams; bounded memory:
# roughly 300 bytes per token and per chunk).
MAX_TOKENS = 300_000

IntArray = npt.NDArray[np.int64]

# Cached token ids are packed as C ints (``array("i")``, read back with ``np.intc``): a
# post's ids are then one ``bytes.join`` of its chunks' values and one ``np.frombuffer``,
# instead of chaining tuples of Python ints into a list that numpy converts one by one.
_PACKED = "i"
# Appended to a chunk's packed ids in a ChunkContent: the chunk holds a content word.
_CONTENT_MARK = -1
_MARK_BYTES = array(_PACKED, [_CONTENT_MARK]).tobytes()


def _unpack(blob: bytes) -> npt.NDArray[np.intc]:
    return np.frombuffer(blob, dtype=np.intc)


def _marked(packed: bytes) -> bool:
    # The mark is one whole packed int (values are whole ints, and no id is negative).
    return packed.endswith(_MARK_BYTES)


class _RawIds(dict[str, int]):
    def __init__(self, table: TokenTable) -> None:
        super().__init__()
        self.table = table

    def __missing__(self, raw: str) -> int:
        k = self.table.intern(_canonical(raw))
        self[raw] = k
        return k


class _ChunkIds(dict[str, bytes]):
    # Whitespace-delimited chunk of lower-cased text -> base ids of its tokens, packed (see
    # _pack). No token spans whitespace (except money "$ 5", which encode() sends to the
    # full-text path) and the token regex has no look-behind, so a post's tokens are its
    # chunks' tokens in order; elongation runs never span whitespace either. Chunks repeat
    # far more than posts do.
    def __init__(self, table: TokenTable) -> None:
        super().__init__()
        self.table = table

    def __missing__(self, chunk: str) -> bytes:
        out = self[chunk] = self.table.pack_tokens(chunk)
        return out


class _ChunkStems(dict[str, tuple[str, ...]]):
    # Chunk of lower-cased text -> its stemmed words (the word regex never spans whitespace).
    def __init__(self, stemmer: Stemmer, max_size: int) -> None:
        super().__init__()
        self.stem = stemmer.stem
        self.max_size = max_size

    def __missing__(self, chunk: str) -> tuple[str, ...]:
        out = tuple(map(self.stem, WORD.findall(chunk.replace("\u2019", "'"))))
        if len(self) >= self.max_size:
            self.clear()
        self[chunk] = out
        return out


def _flags(strings: list[str]) -> npt.NDArray[np.int8]:
    # bit 0: negator, bit 1: ends a negation scope
    return np.array(
        [
            (s in NEGATORS or s.endswith("n't")) | (s in _SCOPE_END or s[0] in "!?.") << 1
            for s in strings
        ],
        dtype=np.int8,
    )


class TokenTable:
    """Interned canonical tokens and the caches keyed by them, owned by one caller.

    Args:
        max_tokens: bound of the token table and of each chunk cache; beyond it the table
            starts over (``generation`` changes, every :class:`TokenArrays` recomputes).
        stemmer: the :class:`Stemmer` for the word view (default: English, owned here).

    ``lock`` (re-entrant) must be held from :func:`encode` until the batch's ids are used.
    """

    def __init__(self, max_tokens: int = MAX_TOKENS, *, stemmer: Stemmer | None = None) -> None:
        if max_tokens < 1:
            raise ValueError("max_tokens must be at least 1")
        self.lock = threading.RLock()
        self.max_tokens = max_tokens
        self.generation = 0
        self.strings: list[str] = []
        self.ids: dict[str, int] = {}
        self.raw = _RawIds(self)
        self.chunks = _ChunkIds(self)
        # `is None`, not `or`: an empty Stemmer is falsy (it has a length).
        self.stemmer = (
            stemmer if stemmer is not None else Stemmer(max_size=max(1, max_tokens * 2 // 3))
        )
        self.chunk_stems = _ChunkStems(self.stemmer, max_tokens)
        self.flags = TokenArrays(_flags, table=self)

    def __len__(self) -> int:
        return len(self.strings)

    def reset(self) -> None:
        """Forget every id (a new generation); stems are kept, they do not depend on ids."""
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

    def pack_tokens(self, text: str) -> bytes:
        """Packed base ids of the tokens of lower-cased ``text`` (new tokens are added)."""
        return array(_PACKED, map(self.raw.__getitem__, _TOKEN.findall(normalize(text)))).tobytes()

    def unit(self, marked: str) -> int:
        """Unit id of a token as the sentiment model sees it (``bad`` or ``bad_NEG``)."""
        if marked.endswith(NEG_SUFFIX):
            return 2 * self.intern(marked[: -len(NEG_SUFFIX)]) + 1
        return 2 * self.intern(marked)


class TokenArrays:
    """An array indexed by base id of ``table``, computed by ``fn(new token strings)`` for
    new ids only (read it with ``table.lock`` held).

    ``per_token`` rows per token (2 for unit-indexed arrays: plain, then ``_NEG``). The array
    follows the table's generation, so it is bounded by the table's ``max_tokens``.
    """

    def __init__(
        self,
        fn: Callable[[list[str]], npt.NDArray[Any]],
        per_token: int = 1,
        *,
        table: TokenTable,
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


@dataclass(frozen=True, slots=True)
class TokenBatch:
    """Sentiment tokens of a batch of posts as ids (see :func:`encode`).

    ``base[i]``/``units[i]``: base and unit id of the batch's ``i``-th token; post ``p``
    holds tokens ``ends[p-1]:ends[p]``; ``owner[i]`` is the post of token ``i``;
    ``stems``: every post's stemmed words, or (with ``candidates``) those of the
    candidate posts only, in that order.
    """

    base: IntArray
    units: IntArray
    ends: IntArray
    owner: IntArray
    generation: int
    lower: list[str]
    stems: list[list[str]] | None = None
    candidates: list[int] | None = None

    def __len__(self) -> int:
        return len(self.ends)


def encode(
    texts: Sequence[str],
    table: TokenTable,
    stems: bool = False,
    content: ChunkContent | None = None,
) -> TokenBatch:
    """Tokenise a batch to ids of ``table``: the same tokens and negation marks as
    :func:`~socialreferral.text._tokenize.sentiment_tokens`.

    ``stems=True`` also gives each post's stemmed words (``table.stemmer.words``);
    ``content`` (a :class:`ChunkContent`) instead gives ``candidates`` (the posts with a
    chunk holding one of its content words) and the stems of those posts only. The caller
    holds ``table.lock`` while it uses the ids.

    """
    if len(table) > table.max_tokens or len(table.chunks) > table.max_tokens:
        table.reset()
    # With ``content``, one lookup per chunk gives its ids and whether it holds a content word.
    chunks_ids = table.chunks if content is None else content.current()
    chunk_ids = chunks_ids.__getitem__
    join = b"".join
    pieces: list[bytes] = []
    lows: list[str] = []
    for text in texts:
        low = text.lower()
        lows.append(low)
        chunks = low.split()
        if "$" in low or "\u20ac" in low or "\xa3" in low:  # "$ 5" spans whitespace
            piece = table.pack_tokens(low)
            if content is not None and any(map(_marked, map(chunk_ids, chunks))):
                piece += _MARK_BYTES
            pieces.append(piece)
        else:
            pieces.append(join(map(chunk_ids, chunks)))
    ids = _unpack(join(pieces))
    ends_a = np.cumsum([len(p) for p in pieces], dtype=np.int64) // ids.itemsize
    stem_docs: list[list[str]] | None = None
    cands: list[int] | None = None
    if content is not None:
        marks = np.flatnonzero(ids == _CONTENT_MARK)
        # Posts holding a mark, in order; then the marks removed from ids and ends.
        cands = np.unique(np.searchsorted(ends_a, marks, side="right")).tolist()
        ends_a -= np.searchsorted(marks, ends_a)
        ids = np.delete(ids, marks)
    if stems or content is not None:
        # Split again (a few posts): keeping every post's chunks alive costs more.
        chunk_stems = table.chunk_stems.__getitem__
        chain = itertools.chain.from_iterable
        stemmed = lows if cands is None else [lows[i] for i in cands]
        stem_docs = [list(chain(map(chunk_stems, low.split()))) for low in stemmed]
    base = ids.astype(np.int64)
    lens = np.diff(ends_a, prepend=0)
    owner = np.repeat(np.arange(len(ends_a)), lens)
    n = len(base)
    gen = table.generation
    if n == 0:
        return TokenBatch(base, base, ends_a, owner, gen, lows, stem_docs, cands)
    flags = table.flags.get()[base]
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
    return TokenBatch(base, units, ends_a, owner, gen, lows, stem_docs, cands)


class ChunkContent(dict[str, bytes]):
    """Chunk of lower-cased text -> its packed token ids in one :class:`TokenTable`, marked
    when one of its stems is in ``content`` (a catalog classifier's content words).

    Lets ``analyze`` stem only the posts that can match a product, with one lookup per
    chunk for both its ids and its mark (:func:`encode` uses it instead of the table's own
    chunk cache). Follows the table's generation; bounded like the table's chunk caches.
    """

    def __init__(self, content: frozenset[str], table: TokenTable) -> None:
        super().__init__()
        self.content = content
        self.table = table
        self.max_size = table.max_tokens
        self.generation = table.generation

    def __missing__(self, chunk: str) -> bytes:
        table = self.table
        out = table.pack_tokens(chunk)
        if not self.content.isdisjoint(table.chunk_stems[chunk]):
            out += _MARK_BYTES
        if len(self) >= self.max_size:
            self.clear()
        self[chunk] = out
        return out

    def current(self) -> ChunkContent:
        """This cache, emptied first if the table started over since its ids were taken."""
        if self.generation != self.table.generation:
            self.clear()
            self.generation = self.table.generation
        return self


def unit_string(table: TokenTable, unit: int) -> str:
    """The token of a unit id as :func:`~socialreferral.text._tokenize.sentiment_tokens`
    spells it."""
    s = table.strings[unit >> 1]
    return s + NEG_SUFFIX if unit & 1 else s
