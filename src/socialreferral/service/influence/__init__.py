"""Influencer and campaign analytics as use cases (seed 002, TwitterTalker).

* :mod:`.analytics` — :class:`InfluenceAnalytics`: track posts (store, count once, live
  spike checks), the four dashboard panels, alerts, the periodic recompute;
* :mod:`.events` — :func:`post_from_event` and :class:`InfluenceSink`, the worker's hook
  (the ``EventSink`` protocol: ``name``, ``consume(events) -> failed ids``);
* :mod:`.alerts` — :class:`SpikeWatch`: baselines per keyword and day, live checks and
  scans, each alert stored and notified once;
* :mod:`.keywords` — :class:`TrackedKeywords`: configured and marketer-added keywords.

The pure core (matching, scoring, aggregates, spikes) is :mod:`socialreferral.influence`;
storage is the influence repositories of :class:`~socialreferral.repositories.
Repositories`.
"""

from socialreferral.service.influence.alerts import SpikeWatch, log_alert
from socialreferral.service.influence.analytics import (
    CloudView,
    InfluenceAnalytics,
    RecomputeReport,
    TrackResult,
    TrendView,
)
from socialreferral.service.influence.events import (
    InfluenceSink,
    post_from_event,
    track_delivery,
)
from socialreferral.service.influence.keywords import KeywordInfo, TrackedKeywords

__all__ = [
    "CloudView",
    "InfluenceAnalytics",
    "InfluenceSink",
    "KeywordInfo",
    "RecomputeReport",
    "SpikeWatch",
    "TrackResult",
    "TrackedKeywords",
    "TrendView",
    "log_alert",
    "post_from_event",
    "track_delivery",
]
