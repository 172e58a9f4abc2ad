"""The influence aggregates over the store: counted exactly once, read by panel.

Collections (layout and ledgers: :mod:`socialreferral.repositories._influence_docs`):

* ``influence_authors`` — one :class:`~socialreferral.influence.AuthorStats` per
  ``(keyword, author)``: the top-5 panel, the scores and the map read these;
* ``influence_hours`` — one :class:`~socialreferral.influence.HourStats` per ``(keyword,
  hour, shard)``: trend, word clouds and spike alerts read the merged shards;
* ``influence_totals`` — per keyword, its posts and authors **as of the last full read**
  of its author entries. The per-keyword post counter is not maintained on every post (a
  document every post of a keyword writes would be the hottest in the store): a keyword's
  own count is derived when its authors are read, and other keywords' counts (the
  denominator of keyword rarity) come from here.

:meth:`InfluenceAggregateRepository.apply` counts stored posts into the entries: each
entry is one etag-guarded read-modify-write per batch, and the entry's ledger says which
posts it counted, so two workers, a redelivery, or a worker killed half way never count a
post twice or lose one. :meth:`~InfluenceAggregateRepository.repair` is the periodic
recompute: entries that differ from a recomputation of their stored posts are rewritten
(conditionally, so a concurrent update is never overwritten). :meth:`erase` removes a
person with the core's ``erase_author`` and ``repair``.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from socialreferral.errors import ConcurrencyConflict, InvalidInput
from socialreferral.influence.aggregates import InfluenceAggregates
from socialreferral.influence.rebuild import author_stats, hour_of, hour_stats, merge_hours
from socialreferral.influence.records import TrackedPost
from socialreferral.influence.state import AuthorStats, HourStats, InfluenceState, KeywordState
from socialreferral.ports import DocumentStore
from socialreferral.records import WriteItem
from socialreferral.repositories._base import Repository, safe_key
from socialreferral.repositories._influence_docs import (
    LEDGER_MARGIN_SECONDS,
    AggregateLayout,
    author_doc,
    author_from,
    author_key,
    hour_doc,
    hour_from,
    ledger_of,
    shard_key,
    shard_of,
)
from socialreferral.repositories._influence_repair import ATTEMPTS, reconcile, without_authors
from socialreferral.repositories.erasure import Erasure
from socialreferral.repositories.influence_posts import StoredPost, TrackedPostRepository

AUTHORS = "influence_authors"
HOURS = "influence_hours"
TOTALS = "influence_totals"
_MAX_HOURS = 24 * 400  # one read: a year of hours and a few weeks of baseline history

Change = Callable[[str, dict[str, Any] | None], dict[str, Any] | None]
"""``change(key, current value or None)`` → the new value, or None to delete the document.
Returning the current value object itself leaves the document untouched."""


@dataclass
class ApplyResult:
    """What :meth:`InfluenceAggregateRepository.apply` did, per post.

    ``applied``: counted now; ``duplicates``: every entry had counted it already;
    ``stale``: stored longer ago than the ledgers remember and not in them (left to the
    recompute); ``hours``: the ``(keyword, hour)`` entries that changed.
    """

    applied: int = 0
    duplicates: int = 0
    stale: int = 0
    hours: set[tuple[str, int]] = field(default_factory=set)


@dataclass
class RepairReport:
    """What one :meth:`InfluenceAggregateRepository.repair` of a keyword found and fixed."""

    keyword: str
    posts: int = 0
    authors: int = 0
    hours: int = 0
    authors_fixed: int = 0
    hours_fixed: int = 0
    removed: int = 0

    @property
    def fixed(self) -> int:
        """Entries rewritten or removed."""
        return self.authors_fixed + self.hours_fixed + self.removed


class InfluenceAggregateRepository(Repository):
    """Author entries, hour shards and keyword totals (see the module docstring)."""

    collections = (AUTHORS, HOURS, TOTALS)

    def __init__(self, store: DocumentStore, posts: TrackedPostRepository) -> None:
        super().__init__(store)
        self._posts = posts

    # ------------------------------------------------------------------ counting
    def apply(self, posts: Iterable[StoredPost], now: float,
              layout: AggregateLayout) -> ApplyResult:
        """Count stored posts into their author entry and hour shard, each exactly once."""
        unique = {(sp.post.keyword, sp.post.post_id): sp for sp in posts}
        by_author: dict[str, list[StoredPost]] = defaultdict(list)
        by_shard: dict[str, list[StoredPost]] = defaultdict(list)
        for sp in unique.values():
            p = sp.post
            by_author[author_key(p.keyword, p.author_id)].append(sp)
            shard = shard_of(p.post_id, layout.hour_shards)
            by_shard[shard_key(p.keyword, hour_of(p), shard)].append(sp)
        trust_after = now - layout.ledger_seconds + LEDGER_MARGIN_SECONDS
        forget_before = now - layout.ledger_seconds
        stamp = int(now)
        verdicts: dict[str, dict[str, str]] = {}

        def counted(key: str, group: list[StoredPost], value: dict[str, Any] | None,
                    fold: Callable[[KeywordState, list[TrackedPost]], dict[str, Any]],
                    ) -> dict[str, Any] | None:
            ledger = ledger_of(value, forget_before)
            todo, verdict = [], {}
            for sp in group:
                pid = sp.post.post_id
                if pid in ledger:
                    verdict[pid] = "duplicate"
                elif sp.tracked_at < trust_after:
                    verdict[pid] = "stale"
                else:
                    verdict[pid] = "applied"
                    todo.append(sp.post)
                    ledger[pid] = stamp
            verdicts[key] = verdict
            if not todo:
                return value
            ks = KeywordState(group[0].post.keyword)
            new = fold(ks, todo)
            new["_ledger"] = ledger
            return new

        def author_change(key: str, value: dict[str, Any] | None) -> dict[str, Any] | None:
            group = by_author[key]
            first = group[0].post

            def fold(ks: KeywordState, todo: list[TrackedPost]) -> dict[str, Any]:
                if value is not None:
                    ks.authors[first.author_id] = author_from(value)
                _count(ks, todo)
                return author_doc(first.keyword, ks.authors[first.author_id], {})

            return counted(key, group, value, fold)

        def hour_change(key: str, value: dict[str, Any] | None) -> dict[str, Any] | None:
            group = by_shard[key]
            first = group[0].post
            hour = hour_of(first)

            def fold(ks: KeywordState, todo: list[TrackedPost]) -> dict[str, Any]:
                if value is not None:
                    ks.hours[hour] = hour_from(value)
                _count(ks, todo)
                shard = shard_of(first.post_id, layout.hour_shards)
                return hour_doc(first.keyword, hour, shard, layout.hour_shards,
                                ks.hours[hour], {})

            return counted(key, group, value, fold)

        self._update_all(AUTHORS, by_author, author_change)
        self._update_all(HOURS, by_shard, hour_change)
        first: dict[str, int] = {}
        for sp in unique.values():
            hour = hour_of(sp.post)
            first[sp.post.keyword] = min(first.get(sp.post.keyword, hour), hour)
        self._note_first_hours(first)
        result = ApplyResult()
        for sp in unique.values():
            p = sp.post
            seen = {verdicts[author_key(p.keyword, p.author_id)][p.post_id],
                    verdicts[shard_key(p.keyword, hour_of(p),
                                       shard_of(p.post_id, layout.hour_shards))][p.post_id]}
            if "applied" in seen:
                result.applied += 1
                result.hours.add((p.keyword, hour_of(p)))
            elif "stale" in seen:
                result.stale += 1
            else:
                result.duplicates += 1
        return result

    # ------------------------------------------------------------------ reading
    def authors_of(self, keyword: str) -> dict[str, AuthorStats]:
        """Every author entry of ``keyword``, by author id."""
        out = {}
        for document in self._store.iter_query(AUTHORS, {"_keyword": keyword},
                                               page_size=1000):
            stats = author_from(document.value)
            out[stats.author_id] = stats
        return out

    def authors(self, keyword: str, author_ids: Iterable[str]) -> dict[str, AuthorStats]:
        """The author entries of these authors on ``keyword`` (absent ones left out)."""
        out = {}
        for author_id in sorted(set(author_ids)):
            document = self._store.find(AUTHORS, author_key(keyword, author_id))
            if document is not None:
                out[author_id] = author_from(document.value)
        return out

    def hours(self, keyword: str, first_hour: int, end_hour: int,
              layout: AggregateLayout) -> dict[int, HourStats]:
        """The merged hour entries of ``keyword`` in ``[first_hour, end_hour)``.

        Read by key (``hour_shards`` keys per hour, batched with ``find_many``), which
        every store answers fast; a query on a field would scan the collection on stores
        without an index on it.
        """
        if end_hour - first_hour > _MAX_HOURS:
            raise InvalidInput(f"at most {_MAX_HOURS} hours at once", field="end")
        keys = {
            shard_key(keyword, hour, shard): hour
            for hour in range(first_hour, end_hour)
            for shard in range(layout.hour_shards)
        }
        found = self._store.find_many(HOURS, keys)
        parts: dict[int, list[HourStats]] = {}
        for key, hour in keys.items():  # in hour and shard order, as hour() merges them
            document = found.get(key)
            if document is not None:
                parts.setdefault(hour, []).append(hour_from(document.value))
        return {hour: got[0] if len(got) == 1 else merge_hours(got) for hour, got in parts.items()}

    def hour(self, keyword: str, hour: int, layout: AggregateLayout) -> HourStats | None:
        """One merged hour entry of ``keyword``, or None if it has no posts."""
        parts = []
        for shard in range(layout.hour_shards):
            document = self._store.find(HOURS, shard_key(keyword, hour, shard))
            if document is not None:
                parts.append(hour_from(document.value))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else merge_hours(parts)

    def keyword_state(self, keyword: str, layout: AggregateLayout, *, authors: bool = False,
                      hours: tuple[int, int] | None = None) -> KeywordState:
        """A :class:`KeywordState` with the entries asked for. Its ``posts`` is derived
        from the author entries when they are read, else from the stored total."""
        ks = KeywordState(keyword)
        if authors:
            ks.authors = self.authors_of(keyword)
            ks.posts = sum(a.posts for a in ks.authors.values())
        else:
            ks.posts = self.totals().get(keyword, 0)
        if hours is not None:
            ks.hours = self.hours(keyword, *hours, layout)
        return ks

    # ------------------------------------------------------------------ totals
    def totals(self) -> dict[str, int]:
        """Posts per keyword as of each keyword's last full read (0 when never read)."""
        return {str(d.value["keyword"]): int(d.value.get("posts") or 0)
                for d in self._store.iter_query(TOTALS, page_size=1000)}

    def stale_totals(self) -> list[str]:
        """Keywords whose total is unknown (never read in full, or reset by an erasure)."""
        return sorted(str(d.value["keyword"]) for d in self._store.iter_query(
            TOTALS, page_size=1000) if d.value.get("posts") is None)

    def keywords(self) -> list[str]:
        """Every keyword that has ever had a post counted (sorted)."""
        return sorted(self.totals())

    def first_hour(self, keyword: str) -> int | None:
        """The earliest hour ``keyword`` has had posts in (None if none)."""
        document = self._store.find(TOTALS, safe_key(keyword))
        value = None if document is None else document.value.get("first_hour")
        return None if value is None else int(value)

    def set_total(self, keyword: str, posts: int | None, authors: int | None, at: float,
                  first_hour: int | None = None) -> None:
        """Record ``keyword``'s exact counts as read at ``at`` (last reader wins; None
        marks them unknown). ``first_hour`` replaces the earliest hour when given."""

        def change(current: dict[str, Any] | None) -> dict[str, Any]:
            value = dict(current or {"keyword": keyword, "first_hour": None})
            value.update(posts=posts, authors=authors, as_of=at)
            if first_hour is not None:
                value["first_hour"] = first_hour
            return value

        self._store.update(TOTALS, safe_key(keyword), change)

    def _note_first_hours(self, first: Mapping[str, int]) -> None:
        # A keyword appears in the totals with its first post, so the recompute and the
        # rarity denominator know it; its earliest hour only ever moves back (a replay of
        # old posts), so this reads one document per keyword and rarely writes.
        for keyword, hour in sorted(first.items()):
            document = self._store.find(TOTALS, safe_key(keyword))
            known = None if document is None else document.value.get("first_hour")
            if known is not None and int(known) <= hour:
                continue

            def change(current: dict[str, Any] | None, hour: int = hour,
                       keyword: str = keyword) -> dict[str, Any]:
                value = dict(current or {"keyword": keyword, "posts": None, "authors": None,
                                         "as_of": None})
                old = value.get("first_hour")
                value["first_hour"] = hour if old is None else min(int(old), hour)
                return value

            self._store.update(TOTALS, safe_key(keyword), change)

    # ------------------------------------------------------------------ recompute
    def repair(self, keyword: str, now: float, layout: AggregateLayout) -> RepairReport:
        """Recompute ``keyword``'s entries from its stored posts and fix those that differ.

        The entries are read (with their etags) *before* the posts, and every fix is
        conditional on that etag: an entry a worker changed meanwhile is recomputed again
        on its own, so a count that arrived during the repair is never overwritten. Posts
        stored but not yet counted (a worker about to count them, or one that died) are
        counted here and put in the ledgers, so the worker's own update finds them there.
        """
        report = RepairReport(keyword)
        authors = {d.key: d for d in self._store.iter_query(AUTHORS, {"_keyword": keyword},
                                                            page_size=1000)}
        shards = {d.key: d for d in self._store.iter_query(HOURS, {"_keyword": keyword},
                                                           page_size=1000)}
        stored = list(self._posts.of_keyword(keyword))
        report.posts = len(stored)
        forget_before = now - layout.ledger_seconds
        stamp = int(now)
        by_author: dict[str, list[StoredPost]] = defaultdict(list)
        by_shard: dict[str, list[StoredPost]] = defaultdict(list)
        for sp in stored:
            p = sp.post
            by_author[author_key(keyword, p.author_id)].append(sp)
            by_shard[shard_key(keyword, hour_of(p), shard_of(p.post_id, layout.hour_shards))
                     ].append(sp)

        def ledger(group: Sequence[StoredPost]) -> dict[str, int]:
            return {sp.post.post_id: stamp for sp in group if sp.tracked_at >= forget_before}

        def author_value(key: str, group: Sequence[StoredPost]) -> dict[str, Any] | None:
            if not group:
                return None
            return author_doc(keyword, author_stats([sp.post for sp in group]), ledger(group))

        def shard_value(key: str, group: Sequence[StoredPost]) -> dict[str, Any] | None:
            if not group:
                return None
            p = group[0].post
            return hour_doc(keyword, hour_of(p), shard_of(p.post_id, layout.hour_shards),
                            layout.hour_shards, hour_stats([sp.post for sp in group]),
                            ledger(group))

        def reread_author(key: str) -> list[StoredPost]:
            author_id = by_author[key][0].post.author_id if by_author.get(key) else (
                str(authors[key].value.get("author_id", "")))
            return self._posts.of_author(keyword, author_id)

        def reread_shard(key: str) -> list[StoredPost]:
            document = shards.get(key)
            hour = (hour_of(by_shard[key][0].post) if by_shard.get(key)
                    else int(document.value["_hour"]) if document else -1)
            return [sp for sp in self._posts.of_hour(keyword, hour)
                    if shard_key(keyword, hour, shard_of(sp.post.post_id, layout.hour_shards))
                    == key]

        report.authors, report.hours = len(set(authors) | set(by_author)), len(
            set(shards) | set(by_shard))
        fixed_a, removed_a = reconcile(self._store, AUTHORS, authors, by_author,
                                       author_value, author_from, reread_author)
        fixed_h, removed_h = reconcile(self._store, HOURS, shards, by_shard, shard_value,
                                       hour_from, reread_shard)
        report.authors_fixed, report.hours_fixed = fixed_a, fixed_h
        report.removed = removed_a + removed_h
        self.set_total(keyword, len(stored), len(by_author), now,
                       first_hour=min((hour_of(sp.post) for sp in stored), default=None))
        return report

    # ------------------------------------------------------------------ erasure
    def erase(self, erasure: Erasure) -> None:
        """A person's author entries go; every hour shard that counted their posts has
        them taken out with the core's ``erase_author`` and its ``repair`` (the remaining
        posts of that shard), so the aggregates equal a recomputation without them.
        Idempotent: a shard whose per-author counts no longer name the person is left
        alone. Runs before the tracked posts are deleted (bundle order)."""
        ids = erasure.subject.person_ids
        if not ids:
            return
        mine = self._posts.of_authors(ids)
        hours = {(sp.post.keyword, hour_of(sp.post)) for sp in mine}
        for keyword in sorted({k for k, _ in hours}):
            # One pass over the keyword's shards (a store without an index on the hour
            # would scan the collection once per hour otherwise).
            for document in list(self._store.iter_query(HOURS, {"_keyword": keyword},
                                                        page_size=500)):
                hour = int(document.value.get("_hour", -1))
                if (keyword, hour) in hours and ids & set(document.value.get("author_posts")
                                                          or {}):
                    self._erase_from_shard(document.key, keyword, hour, ids, mine, erasure)
        for document in self._where_in(AUTHORS, "author_id", ids):
            erasure.count("influence_author_entries",
                          int(self._store.delete(AUTHORS, document.key)))
        for keyword in sorted({sp.post.keyword for sp in mine}):
            # The counts changed; the next full read of the keyword sets them again.
            self.set_total(keyword, None, None, time.time())

    def _erase_from_shard(self, key: str, keyword: str, hour: int, ids: set[str],
                          mine: Sequence[StoredPost], erasure: Erasure) -> None:
        rest_of: dict[int, list[TrackedPost]] = {}

        def change(_: str, value: dict[str, Any] | None) -> dict[str, Any] | None:
            if value is None:
                return None
            present = ids & set(value.get("author_posts") or {})
            if not present:
                return value
            shard, shards = int(value.get("_shard", 0)), int(value.get("_of", 1))
            theirs = [sp.post for sp in mine
                      if sp.post.keyword == keyword and hour_of(sp.post) == hour
                      and shard_of(sp.post.post_id, shards) == shard]

            def rest() -> list[TrackedPost]:
                # Only read when a repair needs them: one query for the hour's posts.
                if shard not in rest_of:
                    rest_of[shard] = [
                        sp.post for sp in self._posts.of_hour(keyword, hour)
                        if sp.post.author_id not in ids
                        and shard_of(sp.post.post_id, shards) == shard]
                return rest_of[shard]

            gone = {p.post_id for p in theirs}
            ledger = {k: v for k, v in (value.get("_ledger") or {}).items() if k not in gone}
            stats = without_authors(keyword, hour, hour_from(value), present, theirs, rest)
            if stats is None:
                return None
            return hour_doc(keyword, hour, shard, shards, stats, ledger)

        self._update_all(HOURS, [key], change)
        erasure.count("influence_hours_repaired")

    # ------------------------------------------------------------------ helpers
    def _update_all(self, collection: str, keys: Iterable[str], change: Change) -> None:
        """Read-modify-write every key under its etag, batched; conflicting keys are read
        and changed again (``change`` must have no side effects)."""
        pending = sorted(set(keys))
        for attempt in range(ATTEMPTS):
            if not pending:
                return
            writes: list[WriteItem] = []
            deletes: list[tuple[str, str]] = []
            for key in pending:
                document = self._store.find(collection, key)
                current = None if document is None else document.value
                new = change(key, current)
                if new is current:
                    continue
                if new is None:
                    if document is not None:
                        deletes.append((key, document.etag))
                    continue
                writes.append(WriteItem(key, new, if_match=document.etag if document else None,
                                        create_only=document is None))
            conflicts: list[str] = []
            if writes:
                result = self._store.put_many(collection, writes)
                for key, error in result.failed.items():
                    if not isinstance(error, ConcurrencyConflict):
                        raise error
                    conflicts.append(key)
            for key, etag in deletes:
                try:
                    self._store.delete(collection, key, if_match=etag)
                except ConcurrencyConflict:
                    conflicts.append(key)
            pending = sorted(conflicts)
            if pending:
                time.sleep(random.uniform(0.0, 0.002 * (attempt + 1)))
        raise ConcurrencyConflict(f"{collection}: {len(pending)} entries still conflicting")


def _count(ks: KeywordState, posts: list[TrackedPost]) -> None:
    # The core's incremental add on a state holding just the entry being updated (the
    # other entry it creates for each post is discarded by the caller).
    ks.posts = 0
    InfluenceAggregates(InfluenceState({ks.keyword: ks})).add_many(posts)


__all__ = [
    "AUTHORS",
    "HOURS",
    "TOTALS",
    "AggregateLayout",
    "ApplyResult",
    "InfluenceAggregateRepository",
    "RepairReport",
]
