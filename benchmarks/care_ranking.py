"""Care ranking on the TWCS sample, with baselines computed in the same run.

    python benchmarks/care_ranking.py --data-dir ../shared/data

Three evaluations, all zero-shot (nothing here is trained on TWCS):

1. Complaints, hand-labelled (``benchmarks/fixtures/twcs_complaints_hand.tsv``: 320
   inbound tweets drawn at random, labelled complaint / other / skip by reading each tweet
   before any rule was written; ``dev`` is the half used while choosing cues and weights,
   ``test`` the half only reported). ROC AUC of ``rank_score`` and of
   ``intent == "complaint"``.
2. "An inbound tweet received a direct brand reply": every inbound tweet, scored from its
   text alone (``text``) and with an AuthorScore from that author's history *before* the
   tweet (``text+author``: earlier posts' AScore, earlier brand replies to the author).
3. "A customer-started thread got a brand reply within 60 minutes": the thread's first
   tweet.

Baselines: VADER negativity (``neg`` share, and ``-compound``), text length, and
``socialreferral.text.analyze`` complaint/actionable intents.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import REPO, parser, single_core
from _twcs import Tweet, load_twcs

single_core()

from sklearn.metrics import roc_auc_score  # noqa: E402

from socialreferral.care import (  # noqa: E402
    AuthorHistory,
    CarePost,
    CareRanker,
    ThreadIndex,
    summarize,
)

FIXTURE = REPO / "benchmarks" / "fixtures" / "twcs_complaints_hand.tsv"


def load_labels() -> list[tuple[str, int, str]]:
    out = []
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("tweet_id"):
            continue
        tid, label, split = line.split("\t")
        if label != "skip":
            out.append((tid, int(label == "complaint"), split))
    return out


def baselines(texts: list[str]) -> dict[str, list[float]]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from socialreferral.text import analyze

    sia = SentimentIntensityAnalyzer()
    vader = [sia.polarity_scores(t) for t in texts]
    notes = analyze(texts)
    return {
        "VADER negativity (neg)": [v["neg"] for v in vader],
        "VADER -compound": [-v["compound"] for v in vader],
        "text length": [float(len(t)) for t in texts],
        "analyze intent == complaint": [float(a.intent == "complaint") for a in notes],
        "analyze actionable": [float(a.actionable) for a in notes],
    }


def auc(labels: list[int], scores: list[float]) -> str:
    if len(set(labels)) < 2:
        return "  n/a"
    return f"{roc_auc_score(labels, scores):.3f}"


def table(title: str, labels: list[int], columns: dict[str, list[float]]) -> None:
    print(f"\n{title}  (n={len(labels)}, positives {sum(labels)})")
    for name, scores in columns.items():
        print(f"  {name:34s} ROC AUC {auc(labels, scores)}")


def with_history(ranker: CareRanker, tweets: list[Tweet]) -> dict[str, float]:
    """rank_score of each inbound tweet with the author's history before it."""
    by_id = {t.tweet_id: t for t in tweets}
    events: list[tuple[object, int, Tweet]] = []
    for t in tweets:
        events.append((t.created_at, 1, t))
    events.sort(key=lambda e: (e[0], e[1]))
    history: dict[str, AuthorHistory] = {}
    out: dict[str, float] = {}
    for _, _, t in events:
        if not t.inbound:  # a brand reply: an interaction with a representative
            parent = by_id.get(t.parent_id or "")
            if parent is not None and parent.inbound:
                h = history.get(parent.author_id, AuthorHistory(author_id=parent.author_id))
                history[parent.author_id] = h.record_interaction()
            continue
        h = history.get(t.author_id, AuthorHistory(author_id=t.author_id))
        [score] = ranker.score([CarePost(text=t.text, author_id=t.author_id, author=h)])
        out[t.tweet_id] = score.rank_score
        history[t.author_id] = h.record_main_post(score.ascore, 0)
    return out


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    tweets = load_twcs(args.data_dir)
    by_id = {t.tweet_id: t for t in tweets}
    ranker = CareRanker()

    # 1. hand-labelled complaints
    labelled = [(by_id[tid].text, y, split) for tid, y, split in load_labels() if tid in by_id]
    texts = [t for t, _, _ in labelled]
    scores = ranker.score(texts)
    cols = {
        "care rank_score": [s.rank_score for s in scores],
        "care intent == complaint": [float(s.intent == "complaint") for s in scores],
        **baselines(texts),
    }
    for split in ("dev", "test"):
        idx = [i for i, (_, _, s) in enumerate(labelled) if s == split]
        table(
            f"Complaints, hand-labelled, {split} half",
            [labelled[i][1] for i in idx],
            {k: [v[i] for i in idx] for k, v in cols.items()},
        )

    # 2. inbound tweet received a direct brand reply
    replied = {t.parent_id for t in tweets if not t.inbound and t.parent_id}
    inbound = [t for t in tweets if t.inbound]
    labels = [int(t.tweet_id in replied) for t in inbound]
    texts = [t.text for t in inbound]
    scores = ranker.score(texts)
    hist = with_history(ranker, tweets)
    table(
        "Inbound tweet received a direct brand reply",
        labels,
        {
            "care rank_score (text)": [s.rank_score for s in scores],
            "care rank_score (text+author)": [hist[t.tweet_id] for t in inbound],
            "care actionable": [float(s.actionable) for s in scores],
            **baselines(texts),
        },
    )

    # 3. customer-started thread answered within 60 minutes
    index = ThreadIndex()
    for t in tweets:
        index.add(
            t.tweet_id,
            t.parent_id,
            author_id=t.author_id,
            is_brand=not t.inbound,
            created_at=t.created_at,
        )
    roots, fast = [], []
    for root_id, nodes in index.threads().items():
        summary = summarize(nodes)
        if summary.provisional or not summary.customer_started or root_id not in by_id:
            continue
        minutes = summary.first_response_minutes
        roots.append(by_id[root_id])
        fast.append(int(minutes is not None and minutes <= timedelta(hours=1).seconds / 60))
    texts = [t.text for t in roots]
    scores = ranker.score(texts)
    table(
        "Customer-started thread got a brand reply within 60 minutes",
        fast,
        {"care rank_score": [s.rank_score for s in scores], **baselines(texts)},
    )


if __name__ == "__main__":
    main()
