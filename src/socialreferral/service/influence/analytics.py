"""The influence use cases over the repositories: track, the four panels, alerts, repair.

:class:`InfluenceAnalytics` is what an entry point builds (one per process: it keeps the
sentiment model and the gazetteer warm, as the worker keeps its analyzer):

* :meth:`~InfluenceAnalytics.track` — match → sentiment → cloud words → place
  (:class:`~socialreferral.influence.PostTracker`) → store each record create-only →
  count it into the aggregates exactly once → live spike check. Idempotent: delivering
  the same posts again stores and counts nothing new.
* the panels — :meth:`~InfluenceAnalytics.top`, :meth:`~InfluenceAnalytics.influencer_map`,
  :meth:`~InfluenceAnalytics.word_cloud`, :meth:`~InfluenceAnalytics.trend` (with the
  alerts of its hours) and :meth:`~InfluenceAnalytics.alerts` — read the stored entries
  and hand them to the pure views of :mod:`socialreferral.influence`;
* :meth:`~InfluenceAnalytics.recompute` — the periodic repair: every keyword's entries
  against a recomputation from its stored posts, then a scan for missed alerts.

Erasure needs nothing here: ``erase_person`` reaches the influence repositories through
``Repositories.all()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from socialreferral.domain._base import utcnow
from socialreferral.domain._time import require_aware
from socialreferral.domain.social import SocialEvent
from socialreferral.errors import InvalidInput, ProviderNotInstalled, UnknownKeyword
from socialreferral.influence.gazetteer import Gazetteer
from socialreferral.influence.keywords import TrackingConfig, keyword_key
from socialreferral.influence.records import IncomingPost, Place, SentimentLabel
from socialreferral.influence.scores import InfluencerScore, KeywordScorer
from socialreferral.influence.settings import InfluenceSettings
from socialreferral.influence.spikes import SpikeAlert, SpikeDetector
from socialreferral.influence.state import InfluenceState, KeywordState
from socialreferral.influence.tracker import MAX_BATCH, PostTracker
from socialreferral.influence.views import (
    InfluencerMap,
    TrendPoint,
    WordCount,
    hourly_trend,
    influencer_map,
    top_influencers,
    word_cloud,
)
from socialreferral.influence.weights import PillarWeights
from socialreferral.repositories import (
    AggregateLayout,
    RepairReport,
    Repositories,
    StoredAlert,
)
from socialreferral.service.influence.alerts import Notify, SpikeWatch
from socialreferral.service.influence.events import post_from_event
from socialreferral.service.influence.keywords import TrackedKeywords
from socialreferral.text import SentimentModel

log = logging.getLogger(__name__)

MAX_RANGE_HOURS = 24 * 366
"""The longest trend or word-cloud range one call reads."""
DEFAULT_TREND_HOURS = 48
DEFAULT_CLOUD_HOURS = 24 * 7


@dataclass
class TrackResult:
    """What one :meth:`InfluenceAnalytics.track` call did.

    ``matched`` posts were about a tracked keyword and gave ``records`` tracked records
    (one per post and keyword); ``new`` of them were stored now, ``counted`` were counted
    into the aggregates now, ``duplicates`` had been counted before (a redelivery) and
    ``stale`` are old records missing from the ledgers (the recompute counts them).
    ``alerts`` are the spike alerts this call raised first.
    """

    received: int = 0
    matched: int = 0
    records: int = 0
    new: int = 0
    counted: int = 0
    duplicates: int = 0
    stale: int = 0
    alerts: list[SpikeAlert] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TrendView:
    """The hourly trend of a keyword and the alerts raised in its hours."""

    keyword: str
    start: datetime
    end: datetime
    points: list[TrendPoint]
    alerts: list[SpikeAlert]


@dataclass(frozen=True, slots=True)
class CloudView:
    """The word clouds of a keyword over ``[start, end)``, per sentiment."""

    keyword: str
    start: datetime
    end: datetime
    words: dict[SentimentLabel, list[WordCount]]


@dataclass
class RecomputeReport:
    """What :meth:`InfluenceAnalytics.recompute` found, fixed and raised."""

    keywords: list[RepairReport] = field(default_factory=list)
    alerts: list[SpikeAlert] = field(default_factory=list)
    notified: int = 0

    @property
    def fixed(self) -> int:
        """Entries rewritten or removed over all keywords (0: no drift)."""
        return sum(r.fixed for r in self.keywords)


class _NoPlaces(Gazetteer):
    """A gazetteer that resolves nothing (``[influence] resolve_locations = false``)."""

    def __init__(self) -> None:
        super().__init__((), (), ())

    def resolve(self, text: str) -> Place | None:
        return None


class InfluenceAnalytics:
    """The influence use cases (see the module docstring).

    Args:
        repositories: the bundle (the influence repositories are used).
        settings: the ``[influence]`` section.
        clock: "now" (aware); the demo passes a simulated one.
        sentiment_model, gazetteer, weights: models (the shipped ones by default).
        notify: called once per new spike alert (default: a log warning).
    """

    def __init__(self, *, repositories: Repositories, settings: InfluenceSettings,
                 clock: Callable[[], datetime] = utcnow,
                 sentiment_model: SentimentModel | None = None,
                 gazetteer: Gazetteer | None = None, weights: PillarWeights | None = None,
                 notify: Notify | None = None) -> None:
        self.repositories = repositories
        self.settings = settings
        self.clock = clock
        self.layout = AggregateLayout(settings.hour_shards, settings.ledger_hours * 3600)
        self.keywords = TrackedKeywords(repositories, settings)
        self.scorer = KeywordScorer(weights, settings.scoring)
        self.watch = SpikeWatch(repositories, SpikeDetector(settings.spikes), self.layout,
                                refresh_seconds=settings.alert_refresh_minutes * 60,
                                notify=notify)
        self._sentiment = sentiment_model
        self._gazetteer = gazetteer
        self._tracker: PostTracker | None = None

    # ------------------------------------------------------------------ tracking
    def tracker(self) -> PostTracker | None:
        """The tracker for the keywords tracked now (rebuilt when they change), or None
        when nothing is tracked."""
        config = self.keywords.config()
        if config is None:
            return None
        if self._tracker is None or self._tracker.config != config:
            self._tracker = self._build_tracker(config)
        return self._tracker

    def _build_tracker(self, config: TrackingConfig) -> PostTracker:
        if self._gazetteer is None:
            self._gazetteer = self._places()
        if self._sentiment is None:
            self._sentiment = SentimentModel.default()
        return PostTracker(config, gazetteer=self._gazetteer, sentiment_model=self._sentiment)

    def _places(self) -> Gazetteer | _NoPlaces:
        if not self.settings.resolve_locations:
            return _NoPlaces()
        try:
            return Gazetteer.default()
        except ProviderNotInstalled as exc:
            # Tracking must not stop for want of the map: locations stay unresolved (the
            # map panel says so) until the influence extra is installed.
            log.warning("influencer locations are not resolved: %s", exc)
            return _NoPlaces()

    def prepare(self) -> None:
        """Load the models before the first batch (a worker calls this at start)."""
        tracker = self.tracker()
        if tracker is not None:
            tracker.gazetteer  # noqa: B018 - builds it now rather than on the first post

    def track(self, posts: Sequence[IncomingPost]) -> TrackResult:
        """Track ``posts`` (module docstring); safe to call again with the same posts."""
        result = TrackResult(received=len(posts))
        tracker = self.tracker()
        if tracker is None or not posts:
            return result
        now = require_aware(self.clock())
        aggregates = self.repositories.influence_aggregates
        hours: set[tuple[str, int]] = set()
        for start in range(0, len(posts), MAX_BATCH):
            records = tracker.track(posts[start:start + MAX_BATCH])
            result.matched += len({r.post_id for r in records})
            result.records += len(records)
            stored = self.repositories.influence_posts.add(records, now.timestamp())
            result.new += sum(1 for _, created in stored if created)
            applied = aggregates.apply([sp for sp, _ in stored], now.timestamp(), self.layout)
            result.counted += applied.applied
            result.duplicates += applied.duplicates
            result.stale += applied.stale
            hours |= applied.hours
        if self.settings.live_alerts and hours:
            try:
                result.alerts = self.watch.check_live(hours, now)
            except Exception as exc:  # the posts are counted; the periodic scan catches up
                log.warning("live spike check failed: %s", exc)
        return result

    def track_events(self, events: Sequence[SocialEvent]) -> TrackResult:
        """:meth:`track` the trackable events among ``events`` (posts, replies, quotes)."""
        posts = [p for e in events if (p := post_from_event(e)) is not None]
        result = self.track(posts)
        result.received = len(events)
        return result

    # ------------------------------------------------------------------ panels
    def known(self, keyword: str) -> str:
        """The key of ``keyword`` ("#UnitedAirlines" → "unitedairlines") if it is tracked
        or has data; ``UnknownKeyword`` otherwise."""
        key = keyword_key(keyword) if keyword else ""
        tracked = {i.keyword.key for i in self.keywords.all()}
        if key and (key in tracked or key in self.repositories.influence_aggregates.totals()):
            return key
        raise UnknownKeyword(f"keyword {keyword!r} is not tracked and has no data")

    def top(self, keyword: str, *, k: int | None = None,
            at: datetime | None = None) -> dict[SentimentLabel, list[InfluencerScore]]:
        """The Influence Score Dashboard: the ``k`` top influencers of each stance."""
        key, now = self.known(keyword), self._at(at)
        return top_influencers(self._scoring_state(key), key, now, self.scorer,
                               k if k is not None else self.settings.top)

    def influencer_map(self, keyword: str, *, per_sentiment: int | None = None,
                       at: datetime | None = None) -> InfluencerMap:
        """The Influencer Map: places of each stance's top influencers, unplaced counted."""
        key, now = self.known(keyword), self._at(at)
        n = per_sentiment if per_sentiment is not None else self.settings.map_influencers
        return influencer_map(self._scoring_state(key), key, now, self.scorer, n)

    def word_cloud(self, keyword: str, *, start: datetime | None = None,
                   end: datetime | None = None, top: int | None = None,
                   max_hours: int = MAX_RANGE_HOURS) -> CloudView:
        """The Hashtag Word Cloud of ``[start, end)`` (default: the 7 days before ``end``,
        which defaults to the end of the current hour)."""
        key = self.known(keyword)
        start, end = self._range(start, end, DEFAULT_CLOUD_HOURS, max_hours)
        state = self._hours_state(key, start, end)
        words = word_cloud(state, key, start, end,
                           top if top is not None else self.settings.cloud_words)
        return CloudView(key, start, end, words)

    def trend(self, keyword: str, *, start: datetime | None = None,
              end: datetime | None = None, max_hours: int = MAX_RANGE_HOURS) -> TrendView:
        """The Hashtag Trend: every hour of ``[start, end)`` (default: the last 48) with
        volume and average sentiment, and the alerts raised in those hours."""
        key = self.known(keyword)
        start, end = self._range(start, end, DEFAULT_TREND_HOURS, max_hours)
        points = hourly_trend(self._hours_state(key, start, end), key, start, end)
        alerts = [s.alert for s in self.repositories.influence_alerts.search(
            key, _hour(start), -(-int(end.timestamp()) // 3600), limit=1000)]
        return TrendView(key, start, end, points, sorted(alerts, key=lambda a: (a.hour,
                                                                                a.kind)))

    def alerts(self, keyword: str | None = None, *, start: datetime | None = None,
               end: datetime | None = None, limit: int = 100) -> list[StoredAlert]:
        """Stored alerts, newest first (of one keyword, in a range, if given)."""
        key = self.known(keyword) if keyword else None
        first = _hour(require_aware(start, "start")) if start else None
        last = -(-int(require_aware(end, "end").timestamp()) // 3600) if end else None
        return self.repositories.influence_alerts.search(key, first, last, limit)

    # ------------------------------------------------------------------ alerts, repair
    def scan_alerts(self, keyword: str, start: datetime, end: datetime) -> list[SpikeAlert]:
        """Check every complete hour of ``[start, end)``; return the alerts that are new."""
        return self.watch.scan(self.known(keyword), require_aware(start, "start"),
                               require_aware(end, "end"), require_aware(self.clock()))

    def recompute(self, keywords: Sequence[str] | None = None) -> RecomputeReport:
        """Repair every keyword's aggregates from its stored posts (or ``keywords``'),
        then scan the last ``scan_hours`` for alerts and resend unnotified ones."""
        now = require_aware(self.clock())
        aggregates = self.repositories.influence_aggregates
        keys = ([self.known(k) for k in keywords] if keywords else sorted(
            set(aggregates.keywords()) | {i.keyword.key for i in self.keywords.all()}))
        report = RecomputeReport()
        for key in keys:
            repaired = aggregates.repair(key, now.timestamp(), self.layout)
            if repaired.fixed:
                log.warning("influence aggregates of %r drifted: %d entries fixed", key,
                            repaired.fixed)
                self.repositories.influence_baselines.drop(key)
            report.keywords.append(repaired)
        if self.settings.scan_hours:
            since = now - timedelta(hours=self.settings.scan_hours)
            for key in keys:
                report.alerts.extend(self.watch.scan(key, since, now, now))
        report.notified = self.watch.notify_pending(now)
        return report

    # ------------------------------------------------------------------ helpers
    def _at(self, at: datetime | None) -> datetime:
        return require_aware(at, "at") if at is not None else require_aware(self.clock())

    def _range(self, start: datetime | None, end: datetime | None, default_hours: int,
               max_hours: int) -> tuple[datetime, datetime]:
        if end is None:
            now = int(require_aware(self.clock()).timestamp())
            end = datetime.fromtimestamp(-(-now // 3600) * 3600, UTC)
        require_aware(end, "end")
        start = end - timedelta(hours=default_hours) if start is None else start
        require_aware(start, "start")
        if start >= end:
            raise InvalidInput("must be before end", field="start")
        if (end - start).total_seconds() > min(max_hours, MAX_RANGE_HOURS) * 3600:
            raise InvalidInput(f"at most {min(max_hours, MAX_RANGE_HOURS)} hours from start",
                               field="end")
        return start, end

    def _hours_state(self, key: str, start: datetime, end: datetime) -> InfluenceState:
        hi = -(-int(end.timestamp()) // 3600)
        hours = self.repositories.influence_aggregates.hours(key, _hour(start), hi,
                                                              self.layout)
        return InfluenceState({key: KeywordState(key, hours=hours)})

    def _scoring_state(self, key: str) -> InfluenceState:
        """The keyword's author entries, and every keyword's post count (the rarity of a
        keyword is its share of all tracked posts)."""
        aggregates = self.repositories.influence_aggregates
        now = self.clock().timestamp()
        ks = aggregates.keyword_state(key, self.layout, authors=True)
        totals = aggregates.totals()
        if totals.get(key) != ks.posts:
            aggregates.set_total(key, ks.posts, len(ks.authors), now)
        for other in aggregates.stale_totals():
            if other != key:  # never read in full since it changed: count it once now
                counted = aggregates.keyword_state(other, self.layout, authors=True)
                aggregates.set_total(other, counted.posts, len(counted.authors), now)
                totals[other] = counted.posts
        state = InfluenceState({key: ks})
        for other, posts in totals.items():
            if other != key:
                state.keywords[other] = KeywordState(other, posts=posts)
        return state


def _hour(when: datetime) -> int:
    return int(when.timestamp()) // 3600


__all__ = [
    "DEFAULT_CLOUD_HOURS",
    "DEFAULT_TREND_HOURS",
    "MAX_RANGE_HOURS",
    "CloudView",
    "InfluenceAnalytics",
    "RecomputeReport",
    "TrackResult",
    "TrendView",
]
