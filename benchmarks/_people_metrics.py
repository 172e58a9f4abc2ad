"""Pairwise precision/recall/F1 of a clustering against true identities (record linkage)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise_scores(predicted: Sequence[str], truth: Sequence[str]) -> dict[str, float]:
    """Precision, recall and F1 over all record pairs, counted without listing the pairs.

    A pair is predicted when both records share a predicted cluster and true when they
    share a true identity; true positives are pairs sharing both.
    """
    if len(predicted) != len(truth):
        raise ValueError("predicted and truth differ in length")
    both = Counter(zip(predicted, truth, strict=True))
    tp = sum(_pairs(n) for n in both.values())
    pred_pairs = sum(_pairs(n) for n in Counter(predicted).values())
    true_pairs = sum(_pairs(n) for n in Counter(truth).values())
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_pairs": float(true_pairs),
        "predicted_pairs": float(pred_pairs),
    }
