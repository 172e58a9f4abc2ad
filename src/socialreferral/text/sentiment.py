"""Three-class tweet sentiment: negation-aware word/char TF-IDF + VADER lexicon features,
optionally with all-MiniLM-L6-v2 sentence embeddings.

Two shipped models, both trained on SemEval 2013-2016 Task 4A (see
``benchmarks/sentiment.py --train-default``) and shipped inside the package as pickle-free
``.npz`` files; loading them needs no network and no NLTK data:

* ``SentimentModel.default()`` (``"fast"``): the n-gram model, the one ``analyze`` uses
  unless told otherwise (about 20,000 posts/s with the rest of ``analyze`` on one core);
* ``SentimentModel.default("minilm")``: the same features plus the pooled states of layers
  3 and 6 of the shipped int8 all-MiniLM-L6-v2, trained jointly. About three points of
  macro recall better on tweets from a later year than it was trained on
  (``docs/benchmarks.md``), at 60-110 posts/s per core: an opt-in stage
  (``[referral.analyzer] sentiment_model = "minilm"``).

Each is loaded once per process and shared **read-only**: a fitted or loaded model holds
only its weights and arrays derived from them, never a cache of what it has seen (the
per-token caches of the fast path belong to a
:class:`~socialreferral.text._sentiment_ids.SentimentScorer` and its token table; the
encoder of a ``"minilm"`` model keeps no embedding cache), and a shared default refuses
:meth:`SentimentModel.fit`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse

from socialreferral.text._lexicon import (
    N_LEXICON_FEATURES,
    lexicon_features,
    lexicon_hits,
    negated_negative_only,
)
from socialreferral.text._persist import (
    check_kind,
    decode_strings,
    encode_strings,
    load_arrays,
    save_arrays,
)
from socialreferral.text._sentiment_ids import PairTable, SentimentScorer, bigram_index
from socialreferral.text._token_ids import TokenTable, encode
from socialreferral.text._tokenize import sentiment_tokens, with_bigrams
from socialreferral.text._vectorize import AdditiveScorer, NgramTfidf

if TYPE_CHECKING:
    from socialreferral.text.embeddings import SentenceEncoder

LABELS = ("negative", "neutral", "positive")
_KIND = "socialreferral.SentimentModel/2"
DEFAULT_MODEL_FILE = "sentiment_semeval.npz"
ShippedSentiment = Literal["fast", "minilm"]
#: The shipped models by name (see the module docstring).
SHIPPED_MODEL_FILES: dict[str, str] = {
    "fast": DEFAULT_MODEL_FILE,
    "minilm": "sentiment_semeval_minilm.npz",
}


class SentimentModel:
    """Linear SVM over negation-marked word 1-2-grams, char 2-5-grams and lexicon scores.

    Args:
        C: inverse regularisation of the linear SVM (chosen on a SemEval dev split).
        min_df: minimum document frequency of a feature during ``fit``.
        lexicon_weight: scale of the six VADER-lexicon features against the TF-IDF blocks.
        negation_rule: apply SCION's negation rule on top of the model, narrowed to litotes:
            a post whose only opinion words are negated stock negatives ("not bad", "no
            problems, no complaints", "no worries"; ``_lexicon.LITOTES``) is positive.
            Tweets with "not"/"no" are mostly negative in the training data, so a linear
            model alone calls "not bad" negative; the rule for *every* negated negative
            word cost 0.4-0.7 points of macro recall on held-out SemEval years, this one
            costs nothing measurable.
        negative_bias: added to the negative class's intercept after training. The SVM's
            balanced class weights still under-predict negative tweets in a later year
            than it was trained on; +0.3 was chosen by leave-one-year-out CV within SemEval
            2013-2015 (67.6 -> 69.2 mean macro recall; chosen on two years and applied to
            the third, +2.5 / +1.8 / -0.3) and moves the held-out 2016 figure from 60.1 to
            60.7 (``benchmarks/sentiment.py``). 0 gives the plain SVM.
        encoder_weight: scale of the sentence-embedding block (384 columns per pooled
            layer of the shipped int8 all-MiniLM-L6-v2, on the lower-cased post) against the
            other features; 0 (default) leaves it out. 1.0 was chosen by the same
            leave-one-year-out CV (71.2 mean macro recall against 69.05 without; 0.5 and
            2.0 scored lower).
            Embedding a post costs 10-15 ms of CPU, the rest of the model ~10 µs.
        encoder_layers: the encoder layers whose mean-pooled states form that block
            (``SentenceEncoder(pool_layers=...)``; 6 = the model's sentence embedding).
            Layers 3 and 6 were chosen by the same leave-one-year-out CV: 71.60 against
            71.16 for layer 6 alone (held-out 2016: 63.6 against 63.1); every pair or
            triple with a middle layer scored 71.4-71.6. Free at inference: layer 3 is
            computed on the way to layer 6.
    """

    # The shipped models, loaded once per process: read-only (see the module docstring), so
    # sharing one between threads and analyzers shares no mutable state.
    _defaults: ClassVar[dict[str, SentimentModel]] = {}
    _default_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        C: float = 0.1,
        min_df: int = 2,
        lexicon_weight: float = 1.0,
        negation_rule: bool = True,
        negative_bias: float = 0.3,
        encoder_weight: float = 0.0,
        encoder_layers: tuple[int, ...] = (6,),
    ) -> None:
        if encoder_weight < 0:
            raise ValueError("encoder_weight must be >= 0")
        self.encoder_layers = tuple(encoder_layers)
        self.C = C
        self.encoder_weight = encoder_weight
        # The sentence encoder of an encoder_weight > 0 model (set by fit and load).
        self.encoder: SentenceEncoder | None = None
        self.negative_bias = negative_bias
        self.negation_rule = negation_rule
        self.min_df = min_df
        self.lexicon_weight = lexicon_weight
        # Additive TF-IDF (see NgramTfidf) so inference can use per-token cached scores.
        self.words = NgramTfidf("word", additive=True)
        self.chars = NgramTfidf("char", 2, 5, additive=True)
        # Derived from the weights by _derive() (fit, load); never changed afterwards.
        self._scorers: tuple[AdditiveScorer, AdditiveScorer] | None = None
        self._bigrams: tuple[dict[str, int], PairTable] | None = None
        self._read_only = False
        self.labels: tuple[str, ...] = LABELS
        self.coef: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self.intercept: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)

    def __setattr__(self, name: str, value: Any) -> None:
        # The shared default is read-only: a caller changing e.g. ``negation_rule`` on it
        # would change every analyzer in the process.
        if self.__dict__.get("_read_only", False):
            raise AttributeError(
                "SentimentModel.default() is shared read-only: "
                "use SentimentModel.load(...) for a copy of your own"
            )
        super().__setattr__(name, value)

    # ------------------------------------------------------------------ features
    def _features(
        self, token_docs: Sequence[list[str]], texts: Sequence[str] = ()
    ) -> sparse.csr_matrix:
        word_docs = [with_bigrams(d) for d in token_docs]
        lex = lexicon_features(token_docs) * self.lexicon_weight
        blocks = [self.words.transform(word_docs), self.chars.transform(token_docs), lex]
        if self.encoder is not None:
            # Lower-cased as the fast path sees posts (TokenBatch.lower); MiniLM is uncased.
            blocks.append(self._embedding_block(self.encoder, [t.lower() for t in texts]))
        return sparse.hstack(blocks, format="csr")

    def _embedding_block(
        self, encoder: SentenceEncoder, lower_texts: Sequence[str]
    ) -> npt.NDArray[np.float32]:
        # The sentence-embedding columns of the features, for lower-cased posts.
        return encoder.encode(list(lower_texts)) * np.float32(self.encoder_weight)

    def encoder_scores(self, lower_texts: Sequence[str]) -> npt.NDArray[np.float32] | None:
        """The sentence-embedding block's part of the linear scores, shape (n, n_labels),
        for lower-cased posts; ``None`` for a model without that block."""
        if self.encoder is None:
            return None
        emb = self._embedding_block(self.encoder, lower_texts)
        return np.asarray(emb @ self.coef[:, self._n_base :].T, dtype=np.float32)

    @property
    def _n_base(self) -> int:
        """Columns before the sentence-embedding block."""
        return self.words.n_features + self.chars.n_features + N_LEXICON_FEATURES

    def _check_fitted(self) -> None:
        if self.coef.size == 0:
            raise RuntimeError("SentimentModel is not fitted: call fit() or default()")

    # ------------------------------------------------------------------ training
    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        encoder: SentenceEncoder | None = None,
    ) -> SentimentModel:
        """Train on ``texts`` with labels among ``negative``/``neutral``/``positive``.

        ``encoder``: the sentence encoder of an ``encoder_weight > 0`` model (default: the
        shipped int8 all-MiniLM-L6-v2, the one :meth:`load` gives it back). Pass one with a
        cache to embed the same texts once across several fits.
        """
        from sklearn.svm import LinearSVC  # imported here: training only

        if self._read_only:
            raise RuntimeError(
                "SentimentModel.default() is shared read-only: train a new SentimentModel()"
            )
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        classes = sorted(set(labels))
        if self.encoder_weight > 0:
            if encoder is not None and encoder.pool_layers != self.encoder_layers:
                raise ValueError(
                    f"the encoder pools layers {encoder.pool_layers}, the model wants "
                    f"{self.encoder_layers}: SentenceEncoder(pool_layers={self.encoder_layers})"
                )
            self.encoder = encoder or _shipped_encoder(self.encoder_layers)
        token_docs = [sentiment_tokens(t) for t in texts]
        self.words.fit([with_bigrams(d) for d in token_docs], self.min_df)
        self.chars.fit(token_docs, self.min_df)
        x = self._features(token_docs, texts)
        clf = LinearSVC(C=self.C, class_weight="balanced", max_iter=5000)
        clf.fit(x, list(labels))
        coef = np.asarray(clf.coef_, dtype=np.float32)
        intercept = np.asarray(clf.intercept_, dtype=np.float32)
        if len(classes) == 2:  # binary SVM: one row; make it two for a uniform predict
            coef = np.vstack([-coef, coef])
            intercept = np.concatenate([-intercept, intercept])
        self.labels = tuple(str(c) for c in clf.classes_)
        if "negative" in self.labels:
            intercept[self.labels.index("negative")] += np.float32(self.negative_bias)
        self.coef, self.intercept = coef, intercept
        self._derive()
        return self

    def _derive(self) -> None:
        # Arrays computed from the weights once, so that inference never writes to the
        # model: the additive scorers' per-unit rows and the bigram lookup table.
        nw = self.words.n_features
        nc = self.chars.n_features
        self._scorers = (
            AdditiveScorer(self.words, self.coef[:, :nw].T),
            AdditiveScorer(self.chars, self.coef[:, nw : nw + nc].T),
        )
        self._bigrams = bigram_index(self.words.vocab)

    # ------------------------------------------------------------------ inference
    def decision_function(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Linear scores, shape (n, n_labels), columns in ``self.labels`` order.

        Each call tokenises with a throwaway token table; to score stream after stream with
        warm per-token caches keep a :meth:`scorer` (what :class:`~socialreferral.text.
        Annotator` does).
        """
        self._check_fitted()
        scorer = self.scorer(TokenTable())
        with scorer.table.lock:
            return scorer.decision(encode(texts, scorer.table))

    def scorer(self, table: TokenTable) -> SentimentScorer:
        """A fast scorer of this model over ``table``'s token ids (per-token rows cached in
        ``table``'s generation; equal to :meth:`decision_tokens` bit for bit)."""
        self._check_fitted()
        return SentimentScorer(self, table)

    def _additive_scorers(self) -> tuple[AdditiveScorer, AdditiveScorer]:
        if self._scorers is None:
            raise RuntimeError("SentimentModel is not fitted: call fit() or default()")
        return self._scorers

    def _bigram_index(self) -> tuple[dict[str, int], PairTable]:
        if self._bigrams is None:
            raise RuntimeError("SentimentModel is not fitted: call fit() or default()")
        return self._bigrams

    def _linear_scores(self, token_docs: Sequence[list[str]]) -> npt.NDArray[np.float32]:
        # Fast path: per-token cached contributions instead of building the sparse matrix;
        # equal to ``self._features(token_docs) @ self.coef.T`` (tested).
        words, chars = self._additive_scorers()
        nw_nc = self.words.n_features + self.chars.n_features
        lex = lexicon_features(token_docs) * self.lexicon_weight
        total = (
            words.scores([with_bigrams(d) for d in token_docs])
            + chars.scores(token_docs)
            + lex @ self.coef[:, nw_nc : self._n_base].T
        )
        return np.asarray(total, dtype=np.float32)

    def decision_tokens(
        self, token_docs: Sequence[list[str]], texts: Sequence[str] | None = None
    ) -> npt.NDArray[np.float32]:
        """As :meth:`decision_function` for texts already run through ``sentiment_tokens``
        (a model with a sentence encoder also needs the ``texts`` themselves)."""
        self._check_fitted()
        scores = self._linear_scores(token_docs) + self.intercept
        if self.encoder is not None and (texts is None or len(texts) != len(token_docs)):
            raise ValueError("a model with a sentence encoder needs the posts' texts")
        embedded = self.encoder_scores([t.lower() for t in texts or ()])
        if embedded is not None:
            scores += embedded
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
        label = int(self.decision_tokens([toks], [text]).argmax())
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
            "negative_bias": self.negative_bias,  # already in the intercept; recorded
            "encoder_weight": self.encoder_weight,
            "encoder_layers": list(self.encoder_layers),
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
            negative_bias=float(meta.get("negative_bias", 0.0)),  # older files: none
            encoder_weight=float(meta.get("encoder_weight", 0.0)),
            encoder_layers=tuple(int(i) for i in meta.get("encoder_layers", (6,))),
        )
        if model.encoder_weight > 0:
            model.encoder = _shipped_encoder(model.encoder_layers)
        model.words.set_state(
            decode_strings(arrays["word_terms"]), arrays["word_idf"].astype(np.float32)
        )
        model.chars.set_state(
            decode_strings(arrays["char_terms"]), arrays["char_idf"].astype(np.float32)
        )
        model.coef = arrays["coef"].astype(np.float32)
        model.intercept = arrays["intercept"].astype(np.float32)
        model.labels = tuple(meta["labels"])
        if meta.get("features") != "additive":
            raise ValueError("model file predates additive features: retrain it")
        model._derive()
        return model

    @classmethod
    def default(cls, name: ShippedSentiment = "fast") -> SentimentModel:
        """A shipped SemEval-trained model, loaded once per process (thread-safe).

        ``name``: ``"fast"`` (the n-gram model ``analyze`` uses) or ``"minilm"`` (with
        sentence embeddings: better on unseen topics, 60-110 posts/s per core; see the module
        docstring). Shared read-only: :meth:`fit` refuses it; inference never writes to it.
        """
        if name not in SHIPPED_MODEL_FILES:
            raise ValueError(f"no shipped sentiment model {name!r}: {sorted(SHIPPED_MODEL_FILES)}")
        model = cls._defaults.get(name)
        if model is None:
            with cls._default_lock:
                model = cls._defaults.get(name)
                if model is None:
                    ref = resources.files("socialreferral._models").joinpath(
                        SHIPPED_MODEL_FILES[name]
                    )
                    with ref.open("rb") as fh:
                        model = cls.load(fh)
                    model._read_only = True  # last write: __setattr__ refuses any after it
                    cls._defaults[name] = model
        return model


def _shipped_encoder(layers: tuple[int, ...]) -> SentenceEncoder:
    # The shipped int8 copy, whatever else is installed: the weights were trained on its
    # embeddings. No embedding cache: a shared model keeps none (module docstring).
    from socialreferral.text.embeddings import SentenceEncoder

    return SentenceEncoder(shipped=True, cache_size=0, pool_layers=layers)
