"""Right to erasure in influence analytics: a person's tracked posts, author entries and
their part of hours and alerts are gone (to the raw bytes of the files), and the
aggregates equal a recomputation without them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from influence_service_helpers import T0, Clock, small_gazetteer
from influence_service_helpers import x_event as event

from socialreferral.bootstrap import build_providers
from socialreferral.influence import InfluenceAggregates, InfluenceState, KeywordState
from socialreferral.influence.alerts import AlertPost, Driver, SpikeAlert
from socialreferral.service import ErasureReport, erase_person
from socialreferral.service.influence import InfluenceAnalytics
from socialreferral.settings import Settings

# Distinctive values, so a search of raw file bytes cannot hit them by chance.
VICTIM = "zq-author-48213"
HANDLE = "zq_quixotewick"
NAME = "Zelda Quixotewick"
WORDING = "zebrafalcon"
OTHER = "ot-author-77310"


def _state(service: InfluenceAnalytics) -> InfluenceState:
    aggregates = service.repositories.influence_aggregates
    lo = int(T0.timestamp()) // 3600
    state = InfluenceState()
    for keyword in ("acme", "zen"):
        authors = aggregates.authors_of(keyword)
        if authors:
            state.keywords[keyword] = KeywordState(
                keyword, posts=sum(a.posts for a in authors.values()), authors=authors,
                hours=aggregates.hours(keyword, lo, lo + 48, service.layout))
    return state


def test_erasing_an_author_leaves_no_trace_and_exact_aggregates(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    settings = Settings.model_validate({
        "local": {"data_dir": str(data_dir)},
        "influence": {"keywords": [{"term": "Acme"}, {"term": "Zen"}], "hour_shards": 2}})
    clock = Clock(T0 + timedelta(hours=30))
    with build_providers(settings) as providers:
        service = InfluenceAnalytics(repositories=providers.repositories,
                                     settings=providers.settings.influence, clock=clock,
                                     gazetteer=small_gazetteer())
        victim = dict(screen_name=HANDLE, author_name=NAME, retweet_count=5_000,
                      favorite_count=9_000)
        events = [event(f"v{i}", VICTIM, f"Acme and Zen {WORDING} number {i}",
                        T0 + timedelta(hours=i * 5), **victim) for i in range(4)]
        events += [event(f"o{i}", f"{OTHER}-{i % 5}", f"Acme is fine, Zen too, take {i}",
                         T0 + timedelta(hours=i % 20, minutes=i), retweet_count=i % 4)
                   for i in range(40)]
        service.track_events(events)
        hour = T0.replace(minute=0)
        providers.repositories.influence_alerts.record(SpikeAlert(
            alert_id=f"acme:volume:{int(hour.timestamp()) // 3600}", keyword="acme",
            kind="volume", hour=hour, partial=False, posts=12, expected_posts=3.0,
            negative=1, negative_share=0.08, expected_negative_share=0.2, ratio=4.0, z=6.0,
            drivers=(Driver(author_id=VICTIM, handle=HANDLE, posts=2, negative=0),
                     Driver(author_id=f"{OTHER}-0", handle="other_0", posts=1, negative=0)),
            top_posts=(AlertPost(post_id="x:v0:tweet", author_id=VICTIM, author_handle=HANDLE,
                                 text=f"Acme and Zen {WORDING} number 0", retweets=5_000,
                                 likes=9_000, sentiment="neutral"),),
            rising_words=(), explanation=f"volume spike driven by @{HANDLE}"), 0.0,
            refresh_after=0.0)
        assert any(r.handle == HANDLE for rows in service.top("acme").values() for r in rows)
        assert _in_files(data_dir, WORDING) and _in_files(data_dir, HANDLE)

        report = erase_person(person_id=VICTIM, repositories=providers.repositories,
                              secrets=providers.secrets, crm=providers.crm,
                              social=providers.social)
        assert report.influence_posts == 8 and report.influence_author_entries == 2
        assert report.influence_hours_repaired >= 4
        assert report.influence_alerts_anonymised == 1
        kept = [p for p in service.repositories.influence_posts.of_keyword("acme")]
        kept += list(service.repositories.influence_posts.of_keyword("zen"))
        assert len(kept) == 80 and all(sp.post.author_id != VICTIM for sp in kept)
        assert _state(service) == InfluenceAggregates.recompute(sp.post for sp in kept).state
        [alert] = service.alerts("acme")
        assert [d.handle for d in alert.alert.drivers] == ["other_0"]
        assert alert.alert.top_posts == () and HANDLE not in alert.alert.explanation
        assert all(r.handle != HANDLE for rows in service.top("acme").values() for r in rows)
        assert service.recompute().fixed == 0  # nothing left to repair
        again = erase_person(person_id=VICTIM, repositories=providers.repositories,
                             secrets=providers.secrets, crm=providers.crm,
                             social=providers.social)
        assert again == ErasureReport()
    for needle in (VICTIM, HANDLE, NAME, WORDING):
        assert not _in_files(data_dir, needle), needle
    assert _in_files(data_dir, OTHER)


def _in_files(data_dir: Path, needle: str) -> bool:
    return any(needle.encode() in f.read_bytes() for f in data_dir.rglob("*") if f.is_file())
