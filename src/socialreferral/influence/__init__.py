"""Influencer and campaign analytics (seed 002, TwitterTalker): the pure core.

Flow: :class:`PostTracker` turns incoming posts into :class:`TrackedPost` records (keyword
match, sentiment, cloud words, resolved place) → :class:`InfluenceAggregates` counts them
into an :class:`InfluenceState` (incrementally; :meth:`InfluenceAggregates.recompute`
rebuilds it from stored posts) → the panels read the state: :func:`top_influencers`
(scored by :class:`KeywordScorer`), :func:`influencer_map`, :func:`word_cloud`,
:func:`hourly_trend`, and :class:`SpikeDetector` alerts.

No I/O and no process-wide mutable state: persistence, CLI and REST wrap these.
``docs/influence.md`` explains the pillars, weights, aggregates and alerts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialreferral._lazy import lazy_names

if TYPE_CHECKING:  # the names, for type checkers and readers; loaded lazily at run time
    from socialreferral.influence.aggregates import InfluenceAggregates, RepairPlan, Touched
    from socialreferral.influence.baseline import DayBaseline, day_baseline
    from socialreferral.influence.config import BaselineConfig, ScoringConfig, SpikeConfig
    from socialreferral.influence.demo_stream import (
        DemoConfig,
        DemoPost,
        DemoStream,
        PlantedSpike,
        demo_tracking,
    )
    from socialreferral.influence.gazetteer import Gazetteer
    from socialreferral.influence.keywords import (
        KeywordMatcher,
        TrackedKeyword,
        TrackingConfig,
        keyword_key,
    )
    from socialreferral.influence.records import (
        SENTIMENTS,
        AuthorMetrics,
        IncomingPost,
        Place,
        SentimentLabel,
        TrackedPost,
    )
    from socialreferral.influence.scores import (
        InfluencerScore,
        KeywordScorer,
        PillarScore,
        TweetRef,
    )
    from socialreferral.influence.spikes import (
        SpikeAlert,
        SpikeDetector,
        SpikeEpisode,
        episodes,
    )
    from socialreferral.influence.state import (
        AuthorStats,
        HourStats,
        InfluenceState,
        KeywordState,
        PostRef,
        dump_state,
        load_state,
    )
    from socialreferral.influence.tracker import PostTracker
    from socialreferral.influence.views import (
        InfluencerMap,
        MapPoint,
        TrendPoint,
        WordCount,
        hourly_trend,
        influencer_map,
        top_influencers,
        word_cloud,
    )
    from socialreferral.influence.weights import PillarWeights
    from socialreferral.influence.words import CLOUD_STOP_WORDS, cloud_words

_HOMES: dict[str, str] = {
    "AuthorMetrics": "socialreferral.influence.records",
    "AuthorStats": "socialreferral.influence.state",
    "BaselineConfig": "socialreferral.influence.config",
    "CLOUD_STOP_WORDS": "socialreferral.influence.words",
    "DayBaseline": "socialreferral.influence.baseline",
    "DemoConfig": "socialreferral.influence.demo_stream",
    "DemoPost": "socialreferral.influence.demo_stream",
    "DemoStream": "socialreferral.influence.demo_stream",
    "Gazetteer": "socialreferral.influence.gazetteer",
    "HourStats": "socialreferral.influence.state",
    "IncomingPost": "socialreferral.influence.records",
    "InfluenceAggregates": "socialreferral.influence.aggregates",
    "InfluenceState": "socialreferral.influence.state",
    "InfluencerMap": "socialreferral.influence.views",
    "InfluencerScore": "socialreferral.influence.scores",
    "KeywordMatcher": "socialreferral.influence.keywords",
    "KeywordScorer": "socialreferral.influence.scores",
    "KeywordState": "socialreferral.influence.state",
    "MapPoint": "socialreferral.influence.views",
    "PillarScore": "socialreferral.influence.scores",
    "PillarWeights": "socialreferral.influence.weights",
    "Place": "socialreferral.influence.records",
    "PlantedSpike": "socialreferral.influence.demo_stream",
    "PostRef": "socialreferral.influence.state",
    "PostTracker": "socialreferral.influence.tracker",
    "RepairPlan": "socialreferral.influence.aggregates",
    "SENTIMENTS": "socialreferral.influence.records",
    "ScoringConfig": "socialreferral.influence.config",
    "SentimentLabel": "socialreferral.influence.records",
    "SpikeAlert": "socialreferral.influence.spikes",
    "SpikeConfig": "socialreferral.influence.config",
    "SpikeDetector": "socialreferral.influence.spikes",
    "SpikeEpisode": "socialreferral.influence.spikes",
    "Touched": "socialreferral.influence.aggregates",
    "TrackedKeyword": "socialreferral.influence.keywords",
    "TrackedPost": "socialreferral.influence.records",
    "TrackingConfig": "socialreferral.influence.keywords",
    "TrendPoint": "socialreferral.influence.views",
    "TweetRef": "socialreferral.influence.scores",
    "WordCount": "socialreferral.influence.views",
    "cloud_words": "socialreferral.influence.words",
    "day_baseline": "socialreferral.influence.baseline",
    "demo_tracking": "socialreferral.influence.demo_stream",
    "dump_state": "socialreferral.influence.state",
    "episodes": "socialreferral.influence.spikes",
    "hourly_trend": "socialreferral.influence.views",
    "influencer_map": "socialreferral.influence.views",
    "keyword_key": "socialreferral.influence.keywords",
    "load_state": "socialreferral.influence.state",
    "top_influencers": "socialreferral.influence.views",
    "word_cloud": "socialreferral.influence.views",
}
"""Where each public name lives: importing the package loads none of its modules, so the
``[influence]`` settings (and ``import socialreferral``) stay light."""


__getattr__, __dir__ = lazy_names(__name__, _HOMES)


__all__ = [
    "CLOUD_STOP_WORDS",
    "SENTIMENTS",
    "AuthorMetrics",
    "AuthorStats",
    "BaselineConfig",
    "DayBaseline",
    "DemoConfig",
    "DemoPost",
    "DemoStream",
    "Gazetteer",
    "HourStats",
    "IncomingPost",
    "InfluenceAggregates",
    "InfluenceState",
    "InfluencerMap",
    "InfluencerScore",
    "KeywordMatcher",
    "KeywordScorer",
    "KeywordState",
    "MapPoint",
    "PillarScore",
    "PillarWeights",
    "Place",
    "PlantedSpike",
    "PostRef",
    "PostTracker",
    "RepairPlan",
    "ScoringConfig",
    "SentimentLabel",
    "SpikeAlert",
    "SpikeConfig",
    "SpikeDetector",
    "SpikeEpisode",
    "Touched",
    "TrackedKeyword",
    "TrackedPost",
    "TrackingConfig",
    "TrendPoint",
    "TweetRef",
    "WordCount",
    "cloud_words",
    "day_baseline",
    "demo_tracking",
    "dump_state",
    "episodes",
    "hourly_trend",
    "influencer_map",
    "keyword_key",
    "load_state",
    "top_influencers",
    "word_cloud",
]
