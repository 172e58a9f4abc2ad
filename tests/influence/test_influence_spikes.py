"""Spike alerts: seasonal peaks are normal, a crisis is caught, explained and caught early."""

from __future__ import annotations

from datetime import timedelta

import pytest
from influence_helpers import T0, post

from socialreferral.influence import (
    InfluenceAggregates,
    InfluenceState,
    SpikeConfig,
    SpikeDetector,
    TrackedPost,
    episodes,
)
from socialreferral.influence.spikes import volume_threshold

# Quiet nights, busy evenings; 20% negative.
PROFILE = [2, 1, 1, 1, 1, 2, 4, 6, 8, 10, 10, 10, 10, 10, 10, 10, 12, 15, 20, 30, 30, 20, 8, 4]
DAYS = 14
CRISIS_HOUR = DAYS * 24 + 10  # 10:00 on day 15, normally 10 posts


def _normal_traffic() -> list[TrackedPost]:
    posts = []
    for day in range(DAYS + 1):
        for hod, n in enumerate(PROFILE):
            for i in range(n):
                neg = i % 5 == 0
                posts.append(
                    post(
                        f"d{day}h{hod}i{i}",
                        f"u{(day * 31 + hod * 7 + i) % 200}",
                        hours=day * 24 + hod + i / (n + 1),
                        sentiment="negative" if neg else "positive",
                        words=("late",) if neg else ("crew",),
                    )
                )
    return posts


def _crisis() -> list[TrackedPost]:
    out = []
    for i in range(60):
        loud = i < 15
        out.append(
            post(
                f"c{i}",
                "loud" if loud else f"angry{i}",
                hours=CRISIS_HOUR + i / 61,
                sentiment="negative" if i % 5 else "neutral",
                words=("dragged", "passenger", "video") if i % 5 else ("video",),
                retweets=5000 if i == 20 else 1,
                text="they dragged a passenger off the plane" if i == 20 else "",
            )
        )
    return out


def _state(posts: list[TrackedPost]) -> InfluenceState:
    agg = InfluenceAggregates()
    agg.add_many(posts)
    return agg.state


def test_seasonal_peaks_raise_nothing() -> None:
    state = _state(_normal_traffic())
    start = T0 + timedelta(days=7)
    assert SpikeDetector().scan(state, "acme", start, T0 + timedelta(days=DAYS + 1)) == []


def test_a_crisis_is_caught_and_explained() -> None:
    normal = [
        p
        for p in _normal_traffic()
        if int(p.created_at.timestamp()) // 3600
        != int((T0 + timedelta(hours=CRISIS_HOUR)).timestamp()) // 3600
    ]
    state = _state(normal + _crisis())
    alerts = SpikeDetector().scan(
        state, "acme", T0 + timedelta(days=DAYS), T0 + timedelta(days=DAYS + 1)
    )
    assert {a.kind for a in alerts} == {"volume", "negativity"}
    vol = next(a for a in alerts if a.kind == "volume")
    neg = next(a for a in alerts if a.kind == "negativity")
    assert vol.hour == T0 + timedelta(hours=CRISIS_HOUR) and not vol.partial
    assert vol.posts == 60 and 8 <= vol.expected_posts <= 12 and vol.ratio > 4
    assert neg.negative == 48 and neg.expected_negative_share == pytest.approx(0.2, abs=0.05)
    assert neg.drivers[0].handle == "h_loud" and neg.drivers[0].posts == 15
    assert vol.top_posts[0].text == "they dragged a passenger off the plane"
    assert [w.word for w in neg.rising_words][:3] == ["dragged", "passenger", "video"]
    assert "60 posts vs" in vol.explanation and "@h_loud" in vol.explanation
    assert "80% negative" in neg.explanation
    assert vol.alert_id == f"acme:volume:{int(vol.hour.timestamp()) // 3600}"


def test_a_crisis_is_caught_while_the_hour_is_in_progress() -> None:
    normal = [p for p in _normal_traffic() if p.created_at < T0 + timedelta(hours=CRISIS_HOUR)]
    crisis = _crisis()[:30]  # half of the hour so far
    state = _state(normal + crisis)
    hour = int((T0 + timedelta(hours=CRISIS_HOUR)).timestamp()) // 3600
    now = crisis[-1].created_at
    alerts = SpikeDetector().check(state, "acme", hour, now=now)
    assert alerts and all(a.partial for a in alerts)
    assert "hour in progress" in alerts[0].explanation


def test_no_alert_without_enough_history() -> None:
    state = _state(_crisis())
    assert SpikeDetector().scan(state, "acme", T0, T0 + timedelta(days=30)) == []


def test_episodes_group_consecutive_hours() -> None:
    normal = [p for p in _normal_traffic() if p.created_at < T0 + timedelta(hours=CRISIS_HOUR)]
    crisis = _crisis()
    crisis += [
        post(f"c2_{i}", f"x{i}", hours=CRISIS_HOUR + 1 + i / 61, sentiment="negative")
        for i in range(60)
    ]
    state = _state(normal + crisis)
    alerts = SpikeDetector().scan(state, "acme", T0, T0 + timedelta(days=DAYS + 1))
    eps = episodes(alerts)
    vol = [e for e in eps if e.kind == "volume"]
    assert len(vol) == 1 and vol[0].hours == 2
    assert vol[0].start == T0 + timedelta(hours=CRISIS_HOUR)


def test_volume_threshold_needs_all_three_conditions() -> None:
    cfg = SpikeConfig(volume_z=4.0, volume_ratio=2.0, volume_min_excess=15, dispersion=0.05)
    assert volume_threshold(0.0, cfg) == 16  # only the excess can speak at zero
    assert volume_threshold(100.0, cfg) == 201  # ratio: 2 x 100, z needs 100 + 4 x 24.5
    assert volume_threshold(10.0, cfg) == 26  # z: 10 + 4 x sqrt(15) = 25.5
