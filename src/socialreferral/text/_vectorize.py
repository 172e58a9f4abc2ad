"""Vocabulary-based TF-IDF over token lists, for word n-grams and per-token char n-grams.

Why not sklearn's ``TfidfVectorizer``: its char analyzer recomputes every n-gram of every
post in Python. Here the char n-grams of a *token* are computed once and cached as an index
array, so a batch costs one dict lookup per token; that is what makes ``analyze`` fast.
The state is plain arrays (vocabulary + idf) so models save without pickle.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import sparse

_EMPTY = np.zeros(0, dtype=np.int32)


def _char_grams(token: str, lo: int, hi: int) -> list[str]:
    # Same as sklearn's "char_wb": pad the token with spaces, n-grams never cross tokens.
    padded = " " + token + " "
    n_chars = len(padded)
    return [padded[i : i + n] for n in range(lo, hi + 1) for i in range(n_chars - n + 1)]


class NgramTfidf:
    """Sublinear-tf x idf features, L2-normalised per document.

    ``kind="word"``: each token is a feature (pass tokens with bigrams already appended).
    ``kind="char"``: each token contributes its padded character ``lo``-``hi``-grams.
    """

    def __init__(self, kind: str = "word", lo: int = 2, hi: int = 5) -> None:
        if kind not in ("word", "char"):
            raise ValueError(f"kind must be 'word' or 'char', not {kind!r}")
        self.kind = kind
        self.lo = lo
        self.hi = hi
        self.vocab: dict[str, int] = {}
        self.idf: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)
        self._cache: dict[str, npt.NDArray[np.int32]] = {}

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
        self.vocab = {t: i for i, t in enumerate(terms)}
        self.idf = np.asarray(idf, dtype=np.float32)
        self._cache = {}

    def terms(self) -> list[str]:
        """The vocabulary in feature-index order."""
        out = [""] * len(self.vocab)
        for t, i in self.vocab.items():
            out[i] = t
        return out

    def _indices(self, token: str) -> npt.NDArray[np.int32]:
        vocab = self.vocab
        ids = [vocab[u] for u in self._units(token) if u in vocab]
        arr = np.array(ids, dtype=np.int32) if ids else _EMPTY
        if len(self._cache) < 500_000:  # bound memory on adversarial streams
            self._cache[token] = arr
        return arr

    def transform(self, docs: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """Documents (token lists) → CSR matrix of shape (len(docs), n_features)."""
        indptr = np.zeros(len(docs) + 1, dtype=np.int64)
        if self.kind == "word":
            vocab = self.vocab
            flat = [vocab[t] for doc in docs for t in doc if t in vocab]
            lens = [sum(1 for t in doc if t in vocab) for doc in docs]
            indices = np.array(flat, dtype=np.int32)
        else:
            cache = self._cache
            chunks: list[npt.NDArray[np.int32]] = []
            lens = []
            for doc in docs:
                n = 0
                for tok in doc:
                    arr = cache.get(tok)
                    if arr is None:
                        arr = self._indices(tok)
                    chunks.append(arr)
                    n += len(arr)
                lens.append(n)
            indices = np.concatenate(chunks) if chunks else _EMPTY
        np.cumsum(lens, out=indptr[1:])
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
