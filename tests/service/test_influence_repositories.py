"""The influence repositories: round trips, counted exactly once under redelivery, crashes
and concurrent workers, and the recompute that repairs drift."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from influence_service_helpers import T0, memory_repositories, post

from socialreferral.influence import (
    DayBaseline,
    InfluenceAggregates,
    InfluenceState,
    KeywordState,
    TrackedKeyword,
    TrackedPost,
)
from socialreferral.influence.alerts import AlertPost, Driver, SpikeAlert
from socialreferral.providers.local.store import LocalDocumentStore
from socialreferral.records import BatchResult, WriteItem
from socialreferral.repositories import AggregateLayout, Repositories, StoredPost
from socialreferral.repositories._influence_docs import shard_of
from socialreferral.repositories.influence_aggregates import AUTHORS, HOURS

LAYOUT = AggregateLayout(hour_shards=3, ledger_seconds=24 * 3600)
NOW = (T0 + timedelta(days=3)).timestamp()


def random_posts(seed: int, n: int = 120) -> list[TrackedPost]:
    """Posts with small alphabets (ties in time, author, engagement) over two keywords
    and three days, so entries are shared and extremes collide."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        out.append(post(
            f"p{i:03d}", f"a{rng.randrange(6)}", keyword=rng.choice(["acme", "zen"]),
            hours=rng.randrange(60) + rng.choice([0.0, 0.5]),
            sentiment=rng.choice(["negative", "neutral", "positive"]),
            retweets=rng.randrange(3), likes=rng.randrange(3),
            words=tuple(rng.sample(["fee", "app", "card", "loan", "good"], rng.randrange(3))),
            statuses=1000 + rng.randrange(50)))
    return out


def stored_state(repositories: Repositories, keywords: Iterable[str] = ("acme", "zen"),
                 ) -> InfluenceState:
    """The aggregates as stored (every author entry, the merged hours of five days)."""
    aggregates = repositories.influence_aggregates
    lo = int(T0.timestamp()) // 3600 - 24
    state = InfluenceState()
    for keyword in keywords:
        authors = aggregates.authors_of(keyword)
        hours = aggregates.hours(keyword, lo, lo + 24 * 5, LAYOUT)
        if authors or hours:
            state.keywords[keyword] = KeywordState(
                keyword, posts=sum(a.posts for a in authors.values()), authors=authors,
                hours=hours)
    return state


def track(repositories: Repositories, posts: Sequence[TrackedPost], now: float = NOW) -> Any:
    """What the use case does: store create-only, then count what was stored."""
    stored = repositories.influence_posts.add(posts, now)
    return repositories.influence_aggregates.apply([sp for sp, _ in stored], now, LAYOUT)


def recompute(posts: Iterable[TrackedPost]) -> InfluenceState:
    return InfluenceAggregates.recompute(posts).state


# ---------------------------------------------------------------------- round trips
def test_tracked_posts_are_create_only_and_the_first_version_wins() -> None:
    repositories = memory_repositories()
    posts = repositories.influence_posts
    first = post("p1", retweets=3, text="the first delivery")
    [(stored, created)] = posts.add([first], now=100.0)
    assert created and stored.post == first and stored.tracked_at == 100.0
    changed = first.model_copy(update={"text": "a second delivery, re-tracked"})
    [(again, created_again)] = posts.add([changed, changed], now=200.0)[:1]
    assert not created_again and again.post == first and again.tracked_at == 100.0
    assert [sp.post for sp in posts.of_hour("acme", int(T0.timestamp()) // 3600)] == [first]
    assert [sp.post for sp in posts.of_author("acme", "a1")] == [first]
    assert [sp.post for sp in posts.of_authors(["a1", "nobody"])] == [first]
    assert posts.get("acme", "p1") == again and posts.get("acme", "nope") is None


def test_counted_entries_equal_a_recomputation_whatever_the_batches() -> None:
    posts = random_posts(1)
    repositories = memory_repositories()
    shuffled = posts[:]
    random.Random(2).shuffle(shuffled)
    counted = 0
    for start in range(0, len(shuffled), 17):
        counted += track(repositories, shuffled[start:start + 17]).applied
    assert counted == len(posts)
    assert stored_state(repositories) == recompute(posts)
    assert set(repositories.influence_aggregates.keywords()) == {"acme", "zen"}
    first = min(int(p.created_at.timestamp()) // 3600 for p in posts if p.keyword == "acme")
    assert repositories.influence_aggregates.first_hour("acme") == first


def test_keyword_baseline_and_alert_repositories_round_trip() -> None:
    repositories = memory_repositories()
    keywords = repositories.influence_keywords
    assert keywords.save(TrackedKeyword(term="Acme", aliases=("#AcmeBank",)), T0)
    assert keywords.save(TrackedKeyword(term="Zen"), T0 + timedelta(hours=1))
    assert not keywords.save(TrackedKeyword(term="acme", kind="competitor"), T0)
    assert [(k.key, k.kind) for k in keywords.added()] == [("acme", "competitor"),
                                                           ("zen", "brand")]
    assert keywords.remove("zen") and not keywords.remove("zen")

    baselines = repositories.influence_baselines
    base = DayBaseline(day=19_800, history_days=7, expected=np.linspace(1, 24, 24),
                       negative_share=np.full(24, 0.2), level=300.0, day_factor=1.1)
    baselines.save("acme", base, T0)
    got = baselines.get("acme", 19_800)
    assert got is not None and np.array_equal(got.expected, base.expected)
    assert (got.level, got.day_factor, got.history_days) == (300.0, 1.1, 7)
    assert baselines.get("acme", 19_801) is None
    assert baselines.drop("acme") == 1 and baselines.get("acme", 19_800) is None


def _alert(hour: int, posts: int = 50, keyword: str = "acme") -> SpikeAlert:
    at = datetime.fromtimestamp(hour * 3600, UTC)
    return SpikeAlert(
        alert_id=f"{keyword}:volume:{hour}", keyword=keyword, kind="volume", hour=at,
        partial=True, posts=posts, expected_posts=10.0, negative=5, negative_share=0.1,
        expected_negative_share=0.2, ratio=posts / 10, z=9.0,
        drivers=(Driver(author_id="loud-1", handle="loud_one", posts=9, negative=1),
                 Driver(author_id="calm-2", handle="calm_two", posts=3, negative=0)),
        top_posts=(AlertPost(post_id="x:1", author_id="loud-1", author_handle="loud_one",
                             text="loud words", retweets=5, likes=9, sentiment="neutral"),),
        rising_words=(), explanation="first figures")


def test_alerts_are_stored_once_and_refreshed_without_losing_their_history() -> None:
    alerts = memory_repositories().influence_alerts
    hour = int(T0.timestamp()) // 3600
    assert alerts.record(_alert(hour), 1_000.0, refresh_after=300)
    assert not alerts.record(_alert(hour, posts=60), 1_100.0, refresh_after=300)
    stored = alerts.get(f"acme:volume:{hour}")
    assert stored is not None and stored.alert.posts == 50  # too soon to refresh
    assert not alerts.record(_alert(hour, posts=70), 1_400.0, refresh_after=300)
    stored = alerts.get(f"acme:volume:{hour}")
    assert stored is not None and stored.alert.posts == 70
    assert (stored.first_seen, stored.updated_at, stored.notified_at) == (1_000.0, 1_400.0,
                                                                          None)
    assert [s.alert.alert_id for s in alerts.unnotified()] == [f"acme:volume:{hour}"]
    alerts.mark_notified(f"acme:volume:{hour}", 1_500.0)
    assert alerts.unnotified() == []
    assert alerts.record(_alert(hour + 5), 2_000.0, refresh_after=300)
    assert alerts.record(_alert(hour + 1, keyword="zen"), 2_000.0, refresh_after=300)
    newest = [s.alert.alert_id for s in alerts.search("acme")]
    assert newest == [f"acme:volume:{hour + 5}", f"acme:volume:{hour}"]
    assert [s.alert.alert_id for s in alerts.search(None, hour + 1, hour + 5)] == [
        f"zen:volume:{hour + 1}"]
    assert len(alerts.search(limit=1)) == 1


# ---------------------------------------------------------------------- exactly once
def test_a_redelivered_batch_counts_nothing_twice() -> None:
    posts = random_posts(3, 60)
    repositories = memory_repositories()
    track(repositories, posts)
    before = stored_state(repositories)
    again = track(repositories, posts[10:40] + posts[:5])
    assert (again.applied, again.duplicates, again.stale) == (0, 35, 0)
    assert stored_state(repositories) == before == recompute(posts)


def test_posts_stored_but_never_counted_are_counted_on_redelivery() -> None:
    # A worker died after storing the records (create-only) and before counting them.
    posts = random_posts(4, 40)
    repositories = memory_repositories()
    repositories.influence_posts.add(posts[:25], NOW)
    result = track(repositories, posts)
    assert (result.applied, result.duplicates) == (40, 0)
    assert stored_state(repositories) == recompute(posts)


class _FailingHours(LocalDocumentStore):
    """Fails the first write of hour shards: a worker killed between the two entries."""

    failed = False

    def put_many(self, collection: str, items: Iterable[WriteItem]) -> BatchResult:
        if collection == HOURS and not self.failed:
            self.failed = True
            raise RuntimeError("killed")
        return super().put_many(collection, items)


def test_a_crash_between_author_and_hour_entries_never_double_counts() -> None:
    posts = random_posts(5, 50)
    repositories = Repositories.over(_FailingHours(":memory:"))
    with pytest.raises(RuntimeError):
        track(repositories, posts)
    assert stored_state(repositories) != recompute(posts)  # authors counted, hours not
    result = track(repositories, posts)  # the redelivery
    assert result.applied == 50  # each counted where it was missing, nowhere twice
    assert stored_state(repositories) == recompute(posts)


def test_an_old_record_missing_from_the_ledgers_is_left_to_the_recompute() -> None:
    posts = random_posts(6, 30)
    repositories = memory_repositories()
    old = NOW - 3 * 24 * 3600
    repositories.influence_posts.add(posts, old)  # stored days ago, never counted
    result = repositories.influence_aggregates.apply(
        [StoredPost(p, old) for p in posts], NOW, LAYOUT)
    assert (result.applied, result.stale) == (0, 30)
    report = repositories.influence_aggregates.repair("acme", NOW, LAYOUT)
    repositories.influence_aggregates.repair("zen", NOW, LAYOUT)
    assert report.fixed > 0 and stored_state(repositories) == recompute(posts)
    again = track(repositories, posts, now=NOW + 60)
    assert again.applied == 0


class _RacingStore(LocalDocumentStore):
    """Lets another worker write between this worker's read and its conditional write."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path)
        self.race: list[Any] = []

    def put_many(self, collection: str, items: Iterable[WriteItem]) -> BatchResult:
        if collection in (AUTHORS, HOURS) and self.race:
            self.race.pop()()
        return super().put_many(collection, items)


def test_a_concurrent_update_between_read_and_write_loses_no_count() -> None:
    store = _RacingStore(":memory:")
    repositories = Repositories.over(store)
    mine = [post("m1", "a1", words=("fee",)), post("m2", "a2", retweets=9)]
    theirs = [post("t1", "a1", words=("fee",)), post("t2", "a2", retweets=5)]
    # Same author entries and the same hour as ours: each of our writes finds the etag
    # changed by the other worker, reads again and counts on top of theirs.
    store.race = [lambda: track(repositories, theirs[1:]), lambda: track(repositories,
                                                                         theirs[:1])]
    result = track(repositories, mine)
    assert result.applied == 2 and not store.race
    assert stored_state(repositories) == recompute(mine + theirs)


def test_two_workers_on_the_same_deliveries_count_each_post_once(tmp_path: Path) -> None:
    posts = random_posts(7, 160)
    store = LocalDocumentStore(tmp_path / "store.sqlite3")
    repositories = Repositories.over(store)
    applied: list[int] = []
    errors: list[BaseException] = []

    def worker(seed: int) -> None:
        # Each worker gets every post (the queue redelivered all of them), in its own
        # order and batches, and both run at the same time.
        mine = posts[:]
        random.Random(seed).shuffle(mine)
        try:
            for start in range(0, len(mine), 7):
                applied.append(track(repositories, mine[start:start + 7]).applied)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(s,)) for s in (11, 12, 13)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # Every post was counted by one worker or the other (a post may be counted into its
    # author entry by one and into its hour by the other: both report it).
    assert len(posts) <= sum(applied) < 2 * len(posts)
    assert stored_state(repositories) == recompute(posts)


# ---------------------------------------------------------------------- recompute
def test_recompute_repairs_drift_and_leaves_a_sound_state_alone() -> None:
    posts = random_posts(8, 80)
    repositories = memory_repositories()
    store = repositories.influence_aggregates._store  # corrupting it is the test's job
    track(repositories, posts)
    authors = list(store.iter_query(AUTHORS, {"_keyword": "acme"}))
    shards = list(store.iter_query(HOURS, {"_keyword": "acme"}))
    store.put(AUTHORS, authors[0].key, {**authors[0].value, "posts": 999})
    store.delete(HOURS, shards[0].key)
    store.put(AUTHORS, "acme:ghost", {**authors[1].value, "author_id": "ghost"})
    report = repositories.influence_aggregates.repair("acme", NOW, LAYOUT)
    assert (report.authors_fixed, report.hours_fixed, report.removed) == (1, 1, 1)
    assert report.posts == sum(1 for p in posts if p.keyword == "acme")
    assert stored_state(repositories) == recompute(posts)
    assert repositories.influence_aggregates.repair("acme", NOW, LAYOUT).fixed == 0
    assert repositories.influence_aggregates.totals()["acme"] == report.posts


def test_a_count_arriving_during_the_recompute_is_not_overwritten() -> None:
    store = _RacingStore(":memory:")
    repositories = Repositories.over(store)
    early = random_posts(9, 40)
    track(repositories, early)
    gone = next(iter(store.iter_query(HOURS, {"_keyword": "acme"})))
    store.delete(HOURS, gone.key)
    hour, shard = int(gone.value["_hour"]), int(gone.value["_shard"])
    # New posts of the very shard the recompute will recreate, by an author it will not
    # touch otherwise.
    ids = [i for i in (f"late-{n}" for n in range(200)) if shard_of(i, 3) == shard][:5]
    late = [post(i, "newcomer", keyword="acme", hours=hour - T0.timestamp() / 3600)
            for i in ids]
    raced: list[Any] = []

    def arrive() -> None:
        raced.append(track(repositories, late))

    # Between the recompute's snapshot and its first conditional write, a worker counts
    # new posts into the same entries.
    real_put = store.put

    def put(*args: Any, **kwargs: Any) -> Any:
        if not raced and args and args[0] in (AUTHORS, HOURS):
            arrive()
        return real_put(*args, **kwargs)

    store.put = put  # type: ignore[method-assign]
    repositories.influence_aggregates.repair("acme", NOW, LAYOUT)
    store.put = real_put  # type: ignore[method-assign]
    assert raced and raced[0].applied == len(late)
    assert stored_state(repositories) == recompute(early + late)
