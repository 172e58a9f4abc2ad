"""Out-of-scope rejection arithmetic of :class:`~socialreferral.text.IntentClassifier`.

The threshold is chosen from held-out **in-scope** examples of the training data's CV folds
only (no unknown example is needed): :func:`budget_threshold` spends an accuracy budget,
:func:`percentile_score` combines the two confidences of the embedding rule, and
:func:`nearest_cosine` is that rule's similarity to the nearest training text.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "GRID",
    "RULE_PROB",
    "RULE_PROB_NN",
    "budget_threshold",
    "nearest_cosine",
    "percentile_score",
]

# Confidence rules: top probability alone, or mean CV percentile of top probability and
# nearest-training-example cosine.
RULE_PROB = "prob"
RULE_PROB_NN = "prob+nn"
# Quantiles at which the CV confidences are recorded (the percentile grids).
GRID = np.linspace(0.0, 1.0, 201)

_F32 = npt.NDArray[np.float32]


def budget_threshold(
    conf: npt.NDArray[np.floating[Any]],
    correct: npt.NDArray[np.bool_],
    known: npt.NDArray[np.bool_],
    max_loss: float,
) -> float:
    """The highest threshold on ``conf`` whose rejections cost at most ``max_loss`` accuracy.

    ``conf``, ``correct`` and ``known`` describe held-out in-scope examples: confidence,
    whether the top label was right, whether they pass the other rejection check (a text
    rejected there is lost whatever the threshold). Rejecting ``conf < t`` loses the right
    answers below ``t``: the threshold is the confidence of the first right answer that
    no longer fits in the budget (everything below it, right or wrong, is rejected).
    """
    n = len(conf)
    if n == 0:
        return 0.0
    ok = np.sort(np.asarray(conf)[correct & known])
    if len(ok) == 0:
        return float(np.max(conf))
    spare = int(np.floor((max_loss - np.mean(correct & ~known)) * n + 1e-9))
    if spare >= len(ok):
        return float(np.nextafter(ok[-1], np.inf))
    return float(ok[max(spare, 0)])


def nearest_cosine(queries: _F32, refs: _F32, chunk: int = 2048) -> _F32:
    """Cosine similarity of each (unit-length) query to its nearest (unit-length) ref."""
    out = np.empty(len(queries), dtype=np.float32)
    for s in range(0, len(queries), chunk):
        out[s : s + chunk] = (queries[s : s + chunk] @ refs.T).max(axis=1)
    return out


def percentile_score(prob: _F32, nn: _F32, prob_grid: _F32, nn_grid: _F32) -> _F32:
    """Mean of the CV percentiles of the top probability and of the nearest-text cosine."""
    p1 = np.interp(prob, prob_grid, GRID)
    p2 = np.interp(nn, nn_grid, GRID)
    return np.asarray((p1 + p2) / 2, dtype=np.float32)
