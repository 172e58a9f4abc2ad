"""Spike alerts on volume and on negativity, each explained (the United Airlines case).

An hour of a keyword raises

* a **volume** alert when its posts exceed the seasonal expectation
  (:mod:`socialreferral.influence.baseline`) by all of: ``volume_z`` standard deviations of
  an over-dispersed count (variance ``λ + φλ²``), a factor ``volume_ratio``, and
  ``volume_min_excess`` posts;
* a **negativity** alert when its share of negative posts exceeds the expected share by
  ``negativity_z`` binomial standard deviations and ``negativity_rise`` (absolute), with
  at least ``negativity_min`` negative posts.

Both tests work on an hour still in progress (``now`` inside it): its count can only grow,
so a volume alert raised early stays true, and the share test is valid at any count. That
is how a crisis is flagged minutes into it rather than hours later.

Each :class:`SpikeAlert` says what rose and by how much, who drove it (authors with the most
posts, or negative posts, that hour), its most engaging posts, and the words that rose most
against the history. ``alert_id`` is deterministic (keyword, kind, hour), so a consumer can
notify once. Alerts are derived from the state, never stored in it: erasing a person
changes the alerts as it changes the counts.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime

from socialreferral.domain._time import require_aware
from socialreferral.errors import InvalidInput
from socialreferral.influence.alerts import (
    AlertKind,
    AlertPost,
    Driver,
    RisingWord,
    SpikeAlert,
    SpikeEpisode,
    explain_alert,
)
from socialreferral.influence.baseline import DayBaseline, day_baseline
from socialreferral.influence.config import SpikeConfig
from socialreferral.influence.records import SENTIMENTS
from socialreferral.influence.state import HourStats, InfluenceState, KeywordState

MAX_SCAN_HOURS = 24 * 366


def volume_threshold(expected: float, config: SpikeConfig) -> int:
    """Smallest hourly count that raises a volume alert against ``expected``."""
    sd = math.sqrt(expected + config.dispersion * expected * expected)
    need = max(
        expected + config.volume_z * sd,
        expected * config.volume_ratio,
        expected + config.volume_min_excess,
    )
    return max(math.floor(need) + 1, 1)


def negativity_z(n: int, k: int, p0: float, config: SpikeConfig) -> float | None:
    """z of ``k`` negatives in ``n`` posts against Binomial(n, p0) if it raises an alert.

    ``None`` unless all three conditions hold (count, absolute rise, z).
    """
    if n == 0 or k < config.negativity_min or k / n - p0 < config.negativity_rise:
        return None
    z = (k - n * p0) / math.sqrt(n * p0 * (1 - p0))
    return z if z >= config.negativity_z else None


class SpikeDetector:
    """Finds and explains spikes in the hourly aggregates (see the module docstring)."""

    def __init__(self, config: SpikeConfig | None = None) -> None:
        self.config = config or SpikeConfig()

    def baseline(self, state: InfluenceState, keyword: str, day: int) -> DayBaseline | None:
        """The seasonal baseline of one UTC day (days since the epoch)."""
        ks = state.keywords.get(keyword)
        return day_baseline(ks, day, self.config.baseline) if ks else None

    def check(
        self,
        state: InfluenceState,
        keyword: str,
        hour: int,
        now: datetime | None = None,
        baseline: DayBaseline | None = None,
    ) -> list[SpikeAlert]:
        """Alerts of one hour (hours since epoch); ``partial`` if ``now`` falls inside it.

        Pass the day's ``baseline`` when checking many hours or many times an hour.
        """
        ks = state.keywords.get(keyword)
        h = ks.hours.get(hour) if ks else None
        if ks is None or h is None:
            return []
        base = (
            baseline if baseline is not None else day_baseline(ks, hour // 24, self.config.baseline)
        )
        if base is None:
            return []
        if base.day != hour // 24:
            raise InvalidInput("baseline of another day", field="baseline")
        partial = now is not None and int(require_aware(now).timestamp()) // 3600 == hour
        j = hour % 24
        expected, p0 = float(base.expected[j]), float(base.negative_share[j])
        cfg, out = self.config, []
        if h.posts >= volume_threshold(expected, cfg):
            sd = math.sqrt(expected + cfg.dispersion * expected * expected)
            z = (h.posts - expected) / sd if sd > 0 else float("inf")
            out.append(self._alert(ks, hour, h, "volume", expected, p0, z, partial))
        z_neg = negativity_z(h.posts, h.sentiments[0], p0, cfg)
        if z_neg is not None:
            out.append(self._alert(ks, hour, h, "negativity", expected, p0, z_neg, partial))
        return out

    def scan(
        self, state: InfluenceState, keyword: str, start: datetime, end: datetime
    ) -> list[SpikeAlert]:
        """Alerts of every complete hour in ``[start, end)`` (hours with posts only)."""
        lo = int(require_aware(start, "start").timestamp()) // 3600
        hi = int(require_aware(end, "end").timestamp()) // 3600
        if hi - lo > MAX_SCAN_HOURS:
            raise InvalidInput(f"at most {MAX_SCAN_HOURS} hours", field="end")
        ks = state.keywords.get(keyword)
        if ks is None:
            return []
        out: list[SpikeAlert] = []
        days: dict[int, DayBaseline | None] = {}
        for hour in sorted(h for h in ks.hours if lo <= h < hi):
            day = hour // 24
            if day not in days:
                days[day] = day_baseline(ks, day, self.config.baseline)
            base = days[day]
            if base is not None:
                out.extend(self.check(state, keyword, hour, baseline=base))
        return out

    def driver_ids(self, h: HourStats) -> set[str]:
        """The authors an alert on this hour may name as drivers (of either kind): a
        caller holding only some author entries loads these to have their handles."""
        n = self.config.drivers
        return {a for kind in ("volume", "negativity") for a, _ in _loudest(h, kind)[:n]}

    # ------------------------------------------------------------------ explanation
    def _alert(
        self,
        ks: KeywordState,
        hour: int,
        h: HourStats,
        kind: AlertKind,
        expected: float,
        p0: float,
        z: float,
        partial: bool,
    ) -> SpikeAlert:
        cfg = self.config
        at = datetime.fromtimestamp(hour * 3600, UTC)
        neg = h.sentiments[0]
        share = neg / h.posts
        negs = h.author_negative
        drivers = tuple(
            Driver(
                author_id=a,
                handle=ks.authors[a].handle if a in ks.authors else "",
                posts=n,
                negative=negs.get(a, 0),
            )
            for a, n in _loudest(h, kind)[: cfg.drivers]
            if kind == "volume" or negs.get(a, 0) > 0
        )
        top = tuple(
            AlertPost(
                post_id=r.post_id,
                author_id=r.author_id,
                author_handle=r.author_handle,
                text=r.text,
                retweets=r.retweets,
                likes=r.likes,
                sentiment=SENTIMENTS[r.sentiment],
            )
            for r in h.top
        )
        words = self._rising(ks, hour, h, [0] if kind == "negativity" else [0, 1, 2])
        ratio = h.posts / expected if expected > 0 else float("inf")
        alert = SpikeAlert(
            alert_id=f"{ks.keyword}:{kind}:{hour}",
            keyword=ks.keyword,
            kind=kind,
            hour=at,
            partial=partial,
            posts=h.posts,
            expected_posts=round(expected, 2),
            negative=neg,
            negative_share=round(share, 4),
            expected_negative_share=round(p0, 4),
            ratio=round(min(ratio, 1e6), 2),
            z=round(min(z, 1e6), 2),
            drivers=drivers,
            top_posts=top,
            rising_words=words,
            explanation="",
        )
        return alert.model_copy(update={"explanation": explain_alert(alert)})

    def _rising(
        self, ks: KeywordState, hour: int, h: HourStats, sentiments: list[int]
    ) -> tuple[RisingWord, ...]:
        # Lift of each word's per-post rate this hour over its rate in the history window
        # (add-one smoothed); ranked by count x log(lift) so frequent, new words lead.
        now_words: Counter[str] = Counter()
        for s in sentiments:
            now_words.update(h.words[s])
        lo = hour - 24 * self.config.baseline.history_days
        past: Counter[str] = Counter()
        past_posts = 0
        for hh, v in ks.hours.items():
            if lo <= hh < hour:
                past_posts += sum(v.sentiments[s] for s in sentiments)
                for s in sentiments:
                    past.update(v.words[s])
        n_now = max(sum(h.sentiments[s] for s in sentiments), 1)
        out = []
        for word, count in now_words.items():
            if count < 3:
                continue
            lift = (count / n_now) / ((past.get(word, 0) + 1) / (past_posts + 1))
            if lift > 2.0:
                out.append((count * math.log(lift), word, count, lift))
        out.sort(key=lambda t: (-t[0], t[1]))
        return tuple(
            RisingWord(word=w, count=c, lift=round(lift, 1))
            for _, w, c, lift in out[: self.config.rising_words]
        )


def _loudest(h: HourStats, kind: AlertKind) -> list[tuple[str, int]]:
    """The hour's authors, loudest first: by posts (volume) or negative posts (negativity),
    the other count and the author id breaking ties."""
    negs = h.author_negative

    def key(item: tuple[str, int]) -> tuple[int, int, str]:
        author, n = item
        neg = negs.get(author, 0)
        return (-neg, -n, author) if kind == "negativity" else (-n, -neg, author)

    return sorted(h.author_posts.items(), key=key)


def episodes(alerts: list[SpikeAlert]) -> list[SpikeEpisode]:
    """Group alerts into runs of consecutive hours per keyword and kind."""
    out: list[SpikeEpisode] = []
    key = sorted(alerts, key=lambda a: (a.keyword, a.kind, a.hour))
    run: list[SpikeAlert] = []

    def close() -> None:
        if run:
            peak = max(run, key=lambda a: (a.z, a.hour))
            out.append(
                SpikeEpisode(
                    keyword=run[0].keyword,
                    kind=run[0].kind,
                    start=run[0].hour,
                    end=run[-1].hour,
                    hours=len(run),
                    peak=peak,
                )
            )

    for a in key:
        if run and (
            a.keyword != run[-1].keyword
            or a.kind != run[-1].kind
            or (a.hour - run[-1].hour).total_seconds() > 3600
        ):
            close()
            run = []
        run.append(a)
    close()
    return sorted(out, key=lambda e: (e.start, e.keyword, e.kind))


__all__ = [
    "AlertKind",
    "AlertPost",
    "Driver",
    "RisingWord",
    "SpikeAlert",
    "SpikeConfig",
    "SpikeDetector",
    "SpikeEpisode",
    "episodes",
    "explain_alert",
    "negativity_z",
    "volume_threshold",
]
