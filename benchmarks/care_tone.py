"""Care tone model: train on SemEval 2013-2016, macro recall on TweetEval validation.

    python benchmarks/care_tone.py --data-dir ../shared/data           # tune C, evaluate
    python benchmarks/care_tone.py --data-dir ../shared/data --train   # ...and ship it

C is chosen on a stratified 10% dev split carved from the SemEval training data (macro
recall); the TweetEval validation split is used once, for the reported figure, beside VADER
and the text package's SentimentModel on the same tweets.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import REPO, load_tweeteval_val, parser, semeval_without_eval, single_core

single_core()

from sklearn.metrics import recall_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from socialreferral.care.tone import DEFAULT_TONE_FILE, ToneModel  # noqa: E402

C_GRID = (0.03, 0.1, 0.3)


def macro_recall(gold: list[str], pred: list[str]) -> float:
    return 100.0 * float(recall_score(gold, pred, average="macro"))


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--train", action="store_true", help=f"write _models/{DEFAULT_TONE_FILE}")
    p.add_argument("--c", type=float, default=None, help="skip tuning and use this C")
    args = p.parse_args()
    texts, labels, removed = semeval_without_eval(args.data_dir)
    val_t, val_l = load_tweeteval_val(args.data_dir)
    print(f"SemEval: {len(texts)} tweets ({removed} dropped as TweetEval-val duplicates)")
    c = args.c
    if c is None:
        tr_t, dv_t, tr_l, dv_l = train_test_split(
            texts, labels, test_size=0.1, stratify=labels, random_state=args.seed
        )
        scores = {}
        for cand in C_GRID:
            model = ToneModel().fit(tr_t, tr_l, C=cand)
            scores[cand] = macro_recall(dv_l, model.predict(dv_t))
            print(f"  C={cand}: SemEval dev macro recall {scores[cand]:.1f}")
        c = max(scores, key=scores.__getitem__)
    started = time.perf_counter()
    model = ToneModel().fit(texts, labels, C=c)
    print(
        f"trained with C={c} in {time.perf_counter() - started:.0f}s, "
        f"{len(model.vocabulary)} features"
    )
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from socialreferral.text import SentimentModel

    sia = SentimentIntensityAnalyzer()
    vader = []
    for t in val_t:
        compound = sia.polarity_scores(t)["compound"]
        vader.append(
            "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
        )
    print("TweetEval validation, macro-averaged recall:")
    print(f"  care ToneModel       {macro_recall(val_l, model.predict(val_t)):.1f}")
    print(
        f"  text SentimentModel  {macro_recall(val_l, SentimentModel.default().predict(val_t)):.1f}"
    )
    print(f"  VADER                {macro_recall(val_l, vader):.1f}")
    if args.train:
        target = REPO / "src" / "socialreferral" / "_models" / DEFAULT_TONE_FILE
        model.save(target)
        print(f"wrote {target} ({target.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
