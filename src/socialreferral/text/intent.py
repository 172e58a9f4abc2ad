"""Trainable intent / product classifier with out-of-scope rejection.

Features (``features=``):

* ``"tfidf"``: TF-IDF over stemmed word 1-2-grams plus character 2-5-grams of the words
  (robust to typos and morphology);
* ``"embeddings"``: pretrained all-MiniLM-L6-v2 sentence embeddings (see
  :mod:`socialreferral.text.embeddings`; numpy forward pass, no torch);
* ``"hybrid"``: both, side by side (TF-IDF columns first, then ``embedding_weight`` x the
  unit-length embedding);
* ``"auto"`` (default): ``"hybrid"`` when the embedding model is installed, else ``"tfidf"``.

Then multinomial logistic regression. A text is *out of scope* (``None``) when its
confidence falls below a threshold chosen from **in-scope data only**, for accuracy: on
``cv_folds`` cross-validation folds of the training data, the held-out (known) examples
are predicted with and without rejection, and the threshold is the highest one whose
rejections cost at most ``max_accuracy_loss`` (default 0.01, one point) of that held-out
accuracy. Rejecting a text the model would have got wrong costs nothing, so the threshold
rejects mostly the model's own mistakes and texts far from anything seen. No example of an
unknown intent is needed. (``reject_quantile=q`` restores the older rule: reject the
lowest ``q`` share of held-out confidences, whatever they cost.) The confidence is the
top-class probability with TF-IDF features; with embeddings it is the mean of two CV
percentiles, that of the top-class probability and that of the cosine similarity to the
nearest training example (unknown intents are often confidently misclassified but far from
every training text). With TF-IDF alone, a text that shares no content word with the
in-scope training data is also rejected (and counted in the accuracy budget): a catalog of
loans says nothing about pizza, however the probabilities fall (the nearest-neighbour part does
that job with embeddings, and lets paraphrases through).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from socialreferral.text._intent_files import load_intent, save_intent
from socialreferral.text._rejection import (
    GRID,
    RULE_PROB,
    RULE_PROB_NN,
    budget_threshold,
    nearest_cosine,
    percentile_score,
)
from socialreferral.text._seeds import BACKGROUND, catalog_texts
from socialreferral.text._stopwords import STOPWORDS
from socialreferral.text._tokenize import Stemmer, with_bigrams
from socialreferral.text._vectorize import NgramTfidf
from socialreferral.text.embeddings import SentenceEncoder, encoder_available

__all__ = ["FEATURES", "IntentClassifier", "budget_threshold"]

FEATURES = ("auto", "tfidf", "embeddings", "hybrid")

_F32 = npt.NDArray[np.float32]


class _Data:
    """Training or inference inputs: stemmed tokens plus (when used) sentence embeddings."""

    __slots__ = ("docs", "emb")

    def __init__(self, docs: list[list[str]], emb: _F32 | None) -> None:
        self.docs = docs
        self.emb = emb

    def take(self, idx: Sequence[int] | npt.NDArray[np.intp]) -> _Data:
        idx = np.asarray(idx, dtype=np.intp)
        return _Data([self.docs[i] for i in idx], None if self.emb is None else self.emb[idx])


class IntentClassifier:
    """Text → one of the known labels, or ``None`` when none applies.

    Args:
        C: inverse regularisation of the logistic regression.
        max_accuracy_loss: the rejection budget: how much held-out in-scope accuracy
            (a fraction: 0.01 = one point) rejections may cost on the CV folds; the
            threshold is the highest within it (0 = reject only what CV says is wrong
            anyway). The trade-off: a larger budget rejects more unknown texts and more
            in-scope ones (``benchmarks/banking77.py`` prints the curve).
        reject_quantile: instead of the budget, reject this share of held-out in-scope
            confidences (the former rule; ``None``, the default, uses the budget).
        cv_folds: folds used to measure in-scope confidence for the threshold.
        threshold: set a top-probability threshold directly instead of estimating it (the
            nearest-neighbour part of the rule is then off; ``0.0`` = closed set).
        features: ``"auto"``, ``"tfidf"``, ``"embeddings"`` or ``"hybrid"`` (module doc).
        embedding_weight: scale of the (unit-length) embedding next to the TF-IDF blocks.
        encoder: the :class:`SentenceEncoder` for embedding features. Default: one over the
            installed model package, loaded on first use and owned by this classifier; pass
            one to share it between classifiers (the catalog analyzer does).

    Caches (per object, bounded): the stems of words seen (a :class:`~socialreferral.text.
    _tokenize.Stemmer`) and the char n-gram rows of tokens seen (in the vectorizer).
    """

    def __init__(
        self,
        C: float = 20.0,
        reject_quantile: float | None = None,
        cv_folds: int = 3,
        threshold: float | None = None,
        seed: int = 0,
        features: str = "auto",
        embedding_weight: float = 2.0,
        encoder: SentenceEncoder | None = None,
        max_accuracy_loss: float = 0.01,
    ) -> None:
        if features not in FEATURES:
            raise ValueError(f"features must be one of {FEATURES}, not {features!r}")
        if features == "auto":
            features = "hybrid" if encoder is not None or encoder_available() else "tfidf"
        self.features = features
        self.C = C
        self.reject_quantile = reject_quantile
        if not 0.0 <= max_accuracy_loss < 1.0:
            raise ValueError("max_accuracy_loss must be in [0, 1)")
        self.max_accuracy_loss = max_accuracy_loss
        self.cv_folds = cv_folds
        self.threshold = threshold
        self.rule = RULE_PROB if threshold is not None or features == "tfidf" else RULE_PROB_NN
        self.seed = seed
        self.embedding_weight = embedding_weight
        self._encoder = encoder
        self._stemmer = Stemmer()
        self.words = NgramTfidf("word")
        self.chars = NgramTfidf("char", 2, 5)
        self.labels: tuple[str, ...] = ()
        # Held-out in-scope examples on the CV folds (set by fit; not saved): confidence,
        # whether the fold predicted them right, whether they pass the content-word check.
        self.cv_confidence: _F32 = np.zeros(0, dtype=np.float32)
        self.cv_correct: npt.NDArray[np.bool_] = np.zeros(0, dtype=bool)
        self.cv_known: npt.NDArray[np.bool_] = np.zeros(0, dtype=bool)
        self.coef: _F32 = np.zeros((0, 0), dtype=np.float32)
        self.intercept: _F32 = np.zeros(0, dtype=np.float32)
        # prob+nn rule: training embeddings (nearest-neighbour cosine), CV quantile grids of
        # top probability and of that cosine, and the threshold on their mean percentile.
        self.train_emb: _F32 = np.zeros((0, 0), dtype=np.float32)
        self.prob_grid: _F32 = np.zeros(0, dtype=np.float32)
        self.nn_grid: _F32 = np.zeros(0, dtype=np.float32)
        self.score_threshold = 0.0
        self._content: frozenset[str] | None = None

    @property
    def uses_tfidf(self) -> bool:
        return self.features in ("tfidf", "hybrid")

    @property
    def uses_embeddings(self) -> bool:
        return self.features in ("embeddings", "hybrid")

    @property
    def encoder(self) -> SentenceEncoder:
        """The sentence encoder (built over the installed model on first use, unless passed).

        Fitting and loading are single-threaded; a race here would only build two equal
        encoders.
        """
        if self._encoder is None:
            self._encoder = SentenceEncoder()
        return self._encoder

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_catalog(cls, catalog: Mapping[str, Sequence[str]], **kwargs: Any) -> IntentClassifier:
        """Bootstrap from ``{product_id: [seed phrases]}`` with no labelled posts.

        Five or so phrases per product are enough; see :mod:`socialreferral.text._seeds`.
        A background class (``"__none__"``, everyday phrases) is added so that even a
        one-product catalog can be trained; it is never returned by :meth:`predict`.
        ``features`` defaults to ``"tfidf"`` here (``analyze`` builds catalogs per call and
        must stay fast); pass ``features="hybrid"`` to match paraphrases of the seeds. The
        rejection threshold defaults to the quantile rule (``reject_quantile=0.05``): the
        accuracy budget needs real held-out mistakes, which carrier sentences do not give.
        """
        texts, labels, groups = catalog_texts(catalog)
        kwargs.setdefault("C", 10.0)
        # Carrier sentences are classified almost perfectly on CV folds, so an accuracy
        # budget would put the threshold below every right answer and let weak words
        # ("with", "life") match a product; the quantile rule keeps the bootstrapped
        # classifier as strict as before.
        kwargs.setdefault("reject_quantile", 0.05)
        kwargs.setdefault("features", "tfidf")
        return cls(**kwargs).fit(texts, labels, groups=groups)

    # ------------------------------------------------------------------ features
    def _tokens(self, texts: Sequence[str]) -> list[list[str]]:
        return list(map(self._stemmer.words, texts))

    def _data(self, texts: Sequence[str]) -> _Data:
        emb = self.encoder.encode(texts) if self.uses_embeddings else None
        return _Data(self._tokens(texts), emb)

    def _features(self, data: _Data) -> sparse.csr_matrix | _F32:
        blocks: list[Any] = []
        if self.uses_tfidf:
            grams = list(map(self.words.with_known_bigrams, data.docs))
            blocks += [self.words.transform(grams), self.chars.transform(data.docs)]
        if self.uses_embeddings:
            if data.emb is None:
                raise ValueError("this classifier needs the texts' sentence embeddings")
            emb = data.emb * np.float32(self.embedding_weight)
            if not blocks:
                return emb
            blocks.append(sparse.csr_matrix(emb))
        return sparse.hstack(blocks, format="csr")

    def _fit_linear(
        self, x: sparse.csr_matrix | _F32, y: Sequence[str] | npt.NDArray[Any]
    ) -> tuple[_F32, _F32, tuple[str, ...]]:
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
    def _softmax(scores: _F32) -> _F32:
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
        Texts are embedded once; the CV folds reuse those embeddings.
        """
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        if len(set(labels)) < 2:
            raise ValueError("IntentClassifier needs at least two labels")
        return self._fit_data(self._data(texts), np.array(labels), groups)

    def _fit_data(
        self, data: _Data, y: npt.NDArray[Any], groups: Sequence[int] | None
    ) -> IntentClassifier:
        if self.threshold is None:
            self._cv_threshold(data, y, groups)
        docs = data.docs
        self._content = frozenset(
            w
            for d, label in zip(docs, y.tolist(), strict=True)
            if label != BACKGROUND
            for w in d
            if w not in STOPWORDS
        )
        self.words.fit([with_bigrams(d) for d in docs], min_df=1)
        if self.uses_tfidf:
            self.chars.fit(docs, min_df=2 if len(docs) > 2000 else 1)
        self.coef, self.intercept, self.labels = self._fit_linear(self._features(data), y)
        if self.rule == RULE_PROB_NN and data.emb is not None:
            self.train_emb = data.emb
        return self

    def _fold(self) -> IntentClassifier:
        fold = IntentClassifier(
            C=self.C,
            threshold=0.0,
            features=self.features,
            embedding_weight=self.embedding_weight,
            encoder=self._encoder,
        )
        return fold

    def _cv_threshold(self, data: _Data, y: npt.NDArray[Any], groups: Sequence[int] | None) -> None:
        # Confidence of a model on examples it has not seen is what a new in-scope post
        # gets; the training-set confidence would be far too high.
        from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

        self.threshold = 0.0
        self.score_threshold = 0.0
        if self.reject_quantile is not None and self.reject_quantile <= 0:
            return
        counts = np.unique(y, return_counts=True)[1]
        folds = min(self.cv_folds, int(counts.min()))
        if folds < 2:
            return
        if groups is not None:
            splitter: Any = StratifiedGroupKFold(folds, shuffle=True, random_state=self.seed)
            splits = splitter.split(data.docs, y, groups)
        else:
            splits = StratifiedKFold(folds, shuffle=True, random_state=self.seed).split(
                data.docs, y
            )
        probs: list[_F32] = []
        sims: list[_F32] = []
        correct: list[npt.NDArray[np.bool_]] = []
        known: list[npt.NDArray[np.bool_]] = []
        for tr, te in splits:
            seen = set(y[tr].tolist())
            # Grouped folds can hold out every example of a small class; its examples then
            # look out-of-scope to the fold, so they are left out of the estimate.
            te = np.array([i for i in te if y[i] in seen], dtype=int)
            if len(seen) < 2 or len(te) == 0:
                continue
            fold = self._fold()
            fold._fit_data(data.take(tr), y[tr], None)
            held_out = data.take(te)
            proba = fold._proba(held_out)
            probs.append(proba.max(axis=1))
            labels = np.array(fold.labels)
            correct.append(labels[proba.argmax(axis=1)] == y[te])
            if self.rule == RULE_PROB_NN and data.emb is not None:
                sims.append(nearest_cosine(data.emb[te], data.emb[tr]))
                known.append(np.ones(len(te), dtype=bool))
            else:
                known.append(fold.known_content(held_out.docs))
        if not probs:
            return
        prob = np.concatenate(probs)
        self.cv_correct = np.concatenate(correct)
        self.cv_known = np.concatenate(known)
        self.threshold = self._pick_threshold(prob)
        self.cv_confidence = prob
        if sims:
            nn = np.concatenate(sims)
            self.prob_grid = np.quantile(prob, GRID).astype(np.float32)
            self.nn_grid = np.quantile(nn, GRID).astype(np.float32)
            score = self._combined(prob, nn)
            self.cv_confidence = score
            self.score_threshold = self._pick_threshold(score)

    def _pick_threshold(self, conf: _F32) -> float:
        """The rejection threshold on ``conf`` (held-out in-scope confidences, aligned with
        ``cv_correct``/``cv_known``): the quantile rule, or the highest threshold whose
        rejections cost at most ``max_accuracy_loss`` of held-out accuracy."""
        if self.reject_quantile is not None:
            return float(np.quantile(conf, self.reject_quantile))
        return budget_threshold(conf, self.cv_correct, self.cv_known, self.max_accuracy_loss)

    def rejection_tradeoff(
        self, losses: Sequence[float] = (0.0, 0.005, 0.01, 0.02, 0.05)
    ) -> list[tuple[float, float, float]]:
        """``(max_accuracy_loss, threshold, share of in-scope CV examples rejected)`` for each
        budget, from the CV folds of the last :meth:`fit` (what a budget would have cost)."""
        conf = self.cv_confidence
        if conf.size == 0 or self.cv_correct.size != conf.size:
            return []
        out = []
        for loss in losses:
            t = budget_threshold(conf, self.cv_correct, self.cv_known, loss)
            out.append((loss, t, float(np.mean((conf < t) | ~self.cv_known))))
        return out

    def _combined(self, prob: _F32, nn: _F32) -> _F32:
        return percentile_score(prob, nn, self.prob_grid, self.nn_grid)

    # ------------------------------------------------------------------ inference
    def _check_fitted(self) -> None:
        if self.coef.size == 0:
            raise RuntimeError("IntentClassifier is not fitted")

    def _proba(self, data: _Data) -> _F32:
        x = self._features(data)
        return self._softmax(np.asarray(x @ self.coef.T, dtype=np.float32) + self.intercept)

    def predict_proba(self, texts: Sequence[str]) -> _F32:
        """Probabilities, shape (n, n_labels), columns in ``self.labels`` order."""
        self._check_fitted()
        return self._proba(self._data(texts))

    def proba_tokens(self, docs: Sequence[list[str]], texts: Sequence[str] | None = None) -> _F32:
        """As :meth:`predict_proba` for texts already stemmed (``Stemmer().words``).

        Models with embeddings also need the original ``texts``; without them the
        embeddings are computed from the joined stems (a rougher input).
        """
        self._check_fitted()
        emb = None
        if self.uses_embeddings:
            source = list(texts) if texts is not None else [" ".join(d) for d in docs]
            emb = self.encoder.encode(source)
        return self._proba(_Data(list(docs), emb))

    def known_content(self, docs: Sequence[list[str]]) -> npt.NDArray[np.bool_]:
        """Whether each document shares at least one content word with the training data."""
        content = self.content_words()
        return np.fromiter((not content.isdisjoint(d) for d in docs), dtype=bool, count=len(docs))

    def content_words(self) -> frozenset[str]:
        """The stemmed words of the in-scope training texts less stop words (the catalog's
        background phrases do not count: a post made of them is about no product). The
        same object until the next fit or load; ``analyze`` keys its per-chunk cache on it.
        """
        if self._content is None:  # a file from before content words were saved
            self._content = frozenset(t for t in self.words.vocab if t not in STOPWORDS)
        return self._content

    def _confidence(self, data: _Data, proba: _F32) -> tuple[_F32, float]:
        top = proba.max(axis=1)
        if self.decision_rule == RULE_PROB_NN and data.emb is not None:
            nn = nearest_cosine(data.emb, self.train_emb)
            return self._combined(top, nn), self.score_threshold
        return top, float(self.threshold or 0.0)

    def confidence(self, texts: Sequence[str]) -> _F32:
        """The score :meth:`predict` compares with its threshold (see ``decision_threshold``)."""
        self._check_fitted()
        data = self._data(texts)
        return self._confidence(data, self._proba(data))[0]

    @property
    def decision_rule(self) -> str:
        """``"prob"`` (top probability, plus the shared-content-word check) or ``"prob+nn"``."""
        return RULE_PROB_NN if self.rule == RULE_PROB_NN and self.train_emb.size else RULE_PROB

    @property
    def decision_threshold(self) -> float:
        """Threshold on :meth:`confidence` below which :meth:`predict` returns ``None``."""
        if self.decision_rule == RULE_PROB_NN:
            return self.score_threshold
        return float(self.threshold or 0.0)

    def predict(self, texts: Sequence[str]) -> list[str | None]:
        """The most probable label, or ``None`` when the text is out of scope."""
        self._check_fitted()
        if not texts:
            return []
        data = self._data(texts)
        proba = self._proba(data)
        best = proba.argmax(axis=1)
        conf, threshold = self._confidence(data, proba)
        ok = conf >= threshold
        if self.decision_rule == RULE_PROB:
            ok &= self.known_content(data.docs)
        return [
            self.labels[b] if k and self.labels[b] != BACKGROUND else None
            for b, k in zip(best, ok, strict=True)
        ]

    def explain(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        """Words that most raised the score of the predicted label.

        TF-IDF models: the word features' contributions to the linear score. Embedding-only
        models: the drop of the label's probability when the word is removed.
        """
        self._check_fitted()
        data = self._data([text])
        label = int(self._proba(data).argmax())
        if not self.uses_tfidf:
            return self._explain_occlusion(text, label, top)
        doc = data.docs[0]
        xw = self.words.transform([with_bigrams(doc)])
        w = self.coef[label, : self.words.n_features]
        terms = self.words.terms()
        contrib = [(terms[j], float(v * w[j])) for j, v in zip(xw.indices, xw.data, strict=True)]
        contrib.sort(key=lambda kv: -kv[1])
        return [(t, round(c, 3)) for t, c in contrib[:top] if c > 0]

    def _explain_occlusion(self, text: str, label: int, top: int) -> list[tuple[str, float]]:
        words = text.split()
        if not words:
            return []
        variants = [text] + [" ".join(words[:i] + words[i + 1 :]) for i in range(len(words))]
        p = self.predict_proba(variants)[:, label]
        contrib = [(w, float(p[0] - p[i + 1])) for i, w in enumerate(words)]
        contrib.sort(key=lambda kv: -kv[1])
        return [(t, round(c, 3)) for t, c in contrib[:top] if c > 0]

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path | IO[bytes]) -> None:
        """Write a pickle-free ``.npz``. The sentence encoder is not saved (it comes from the
        installed model package); the file records which features the model needs."""
        self._check_fitted()
        save_intent(self, path)

    @classmethod
    def load(
        cls, path: str | Path | IO[bytes], encoder: SentenceEncoder | None = None
    ) -> IntentClassifier:
        """Load a classifier written by :meth:`save` (never unpickles).

        Models with embeddings need the model package (or ``encoder``) at prediction time.
        """
        return load_intent(cls, path, encoder)
