"""How the influence aggregates are laid out as documents (keys, shards, ledgers).

* An **author entry** (:class:`~socialreferral.influence.AuthorStats` of one keyword) is one
  document, key ``<keyword>:<author id>``.
* An **hour entry** (:class:`~socialreferral.influence.HourStats` of one keyword and hour)
  is split over ``hour_shards`` documents by a stable hash of the post id, key
  ``<keyword>:<hour>:<shard>``; reading an hour merges its shards
  (:func:`~socialreferral.influence.rebuild.merge_hours`, exact).
* Every entry carries a **ledger**, ``_ledger = {post id: when it was counted}``: the
  entry and the record of what it counted change in one etag-guarded write, so a post
  delivered twice (or to two workers at once) is counted once. Ledgers forget ids after
  ``ledger_seconds``; a post stored before that and missing from a ledger is left to the
  periodic recompute rather than risk counting it twice.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from socialreferral.influence.state import AUTHOR_ADAPTER, HOUR_ADAPTER, AuthorStats, HourStats
from socialreferral.repositories._base import safe_key

LEDGER_MARGIN_SECONDS = 3600.0
"""Posts stored less than ``ledger_seconds`` minus this ago are trusted to the ledger: the
margin covers clocks of workers that disagree by up to an hour."""


@dataclass(frozen=True, slots=True)
class AggregateLayout:
    """How entries are split and how long ledgers remember (from ``[influence]``)."""

    hour_shards: int = 4
    ledger_seconds: float = 24 * 3600.0

    def __post_init__(self) -> None:
        if not 1 <= self.hour_shards <= 64:
            raise ValueError("hour_shards must be between 1 and 64")
        if self.ledger_seconds < 2 * LEDGER_MARGIN_SECONDS:
            raise ValueError("ledger_seconds must be at least two hours")


def shard_of(post_id: str, shards: int) -> int:
    """The hour shard of a post: a hash that is the same in every process and language."""
    return zlib.crc32(post_id.encode("utf-8")) % shards


def author_key(keyword: str, author_id: str) -> str:
    """Document key of an author entry."""
    return safe_key(keyword, author_id)


def shard_key(keyword: str, hour: int, shard: int) -> str:
    """Document key of an hour shard."""
    return safe_key(keyword, str(hour), str(shard))


def day_index(keyword: str, day: int) -> str:
    """The ``_kw_day`` value of a keyword's UTC day (days since the epoch)."""
    return f"{keyword}:{day}"


def ledger_of(value: Mapping[str, Any] | None, forget_before: float) -> dict[str, int]:
    """A document's ledger without the ids counted before ``forget_before``."""
    raw = (value or {}).get("_ledger") or {}
    return {str(k): int(v) for k, v in raw.items() if v >= forget_before}


def _model_fields(value: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if not k.startswith("_")}


def author_from(value: Mapping[str, Any]) -> AuthorStats:
    """The author entry stored in ``value``."""
    return AUTHOR_ADAPTER.validate_python(_model_fields(value))


def hour_from(value: Mapping[str, Any]) -> HourStats:
    """The hour shard stored in ``value``."""
    return HOUR_ADAPTER.validate_python(_model_fields(value))


def author_doc(keyword: str, stats: AuthorStats, ledger: Mapping[str, int]) -> dict[str, Any]:
    """The document of an author entry."""
    value: dict[str, Any] = AUTHOR_ADAPTER.dump_python(stats, mode="json")
    value.update(_keyword=keyword, _ledger=dict(ledger))
    return value


def hour_doc(keyword: str, hour: int, shard: int, shards: int, stats: HourStats,
             ledger: Mapping[str, int]) -> dict[str, Any]:
    """The document of an hour shard (``shards``: how many the hour was split into)."""
    value: dict[str, Any] = HOUR_ADAPTER.dump_python(stats, mode="json")
    value.update(_keyword=keyword, _hour=hour, _kw_hour=f"{keyword}:{hour}",
                 _kw_day=day_index(keyword, hour // 24), _shard=shard, _of=shards,
                 _ledger=dict(ledger))
    return value


__all__ = [
    "LEDGER_MARGIN_SECONDS",
    "AggregateLayout",
    "author_doc",
    "author_from",
    "author_key",
    "day_index",
    "hour_doc",
    "hour_from",
    "ledger_of",
    "shard_key",
    "shard_of",
]
