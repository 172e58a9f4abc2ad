"""The influence demo: a generated stream fed through the use cases as if it were live.

:func:`demo_config` sizes a :class:`~socialreferral.influence.DemoStream` with a planted
crisis on the brand near its end (the United Airlines case, after more than a week of
history so that the seasonal baseline exists); :func:`feed` hands its posts to
:meth:`~socialreferral.service.influence.InfluenceAnalytics.track` in slices of
``slice_minutes`` while a simulated clock follows the stream, so live spike checks run as
they would in production and the crisis is flagged minutes into it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from socialreferral.influence.demo_stream import DemoConfig, DemoStream, PlantedSpike
from socialreferral.influence.keywords import TrackingConfig
from socialreferral.influence.records import IncomingPost
from socialreferral.influence.spikes import SpikeAlert
from socialreferral.service.influence import InfluenceAnalytics, TrackResult

Progress = Callable[[int, int], None]
"""``progress(posts done, posts in total)``."""


@dataclass
class SimulatedClock:
    """A clock the demo moves forward with the stream (aware datetimes)."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class FeedResult:
    """What feeding a stream did: totals, the alerts in the order they were first raised
    (with the simulated time they were raised at), the planted spikes, the time taken."""

    posts: int = 0
    totals: TrackResult = field(default_factory=TrackResult)
    raised: list[tuple[datetime, SpikeAlert]] = field(default_factory=list)
    planted: list[PlantedSpike] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    seconds: float = 0.0


def demo_config(*, seed: int = 1, days: int = 10, posts: int = 15_000,
                crisis: bool = True) -> DemoConfig:
    """A stream of ``days`` days with ``posts`` posts; with ``crisis``, a 3-hour crisis on
    the brand at 15:00 UTC of the last day and no random spikes (one clear story)."""
    return DemoConfig(seed=seed, days=days, posts=posts, authors=max(posts // 5, 10),
                      warmup_days=min(8, max(days - 1, 0)),
                      spikes_per_week=0.0 if crisis else 1.0,
                      crisis_at_hour=(days - 1) * 24 + 15 if crisis and days >= 9 else None)


def track_demo_keywords(analytics: InfluenceAnalytics, tracking: TrackingConfig,
                        at: datetime) -> list[str]:
    """Add the stream's keywords that are not tracked yet; return their keys."""
    tracked = {i.keyword.key for i in analytics.keywords.all()}
    added = []
    for keyword in tracking.keywords:
        if keyword.key not in tracked:
            analytics.keywords.add(keyword, at)
            added.append(keyword.key)
    return added


def _slices(posts: Iterable[IncomingPost], minutes: int) -> Iterable[list[IncomingPost]]:
    current: list[IncomingPost] = []
    bucket = None
    for post in posts:
        b = int(post.created_at.timestamp()) // (minutes * 60)
        if bucket is not None and b != bucket and current:
            yield current
            current = []
        bucket = b
        current.append(post)
    if current:
        yield current


def feed(analytics: InfluenceAnalytics, clock: SimulatedClock, stream: DemoStream, *,
         slice_minutes: int = 20, progress: Progress | None = None) -> FeedResult:
    """Track the whole stream slice by slice, the clock at each slice's last post."""
    started = time.perf_counter()
    posts = [d.post for d in stream.generate()]
    out = FeedResult(posts=len(posts), planted=list(stream.spikes))
    totals = out.totals
    done = 0
    for batch in _slices(posts, slice_minutes):
        clock.now = batch[-1].created_at + timedelta(seconds=1)
        result = analytics.track(batch)
        for name in ("received", "matched", "records", "new", "counted", "duplicates",
                     "stale"):
            setattr(totals, name, getattr(totals, name) + getattr(result, name))
        totals.alerts.extend(result.alerts)
        out.raised.extend((clock.now, alert) for alert in result.alerts)
        done += len(batch)
        if progress is not None:
            progress(done, len(posts))
    if posts:
        out.start, out.end = posts[0].created_at, posts[-1].created_at
    out.seconds = time.perf_counter() - started
    return out


__all__ = [
    "FeedResult",
    "Progress",
    "SimulatedClock",
    "demo_config",
    "feed",
    "track_demo_keywords",
]
