"""Seasonal baselines for spike alerts: what an hour of a keyword normally looks like.

Traffic has a daily rhythm (quiet nights, evening peaks) and a weekly one (busy Fridays,
quiet Saturdays), and grows or shrinks over weeks. The expected posts of an hour are

``expected = level x day_of_week[weekday] x hour_of_day[hour]``

estimated from the complete UTC days before the hour's day (up to ``history_days``):

* ``hour_of_day``: per day, the share of its posts in each hour; the **median** over days
  (so a past spike does not become "normal"), renormalised to sum to 1;
* ``day_of_week``: median daily total on that weekday over the median daily total, shrunk
  towards 1 with few weeks of data (``n / (n + 1)``);
* ``level``: the mean daily total of the last 7 days, divided by their mean day-of-week
  factor (a de-seasonalised, recent level that follows growth).

The expected **negative share** of an hour pools the history's posts at the same hour of
day ±1 hour, shrunk towards the history's overall share with a prior of
``share_prior_posts`` posts.

A baseline depends only on days before the hour's day, so one :class:`DayBaseline` serves
all 24 hours of a day and a streaming consumer computes it once a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from socialreferral.influence.config import BaselineConfig
from socialreferral.influence.state import KeywordState


@dataclass(frozen=True, slots=True)
class DayBaseline:
    """Expected volume and negative share for each hour of one UTC day."""

    day: int  # days since the epoch
    history_days: int
    expected: npt.NDArray[np.float64]  # (24,) expected posts per hour of day
    negative_share: npt.NDArray[np.float64]  # (24,) expected share of negative posts
    level: float
    day_factor: float


def _daily(ks: KeywordState, first_day: int, last_day: int) -> npt.NDArray[np.int64]:
    # (days, 24, 2): posts and negative posts per hour, days [first_day, last_day).
    out = np.zeros((max(last_day - first_day, 0), 24, 2), dtype=np.int64)
    lo, hi = first_day * 24, last_day * 24
    for h, v in ks.hours.items():
        if lo <= h < hi:
            d, j = divmod(h - lo, 24)
            out[d, j, 0] = v.posts
            out[d, j, 1] = v.sentiments[0]
    return out


def day_baseline(
    ks: KeywordState, day: int, config: BaselineConfig | None = None
) -> DayBaseline | None:
    """The baseline of UTC day ``day`` (days since epoch); ``None`` without enough history.

    History starts at the keyword's first hour with posts: days before it are unknown,
    not quiet.
    """
    cfg = config or BaselineConfig()
    if not ks.hours:
        return None
    first_day = max(min(ks.hours) // 24, day - cfg.history_days)
    # The first day may be partial (tracking started mid-day): skip it unless it is all
    # there is to skip to.
    if min(ks.hours) % 24 != 0 and first_day == min(ks.hours) // 24:
        first_day += 1
    n_days = day - first_day
    if n_days < cfg.min_history_days:
        return None
    hist = _daily(ks, first_day, day)
    posts = hist[:, :, 0].astype(np.float64)
    totals = posts.sum(axis=1)
    if totals.sum() <= 0:
        return None
    safe = np.where(totals > 0, totals, 1.0)
    shares = np.median(posts / safe[:, None], axis=0)
    if shares.sum() <= 0:
        shares = posts.sum(axis=0)
    hod = (shares + 1e-3) / (shares + 1e-3).sum()

    weekdays = (np.arange(first_day, day) + 3) % 7  # 1970-01-01 was a Thursday (3)
    overall = float(np.median(totals)) or float(totals.mean()) or 1.0
    dow = np.ones(7)
    for d in range(7):
        sel = totals[weekdays == d]
        if len(sel):
            raw = float(np.median(sel)) / overall
            dow[d] = (len(sel) * raw + 1.0) / (len(sel) + 1.0)
    recent = slice(max(n_days - 7, 0), n_days)
    level = float(totals[recent].mean() / dow[weekdays[recent]].mean())
    factor = float(dow[(day + 3) % 7])
    expected = level * factor * hod

    neg = hist[:, :, 1].astype(np.float64).sum(axis=0)
    cnt = posts.sum(axis=0)
    p_all = float(neg.sum() / cnt.sum())
    window_neg = neg + np.roll(neg, 1) + np.roll(neg, -1)
    window_cnt = cnt + np.roll(cnt, 1) + np.roll(cnt, -1)
    prior = cfg.share_prior_posts
    denom = window_cnt + prior
    share = np.where(denom > 0, (window_neg + prior * p_all) / np.maximum(denom, 1e-9), p_all)
    return DayBaseline(
        day=day,
        history_days=n_days,
        expected=np.asarray(expected, dtype=np.float64),
        negative_share=np.clip(np.asarray(share, dtype=np.float64), 1e-3, 1 - 1e-3),
        level=level,
        day_factor=factor,
    )


def day_of(when: datetime) -> int:
    """Days since the epoch of a UTC instant."""
    return int(when.astimezone(UTC).timestamp()) // 86_400


__all__ = ["BaselineConfig", "DayBaseline", "day_baseline", "day_of"]
