"""Throughput of ``CareRanker.score`` on one core, beside baselines in the same run.

    python benchmarks/care_throughput.py --data-dir ../shared/data [--posts 20000]
    BENCH_CPU=1 python benchmarks/care_throughput.py   # pin to another CPU than the first

Posts are real tweets (TweetEval validation + SemEval, all distinct texts), scored as bare
strings in batches of 1,000 with the default settings (four business functions, the
shipped tone model). BLAS/OpenMP use one thread and the process is pinned to one CPU.
Each contender runs a first pass (per-token caches cold: stems, dictionary entries,
tone features) and then three steady-state passes over the same posts (no per-post cache
exists: every post is tokenised, matched and scored again), interleaved pass by pass so
that load from other processes hits them alike. Reported as wall-clock and process CPU
time posts/s, and as the ratio to ``socialreferral.text.analyze`` (no catalog) measured in
the same run. IBM SCION: 950 posts/s per annotator engine (seed 003).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import load_semeval, load_tweeteval_val, parser, single_core

single_core()
if hasattr(os, "sched_setaffinity"):  # one core, really (Linux)
    os.sched_setaffinity(0, {int(os.environ.get("BENCH_CPU", min(os.sched_getaffinity(0))))})

from socialreferral.care import CareRanker  # noqa: E402
from socialreferral.text import analyze  # noqa: E402

SCION_POSTS_PER_S = 950


def timed(
    fn: Callable[[Sequence[str]], object], posts: list[str], batch: int
) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(0, len(posts), batch):
        fn(posts[i : i + batch])
    return len(posts) / (time.perf_counter() - t0), len(posts) / (time.process_time() - c0)


def _dict_probe_ns() -> float:
    """CPU ns per ``dict.get`` in a Python loop: how loaded / slow this core is now."""
    table = {str(i): i for i in range(50_000)}
    keys = [str(i) for i in range(0, 100_000, 2)]
    get = table.get
    best = float("inf")
    for _ in range(3):
        c0 = time.process_time()
        for k in keys:
            get(k)
        best = min(best, (time.process_time() - c0) / len(keys) * 1e9)
    return best


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--posts", type=int, default=20000)
    p.add_argument("--batch", type=int, default=1000)
    p.add_argument(
        "--gc-freeze",
        action="store_true",
        help="call gc.freeze() after start-up, as a worker's entry point may (every "
        "contender benefits; the library itself never touches the collector)",
    )
    args = p.parse_args()
    texts, _ = load_semeval(args.data_dir)
    val, _ = load_tweeteval_val(args.data_dir)
    posts = list(dict.fromkeys(val + texts))[: args.posts]
    warmup = list(dict.fromkeys(texts))[-args.batch :]  # not among the measured posts
    t0 = time.perf_counter()
    ranker = CareRanker()
    load_s = time.perf_counter() - t0
    no_tone = CareRanker(tone_model=False)
    contenders: dict[str, Callable[[Sequence[str]], object]] = {
        "CareRanker.score (default)": ranker.score,
        "CareRanker.score (tone_model=False)": no_tone.score,
        "baseline: text.analyze (no catalog)": analyze,
    }
    for fn in contenders.values():
        fn(warmup)  # imports, model arrays, regex compilation
    if args.gc_freeze:
        import gc

        gc.freeze()  # start-up objects leave the collector's generations
    first = {name: timed(fn, posts, args.batch) for name, fn in contenders.items()}
    steady: dict[str, list[tuple[float, float]]] = {name: [] for name in contenders}
    for _ in range(3):
        for name, fn in contenders.items():
            steady[name].append(timed(fn, posts, args.batch))
    cpu = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "any"
    mean_len = sum(map(len, posts)) / len(posts)
    probe = _dict_probe_ns()
    print(
        f"pinned to CPU {cpu}; {len(posts)} distinct tweets (mean {mean_len:.0f} chars), "
        f"batches of {args.batch}; CareRanker() built in {load_s:.2f}s; "
        f"gc.freeze: {args.gc_freeze}\nmachine probe: {probe:.0f} ns CPU per dict lookup in a "
        f"Python loop (an idle modern core: ~30-40 ns); load average {os.getloadavg()[0]:.1f}"
    )
    base = "baseline: text.analyze (no catalog)"
    base_first = first[base][1]
    base_steady = statistics.median(c for _, c in steady[base])
    print(
        f"{'posts/s':38s} {'first wall':>11s} {'first CPU':>10s} {'steady wall':>12s} "
        f"{'steady CPU':>11s} {'CPU ratio vs analyze (first/steady)':>36s}"
    )
    for name in contenders:
        fw, fc = first[name]
        sw = statistics.median(w for w, _ in steady[name])
        sc = statistics.median(c for _, c in steady[name])
        print(
            f"{name:38s} {fw:11,.0f} {fc:10,.0f} {sw:12,.0f} {sc:11,.0f} "
            f"{fc / base_first:17.2f} / {sc / base_steady:.2f}"
        )
    print(f"IBM SCION annotator engine (seed 003): {SCION_POSTS_PER_S} posts/s")


if __name__ == "__main__":
    main()
