"""Vocabulary-based TF-IDF over token lists, for word n-grams and per-token char n-grams.

Why not sklearn's ``TfidfVectorizer``: its char analyzer recomputes every n-gram of every
post in Python. Here the char n-grams of a *token* are computed once and cached as an index
array, so a batch costs one dict lookup per token; that is what makes ``analyze`` fast.
The state is plain arrays (vocabulary + idf) so models save without pickle.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from itertools import chain, pairwise, repeat

import numpy as np
import numpy.typing as npt
from scipy import sparse

_EMPTY = np.zeros(0, dtype=np.int32)
_ROW_CHUNK = 4096  # tokens per chunk of AdditiveScorer.token_rows


def _char_grams(token: str, lo: int, hi: int) -> list[str]:
    # Same as sklearn's "char_wb": pad the token with spaces, n-grams never cross tokens.
    padded = " " + token + " "
    n_chars = len(padded)
    return [padded[i : i + n] for n in range(lo, hi + 1) for i in range(n_chars - n + 1)]


class _TokenRows(dict[str, int]):
    """Token -> row of a flat table of feature indices (``idx[ptr[row]:ptr[row + 1]]``).

    Unknown tokens get the next row at once and wait in ``pending`` until :meth:`extend`.
    """

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.pending: list[str] = []
        self.ptr = np.zeros(1, dtype=np.int64)
        self.idx = np.zeros(0, dtype=np.int32)

    def __missing__(self, token: str) -> int:
        row = self[token] = len(self)
        self.pending.append(token)
        return row

    def extend(self, indices: list[list[int]]) -> None:
        """Store the feature indices of the pending tokens (in order)."""
        lens = np.array([len(i) for i in indices], dtype=np.int64)
        flat = np.array([j for i in indices for j in i], dtype=np.int32)
        self.ptr = np.concatenate([self.ptr, self.ptr[-1] + np.cumsum(lens)])
        self.idx = np.concatenate([self.idx, flat])
        self.pending = []


class NgramTfidf:
    """Sublinear-tf x idf features, L2-normalised per document.

    ``kind="word"``: each token is a feature (pass tokens with bigrams already appended).
    ``kind="char"``: each token contributes its padded character ``lo``-``hi``-grams.

    A char vectorizer caches each token's feature indices (the vectorizer's own state:
    guarded by a lock, starts over beyond 500,000 tokens, reset by :meth:`set_state`).
    """

    def __init__(
        self, kind: str = "word", lo: int = 2, hi: int = 5, additive: bool = False
    ) -> None:
        if kind not in ("word", "char"):
            raise ValueError(f"kind must be 'word' or 'char', not {kind!r}")
        self.kind = kind
        # additive=True: x = sum of idf-weighted unit vectors / sqrt(sum of their squared
        # norms). Unlike sublinear-tf + L2 this is additive over tokens, so a linear model's
        # score can be precomputed per token (see SentimentModel's fast path).
        self.additive = additive
        self.lo = lo
        self.hi = hi
        self.vocab: dict[str, int] = {}
        self.idf: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)
        self._rows = _TokenRows()
        self._halves: frozenset[str] | None = None  # see with_known_bigrams

    @property
    def n_features(self) -> int:
        return len(self.vocab)

    def _units(self, token: str) -> list[str]:
        return _char_grams(token, self.lo, self.hi) if self.kind == "char" else [token]

    def fit(self, docs: Sequence[Sequence[str]], min_df: int = 2) -> NgramTfidf:
        """Learn the vocabulary (units in at least ``min_df`` documents) and idf."""
        df: Counter[str] = Counter()
        for doc in docs:
            units: set[str] = set()
            for tok in set(doc):
                units.update(self._units(tok))
            df.update(units)
        terms = sorted(t for t, c in df.items() if c >= min_df)
        counts = np.array([df[t] for t in terms], dtype=np.float64)
        idf = np.log((1.0 + len(docs)) / (1.0 + counts)) + 1.0
        self.set_state(terms, idf.astype(np.float32))
        return self

    def set_state(self, terms: Sequence[str], idf: npt.NDArray[np.float32]) -> None:
        """Restore a fitted vectorizer from its vocabulary (ordered) and idf array."""
        # dict(zip(...)) builds the ~10^5-term vocabulary in C: a worker's start-up cost.
        self.vocab = dict(zip(terms, range(len(terms)), strict=True))
        self.idf = np.asarray(idf, dtype=np.float32)
        self._rows = _TokenRows()
        self._halves = None

    def with_known_bigrams(self, tokens: list[str]) -> list[str]:
        """``with_bigrams(tokens)`` less the bigrams that are no feature for sure: the same
        :meth:`transform` row (a word vectorizer drops unknown terms), built cheaper.

        A bigram "a b" is kept when both halves occur in some vocabulary bigram (two set
        tests instead of building the string and missing the vocabulary). Tokens must hold
        no space, as ``Stemmer.words`` gives them.
        """
        halves = self._halves
        if halves is None:  # once per vocabulary; only the callers of this method pay for it
            parts = (t.split(" ") for t in self.vocab if " " in t)
            halves = self._halves = frozenset(chain.from_iterable(parts))
        return [*tokens, *(f"{a} {b}" for a, b in pairwise(tokens) if a in halves and b in halves)]

    def terms(self) -> list[str]:
        """The vocabulary in feature-index order."""
        out = [""] * len(self.vocab)
        for t, i in self.vocab.items():
            out[i] = t
        return out

    def _char_indices(
        self, docs: Sequence[Sequence[str]]
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        # Feature indices of every token of every document, in order, and their count per
        # document. Each distinct token's indices are computed once and kept in one flat
        # array (token -> slice); a batch is one dict lookup per token plus numpy gathers.
        rows = self._rows
        if len(rows) > 500_000:  # bound memory on adversarial streams
            rows = self._rows = _TokenRows()
        with rows.lock:
            tok = np.array(list(map(rows.__getitem__, chain.from_iterable(docs))), dtype=np.int64)
            if rows.pending:
                vocab = self.vocab
                units = self._units
                rows.extend([[vocab[u] for u in units(t) if u in vocab] for t in rows.pending])
            ptr, idx = rows.ptr, rows.idx
        starts = ptr[tok]
        counts = ptr[tok + 1] - starts
        total = int(counts.sum())
        # offsets[j] = start of j's token + position of j within that token's slice
        shift = np.repeat(starts - (np.cumsum(counts) - counts), counts)
        indices = idx[shift + np.arange(total)]
        owner = np.repeat(np.arange(len(docs)), [len(d) for d in docs])
        return indices, np.bincount(owner, counts, minlength=len(docs)).astype(np.int64)

    def transform(self, docs: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """Documents (token lists) → CSR matrix of shape (len(docs), n_features)."""
        indptr = np.zeros(len(docs) + 1, dtype=np.int64)
        lens: npt.NDArray[np.int64] | list[int]
        if self.kind == "word":
            ids = np.array(
                list(map(self.vocab.get, chain.from_iterable(docs), repeat(-1))), dtype=np.int64
            )
            keep = ids >= 0
            owner = np.repeat(np.arange(len(docs)), [len(d) for d in docs])
            indices = ids[keep].astype(np.int32)
            lens = np.bincount(owner[keep], minlength=len(docs))
        else:
            indices, lens = self._char_indices(docs)
        np.cumsum(lens, out=indptr[1:])
        if self.additive:
            data = self.idf[indices]
            rows = np.repeat(np.arange(len(docs)), lens)
            q = np.bincount(rows, weights=data.astype(np.float64) ** 2, minlength=len(docs))
            x = sparse.csr_matrix((data, indices, indptr), shape=(len(docs), self.n_features))
            x.sum_duplicates()
            norms = np.sqrt(q).astype(np.float32)
            norms[norms == 0] = 1.0
            x.data /= np.repeat(norms, np.diff(x.indptr))
            return x
        data = np.ones(len(indices), dtype=np.float32)
        x = sparse.csr_matrix((data, indices, indptr), shape=(len(docs), self.n_features))
        x.sum_duplicates()
        # Sublinear tf, idf, then L2 row normalisation, all on the raw arrays (no copies).
        np.log(x.data, out=x.data)
        x.data += 1.0
        x.data *= self.idf[x.indices]
        row_nnz = np.diff(x.indptr)
        sq = np.bincount(
            np.repeat(np.arange(len(docs)), row_nnz), weights=x.data**2, minlength=len(docs)
        )
        norms = np.sqrt(sq).astype(np.float32)
        norms[norms == 0] = 1.0
        x.data /= np.repeat(norms, row_nnz)
        return x


class AdditiveScorer:
    """``X @ w`` for an *additive* :class:`NgramTfidf` without building ``X``.

    With additive features a document's score is ``sum(s_t) / sqrt(sum(q_t))`` over its
    tokens, where ``s_t`` (token's idf-weighted coefficients) and ``q_t`` (its squared idf
    norm) depend on the token alone: :meth:`scores` computes them once per distinct token of
    the batch, so scoring is one dict lookup per token plus a few numpy reductions. The
    scorer keeps no cache between calls (it is part of a model that is shared read-only);
    per-token rows that outlive a batch belong to a
    :class:`~socialreferral.text._sentiment_ids.SentimentScorer`.
    """

    def __init__(self, vec: NgramTfidf, w: npt.NDArray[np.float32]) -> None:
        if not vec.additive:
            raise ValueError("AdditiveScorer needs an additive NgramTfidf")
        self.vec = vec
        self.k = w.shape[1]
        self._unit_s = (vec.idf[:, None] * w).astype(np.float64)
        self._unit_q = vec.idf.astype(np.float64) ** 2

    def token_rows(
        self, tokens: Sequence[str]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Per token: its summed coefficient row ``s_t`` (len, k) and squared norm ``q_t``."""
        # New tokens of a batch are scored together: one numpy reduction instead of a few
        # small-array operations per token (which cost more than the arithmetic); in chunks,
        # so that warming thousands of tokens at once keeps its temporary lists small.
        s = np.empty((len(tokens), self.k))
        q = np.empty(len(tokens))
        for start in range(0, len(tokens), _ROW_CHUNK):
            part = tokens[start : start + _ROW_CHUNK]
            s[start : start + len(part)], q[start : start + len(part)] = self._rows(part)
        return s, q

    def _rows(
        self, tokens: Sequence[str]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        vocab, units = self.vec.vocab, self.vec._units
        flat: list[int] = []
        lens: list[int] = []
        for tok in tokens:
            before = len(flat)
            flat += [vocab[u] for u in units(tok) if u in vocab]
            lens.append(len(flat) - before)
        ids = np.array(flat, dtype=np.int64)
        owner = np.repeat(np.arange(len(tokens)), lens)
        q = np.asarray(np.bincount(owner, self._unit_q[ids], minlength=len(tokens)), np.float64)
        s_units = self._unit_s[ids]
        s = np.empty((len(tokens), self.k))
        for c in range(self.k):
            s[:, c] = np.bincount(owner, s_units[:, c], minlength=len(tokens))
        return s, q

    def scores(self, docs: Sequence[Sequence[str]]) -> npt.NDArray[np.float64]:
        """Shape (len(docs), k): the same as ``vec.transform(docs) @ w``."""
        flat: list[int] = []
        lens: list[int] = []
        if self.vec.kind == "word":
            # Word units (bigrams especially) rarely repeat: index the vocabulary directly.
            vocab = self.vec.vocab
            for doc in docs:
                before = len(flat)
                flat += [vocab[u] for u in doc if u in vocab]
                lens.append(len(flat) - before)
            unit_s, unit_q = self._unit_s, self._unit_q
        else:
            # Rows of this batch's distinct tokens (a token's row does not depend on the
            # batch, so the sums are those of a persistent per-token cache).
            rows_of = {t: i for i, t in enumerate(dict.fromkeys(t for d in docs for t in d))}
            unit_s, unit_q = self.token_rows(list(rows_of))
            for doc in docs:
                flat += [rows_of[t] for t in doc]
                lens.append(len(doc))
        ids = np.array(flat, dtype=np.int64)
        owner = np.repeat(np.arange(len(docs)), lens)
        n = len(docs)
        q = np.bincount(owner, weights=unit_q[ids], minlength=n)
        s = unit_s[ids]
        out = np.empty((n, self.k))
        for c in range(self.k):
            out[:, c] = np.bincount(owner, weights=s[:, c], minlength=n)
        q[q == 0] = 1.0
        return out / np.sqrt(q)[:, None]
