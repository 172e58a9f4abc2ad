"""``ToneModel``: a fast post-level sentiment model for the care ranker's tone term.

SCION infers a post's sentiment from the count of its opinion phrases and notes that "a
simple comparison is not sufficient ... this could be improved by using a regression
function". The tone term of Eq. 1 is that regression: ``P(negative) - P(positive)`` of a
multinomial logistic regression over the care tokens (words, @mentions, #hashtags,
emoji), negation-marked unigrams (``not good`` → ``good_NEG``, three tokens, to the next
punctuation) and adjacent-token bigrams, trained on SemEval 2013-2016 tweets
(``benchmarks/care_tone.py --train``; the tweets of TweetEval validation are left out).

It reuses the ranker's tokens, so scoring costs one dictionary lookup per feature and a
numpy gather per batch: a few microseconds a post, against tens for the character n-gram
SVM of :class:`socialreferral.text.SentimentModel` (which remains usable as
``CareRanker(tone_model=SentimentModel.default())``).

The only I/O is explicit: :meth:`ToneModel.save`, :meth:`ToneModel.load` and
:meth:`ToneModel.default` (the shipped file in package data).
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from socialreferral.care.features import tokenize
from socialreferral.care.lexicon import NEGATION_SCOPE, NEGATORS, normalize

__all__ = ["DEFAULT_TONE_FILE", "LABELS", "NEGATORS", "SCOPE_BREAK", "ToneModel", "tone_features"]

LABELS = ("negative", "neutral", "positive")
DEFAULT_TONE_FILE = "care_tone.npz"
_KIND = "socialreferral.care.ToneModel/1"
SCOPE_BREAK = frozenset([".", ",", "!", "?", ";", ":", "but"])  # end a negation scope


def tone_features(toks: Sequence[str]) -> list[str]:
    """Feature strings of one post's tokens (see the module docstring)."""
    out: list[str] = []
    scope = 0
    prev = "<s>"
    for tok in toks:
        first = tok[0]
        if first == "@":
            tok = "@user"
        elif first.isdigit():
            tok = "<num>"
        if tok in SCOPE_BREAK:
            scope = 0
            out.append(tok)
        elif tok in NEGATORS:
            scope = NEGATION_SCOPE
            out.append(tok)
        elif scope:
            scope -= 1
            out.append(tok + "_NEG")
        else:
            out.append(tok)
        out.append(prev + " " + tok)
        prev = tok
    return out


class ToneModel:
    """Multinomial logistic regression over :func:`tone_features` (see module docstring)."""

    def __init__(
        self,
        vocabulary: dict[str, int] | None = None,
        coef: npt.NDArray[np.float32] | None = None,
        intercept: npt.NDArray[np.float32] | None = None,
    ) -> None:
        self.vocabulary = vocabulary or {}
        self.coef = coef if coef is not None else np.zeros((0, 3), dtype=np.float32)
        self.intercept = intercept if intercept is not None else np.zeros(3, dtype=np.float32)
        self._zero = np.zeros((1, 3), dtype=np.float32)
        self._lookup: tuple[dict[str, int], dict[str, int], dict[str, dict[str, int]]] | None
        self._lookup = None

    # ------------------------------------------------------------------ training
    def fit(
        self, texts: Sequence[str], labels: Sequence[str], *, C: float = 1.0, min_df: int = 2
    ) -> ToneModel:
        """Train on texts labelled negative / neutral / positive."""
        from scipy import sparse
        from sklearn.linear_model import LogisticRegression

        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        docs = [set(tone_features(tokenize(normalize(t)))) for t in texts]
        df: dict[str, int] = {}
        for d in docs:
            for f in d:
                df[f] = df.get(f, 0) + 1
        vocab = {f: i for i, f in enumerate(sorted(f for f, n in df.items() if n >= min_df))}
        rows, cols = [], []
        for r, d in enumerate(docs):
            for f in d:
                j = vocab.get(f)
                if j is not None:
                    rows.append(r)
                    cols.append(j)
        x = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(docs), len(vocab))
        )
        clf = LogisticRegression(C=C, max_iter=2000, class_weight="balanced")
        clf.fit(x, [LABELS.index(label) for label in labels])
        coef = np.asarray(clf.coef_.T, dtype=np.float32)  # (n_features, 3)
        keep = np.flatnonzero(np.abs(coef).max(axis=1) >= 1e-3)
        names = sorted(vocab, key=vocab.__getitem__)
        self.vocabulary = {names[j]: i for i, j in enumerate(keep)}
        self.coef = np.ascontiguousarray(coef[keep])
        self.intercept = np.asarray(clf.intercept_, dtype=np.float32)
        self._lookup = None
        return self

    # ------------------------------------------------------------------ inference
    def tables(self) -> tuple[dict[str, int], dict[str, int], dict[str, dict[str, int]]]:
        """Feature ids split for allocation-free lookups: unigram, negated unigram, and
        bigram as ``{previous: {token: id}}`` (built once per model)."""
        if self._lookup is None:
            uni: dict[str, int] = {}
            neg: dict[str, int] = {}
            big: dict[str, dict[str, int]] = {}
            for feature, j in self.vocabulary.items():
                if " " in feature:
                    prev, tok = feature.split(" ", 1)
                    big.setdefault(prev, {})[tok] = j
                elif feature.endswith("_NEG"):
                    neg[feature[:-4]] = j
                else:
                    uni[feature] = j
            self._lookup = (uni, neg, big)
        return self._lookup

    def logits_tokens(self, token_lists: Sequence[Sequence[str]]) -> npt.NDArray[np.float32]:
        """Class scores, shape (n, 3), for posts given as care tokens.

        Same features as :func:`tone_features`, looked up without building strings.
        """
        uni, neg, big = self.tables()
        index: list[int] = []
        add = index.append
        bounds = [0]
        for toks in token_lists:
            scope = 0
            prev = "<s>"
            for tok in toks:
                first = tok[0]
                if first == "@":
                    tok = "@user"
                elif first.isdigit():
                    tok = "<num>"
                if tok in SCOPE_BREAK:
                    scope = 0
                    j = uni.get(tok)
                elif tok in NEGATORS:
                    scope = NEGATION_SCOPE
                    j = uni.get(tok)
                elif scope:
                    scope -= 1
                    j = neg.get(tok)
                else:
                    j = uni.get(tok)
                if j is not None:
                    add(j)
                after = big.get(prev)
                if after is not None:
                    j = after.get(tok)
                    if j is not None:
                        add(j)
                prev = tok
            bounds.append(len(index))
        return self.logits_from_ids(index, bounds)

    def logits_from_ids(self, index: list[int], bounds: list[int]) -> npt.NDArray[np.float32]:
        """Class scores from feature ids: post ``k`` owns ``index[bounds[k]:bounds[k+1]]``."""
        out = np.tile(self.intercept, (len(bounds) - 1, 1))
        if index:
            # one zero row at the end keeps every segment start in range (a trailing post
            # may have no known feature); reduceat gives an empty segment the row at its
            # start, so empty segments are masked out
            gathered = np.vstack([self.coef[np.asarray(index, dtype=np.intp)], self._zero])
            sums = np.add.reduceat(gathered, np.asarray(bounds[:-1], dtype=np.intp), axis=0)
            nonempty = np.diff(np.asarray(bounds)) > 0
            out[nonempty] += sums[nonempty]
        return out

    def tone_tokens(self, token_lists: Sequence[Sequence[str]]) -> npt.NDArray[np.float64]:
        """``P(negative) - P(positive)`` per post, in [-1, 1]."""
        return self._tone(self.logits_tokens(token_lists))

    def tone_from_ids(self, index: list[int], bounds: list[int]) -> npt.NDArray[np.float64]:
        """As :meth:`tone_tokens` from feature ids (see :meth:`logits_from_ids`)."""
        return self._tone(self.logits_from_ids(index, bounds))

    @staticmethod
    def _tone(logits: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        z = logits.astype(np.float64)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        out: npt.NDArray[np.float64] = p[:, 0] - p[:, 2]
        return out

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Class probabilities, columns in :data:`LABELS` order."""
        z = self.logits_tokens([tokenize(normalize(t)) for t in texts]).astype(np.float64)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The most likely label per text."""
        return [LABELS[int(i)] for i in self.predict_proba(texts).argmax(axis=1)]

    # ------------------------------------------------------------------ files
    def save(self, path: str | Path) -> None:
        """Write the model to ``path`` (numpy ``.npz``, no pickle)."""
        names = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        np.savez_compressed(
            path,
            kind=np.array(_KIND),
            vocabulary=np.array(names, dtype=np.str_),
            coef=self.coef.astype(np.float16),
            intercept=self.intercept,
        )

    @classmethod
    def load(cls, path: str | Path) -> ToneModel:
        """Read a model written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as data:
            if str(data["kind"]) != _KIND:
                raise ValueError(f"{path} is not a {_KIND} file")
            names = [str(n) for n in data["vocabulary"]]
            coef = np.asarray(data["coef"], dtype=np.float32)
            intercept = np.asarray(data["intercept"], dtype=np.float32)
        return cls({n: i for i, n in enumerate(names)}, coef, intercept)

    @classmethod
    def default(cls) -> ToneModel:
        """The shipped model (SemEval 2013-2016 minus TweetEval validation); a new instance
        per call: build the ranker once and reuse it."""
        ref = resources.files("socialreferral").joinpath("_models", DEFAULT_TONE_FILE)
        with resources.as_file(ref) as path:
            return cls.load(path)
