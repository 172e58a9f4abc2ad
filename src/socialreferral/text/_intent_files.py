"""Pickle-free files of :class:`~socialreferral.text.IntentClassifier` (``save``/``load``).

A ``.npz`` of arrays (vocabularies, idf, weights, content words, and for the embedding rule
the training embeddings in float16 and the CV percentile grids) plus JSON metadata. The
sentence encoder is never saved: the shipped or installed model is used at prediction time.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from socialreferral.text._persist import (
    check_kind,
    decode_strings,
    encode_strings,
    load_arrays,
    save_arrays,
)
from socialreferral.text._rejection import RULE_PROB

if TYPE_CHECKING:
    from socialreferral.text.embeddings import SentenceEncoder
    from socialreferral.text.intent import IntentClassifier

__all__ = ["KIND", "load_intent", "save_intent"]

KIND = "socialreferral.IntentClassifier/1"


def save_intent(clf: IntentClassifier, path: str | Path | IO[bytes]) -> None:
    """Write a fitted classifier as a pickle-free ``.npz`` (arrays plus JSON metadata)."""
    arrays: dict[str, npt.NDArray[Any]] = {
        "word_terms": encode_strings(clf.words.terms()),
        "word_idf": clf.words.idf,
        "coef": clf.coef,
        "intercept": clf.intercept,
    }
    if clf.uses_tfidf:
        arrays["char_terms"] = encode_strings(clf.chars.terms())
        arrays["char_idf"] = clf.chars.idf
    arrays["content_words"] = encode_strings(sorted(clf.content_words()))
    if clf.train_emb.size:
        arrays["train_emb"] = clf.train_emb.astype(np.float16)
        arrays["prob_grid"] = clf.prob_grid
        arrays["nn_grid"] = clf.nn_grid
    meta = {
        "kind": KIND,
        "labels": list(clf.labels),
        "C": clf.C,
        "threshold": clf.threshold,
        "reject_quantile": clf.reject_quantile,
        "max_accuracy_loss": clf.max_accuracy_loss,
        "cv_folds": clf.cv_folds,
        "seed": clf.seed,
        "features": clf.features,
        "embedding_weight": clf.embedding_weight,
        "embedding_dim": int(clf.encoder.dim) if clf.uses_embeddings else 0,
        "rule": clf.rule,
        "score_threshold": clf.score_threshold,
    }
    save_arrays(path, arrays, meta)


def load_intent(
    cls: type[IntentClassifier],
    path: str | Path | IO[bytes],
    encoder: SentenceEncoder | None = None,
) -> IntentClassifier:
    """Rebuild a classifier written by :func:`save_intent` (never unpickles); older files
    (before embeddings, content words or the accuracy budget) load with their defaults."""
    arrays, meta = load_arrays(path)
    check_kind(meta, KIND)
    model = cls(
        C=float(meta["C"]),
        reject_quantile=(
            None if meta.get("reject_quantile") is None else float(meta["reject_quantile"])
        ),
        max_accuracy_loss=float(meta.get("max_accuracy_loss", 0.01)),
        cv_folds=int(meta["cv_folds"]),
        threshold=float(meta["threshold"]),
        seed=int(meta["seed"]),
        features=str(meta.get("features", "tfidf")),  # files from before embeddings
        embedding_weight=float(meta.get("embedding_weight", 2.0)),
        encoder=encoder,
    )
    model.rule = str(meta.get("rule", RULE_PROB))
    model.score_threshold = float(meta.get("score_threshold", 0.0))
    model.words.set_state(decode_strings(arrays["word_terms"]), arrays["word_idf"])
    if model.uses_tfidf:
        model.chars.set_state(decode_strings(arrays["char_terms"]), arrays["char_idf"])
    model.coef = arrays["coef"].astype(np.float32)
    model.intercept = arrays["intercept"].astype(np.float32)
    model.labels = tuple(meta["labels"])
    if "content_words" in arrays:
        model._content = frozenset(decode_strings(arrays["content_words"]))
    if "train_emb" in arrays:
        model.train_emb = arrays["train_emb"].astype(np.float32)
        model.prob_grid = arrays["prob_grid"].astype(np.float32)
        model.nn_grid = arrays["nn_grid"].astype(np.float32)
    if model.uses_embeddings:
        dim = int(meta.get("embedding_dim", 0))
        if dim and dim != model.encoder.dim:
            raise ValueError(
                f"model expects {dim}-d embeddings, the encoder gives {model.encoder.dim}"
            )
    return model
