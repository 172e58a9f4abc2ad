"""The four TwitterTalker panels and the spike alerts on a generated stream.

    PYTHONPATH=src python examples/influence_demo.py [--seed 1] [--posts 30000] [--days 21]

Generates a demo stream (airline chatter with planted spikes), tracks it with the shipped
sentiment model and gazetteer, and prints what the dashboards would show at the end.
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from socialreferral.influence import (
    DemoConfig,
    DemoStream,
    InfluenceAggregates,
    PostTracker,
    SpikeDetector,
    episodes,
    hourly_trend,
    influencer_map,
    top_influencers,
    word_cloud,
)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--posts", type=int, default=30_000)
    p.add_argument("--days", type=int, default=21)
    p.add_argument("--keyword", default="unitedairlines")
    args = p.parse_args()

    cfg = DemoConfig(seed=args.seed, posts=args.posts, days=args.days, authors=args.posts // 5)
    stream = DemoStream(cfg)
    tracker = PostTracker(stream.tracking)
    aggregates = InfluenceAggregates()
    posts = [d.post for d in stream.generate()]
    for i in range(0, len(posts), 5000):
        aggregates.add_many(tracker.track(posts[i : i + 5000]))
    state, kw = aggregates.state, args.keyword
    start = stream.config.start
    end = start + timedelta(days=stream.config.days)

    print(f"== Influence Score Dashboard: {kw!r} at {end:%Y-%m-%d %H:%M} UTC")
    for sentiment, rows in top_influencers(state, kw, end).items():
        print(f"-- {sentiment}")
        for r in rows:
            tweet = r.tweet.text if r.tweet else ""
            print(
                f"   {r.name:22s} @{r.handle:24s} {r.score:5.1f}  {r.followers:>11,} followers "
                f"{r.retweets:>7,} retweets  {tweet[:60]!r}"
            )
        if rows:
            print("   " + rows[0].explanation)
            for pillar in rows[0].pillars:
                print(f"     {pillar.name}: {pillar.explanation}")

    print("\n== Influencer Map (top 100 per sentiment, places with the most influencers)")
    m = influencer_map(state, kw, end)
    for sentiment, points in m.points.items():
        where = ", ".join(f"{pt.place.label} ({pt.influencers})" for pt in points[:5])
        unplaced = f"unresolved {m.unresolved[sentiment]}, no location {m.missing[sentiment]}"
        print(f"-- {sentiment}: {where}; {unplaced}")

    print("\n== Hashtag Word Cloud (top 12 words)")
    for sentiment, words in word_cloud(state, kw, top=12).items():
        print(f"-- {sentiment}: " + ", ".join(f"{w.word} {w.count}" for w in words))

    print("\n== Hashtag Trend (last 24 hours)")
    for point in hourly_trend(state, kw, end - timedelta(hours=24), end)[-24:]:
        bar = "#" * (point.posts // 4)
        avg = "" if point.average_sentiment is None else f"{point.average_sentiment:+.2f}"
        print(f"   {point.hour:%m-%d %H:00} {point.posts:4d} {avg:>6s} {bar}")

    print("\n== Spike alerts (episodes) and what was planted")
    for e in episodes(SpikeDetector().scan(state, kw, start, end)):
        print(f"-- {e.kind} {e.start:%m-%d %H:00}, {e.hours} h: {e.peak.explanation}")
    for s in stream.spikes:
        if s.keyword == kw:
            print(
                f"   planted {s.kind} {s.start:%m-%d %H:00}, {s.hours} h, x{s.volume_factor}, "
                f"negative share {s.negative_share}"
            )


if __name__ == "__main__":
    main()
