"""Complaint detection on the hand-labelled TWCS tweets, zero-shot and trained.

    python benchmarks/complaints.py [--data-dir ../shared/data] [--skip-trained]

Data: ``benchmarks/fixtures/twcs_complaints_hand.tsv`` (320 inbound customer tweets of the
TWCS sample drawn at random and labelled complaint / other / skip by reading them; tweet
ids only, the texts stay in ``twcs_sample``). ``dev`` (first 160 drawn) is the half used
while choosing cues; ``test`` is only reported.

1. Zero-shot, macro-F1 (complaint vs other) per half: ``analyze(...).intent ==
   "complaint"``, the care ranker's ``intent == "complaint"``, and VADER (compound <= -0.05,
   its documented negative threshold) in the same run.
2. Trained: ``IntentClassifier`` (closed set, no rejection) with stratified 10-fold CV over
   all 297 labelled tweets, macro-F1 of the pooled out-of-fold predictions, for TF-IDF and
   hybrid features, beside a majority-class baseline; and ``ComplaintClassifier`` (the
   hybrid classifier stacked with the complaint cue count and tone; its inner folds see
   only the outer training fold), beside the zero-shot cues on the same folds.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import REPO, parser, single_core
from _twcs import load_twcs

single_core()

import numpy as np  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

FIXTURE = REPO / "benchmarks" / "fixtures" / "twcs_complaints_hand.tsv"


def load_labelled(data_dir: Path) -> list[tuple[str, int, str]]:
    """(text, 1 if complaint, split) of every labelled tweet that is not ``skip``."""
    by_id = {t.tweet_id: t for t in load_twcs(data_dir)}
    out = []
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("tweet_id") or not line.strip():
            continue
        tid, label, split = line.split("\t")
        if label != "skip" and tid in by_id:
            out.append((by_id[tid].text, int(label == "complaint"), split))
    return out


def macro_f1(gold: list[int], pred: list[int]) -> float:
    return 100.0 * float(f1_score(gold, pred, average="macro"))


def vader_negative(texts: list[str]) -> list[int]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    return [int(sia.polarity_scores(t)["compound"] <= -0.05) for t in texts]


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--skip-trained", action="store_true")
    args = p.parse_args()
    from socialreferral.care import CareRanker
    from socialreferral.text import ComplaintClassifier, IntentClassifier, SentenceEncoder, analyze

    rows = load_labelled(args.data_dir)
    texts = [t for t, _, _ in rows]
    gold = [y for _, y, _ in rows]
    preds = {
        "analyze intent == complaint": [int(a.intent == "complaint") for a in analyze(texts)],
        "care intent == complaint": [
            int(s.intent == "complaint") for s in CareRanker().score(texts)
        ],
        "VADER negative (compound <= -0.05)": vader_negative(texts),
    }
    print(f"hand-labelled TWCS complaints: {len(rows)} tweets, {sum(gold)} complaints")
    for split in ("dev", "test"):
        idx = [i for i, (_, _, s) in enumerate(rows) if s == split]
        g = [gold[i] for i in idx]
        print(f"\nzero-shot, {split} half (n={len(idx)}, complaints {sum(g)}), macro-F1:")
        for name, pred in preds.items():
            print(f"  {name:36s} {macro_f1(g, [pred[i] for i in idx]):5.1f}")
    if args.skip_trained:
        return
    y = np.array(["complaint" if v else "other" for v in gold])
    print("\ntrained IntentClassifier, stratified 10-fold CV over both halves, macro-F1:")
    majority = [int(np.mean(gold) >= 0.5)] * len(gold)
    print(f"  {'majority class':36s} {macro_f1(gold, majority):5.1f}")
    for features in ("tfidf", "hybrid"):
        out = np.empty(len(texts), dtype=object)
        for tr, te in StratifiedKFold(10, shuffle=True, random_state=args.seed).split(texts, y):
            clf = IntentClassifier(features=features, threshold=0.0)
            clf.fit([texts[i] for i in tr], list(y[tr]))
            proba = clf.predict_proba([texts[i] for i in te])
            out[te] = [clf.labels[j] for j in proba.argmax(axis=1)]
        pred = [int(v == "complaint") for v in out]
        print(f"  {'IntentClassifier ' + features:36s} {macro_f1(gold, pred):5.1f}")
    zero_shot = preds["analyze intent == complaint"]
    print(f"  {'zero-shot cues (no training)':36s} {macro_f1(gold, zero_shot):5.1f}")
    encoder = SentenceEncoder()  # shared by every fold (embeddings computed once)
    stacked = np.zeros(len(texts), dtype=int)
    for tr, te in StratifiedKFold(10, shuffle=True, random_state=args.seed).split(texts, y):
        cc = ComplaintClassifier(encoder=encoder, seed=args.seed)
        cc.fit([texts[i] for i in tr], list(y[tr]))
        stacked[te] = [int(v == "complaint") for v in cc.predict([texts[i] for i in te])]
    print(f"  {'ComplaintClassifier (stacked)':36s} {macro_f1(gold, list(stacked)):5.1f}")


if __name__ == "__main__":
    main()
