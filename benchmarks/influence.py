"""Influence benchmark: 5-fold CV AUC on Kaggle "Influencers in Social Networks" train.csv.

    python benchmarks/influence.py [--data-dir ../shared/data] [--write-weights]

Compares, on the same stratified folds: the pillar model (random-forest importance weights,
seed 002), the learned option (gradient boosting on symmetrised pairs), logistic
regression on log differences (the competition's 0.861 baseline family) and the best
*linear* weighting of the pillar model's own percentile features (logistic regression on
their differences: the ceiling any re-weighting of the pillar score can reach).

``--write-weights`` then fits the pillar model on all pairs and writes the shipped
per-keyword weights, ``src/socialreferral/influence/_default_weights.py``.
"""

from __future__ import annotations

import pprint
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import parser, single_core

single_core()

import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from socialreferral.scoring import KAGGLE_COLUMNS, PILLARS, InfluenceModel  # noqa: E402

PILLAR_COLUMNS = [KAGGLE_COLUMNS.index(c) for cols in PILLARS.values() for c in cols]
WEIGHTS_FILE = (
    Path(__file__).resolve().parents[1] / "src/socialreferral/influence/_default_weights.py"
)


def percentile_diffs(x: np.ndarray, train: np.ndarray) -> np.ndarray:
    """Differences of the pillar features' training-user percentiles (the pillar scale)."""
    ref = np.sort(np.vstack([x[train, :11], x[train, 11:]]), axis=0)

    def pct(raw: np.ndarray) -> np.ndarray:
        cols = [np.searchsorted(ref[:, j], raw[:, j], side="right") / len(ref) for j in range(11)]
        return np.column_stack(cols)

    return (pct(x[:, :11]) - pct(x[:, 11:]))[:, PILLAR_COLUMNS]


def write_weights(x: np.ndarray, y: np.ndarray, seed: int) -> None:
    """Fit on all pairs and write the shipped per-keyword weights module."""
    from socialreferral.influence.weights import PillarWeights

    model = InfluenceModel(seed=seed).fit(x, y)
    w = PillarWeights.from_model(model)
    ref = {k: [round(v, 4) for v in q] for k, q in w.reference.items()}
    ref = {k: tuple(v) for k, v in ref.items()}
    source = f"Kaggle Influencers in Social Networks, {len(y)} pairs, {w.source}"
    body = (
        '"""Shipped per-keyword influence weights (generated: do not edit by hand).\n\n'
        "Written by ``python benchmarks/influence.py --write-weights``: the pillar\n"
        f"InfluenceModel fitted on all {len(y)} Kaggle pairs (seed {seed}). ``REFERENCE``\n"
        'holds 101 quantiles of each Reach feature among the Kaggle users.\n"""\n\n'
        f"SOURCE = {source!r}\n"
        f"PILLARS = { ({k: round(v, 4) for k, v in w.pillars.items()})!r}\n"
        f"REACH = { ({k: round(v, 4) for k, v in w.reach.items()})!r}\n"
        f"RESONANCE = { ({k: round(v, 4) for k, v in w.resonance.items()})!r}\n"
        "REFERENCE: dict[str, tuple[float, ...]] = "
        + pprint.pformat(ref, width=96, compact=True, sort_dicts=False)
        + "\n"
    )
    WEIGHTS_FILE.write_text(body, encoding="utf-8")
    print(f"  wrote {WEIGHTS_FILE.relative_to(WEIGHTS_FILE.parents[3])}: pillars {w.pillars}")


def load(data_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    arr = np.loadtxt(data_dir / "kaggle_influencers" / "train.csv", delimiter=",", skiprows=1)
    return arr[:, 1:], arr[:, 0].astype(int)


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--write-weights", action="store_true", help="write the shipped weights")
    args = p.parse_args()
    x, y = load(args.data_dir)
    folds = StratifiedKFold(5, shuffle=True, random_state=args.seed)
    aucs: dict[str, list[float]] = {"pillar": [], "learned": [], "logistic": [], "ceiling": []}
    t0 = time.perf_counter()
    last: InfluenceModel | None = None
    for tr, te in folds.split(x, y):
        pillar = InfluenceModel(seed=args.seed).fit(x[tr], y[tr])
        aucs["pillar"].append(roc_auc_score(y[te], pillar.compare_many(x[te])))
        learned = InfluenceModel(learned=True, seed=args.seed).fit(x[tr], y[tr])
        aucs["learned"].append(roc_auc_score(y[te], learned.compare_many(x[te])))
        d = np.log1p(np.clip(x[:, :11], 0, None)) - np.log1p(np.clip(x[:, 11:], 0, None))
        lr = LogisticRegression(max_iter=2000).fit(d[tr], y[tr])
        aucs["logistic"].append(roc_auc_score(y[te], lr.predict_proba(d[te])[:, 1]))
        pd_ = percentile_diffs(x, tr)
        lin = LogisticRegression(fit_intercept=False, max_iter=2000).fit(
            np.vstack([pd_[tr], -pd_[tr]]), np.concatenate([y[tr], 1 - y[tr]])
        )
        aucs["ceiling"].append(roc_auc_score(y[te], pd_[te] @ lin.coef_[0]))
        last = pillar
    print(
        f"Kaggle influencers, {len(y)} pairs, 5-fold stratified CV "
        f"({time.perf_counter() - t0:.0f}s)"
    )
    for name, label in (
        ("pillar", "pillar model (RF-importance weights)"),
        ("learned", "learned (gradient boosting, symmetrised)"),
        ("logistic", "logistic regression on log differences"),
        ("ceiling", "best linear weights of the pillar features"),
    ):
        v = np.array(aucs[name])
        print(f"  {label:42s} AUC {v.mean():.4f} ± {v.std():.4f}")
    if last is not None:
        print(f"  pillar weights (last fold): {last.pillar_weights}")
    print("  published (competition test set): logistic regression 0.861, XGBoost 0.862")
    if args.write_weights:
        write_weights(x, y, args.seed)


if __name__ == "__main__":
    main()
