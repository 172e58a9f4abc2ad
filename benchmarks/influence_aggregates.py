"""Influence aggregates on a generated stream: equality, throughput, erasure, locations.

    python benchmarks/influence_aggregates.py [--posts 125000] [--seed 0]

1. Generates a demo stream (``DemoStream``) and tracks it (keyword match, shipped sentiment
   model, cloud words, gazetteer): at the default size this gives >100,000 tracked posts.
2. Shuffles the tracked posts and adds them one at a time (``InfluenceAggregates.add``,
   sentiment already computed), and again as one batch (``add_many``): posts/s of CPU time
   on one core, beside the brute-force ``recompute`` of the same posts in the same run;
   then checks the states are equal.
3. Erases 200 random authors (``erase_author`` each, one merged ``repair``) and checks the
   state equals a recomputation without them.
4. Reports keyword-matching precision/recall and location resolution against the
   generator's ground truth, and the time of each dashboard query.
"""

from __future__ import annotations

import gc
import json
import os
import random
import sys
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import parser, single_core

single_core()

from socialreferral.influence import (  # noqa: E402
    DemoConfig,
    DemoStream,
    InfluenceAggregates,
    PostTracker,
    RepairPlan,
    SpikeDetector,
    TrackedPost,
    dump_state,
    hourly_trend,
    influencer_map,
    top_influencers,
    word_cloud,
)


def timed(fn, *args):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def cpu(fn):  # type: ignore[no-untyped-def]
    """``fn()`` and the CPU seconds this process spent on it (fair on a shared machine)."""
    t = time.process_time()
    out = fn()
    return out, time.process_time() - t


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--posts", type=int, default=125_000, help="generated posts (noise included)")
    p.add_argument("--erase", type=int, default=200, help="authors to erase")
    args = p.parse_args()

    stream = DemoStream(DemoConfig(seed=args.seed, posts=args.posts, authors=args.posts // 5))
    demo, t_gen = timed(lambda: list(stream.generate()))
    tracker = PostTracker(stream.tracking)
    tracker.gazetteer  # noqa: B018 - build it outside the timed tracking
    t0 = time.perf_counter()
    tracked: list[TrackedPost] = []
    for i in range(0, len(demo), 5000):
        tracked.extend(tracker.track([d.post for d in demo[i : i + 5000]]))
    t_track = time.perf_counter() - t0
    print(
        f"demo stream seed {args.seed}: {len(demo):,} posts generated in {t_gen:.1f}s; "
        f"{len(tracked):,} tracked records ({len(demo) / t_track:,.0f} posts/s through match + "
        "sentiment + words + location)"
    )

    shuffled = tracked[:]
    random.Random(args.seed).shuffle(shuffled)
    # The generated input (~250,000 objects) stays in memory for the ground-truth checks;
    # a worker would not hold it. Freeze it so the cyclic GC does not traverse it on every
    # collection (the aggregate state being built is still collected as usual).
    gc.collect()
    gc.freeze()
    # Each way of counting builds its own state with nothing else growing beside it: the
    # reference recomputation is frozen out of the GC, the previous state dropped.
    (rec, w_rec), c_rec = cpu(lambda: timed(InfluenceAggregates.recompute, shuffled))
    gc.collect()
    gc.freeze()

    def one_at_a_time(posts: list[TrackedPost]) -> InfluenceAggregates:
        out = InfluenceAggregates()
        for p in posts:
            out.add(p)
        return out

    def batch(posts: list[TrackedPost]) -> InfluenceAggregates:
        out = InfluenceAggregates()
        out.add_many(posts)
        return out

    same = True
    (agg, w_time), c_time = cpu(lambda: timed(one_at_a_time, tracked))  # as a stream delivers
    same &= agg == rec
    del agg
    gc.collect()
    (agg, w_many), c_many = cpu(lambda: timed(batch, shuffled))
    same &= agg == rec
    del agg
    gc.collect()
    (agg, w_inc), c_inc = cpu(lambda: timed(one_at_a_time, shuffled))
    same &= agg == rec
    n = len(tracked)
    print(
        f"  throughput on one core (CPU time of this process; wall clock in brackets, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):\n"
        f"    add() one post at a time, time order:   {n / c_time:,.0f} posts/s "
        f"({n / w_time:,.0f})\n"
        f"    add_many() on the shuffled list:        {n / c_many:,.0f} posts/s "
        f"({n / w_many:,.0f})\n"
        f"    add() one post at a time, random order: {n / c_inc:,.0f} posts/s "
        f"({n / w_inc:,.0f})\n"
        f"    brute-force recompute:                  {n / c_rec:,.0f} posts/s "
        f"({n / w_rec:,.0f}); add_many()/recompute {c_rec / c_many:.2f}, "
        f"add() random/recompute {c_rec / c_inc:.2f}\n"
        f"    incremental (all three) == recompute: {same}"
    )
    if not same:
        raise SystemExit("incremental state differs from the recomputation")
    size = len(json.dumps(dump_state(agg.state)))
    n_hours = sum(len(k.hours) for k in agg.state.keywords.values())
    n_authors = sum(len(k.authors) for k in agg.state.keywords.values())
    print(
        f"  state: {size / 1e6:.1f} MB as JSON, {n_hours} hour entries, "
        f"{n_authors:,} author entries"
    )

    # Erasure of random people, then the repairs the plan asks for.
    by_author: dict[str, list[TrackedPost]] = defaultdict(list)
    for t in tracked:
        by_author[t.author_id].append(t)
    victims = set(random.Random(args.seed + 1).sample(sorted(by_author), args.erase))
    rest = [t for t in tracked if t.author_id not in victims]
    t0 = time.perf_counter()
    plan = RepairPlan()
    for a in sorted(victims):
        plan.merge(agg.erase_author(a, by_author[a]))
    repairs = len(plan.hours) + len(plan.authors)
    agg.repair(plan, [t for t in rest if plan.wants(t)])
    t_erase = time.perf_counter() - t0
    ok = agg == InfluenceAggregates.recompute(rest)
    print(
        f"  erased {args.erase} authors ({len(tracked) - len(rest):,} posts) with {repairs} "
        f"entry repairs in {t_erase:.1f}s; equals recomputation without them: {ok}"
    )
    if not ok:
        raise SystemExit("erasure left the aggregates inconsistent")

    # Ground truth: matching and locations.
    truth = {d.post.post_id: d.keyword for d in demo}
    found = {(t.post_id, t.keyword) for t in tracked}
    wanted = {(pid, kw) for pid, kw in truth.items() if kw is not None}
    print(
        f"  keyword matching: precision {len(found & wanted) / len(found):.4f}, "
        f"recall {len(found & wanted) / len(wanted):.4f}"
    )
    seen = {t.author_id: t for t in tracked}
    authors = {a.author_id: a for a in stream.authors}
    located = [a for a in seen if authors[a].location]
    resolved = [a for a in located if seen[a].place is not None]
    resolvable = [a for a in located if authors[a].location_truth is not None]
    right = [
        a
        for a in resolvable
        if seen[a].place is not None
        and seen[a].place.country_code == authors[a].location_truth[0]  # type: ignore[index,union-attr]
        and (not authors[a].location_truth[1] or seen[a].place.name == authors[a].location_truth[1])  # type: ignore[index,union-attr]
    ]
    junk_resolved = [a for a in located if authors[a].location_truth is None and seen[a].place]
    print(
        f"  locations of {len(seen):,} tracked authors: {len(located):,} give one; "
        f"{len(resolved) / len(located):.1%} resolved, {len(located) - len(resolved):,} "
        f"unresolved; of the resolvable ones {len(right) / len(resolvable):.1%} resolved to the "
        f"right place; junk resolved by mistake: {len(junk_resolved)}"
    )

    end = stream.config.start + timedelta(days=stream.config.days)
    kw = max(agg.state.keywords, key=lambda k: agg.state.keywords[k].posts)
    _, t_top = timed(top_influencers, agg.state, kw, end)
    _, t_map = timed(influencer_map, agg.state, kw, end)
    _, t_cloud = timed(word_cloud, agg.state, kw)
    _, t_trend = timed(hourly_trend, agg.state, kw, stream.config.start, end)
    alerts, t_scan = timed(SpikeDetector().scan, agg.state, kw, stream.config.start, end)
    ks = agg.state.keywords[kw]
    print(
        f"  queries on {kw!r} ({ks.posts:,} posts, {len(ks.authors):,} authors): "
        f"top-5 per sentiment {t_top * 1e3:.0f} ms, map {t_map * 1e3:.0f} ms, "
        f"word clouds {t_cloud * 1e3:.0f} ms, trend {t_trend * 1e3:.0f} ms, "
        f"alert scan of {stream.config.days * 24} hours {t_scan * 1e3:.0f} ms "
        f"({len(alerts)} alerts)"
    )


if __name__ == "__main__":
    main()
