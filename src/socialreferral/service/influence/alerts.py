"""Spike checks over the stored aggregates; every alert stored (and notified) once.

Two ways in:

* :meth:`SpikeWatch.check_live` — after a batch is counted, the keywords' current (and
  previous) hour are checked against the day's seasonal baseline, which is computed once
  per keyword and day and stored. Only an hour that passes a threshold is explained in
  full (its drivers' handles and the words rising against 28 days of history), and a live
  alert is brought up to date at most every ``alert_refresh_minutes``.
* :meth:`SpikeWatch.scan` — every complete hour of a range, exactly as the pure
  :meth:`~socialreferral.influence.SpikeDetector.scan` on the same hours: after a replay,
  or from the periodic task, for alerts no live check raised.

An alert is stored create-only under its deterministic ``alert_id``: the call that
creates it calls ``notify`` (then marks it notified), so two workers seeing the same spike
notify once. A ``notify`` that raises leaves the alert unnotified; the periodic task
retries it (:meth:`SpikeWatch.notify_pending`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from socialreferral.influence.baseline import DayBaseline, day_baseline
from socialreferral.influence.spikes import SpikeAlert, SpikeDetector
from socialreferral.influence.state import HourStats, InfluenceState, KeywordState
from socialreferral.repositories import AggregateLayout, Repositories

log = logging.getLogger(__name__)

Notify = Callable[[SpikeAlert], None]
_SETTLE_SECONDS = 3600.0
_MEMO = 1_000


def log_alert(alert: SpikeAlert) -> None:
    """The default notification: a warning in the log with the alert's explanation."""
    log.warning("influence alert %s: %s", alert.alert_id, alert.explanation)


class SpikeWatch:
    """Checks hours for spikes and stores the alerts (see the module docstring)."""

    def __init__(self, repositories: Repositories, detector: SpikeDetector,
                 layout: AggregateLayout, *, refresh_seconds: float,
                 notify: Notify | None = None) -> None:
        self._repositories = repositories
        self.detector = detector
        self._layout = layout
        self._refresh = refresh_seconds
        self._notify = notify or log_alert
        self._memo: dict[tuple[str, int], DayBaseline | None] = {}

    # ------------------------------------------------------------------ baselines
    def baseline(self, keyword: str, day: int, now: datetime) -> DayBaseline | None:
        """The seasonal baseline of ``keyword`` for UTC ``day``: stored, or computed from
        the stored hours of the days before and stored (None without enough history)."""
        if (keyword, day) in self._memo:
            return self._memo[(keyword, day)]
        baselines = self._repositories.influence_baselines
        base = baselines.get(keyword, day)
        settled = now.timestamp() >= day * 86_400 + _SETTLE_SECONDS
        if base is None:
            ks = self._history(keyword, day * 24, with_words=False)
            base = day_baseline(ks, day, self.detector.config.baseline)
            if base is not None and settled:
                # Stored once the day is an hour old: posts of the day before that arrive
                # late (a queue backlog at midnight) are in by then.
                baselines.save(keyword, base, now)
        if settled:
            # Kept in this process too, "no baseline yet" (too little history) included:
            # a check runs after every batch, the answer changes once a day.
            if len(self._memo) >= _MEMO:
                self._memo.clear()
            self._memo[(keyword, day)] = base
        return base

    def _history(self, keyword: str, before_hour: int, *, with_words: bool) -> KeywordState:
        """The keyword's hours in the baseline window before ``before_hour``."""
        aggregates = self._repositories.influence_aggregates
        first = before_hour - 24 * self.detector.config.baseline.history_days
        start = aggregates.first_hour(keyword)
        # Nothing to read before the keyword's first post.
        hours = aggregates.hours(keyword, max(first, start if start is not None else first),
                                 before_hour, self._layout)
        if not with_words:
            hours = {h: _counters(v) for h, v in hours.items()}
        ks = KeywordState(keyword, hours=hours)
        if start is not None and start < first:
            # Posts before the window: the window's first day is complete, not the first
            # day of tracking (the core's baseline reads that off the earliest hour).
            ks.hours[first - 1] = _counters(None)
        return ks

    # ------------------------------------------------------------------ checks
    def check_live(self, hours: Iterable[tuple[str, int]], now: datetime) -> list[SpikeAlert]:
        """Check the ``(keyword, hour)`` pairs that are the current or the previous hour
        at ``now``; return the alerts that are new."""
        current = int(now.timestamp()) // 3600
        out: list[SpikeAlert] = []
        for keyword, hour in sorted(set(hours)):
            if current - 1 <= hour <= current:
                out.extend(self._check(keyword, hour, now))
        return out

    def _check(self, keyword: str, hour: int, now: datetime) -> list[SpikeAlert]:
        base = self.baseline(keyword, hour // 24, now)
        h = self._repositories.influence_aggregates.hour(keyword, hour, self._layout)
        if base is None or h is None:
            return []
        ks = KeywordState(keyword, hours={hour: h})
        state = InfluenceState({keyword: ks})
        alerts = self.detector.check(state, keyword, hour, now=now, baseline=base)
        if not alerts or not self._due(alerts, now):
            return []
        # Worth explaining: the drivers' handles and the history the rising words need.
        history = self._history(keyword, hour, with_words=True)
        ks.hours.update(history.hours)
        ks.authors = self._repositories.influence_aggregates.authors(
            keyword, self.detector.driver_ids(h))
        return self._record(self.detector.check(state, keyword, hour, now=now, baseline=base),
                            now)

    def scan(self, keyword: str, start: datetime, end: datetime,
             now: datetime) -> list[SpikeAlert]:
        """Check every complete hour of ``keyword`` in ``[start, end)`` (before ``now``'s
        hour); store the alerts; return those that are new."""
        first = int(start.timestamp()) // 3600
        last = min(int(end.timestamp()) // 3600, int(now.timestamp()) // 3600)
        if last <= first:
            return []
        history = self._history(keyword, first, with_words=True)
        aggregates = self._repositories.influence_aggregates
        history.hours.update(aggregates.hours(keyword, first, last, self._layout))
        state = InfluenceState({keyword: history})
        at = datetime.fromtimestamp(last * 3600, UTC)
        found = self.detector.scan(state, keyword, start, at)
        if not found:
            return []
        for hour in sorted({int(a.hour.timestamp()) // 3600 for a in found}):
            history.authors.update(aggregates.authors(
                keyword, self.detector.driver_ids(history.hours[hour])))
        return self._record(self.detector.scan(state, keyword, start, at), now)

    # ------------------------------------------------------------------ storing
    def _due(self, alerts: list[SpikeAlert], now: datetime) -> bool:
        """Whether any alert is new or due for a refresh of its figures."""
        stored = self._repositories.influence_alerts
        for alert in alerts:
            known = stored.get(alert.alert_id)
            if known is None or now.timestamp() - known.updated_at >= self._refresh:
                return True
        return False

    def _record(self, alerts: list[SpikeAlert], now: datetime) -> list[SpikeAlert]:
        stored = self._repositories.influence_alerts
        new = [a for a in alerts
               if stored.record(a, now.timestamp(), refresh_after=self._refresh)]
        for alert in new:
            self._send(alert, now)
        return new

    def _send(self, alert: SpikeAlert, now: datetime) -> None:
        try:
            self._notify(alert)
        except Exception as exc:  # the periodic task sends it again
            log.warning("notifying alert %s failed: %s", alert.alert_id, exc)
            return
        self._repositories.influence_alerts.mark_notified(alert.alert_id, now.timestamp())

    def notify_pending(self, now: datetime) -> int:
        """Send the alerts stored but not notified (a notifier that failed); return how
        many were sent."""
        sent = 0
        for stored in self._repositories.influence_alerts.unnotified():
            self._send(stored.alert, now)
            sent += 1
        return sent


def _counters(h: HourStats | None) -> HourStats:
    """An hour with only its counters (a baseline needs no words or authors)."""
    if h is None:
        return HourStats(0, 0, 0, 0, 0, 0, 0, {}, {}, {}, {}, {}, [])
    return HourStats(h.posts, h.negative, h.neutral, h.positive, h.score_milli, h.retweets,
                     h.likes, {}, {}, {}, {}, {}, [])


__all__ = ["Notify", "SpikeWatch", "log_alert"]
