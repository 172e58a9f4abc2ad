"""The demo stream: deterministic, realistic mix, planted spikes with ground truth."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import timedelta

from socialreferral.influence import DemoConfig, DemoStream, PostTracker

SMALL = DemoConfig(seed=3, posts=4000, days=14, authors=600, spikes_per_week=2.0)


def test_same_seed_same_stream() -> None:
    a = [d.post for d in itertools.islice(DemoStream(SMALL).generate(), 300)]
    b = [d.post for d in itertools.islice(DemoStream(SMALL).generate(), 300)]
    c = [
        d.post
        for d in itertools.islice(DemoStream(SMALL.model_copy(update={"seed": 4})).generate(), 300)
    ]
    assert a == b and a != c


def test_stream_shape_and_ground_truth() -> None:
    stream = DemoStream(SMALL)
    posts = list(stream.generate())
    assert 3000 < len(posts) < 6000
    times = [d.post.created_at for d in posts]
    assert times == sorted(times)
    kinds = Counter(d.keyword for d in posts)
    assert 0.1 < kinds[None] / len(posts) < 0.35  # noise
    warm = SMALL.start + timedelta(days=SMALL.warmup_days)
    assert stream.spikes and all(s.start >= warm for s in stream.spikes)
    crisis = [s for s in stream.spikes if s.kind == "crisis"]
    for s in crisis:
        assert len(s.drivers) == 3
    spiked = [d for d in posts if d.spike is not None]
    assert spiked and all(stream.spikes[d.spike].keyword == d.keyword for d in spiked)
    locations = Counter(bool(a.location) for a in stream.authors)
    assert 0.7 < locations[True] / len(stream.authors) < 0.9


def test_the_tracker_finds_the_keyword_posts() -> None:
    stream = DemoStream(SMALL)
    demo = list(itertools.islice(stream.generate(), 1500))
    tracked = PostTracker(stream.tracking).track([d.post for d in demo])
    found = {t.post_id for t in tracked}
    truth = {d.post.post_id for d in demo if d.keyword is not None}
    recall = len(found & truth) / len(truth)
    precision = len(found & truth) / len(found)
    assert recall > 0.99 and precision > 0.95


def test_public_surface_is_importable() -> None:
    import socialreferral.influence as influence

    assert sorted(set(influence.__all__)) == sorted(influence.__all__)
    assert [n for n in influence.__all__ if not hasattr(influence, n)] == []
