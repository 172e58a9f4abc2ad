"""Banking77 benchmark for IntentClassifier: full data, 10-shot, and out-of-scope rejection.

    python benchmarks/banking77.py [--data-dir ../shared/data] [--skip-full]

* full: train on train.csv (10,003), accuracy on test.csv (3,080), top label (closed set);
* 10-shot: 10 random examples per intent (3 draws), C picked by 3-fold CV on those examples;
* out-of-scope: 20 of the 77 intents (random, fixed seed) are held out as "unknown". The
  classifier is trained on the other 57 intents only, and its threshold is the 5th
  percentile of in-scope confidence on cross-validation folds of that training data (no
  unknown example is seen). On test.csv we report in-scope accuracy (a rejection counts as
  an error) and the share of unknown-intent texts rejected.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import load_banking, parser, single_core

single_core()

import numpy as np  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from socialreferral.text import IntentClassifier  # noqa: E402

C_GRID = (5.0, 20.0, 50.0)


def closed_accuracy(clf: IntentClassifier, texts: list[str], labels: list[str]) -> float:
    proba = clf.predict_proba(texts)
    pred = [clf.labels[i] for i in proba.argmax(axis=1)]
    return 100.0 * float(np.mean(np.array(pred) == np.array(labels)))


def pick_c(texts: list[str], labels: list[str], seed: int) -> float:
    y = np.array(labels)
    best, best_acc = C_GRID[0], -1.0
    for c in C_GRID:
        accs = []
        for tr, te in StratifiedKFold(3, shuffle=True, random_state=seed).split(texts, y):
            clf = IntentClassifier(C=c, threshold=0.0).fit([texts[i] for i in tr], list(y[tr]))
            accs.append(closed_accuracy(clf, [texts[i] for i in te], list(y[te])))
        if np.mean(accs) > best_acc:
            best, best_acc = c, float(np.mean(accs))
    return best


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--skip-full", action="store_true")
    args = p.parse_args()
    x, y = load_banking(args.data_dir, "train")
    tx, ty = load_banking(args.data_dir, "test")
    rng = np.random.default_rng(args.seed)

    if not args.skip_full:
        t0 = time.perf_counter()
        clf = IntentClassifier(threshold=0.0).fit(x, y)
        print(
            f"full ({len(x)} train): accuracy {closed_accuracy(clf, tx, ty):.2f}% "
            f"(fit {time.perf_counter() - t0:.0f}s)   published: BERT 93.66, USE+ConveRT 93.36"
        )

    ya = np.array(y)
    shots = []
    for draw in range(3):
        idx = [
            int(i)
            for c in sorted(set(y))
            for i in rng.choice(np.where(ya == c)[0], 10, replace=False)
        ]
        sx, sy = [x[i] for i in idx], [y[i] for i in idx]
        c = pick_c(sx, sy, args.seed + draw)
        acc = closed_accuracy(IntentClassifier(C=c, threshold=0.0).fit(sx, sy), tx, ty)
        shots.append(acc)
        print(f"  10-shot draw {draw}: C={c:g} accuracy {acc:.2f}%")
    print(
        f"10-shot: accuracy {np.mean(shots):.2f}% ± {np.std(shots):.2f}   "
        "published: USE+ConveRT 85.19"
    )

    intents = sorted(set(y))
    unknown = set(rng.choice(intents, 20, replace=False).tolist())
    ix = [i for i, lab in enumerate(y) if lab not in unknown]
    t0 = time.perf_counter()
    clf = IntentClassifier(reject_quantile=0.05).fit([x[i] for i in ix], [y[i] for i in ix])
    pred = clf.predict(tx)
    ins = np.array([lab not in unknown for lab in ty])
    correct = np.array([p == t for p, t in zip(pred, ty, strict=True)])
    rejected = np.array([p is None for p in pred])
    print(
        f"out-of-scope: 57 known / 20 unknown intents, threshold {clf.threshold:.3f} "
        f"(5th pct of in-scope CV confidence; fit {time.perf_counter() - t0:.0f}s)"
    )
    print(
        f"  in-scope accuracy (rejections count as errors): {100 * correct[ins].mean():.2f}%"
        f"   in-scope rejected: {100 * rejected[ins].mean():.1f}%"
    )
    print(f"  unknown intents rejected: {100 * rejected[~ins].mean():.1f}%")
    conf = clf.predict_proba(tx).max(axis=1)
    known = clf.known_content([clf._tokens([t])[0] for t in tx])
    for q in (0.10, 0.20):
        # Same rule at other quantiles of the *in-scope CV* confidences: the knob trades
        # in-scope recall for rejection of unknowns.
        th = float(np.quantile(clf.cv_confidence, q))
        rej = (conf < th) | ~known
        acc = 100 * (correct[ins] & ~rej[ins]).mean()
        print(
            f"  reject_quantile={q:.2f} (threshold {th:.3f}): in-scope accuracy {acc:.2f}%, "
            f"unknown rejected {100 * rej[~ins].mean():.1f}%"
        )


if __name__ == "__main__":
    main()
