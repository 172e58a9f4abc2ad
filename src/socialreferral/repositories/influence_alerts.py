"""Spike alerts as raised, each stored (and notified) once, and the day baselines.

Collections:

* ``influence_alerts`` — one :class:`~socialreferral.influence.SpikeAlert` per
  ``alert_id`` (``<keyword>:<kind>:<hour>``, deterministic), created create-only: the
  worker that creates it is the one that notifies. While the alert's hour runs its figures
  are brought up to date (``refresh``), keeping when it was first seen and notified.
  Bookkeeping: ``_hour`` (hours since the epoch, for ranges), ``_first_seen``,
  ``_updated_at``, ``_notified_at``.
* ``influence_baselines`` — the seasonal :class:`~socialreferral.influence.DayBaseline`
  of a keyword and UTC day: it depends only on the days before, so it is computed once a
  day rather than on every check. No personal data.

Alerts name the authors who drove them and quote the hour's top posts: erasure removes a
person's entries from them and explains the alert again without them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from socialreferral.errors import ConcurrencyConflict, DocumentExists
from socialreferral.influence.alerts import SpikeAlert, explain_alert
from socialreferral.records import Filter
from socialreferral.repositories._base import Repository, bookkeeping, dump, load, safe_key
from socialreferral.repositories.erasure import Erasure

if TYPE_CHECKING:
    from socialreferral.influence.baseline import DayBaseline

ALERTS = "influence_alerts"
BASELINES = "influence_baselines"
MAX_ALERTS = 1_000


@dataclass(frozen=True, slots=True)
class StoredAlert:
    """An alert with when it was first raised and notified (epoch seconds)."""

    alert: SpikeAlert
    first_seen: float
    updated_at: float
    notified_at: float | None


def _stored(value: dict[str, Any]) -> StoredAlert:
    notified = value.get("_notified_at")
    return StoredAlert(load(SpikeAlert, value), float(value.get("_first_seen", 0.0)),
                       float(value.get("_updated_at", 0.0)),
                       None if notified is None else float(notified))


def _hour(alert: SpikeAlert) -> int:
    return int(alert.hour.timestamp()) // 3600


class InfluenceAlertRepository(Repository):
    """Spike alerts, stored once per ``alert_id``."""

    collections = (ALERTS,)

    def record(self, alert: SpikeAlert, now: float, *, refresh_after: float) -> bool:
        """Store a raised alert; True if it is new (the caller notifies).

        An alert stored before is brought up to date (figures, explanation, ``partial``)
        when it is older than ``refresh_after`` seconds, keeping its first-seen and
        notified times.
        """
        key = safe_key(alert.alert_id)
        try:
            self._store.put(ALERTS, key, dump(alert, hour=_hour(alert), first_seen=now,
                                              updated_at=now, notified_at=None),
                            create_only=True)
        except DocumentExists:
            pass
        else:
            return True
        document = self._store.find(ALERTS, key)
        if document is None:
            return False
        if now - float(document.value.get("_updated_at", 0.0)) < refresh_after:
            return False
        value = {**dump(alert), **bookkeeping(document.value), "_updated_at": now}
        with contextlib.suppress(ConcurrencyConflict):  # another worker refreshed it just now
            self._store.put(ALERTS, key, value, if_match=document.etag)
        return False

    def mark_notified(self, alert_id: str, now: float) -> None:
        """Record that the alert was sent (no-op for an unknown id)."""
        self._change(ALERTS, safe_key(alert_id), lambda v: {**v, "_notified_at": now})

    def get(self, alert_id: str) -> StoredAlert | None:
        """One stored alert, or None."""
        document = self._store.find(ALERTS, safe_key(alert_id))
        return None if document is None else _stored(document.value)

    def search(self, keyword: str | None = None, first_hour: int | None = None,
             end_hour: int | None = None, limit: int = 100) -> list[StoredAlert]:
        """Alerts, newest hour first (then by id), optionally of one keyword and in
        ``[first_hour, end_hour)``; at most ``limit`` (≤ :data:`MAX_ALERTS`)."""
        where: list[Filter] = []
        if keyword is not None:
            where.append(Filter("keyword", "eq", keyword))
        if first_hour is not None:
            where.append(Filter("_hour", "ge", first_hour))
        if end_hour is not None:
            where.append(Filter("_hour", "lt", end_hour))
        limit = max(1, min(limit, MAX_ALERTS))
        page = self._store.query(ALERTS, where, order_by="_hour", descending=True, limit=limit)
        return [_stored(d.value) for d in page.items]

    def unnotified(self) -> list[StoredAlert]:
        """Alerts stored but not (yet) marked notified, oldest first."""
        found = [_stored(d.value) for d in self._store.iter_query(
            ALERTS, [Filter("_notified_at", "eq", None)], page_size=500)]
        return sorted(found, key=lambda s: (s.first_seen, s.alert.alert_id))

    def erase(self, erasure: Erasure) -> None:
        """The person's entries among an alert's drivers and top posts are removed and
        the alert explained again without them; the alert itself (counts, words) stays."""
        ids = erasure.subject.person_ids
        if not ids:
            return
        for document in list(self._store.iter_query(ALERTS, page_size=500)):
            alert = load(SpikeAlert, document.value)
            drivers = tuple(d for d in alert.drivers if d.author_id not in ids)
            posts = tuple(p for p in alert.top_posts if p.author_id not in ids)
            if len(drivers) == len(alert.drivers) and len(posts) == len(alert.top_posts):
                continue
            kept = alert.model_copy(update={"drivers": drivers, "top_posts": posts})
            kept = kept.model_copy(update={"explanation": explain_alert(kept)})
            self._change(ALERTS, document.key, _rewrite(kept))
            erasure.count("influence_alerts_anonymised")


def _rewrite(alert: SpikeAlert) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def edit(value: dict[str, Any]) -> dict[str, Any]:
        return {**dump(alert), **bookkeeping(value)}

    return edit


class InfluenceBaselineRepository(Repository):
    """Seasonal baselines per keyword and UTC day (derived data, recomputed when absent)."""

    collections = (BASELINES,)

    def get(self, keyword: str, day: int) -> DayBaseline | None:
        """The stored baseline of ``keyword`` for ``day`` (days since the epoch)."""
        import numpy as np  # numerical data: loaded by the readers of baselines only

        from socialreferral.influence.baseline import DayBaseline

        document = self._store.find(BASELINES, safe_key(keyword, str(day)))
        if document is None:
            return None
        v = document.value
        return DayBaseline(day=int(v["day"]), history_days=int(v["history_days"]),
                           expected=np.asarray(v["expected"], dtype=np.float64),
                           negative_share=np.asarray(v["negative_share"], dtype=np.float64),
                           level=float(v["level"]), day_factor=float(v["day_factor"]))

    def save(self, keyword: str, baseline: DayBaseline, at: datetime) -> None:
        """Store ``keyword``'s baseline of ``baseline.day``."""
        self._store.put(BASELINES, safe_key(keyword, str(baseline.day)), {
            "keyword": keyword, "day": baseline.day, "history_days": baseline.history_days,
            "expected": [float(x) for x in baseline.expected],
            "negative_share": [float(x) for x in baseline.negative_share],
            "level": baseline.level, "day_factor": baseline.day_factor,
            "computed_at": at.isoformat()})

    def drop(self, keyword: str) -> int:
        """Forget ``keyword``'s baselines (after a recompute changed its history)."""
        gone = 0
        for document in list(self._store.iter_query(BASELINES, {"keyword": keyword},
                                                    page_size=1000)):
            gone += int(self._store.delete(BASELINES, document.key))
        return gone

    def erase(self, erasure: Erasure) -> None:
        """Nothing: expected counts per hour of day name nobody."""


__all__ = [
    "ALERTS",
    "BASELINES",
    "InfluenceAlertRepository",
    "InfluenceBaselineRepository",
    "StoredAlert",
]
