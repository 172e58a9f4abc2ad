"""Influence benchmark: 5-fold CV AUC on Kaggle "Influencers in Social Networks" train.csv.

    python benchmarks/influence.py [--data-dir ../shared/data]

Compares, on the same stratified folds: the pillar model (random-forest importance weights,
seed 002), the learned option (gradient boosting on symmetrised pairs) and logistic
regression on log differences (the competition's 0.861 baseline family).
"""

from __future__ import annotations

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

from socialreferral.scoring import InfluenceModel  # noqa: E402


def load(data_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    arr = np.loadtxt(data_dir / "kaggle_influencers" / "train.csv", delimiter=",", skiprows=1)
    return arr[:, 1:], arr[:, 0].astype(int)


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    x, y = load(args.data_dir)
    folds = StratifiedKFold(5, shuffle=True, random_state=args.seed)
    aucs: dict[str, list[float]] = {"pillar": [], "learned": [], "logistic": []}
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
        last = pillar
    print(
        f"Kaggle influencers, {len(y)} pairs, 5-fold stratified CV "
        f"({time.perf_counter() - t0:.0f}s)"
    )
    for name, label in (
        ("pillar", "pillar model (RF-importance weights)"),
        ("learned", "learned (gradient boosting, symmetrised)"),
        ("logistic", "logistic regression on log differences"),
    ):
        v = np.array(aucs[name])
        print(f"  {label:42s} AUC {v.mean():.4f} ± {v.std():.4f}")
    if last is not None:
        print(f"  pillar weights (last fold): {last.pillar_weights}")
    print("  published (competition test set): logistic regression 0.861, XGBoost 0.862")


if __name__ == "__main__":
    main()
