"""Three-class tweet sentiment: negation-aware word/char TF-IDF + VADER lexicon features.

The default model (``SentimentModel.default()``) is trained on SemEval 2013-2016 Task 4A
(see ``benchmarks/sentiment.py --train-default``) and shipped inside the package as a
pickle-free ``.npz``; loading it needs no network and no NLTK data.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import IO, Any, ClassVar

import numpy as np
import numpy.typing as npt
from scipy import sparse

from socialreferral.text._lexicon import (
    N_LEXICON_FEATURES,
    lexicon_features,
    lexicon_features_flat,
    lexicon_hits,
    negated_negative_only,
    valence,
)
from socialreferral.text._persist import (
    check_kind,
    decode_strings,
    encode_strings,
    load_arrays,
    save_arrays,
)
from socialreferral.text._tokenize import (
    NEG_SUFFIX,
    TABLE,
    TokenArrays,
    TokenBatch,
    encode,
    sentiment_tokens,
    with_bigrams,
)
from socialreferral.text._vectorize import AdditiveScorer, NgramTfidf

LABELS = ("negative", "neutral", "positive")
_KIND = "socialreferral.SentimentModel/2"
DEFAULT_MODEL_FILE = "sentiment_semeval.npz"


class SentimentModel:
    """Linear SVM over negation-marked word 1-2-grams, char 2-5-grams and lexicon scores.

    Args:
        C: inverse regularisation of the linear SVM (chosen on a SemEval dev split).
        min_df: minimum document frequency of a feature during ``fit``.
        lexicon_weight: scale of the six VADER-lexicon features against the TF-IDF blocks.
        negation_rule: apply SCION's negation rule on top of the model: a post whose only
            opinion words are *negated negative* ones ("not bad", "no problems, no
            complaints") is positive. Tweets with "not"/"no" are mostly negative in the
            training data, so a linear model alone calls "not bad" negative.
    """

    _default: ClassVar[SentimentModel | None] = None
    _default_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        C: float = 0.1,
        min_df: int = 2,
        lexicon_weight: float = 1.0,
        negation_rule: bool = True,
    ) -> None:
        self.C = C
        self.negation_rule = negation_rule
        self.min_df = min_df
        self.lexicon_weight = lexicon_weight
        # Additive TF-IDF (see NgramTfidf) so inference can use per-token cached scores.
        self.words = NgramTfidf("word", additive=True)
        self.chars = NgramTfidf("char", 2, 5, additive=True)
        self._scorers: tuple[AdditiveScorer, AdditiveScorer] | None = None
        self._ids: _IdScorer | None = None
        self.labels: tuple[str, ...] = LABELS
        self.coef: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self.intercept: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)

    # ------------------------------------------------------------------ features
    def _features(self, token_docs: Sequence[list[str]]) -> sparse.csr_matrix:
        word_docs = [with_bigrams(d) for d in token_docs]
        lex = lexicon_features(token_docs) * self.lexicon_weight
        return sparse.hstack(
            [self.words.transform(word_docs), self.chars.transform(token_docs), lex],
            format="csr",
        )

    def _check_fitted(self) -> None:
        if self.coef.size == 0:
            raise RuntimeError("SentimentModel is not fitted: call fit() or default()")

    # ------------------------------------------------------------------ training
    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> SentimentModel:
        """Train on ``texts`` with labels among ``negative``/``neutral``/``positive``."""
        from sklearn.svm import LinearSVC  # imported here: training only

        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        classes = sorted(set(labels))
        token_docs = [sentiment_tokens(t) for t in texts]
        self.words.fit([with_bigrams(d) for d in token_docs], self.min_df)
        self.chars.fit(token_docs, self.min_df)
        x = self._features(token_docs)
        clf = LinearSVC(C=self.C, class_weight="balanced", max_iter=5000)
        clf.fit(x, list(labels))
        coef = np.asarray(clf.coef_, dtype=np.float32)
        intercept = np.asarray(clf.intercept_, dtype=np.float32)
        if len(classes) == 2:  # binary SVM: one row; make it two for a uniform predict
            coef = np.vstack([-coef, coef])
            intercept = np.concatenate([-intercept, intercept])
        self.labels = tuple(str(c) for c in clf.classes_)
        self.coef, self.intercept = coef, intercept
        self._scorers = None
        self._ids = None
        return self

    # ------------------------------------------------------------------ inference
    def decision_function(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Linear scores, shape (n, n_labels), columns in ``self.labels`` order."""
        self._check_fitted()
        with TABLE.lock:
            return self.decision_ids(encode(texts))

    def decision_ids(self, batch: TokenBatch) -> npt.NDArray[np.float32]:
        """As :meth:`decision_function` for a batch from :func:`encode` (hold ``TABLE.lock``).

        Equal to :meth:`decision_tokens` on the same posts (same sums in the same order), but
        everything after tokenisation is numpy over the whole batch.
        """
        self._check_fitted()
        if self._ids is None:
            self._ids = _IdScorer(self, *self._additive_scorers())
        linear, flip = self._ids.scores(batch)
        scores = linear + self.intercept
        if self.negation_rule and "positive" in self.labels and flip.any():
            pos = self.labels.index("positive")
            scores[flip, pos] = scores[flip].max(axis=1) + 0.25
        return scores

    def _additive_scorers(self) -> tuple[AdditiveScorer, AdditiveScorer]:
        if self._scorers is None:
            nw = self.words.n_features
            nc = self.chars.n_features
            self._scorers = (
                AdditiveScorer(self.words, self.coef[:, :nw].T),
                AdditiveScorer(self.chars, self.coef[:, nw : nw + nc].T),
            )
        return self._scorers

    def _linear_scores(self, token_docs: Sequence[list[str]]) -> npt.NDArray[np.float32]:
        # Fast path: per-token cached contributions instead of building the sparse matrix;
        # equal to ``self._features(token_docs) @ self.coef.T`` (tested).
        self._scorers = self._additive_scorers()
        nw_nc = self.words.n_features + self.chars.n_features
        lex = lexicon_features(token_docs) * self.lexicon_weight
        total = (
            self._scorers[0].scores([with_bigrams(d) for d in token_docs])
            + self._scorers[1].scores(token_docs)
            + lex @ self.coef[:, nw_nc:].T
        )
        return np.asarray(total, dtype=np.float32)

    def decision_tokens(self, token_docs: Sequence[list[str]]) -> npt.NDArray[np.float32]:
        """As :meth:`decision_function` for texts already run through ``sentiment_tokens``."""
        self._check_fitted()
        scores = self._linear_scores(token_docs) + self.intercept
        if self.negation_rule and "positive" in self.labels:
            flip = negated_negative_only(token_docs)
            if flip.any():
                pos = self.labels.index("positive")
                scores[flip, pos] = scores[flip].max(axis=1) + 0.25
        return scores

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Labels ``"negative" | "neutral" | "positive"``, one per text."""
        if len(texts) == 0:
            return []
        scores = self.decision_function(texts)
        return [self.labels[i] for i in scores.argmax(axis=1)]

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Softmax of the SVM scores: a monotone confidence, not calibrated probability."""
        s = self.decision_function(texts) * 3.0
        s -= s.max(axis=1, keepdims=True)
        e = np.exp(s)
        return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float32)

    def explain(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        """Word features and lexicon hits that pushed ``text`` towards its predicted label."""
        self._check_fitted()
        toks = sentiment_tokens(text)
        label = int(self.decision_tokens([toks]).argmax())
        grams = with_bigrams(toks)
        xw = self.words.transform([grams])
        w = self.coef[label, : self.words.n_features]
        terms = self.words.terms()
        contrib = [(terms[j], float(v * w[j])) for j, v in zip(xw.indices, xw.data, strict=True)]
        contrib.sort(key=lambda kv: -kv[1])
        out = [(t, round(c, 3)) for t, c in contrib[:top] if c > 0]
        seen = {t for t, _ in out}
        out += [(t, v) for t, v in lexicon_hits(toks) if t not in seen][: max(0, top - len(out))]
        return out

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path | IO[bytes]) -> None:
        """Write the model as a pickle-free ``.npz`` (float16 weights keep it small)."""
        self._check_fitted()
        arrays: dict[str, npt.NDArray[Any]] = {
            "word_terms": encode_strings(self.words.terms()),
            "word_idf": self.words.idf.astype(np.float16),
            "char_terms": encode_strings(self.chars.terms()),
            "char_idf": self.chars.idf.astype(np.float16),
            "coef": self.coef.astype(np.float16),
            "intercept": self.intercept.astype(np.float32),
        }
        meta: dict[str, Any] = {
            "kind": _KIND,
            "labels": list(self.labels),
            "C": self.C,
            "min_df": self.min_df,
            "lexicon_weight": self.lexicon_weight,
            "lexicon_features": N_LEXICON_FEATURES,
            "features": "additive",
        }
        save_arrays(path, arrays, meta)

    @classmethod
    def load(cls, path: str | Path | IO[bytes]) -> SentimentModel:
        """Load a model written by :meth:`save` (never unpickles)."""
        arrays, meta = load_arrays(path)
        check_kind(meta, _KIND)
        model = cls(
            C=float(meta["C"]),
            min_df=int(meta["min_df"]),
            lexicon_weight=float(meta["lexicon_weight"]),
        )
        model.words.set_state(
            decode_strings(arrays["word_terms"]), arrays["word_idf"].astype(np.float32)
        )
        model.chars.set_state(
            decode_strings(arrays["char_terms"]), arrays["char_idf"].astype(np.float32)
        )
        model.coef = arrays["coef"].astype(np.float32)
        model.intercept = arrays["intercept"].astype(np.float32)
        model.labels = tuple(meta["labels"])
        model._scorers = model._ids = None
        if meta.get("features") != "additive":
            raise ValueError("model file predates additive features: retrain it")
        return model

    @classmethod
    def default(cls) -> SentimentModel:
        """The shipped SemEval-trained model, loaded once per process (thread-safe)."""
        if cls._default is None:
            with cls._default_lock:
                if cls._default is None:
                    ref = resources.files("socialreferral._models").joinpath(DEFAULT_MODEL_FILE)
                    with ref.open("rb") as fh:
                        cls._default = cls.load(fh)
        return cls._default


class _IdScorer:
    """:class:`SentimentModel` scores over token ids: per-unit data computed once per token.

    Per unit id (``tok`` and ``tok_NEG``): the char block's summed row and squared norm, the
    word-vocabulary index of the unigram, the lexicon valence and flags. Word bigrams are found
    by binary search of ``(unit, unit)`` pairs in the sorted bigram vocabulary.
    """

    def __init__(self, model: SentimentModel, words: AdditiveScorer, chars: AdditiveScorer):
        self.model = model
        self.words = words
        self.chars = chars
        self.k = words.k
        self.lex_coef = model.coef[:, model.words.n_features + model.chars.n_features :].T
        self.units = TokenArrays(self._unit_rows, per_token=2)
        self._bigram_gen = -1
        self._bigram_table = _PairTable({})

    def _unit_rows(self, strings: list[str]) -> npt.NDArray[np.float64]:
        # Columns: char s (k), char q, word-unigram index (-1: none), valence, flags.
        marked = [u for s in strings for u in (s, s + NEG_SUFFIX)]
        k = self.k
        out = np.empty((len(marked), k + 4))
        out[:, :k], out[:, k] = self.chars.token_rows(marked)
        vocab = self.model.words.vocab
        out[:, k + 1] = [vocab.get(u, -1) for u in marked]
        lex = valence()
        out[:, k + 2] = [lex.get(u, 0.0) for u in marked]
        out[:, k + 3] = [
            (u in lex) | (i & 1) << 1 | (u[0] == "!") << 2 | (u[0] == "?") << 3
            for i, u in enumerate(marked)
        ]
        return out

    def _bigrams(self) -> _PairTable:
        if self._bigram_gen != TABLE.generation:
            pairs = {
                (TABLE.unit(a) << 32) | TABLE.unit(b): j
                for t, j in self.model.words.vocab.items()
                if " " in t
                for a, b in [t.split(" ", 1)]
            }
            self._bigram_table = _PairTable(pairs)
            self._bigram_gen = TABLE.generation
        return self._bigram_table

    def scores(self, batch: TokenBatch) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
        """Linear scores (no intercept) and the posts the negation rule applies to."""
        if batch.generation != TABLE.generation:
            raise RuntimeError("token ids are stale: encode() and score under TABLE.lock")
        bigrams = self._bigrams()  # before units.get(): may intern bigram tokens
        n, k = len(batch), self.k
        u, owner = batch.units, batch.owner
        rows = self.units.get()[u]
        # Words: unigrams of all posts, then bigrams (per post the order of with_bigrams).
        wi = rows[:, k + 1].astype(np.int64)
        has = wi >= 0
        same = owner[1:] == owner[:-1]
        pair = ((u[:-1] << 32) | u[1:])[same]
        bid = bigrams.lookup(pair)
        found = bid >= 0
        vid = np.concatenate([wi[has], bid[found]])
        vown = np.concatenate([owner[has], owner[:-1][same][found]])
        word = self._sum(self.words._unit_s[vid], self.words._unit_q[vid], vown, n)
        char = self._sum(rows[:, :k], rows[:, k], owner, n)
        lex, flip = lexicon_features_flat(rows[:, k + 2], rows[:, k + 3].astype(np.int64), owner, n)
        lex *= self.model.lexicon_weight
        return np.asarray(word + char + lex @ self.lex_coef, dtype=np.float32), flip

    def _sum(
        self,
        s: npt.NDArray[np.float64],
        q: npt.NDArray[np.float64],
        owner: npt.NDArray[np.int64],
        n: int,
    ) -> npt.NDArray[np.float64]:
        qs = np.bincount(owner, weights=q, minlength=n)
        out = np.empty((n, self.k))
        for c in range(self.k):
            out[:, c] = np.bincount(owner, weights=s[:, c], minlength=n)
        qs[qs == 0] = 1.0
        return out / np.sqrt(qs)[:, None]


class _PairTable:
    """Open-addressing hash table int64 key -> int64 value, looked up with numpy for a whole
    array of keys at once (a binary search over the ~10^5 bigram keys cost 10x more)."""

    _MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing

    def __init__(self, items: dict[int, int]) -> None:
        bits = max(4, (2 * len(items)).bit_length())  # load factor <= 1/2: short probes
        self.shift = np.uint64(64 - bits)
        self.mask = (1 << bits) - 1
        self.keys = np.full(1 << bits, -1, dtype=np.int64)
        self.values = np.full(1 << bits, -1, dtype=np.int32)
        keys = np.fromiter(items, dtype=np.int64, count=len(items))
        values = np.fromiter(items.values(), dtype=np.int32, count=len(items))
        # Linear probing, inserted in rounds: per free slot one waiting key takes it, the others
        # move on; a slot never empties again, so every key's probe path stays unbroken.
        slot = self._slots(keys)
        todo = np.arange(len(keys))
        while len(todo):
            free = self.keys[slot] == -1
            taken, first = np.unique(slot[free], return_index=True)
            winners = todo[free][first]
            self.keys[taken] = keys[winners]
            self.values[taken] = values[winners]
            left = np.ones(len(todo), dtype=bool)
            left[np.flatnonzero(free)[first]] = False
            todo = todo[left]
            slot = (slot[left] + 1) & self.mask

    def _slots(self, keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        return ((keys.view(np.uint64) * self._MULT) >> self.shift).astype(np.int64)

    def lookup(self, keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Value of each key (keys must be >= 0), -1 when absent."""
        out = np.full(len(keys), -1, dtype=np.int64)
        slot = self._slots(keys)
        todo = np.arange(len(keys))
        while len(todo):
            found = self.keys[slot]
            hit = found == keys[todo]
            out[todo[hit]] = self.values[slot[hit]]
            more = ~hit & (found != -1)
            todo = todo[more]
            slot = (slot[more] + 1) & self.mask
        return out
