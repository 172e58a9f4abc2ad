"""Influence analytics through the store: tracking, redelivery and recompute throughput.

    python benchmarks/influence_store.py [--posts 15000] [--days 10] [--seed 1]

Feeds a demo stream (planted crisis on the last day) through
``InfluenceAnalytics.track`` over the local SQLite store in a temporary directory, in
20-minute slices with a simulated clock (live spike checks on, as in production), then
delivers everything again (every post a duplicate), then runs the periodic recompute.
The baseline, in the same run, is the pure pipeline on the same posts (``PostTracker`` +
``InfluenceAggregates.add_many``, no storage): the ratio is what storage, exactly-once
bookkeeping and live alerts cost.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import parser, single_core

single_core()

from socialreferral.demo.influence import (  # noqa: E402
    SimulatedClock,
    demo_config,
    feed,
    track_demo_keywords,
)
from socialreferral.influence import DemoStream, InfluenceAggregates, PostTracker  # noqa: E402
from socialreferral.influence.settings import InfluenceSettings  # noqa: E402
from socialreferral.providers.local.store import LocalDocumentStore  # noqa: E402
from socialreferral.repositories import Repositories  # noqa: E402
from socialreferral.service.influence import InfluenceAnalytics  # noqa: E402


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--posts", type=int, default=15_000)
    p.add_argument("--days", type=int, default=10)
    args = p.parse_args()
    stream = DemoStream(demo_config(seed=args.seed, days=args.days, posts=args.posts))
    posts = [d.post for d in stream.generate()]

    tracker = PostTracker(stream.tracking)
    tracker.gazetteer  # noqa: B018 - loaded outside the timings, as the service does
    t, c = time.perf_counter(), time.process_time()
    aggregates = InfluenceAggregates()
    for start in range(0, len(posts), 500):
        aggregates.add_many(tracker.track(posts[start:start + 500]))
    base_wall, base_cpu = time.perf_counter() - t, time.process_time() - c

    with tempfile.TemporaryDirectory() as folder:
        store = LocalDocumentStore(Path(folder) / "store.sqlite3")
        clock = SimulatedClock(stream.config.start)
        service = InfluenceAnalytics(repositories=Repositories.over(store),
                                     settings=InfluenceSettings(), clock=clock,
                                     gazetteer=tracker.gazetteer, notify=lambda alert: None)
        track_demo_keywords(service, stream.tracking, stream.config.start)
        service.prepare()
        c = time.process_time()
        fed = feed(service, clock, stream)
        fed_cpu = time.process_time() - c
        t, c = time.perf_counter(), time.process_time()
        again = service.track(posts)
        re_wall, re_cpu = time.perf_counter() - t, time.process_time() - c
        t = time.perf_counter()
        report = service.recompute()
        rec_wall = time.perf_counter() - t
        store.close()
    n = len(posts)
    print(f"demo stream seed {args.seed}: {n:,} posts, {fed.totals.records:,} tracked records, "
          f"{len(fed.raised)} alerts raised live")
    print(f"  pure pipeline (track + add_many, no store): {n / base_cpu:,.0f} posts/s CPU "
          f"({n / base_wall:,.0f} wall)")
    print(f"  through the store, 20-minute slices, live alerts: {n / fed_cpu:,.0f} posts/s CPU "
          f"({n / fed.seconds:,.0f} wall); {base_cpu / fed_cpu:.2f}x the pure pipeline's rate")
    print(f"  the whole stream delivered again (one call, clock at its end): {again.counted} "
          f"counted; {again.duplicates:,} found in the ledgers, {again.stale:,} older than "
          f"the ledgers remember (not counted); {n / re_cpu:,.0f} posts/s CPU "
          f"({n / re_wall:,.0f} wall)")
    print(f"  recompute of {sum(r.posts for r in report.keywords):,} stored records: "
          f"{rec_wall:.1f}s wall, {report.fixed} entries fixed")


if __name__ == "__main__":
    main()
