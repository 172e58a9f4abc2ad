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

from socialreferral.influence.aggregates import InfluenceAggregates, RepairPlan, Touched
from socialreferral.influence.baseline import BaselineConfig, DayBaseline, day_baseline
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
    ScoringConfig,
    TweetRef,
)
from socialreferral.influence.spikes import (
    SpikeAlert,
    SpikeConfig,
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
