"""Throughput of the text package's ``Annotator`` (``analyze``) on one core, and peak memory.

    python benchmarks/analyze_throughput.py [--data-dir ../shared/data] [--posts 20000]
    BENCH_CPU=1 python benchmarks/analyze_throughput.py   # pin to another CPU than the first
    python benchmarks/analyze_throughput.py --gc-freeze   # as the worker runs (see --help)

Posts are real tweets (SemEval + TweetEval validation, mean ~113 characters, all distinct
texts), annotated in batches of 1,000 with a five-product catalog by one ``Annotator`` (what
the worker's analyzer keeps). BLAS/OpenMP are pinned to one thread and the process to one
CPU (``sched_setaffinity``). Reported:

* first pass: after one warm-up batch, so most words are new to the annotator's per-token
  caches (stems, char n-gram rows, token ids) - what a freshly started worker sees;
* steady state: the same posts again with warm per-token caches (no per-post cache exists,
  so each post is still tokenised, scored and matched), as on a long-running worker;
* one-shot ``analyze()``: a fresh annotator per batch (nothing kept between calls).

Both as wall-clock and as process CPU time: on a shared machine other processes on the same
CPU slow the wall clock; CPU time is what the work costs one core. Baselines: IBM SCION's
950 posts/s per annotator engine (seed 003) and VADER alone, measured here on the same posts.
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import load_semeval, load_tweeteval_val, parser, single_core

single_core()
if hasattr(os, "sched_setaffinity"):  # one core, really (Linux)
    os.sched_setaffinity(0, {int(os.environ.get("BENCH_CPU", min(os.sched_getaffinity(0))))})

from socialreferral.text import Annotator, IntentClassifier, SentimentModel, analyze  # noqa: E402

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
    p.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.collect() + gc.freeze() after loading, as the worker's entry point does "
        "(tasks/referral.py); the library itself never touches the collector",
    )
    args = p.parse_args()
    texts, _ = load_semeval(args.data_dir)
    val, _ = load_tweeteval_val(args.data_dir)
    posts = (val + texts)[: args.posts]
    mean_len = sum(map(len, posts)) / len(posts)
    base = rss_mb()

    t0 = time.perf_counter()
    SentimentModel.default()
    clf = IntentClassifier.from_catalog(CATALOG)
    annotator = Annotator()
    annotator.prepare()
    load_s = time.perf_counter() - t0
    annotator.annotate(posts[: args.batch], clf)  # warm-up: model arrays, regex compilation
    if args.gc_freeze:
        # Without it a full collection (~0.07-0.09 s: it walks every long-lived object of the
        # imported libraries) falls into most passes of 20,000 posts, as the batches' results
        # age into generation 2.
        gc.collect()
        gc.freeze()

    # Time spent in the collector, from its own start/stop callbacks: [seconds, full
    # collections, their seconds].
    collector = [0.0, 0, 0.0]
    started = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
            return
        spent = time.perf_counter() - started[0]
        collector[0] += spent
        if info["generation"] == 2:
            collector[1] += 1
            collector[2] += spent

    def timed(annotate: Callable[[list[str]], list[object]]) -> tuple[float, float]:
        t0, c0 = time.perf_counter(), time.process_time()
        n = 0
        for i in range(0, len(posts), args.batch):
            n += len(annotate(posts[i : i + args.batch]))
        assert n == len(posts)
        return n / (time.perf_counter() - t0), n / (time.process_time() - c0)

    def kept(batch: list[str]) -> list[object]:
        return list(annotator.annotate(batch, clf))

    def one_shot(batch: list[str]) -> list[object]:
        return list(analyze(batch, clf))

    first, first_cpu = timed(kept)
    # Steady state: per-token caches warm, as on a long-running worker; median of 3 passes.
    gc.callbacks.append(on_gc)
    c0 = time.process_time()
    passes = sorted(timed(kept) for _ in range(3))
    steady_cpu_s = time.process_time() - c0
    gc.callbacks.remove(on_gc)
    warm, warm_cpu = passes[1]
    peak = rss_mb()  # the kept annotator's caches after 4 passes (before the one-shot pass)
    shot, shot_cpu = timed(one_shot)
    n = len(posts)
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    sample = posts[:5000]
    t0 = time.perf_counter()
    for t in sample:
        sia.polarity_scores(t)
    vader_rate = len(sample) / (time.perf_counter() - t0)

    cpu = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "any"
    print(f"pinned to CPU {cpu}; OMP/OPENBLAS/MKL threads = 1; gc.freeze: {args.gc_freeze}")
    print(f"analyze on one core: {n} tweets (mean {mean_len:.0f} chars), batches of {args.batch}")
    print("  analyze (sentiment+intent+purchase+products+entities+patterns), posts/s:")
    print(f"    first pass (cold token caches): {first:,.0f} wall, {first_cpu:,.0f} CPU time")
    print(
        f"    steady state (warm caches):     {warm:,.0f} wall, {warm_cpu:,.0f} CPU time "
        f"(median of 3 passes; wall {', '.join(f'{w:,.0f}' for w, _ in passes)})"
    )
    print(f"    one-shot analyze() per batch:   {shot:,.0f} wall, {shot_cpu:,.0f} CPU time")
    print(
        f"  garbage collector in the steady passes: {100 * collector[0] / steady_cpu_s:.1f} % "
        f"of their CPU time; {collector[1]} full collections, "
        f"{1000 * collector[2] / max(collector[1], 1):.0f} ms each "
        f"({len(gc.get_objects()):,} tracked objects)"
    )
    print(
        f"  IBM SCION annotator engine (seed 003): {SCION_POSTS_PER_S} posts/s "
        f"-> {warm / SCION_POSTS_PER_S:.1f}x (steady, wall)"
    )
    print(f"  VADER sentiment alone, same posts: {vader_rate:,.0f} posts/s")
    print(
        f"  default models + 5-product catalog load: {load_s:.2f}s; peak RSS {peak:.0f} MB "
        f"(interpreter + libraries before loading: {base:.0f} MB)"
    )


if __name__ == "__main__":
    main()
