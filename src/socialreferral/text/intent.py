"""Trainable intent / product classifier with out-of-scope rejection.

Features: TF-IDF over stemmed word 1-2-grams plus character 2-5-grams of the words (robust to
typos and morphology), then multinomial logistic regression. A text is *out of scope*
(``None``) when its top probability falls below a threshold chosen from **in-scope data
only**: the ``reject_quantile`` (default 5th percentile) of the top-class probability that
cross-validation folds give to held-out *known* examples. So about 5% of in-scope texts are
rejected by design, and no example of an unknown intent is needed. A text that shares no
content word with the training data is also rejected (a catalog of loans says nothing about
pizza, however the probabilities fall).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from socialreferral.text._persist import (
    check_kind,
    decode_strings,
    encode_strings,
    load_arrays,
    save_arrays,
)
from socialreferral.text._seeds import BACKGROUND, catalog_texts
from socialreferral.text._stopwords import STOPWORDS
from socialreferral.text._tokenize import stemmed_words, with_bigrams
from socialreferral.text._vectorize import NgramTfidf

_KIND = "socialreferral.IntentClassifier/1"


class IntentClassifier:
    """Text → one of the known labels, or ``None`` when none applies.

    Args:
        C: inverse regularisation of the logistic regression.
        reject_quantile: share of in-scope examples the threshold may reject (0 = never
            reject on confidence).
        cv_folds: folds used to measure in-scope confidence for the threshold.
        threshold: set the probability threshold directly instead of estimating it.
    """

    def __init__(
        self,
        C: float = 20.0,
        reject_quantile: float = 0.05,
        cv_folds: int = 3,
        threshold: float | None = None,
        seed: int = 0,
    ) -> None:
        self.C = C
        self.reject_quantile = reject_quantile
        self.cv_folds = cv_folds
        self.threshold = threshold
        self.seed = seed
        self.words = NgramTfidf("word")
        self.chars = NgramTfidf("char", 2, 5)
        self.labels: tuple[str, ...] = ()
        # Top-class probabilities of held-out in-scope examples (set by fit; not saved).
        self.cv_confidence: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)
        self.coef: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self.intercept: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_catalog(cls, catalog: Mapping[str, Sequence[str]], **kwargs: Any) -> IntentClassifier:
        """Bootstrap from ``{product_id: [seed phrases]}`` with no labelled posts.

        Five or so phrases per product are enough; see :mod:`socialreferral.text._seeds`.
        A background class (``"__none__"``, everyday phrases) is added so that even a
        one-product catalog can be trained; it is never returned by :meth:`predict`.
        """
        texts, labels, groups = catalog_texts(catalog)
        kwargs.setdefault("C", 10.0)
        return cls(**kwargs).fit(texts, labels, groups=groups)

    # ------------------------------------------------------------------ features
    @staticmethod
    def _tokens(texts: Sequence[str]) -> list[list[str]]:
        return [stemmed_words(t) for t in texts]

    def _features(self, token_docs: Sequence[list[str]]) -> sparse.csr_matrix:
        grams = [with_bigrams(d) for d in token_docs]
        return sparse.hstack(
            [self.words.transform(grams), self.chars.transform(token_docs)], format="csr"
        )

    def _fit_linear(
        self, x: sparse.csr_matrix, y: Sequence[str] | npt.NDArray[Any]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], tuple[str, ...]]:
        from sklearn.linear_model import LogisticRegression  # training only

        clf = LogisticRegression(C=self.C, max_iter=1000)
        clf.fit(x, list(y))
        coef = np.asarray(clf.coef_, dtype=np.float32)
        intercept = np.asarray(clf.intercept_, dtype=np.float32)
        if coef.shape[0] == 1:  # binary case: sklearn keeps one row
            coef = np.vstack([-coef / 2, coef / 2])
            intercept = np.concatenate([-intercept / 2, intercept / 2])
        return coef, intercept, tuple(str(c) for c in clf.classes_)

    @staticmethod
    def _softmax(scores: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        s = scores - scores.max(axis=1, keepdims=True)
        e = np.exp(s)
        return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float32)

    # ------------------------------------------------------------------ training
    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        groups: Sequence[int] | None = None,
    ) -> IntentClassifier:
        """Train on in-scope examples only; estimates the rejection threshold by CV.

        ``groups`` (optional) keeps related examples in the same fold (e.g. paraphrases).
        """
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        if len(set(labels)) < 2:
            raise ValueError("IntentClassifier needs at least two labels")
        return self._fit_docs(self._tokens(texts), np.array(labels), groups)

    def _fit_docs(
        self, docs: list[list[str]], y: npt.NDArray[Any], groups: Sequence[int] | None
    ) -> IntentClassifier:
        if self.threshold is None:
            self.threshold = self._cv_threshold(docs, y, groups)
        self.words.fit([with_bigrams(d) for d in docs], min_df=1)
        self.chars.fit(docs, min_df=2 if len(docs) > 2000 else 1)
        self.coef, self.intercept, self.labels = self._fit_linear(self._features(docs), y)
        return self

    def _cv_threshold(
        self, docs: list[list[str]], y: npt.NDArray[Any], groups: Sequence[int] | None
    ) -> float:
        # Confidence of a model on examples it has not seen is what a new in-scope post
        # gets; the training-set confidence would be far too high.
        from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

        if self.reject_quantile <= 0:
            return 0.0
        counts = np.unique(y, return_counts=True)[1]
        folds = min(self.cv_folds, int(counts.min()))
        if folds < 2:
            return 0.0
        if groups is not None:
            splitter: Any = StratifiedGroupKFold(folds, shuffle=True, random_state=self.seed)
            splits = splitter.split(docs, y, groups)
        else:
            splits = StratifiedKFold(folds, shuffle=True, random_state=self.seed).split(docs, y)
        conf: list[npt.NDArray[np.float32]] = []
        for tr, te in splits:
            seen = set(y[tr].tolist())
            # Grouped folds can hold out every example of a small class; its examples then
            # look out-of-scope to the fold, so they are left out of the estimate.
            te = np.array([i for i in te if y[i] in seen], dtype=int)
            if len(seen) < 2 or len(te) == 0:
                continue
            fold = IntentClassifier(C=self.C, threshold=0.0)
            fold._fit_docs([docs[i] for i in tr], y[tr], None)
            conf.append(fold.proba_tokens([docs[i] for i in te]).max(axis=1))
        if not conf:
            return 0.0
        self.cv_confidence = np.concatenate(conf)
        return float(np.quantile(np.concatenate(conf), self.reject_quantile))

    # ------------------------------------------------------------------ inference
    def _check_fitted(self) -> None:
        if self.coef.size == 0:
            raise RuntimeError("IntentClassifier is not fitted")

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Probabilities, shape (n, n_labels), columns in ``self.labels`` order."""
        self._check_fitted()
        return self.proba_tokens(self._tokens(texts))

    def proba_tokens(self, docs: Sequence[list[str]]) -> npt.NDArray[np.float32]:
        """As :meth:`predict_proba` for texts already run through ``stemmed_words``."""
        x = self._features(docs)
        return self._softmax(np.asarray(x @ self.coef.T, dtype=np.float32) + self.intercept)

    def known_content(self, docs: Sequence[list[str]]) -> npt.NDArray[np.bool_]:
        """Whether each document shares at least one content word with the training data."""
        vocab = self.words.vocab
        return np.array(
            [any(t in vocab and t not in STOPWORDS for t in d) for d in docs], dtype=bool
        )

    def predict(self, texts: Sequence[str]) -> list[str | None]:
        """The most probable label, or ``None`` when the text is out of scope."""
        self._check_fitted()
        docs = self._tokens(texts)
        if not docs:
            return []
        proba = self.proba_tokens(docs)
        best = proba.argmax(axis=1)
        ok = (proba[np.arange(len(docs)), best] >= (self.threshold or 0.0)) & self.known_content(
            docs
        )
        return [
            self.labels[b] if k and self.labels[b] != BACKGROUND else None
            for b, k in zip(best, ok, strict=True)
        ]

    def explain(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        """Word features that most raised the score of the predicted label."""
        self._check_fitted()
        doc = self._tokens([text])[0]
        label = int(self.proba_tokens([doc]).argmax())
        xw = self.words.transform([with_bigrams(doc)])
        w = self.coef[label, : self.words.n_features]
        terms = self.words.terms()
        contrib = [(terms[j], float(v * w[j])) for j, v in zip(xw.indices, xw.data, strict=True)]
        contrib.sort(key=lambda kv: -kv[1])
        return [(t, round(c, 3)) for t, c in contrib[:top] if c > 0]

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path | IO[bytes]) -> None:
        """Write a pickle-free ``.npz``."""
        self._check_fitted()
        arrays: dict[str, npt.NDArray[Any]] = {
            "word_terms": encode_strings(self.words.terms()),
            "word_idf": self.words.idf,
            "char_terms": encode_strings(self.chars.terms()),
            "char_idf": self.chars.idf,
            "coef": self.coef,
            "intercept": self.intercept,
        }
        meta = {
            "kind": _KIND,
            "labels": list(self.labels),
            "C": self.C,
            "threshold": self.threshold,
            "reject_quantile": self.reject_quantile,
            "cv_folds": self.cv_folds,
            "seed": self.seed,
        }
        save_arrays(path, arrays, meta)

    @classmethod
    def load(cls, path: str | Path | IO[bytes]) -> IntentClassifier:
        """Load a classifier written by :meth:`save` (never unpickles)."""
        arrays, meta = load_arrays(path)
        check_kind(meta, _KIND)
        model = cls(
            C=float(meta["C"]),
            reject_quantile=float(meta["reject_quantile"]),
            cv_folds=int(meta["cv_folds"]),
            threshold=float(meta["threshold"]),
            seed=int(meta["seed"]),
        )
        model.words.set_state(decode_strings(arrays["word_terms"]), arrays["word_idf"])
        model.chars.set_state(decode_strings(arrays["char_terms"]), arrays["char_idf"])
        model.coef = arrays["coef"].astype(np.float32)
        model.intercept = arrays["intercept"].astype(np.float32)
        model.labels = tuple(meta["labels"])
        return model
