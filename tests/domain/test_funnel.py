"""Funnel conversion rates, including zeros."""

from __future__ import annotations

import pytest

from socialreferral.domain.funnel import STAGES, FunnelCounts, compute_funnel


def test_rates() -> None:
    f = compute_funnel(
        FunnelCounts(events=200, matched=50, offers=40, referrals=20, leads=10, rewards=5)
    )
    assert [s.name for s in f.total.stages] == list(STAGES)
    assert f.total.stage("events").rate_from_previous is None
    assert f.total.stage("matched").rate_from_previous == 0.25
    assert f.total.stage("leads").rate_from_previous == 0.5
    assert f.total.stage("rewards").rate_from_start == 0.025


def test_zeros_are_undefined_not_errors() -> None:
    f = compute_funnel(FunnelCounts())
    assert all(s.rate_from_start is None for s in f.total.stages)
    g = compute_funnel(FunnelCounts(events=10, matched=0, offers=0))
    assert g.total.stage("matched").rate_from_previous == 0.0
    assert g.total.stage("offers").rate_from_previous is None


def test_per_product_rows_sorted() -> None:
    f = compute_funnel(
        FunnelCounts(events=10, matched=4),
        {"loan": FunnelCounts(matched=3, offers=3), "card": FunnelCounts(matched=1)},
    )
    assert [r.product_id for r in f.products] == ["card", "loan"]
    assert f.products[1].stage("offers").rate_from_previous == 1.0
    assert f.products[1].stage("offers").rate_from_start is None
    with pytest.raises(KeyError):
        f.total.stage("clicks")


def test_negative_counts_rejected() -> None:
    with pytest.raises(ValueError):
        FunnelCounts(events=-1)
