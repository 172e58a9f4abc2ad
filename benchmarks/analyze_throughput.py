"""Throughput of ``socialreferral.text.analyze`` on one core, and peak memory.

    python benchmarks/analyze_throughput.py [--data-dir ../shared/data] [--posts 20000]

Posts are real tweets (SemEval + TweetEval validation, mean ~95 characters), annotated in
batches of 1,000 with a five-product catalog, after one warm-up batch (model loading is
reported separately). Baselines: IBM SCION's 950 posts/s per annotator engine (seed 003) and
VADER alone, measured here on the same posts.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import load_semeval, load_tweeteval_val, parser, single_core

single_core()
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, really

from socialreferral.text import IntentClassifier, SentimentModel, analyze  # noqa: E402

CATALOG = {
    "car_loan": [
        "car loan",
        "auto loan",
        "vehicle finance",
        "loan for a new car",
        "auto refinance",
    ],
    "home_loan": ["mortgage", "home loan", "house loan", "mortgage rates", "refinance my house"],
    "credit_card": ["credit card", "cashback card", "travel rewards card", "card with no fees"],
    "savings": ["savings account", "high interest savings", "put money aside", "deposit rates"],
    "insurance": ["car insurance", "home insurance", "life insurance", "insurance quote"],
}
SCION_POSTS_PER_S = 950


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--posts", type=int, default=20000)
    p.add_argument("--batch", type=int, default=1000)
    args = p.parse_args()
    texts, _ = load_semeval(args.data_dir)
    val, _ = load_tweeteval_val(args.data_dir)
    posts = (val + texts)[: args.posts]
    mean_len = sum(map(len, posts)) / len(posts)
    base = rss_mb()

    t0 = time.perf_counter()
    SentimentModel.default()
    clf = IntentClassifier.from_catalog(CATALOG)
    load_s = time.perf_counter() - t0
    analyze(posts[: args.batch], clf)  # warm-up: fills the per-token caches

    t0 = time.perf_counter()
    n = 0
    for i in range(0, len(posts), args.batch):
        n += len(analyze(posts[i : i + args.batch], clf))
    rate = n / (time.perf_counter() - t0)
    t0 = time.perf_counter()  # second pass: per-token caches warm, as on a long-running worker
    for i in range(0, len(posts), args.batch):
        analyze(posts[i : i + args.batch], clf)
    warm = len(posts) / (time.perf_counter() - t0)

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    sample = posts[:5000]
    t0 = time.perf_counter()
    for t in sample:
        sia.polarity_scores(t)
    vader_rate = len(sample) / (time.perf_counter() - t0)

    print(f"analyze on one core: {n} tweets (mean {mean_len:.0f} chars), batches of {args.batch}")
    print(
        f"  analyze (sentiment+intent+purchase+products+entities+patterns): {rate:,.0f} posts/s"
        f" first pass, {warm:,.0f} posts/s with warm token caches"
    )
    print(
        f"  IBM SCION annotator engine (seed 003): {SCION_POSTS_PER_S} posts/s "
        f"-> {rate / SCION_POSTS_PER_S:.1f}x"
    )
    print(f"  VADER sentiment alone, same posts: {vader_rate:,.0f} posts/s")
    print(
        f"  default models + 5-product catalog load: {load_s:.2f}s; peak RSS {rss_mb():.0f} MB "
        f"(interpreter + libraries before loading: {base:.0f} MB)"
    )


if __name__ == "__main__":
    main()
