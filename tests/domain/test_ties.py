"""Tie strength and conduit choice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socialreferral.domain.customers import Customer
from socialreferral.domain.social import Connection, Interaction
from socialreferral.domain.ties import TieWeights, choose_conduit, tie_strength

NOW = datetime(2026, 6, 1, tzinfo=UTC)
W = TieWeights()


def _conn(
    person: str,
    *,
    n: int = 0,
    last_days: float = 1.0,
    mutual: int = 0,
    since_days: float | None = 400,
) -> Connection:
    inter = tuple(
        Interaction(kind="comment", at=NOW - timedelta(days=last_days + i)) for i in range(n)
    )
    return Connection(
        person_id=person,
        other_id="prospect",
        network="facebook",
        since=None if since_days is None else NOW - timedelta(days=since_days),
        mutual_connections=mutual,
        interactions=inter,
    )


def test_score_in_range_and_contributions_sum() -> None:
    t = tie_strength(_conn("a", n=5, mutual=10), NOW, W)
    assert 0.0 < t.score <= 1.0
    assert t.explanation.total == pytest.approx(t.score)
    assert t.explanation.names() == ["frequency", "recency", "mutual_connections", "duration"]


def test_no_signal_means_zero() -> None:
    assert tie_strength(_conn("a", since_days=None), NOW, W).score == 0.0


def test_more_recent_and_more_frequent_is_stronger() -> None:
    assert (
        tie_strength(_conn("a", n=3, last_days=1), NOW, W).score
        > tie_strength(_conn("a", n=3, last_days=60), NOW, W).score
    )
    assert tie_strength(_conn("a", n=8), NOW, W).score > tie_strength(_conn("a", n=1), NOW, W).score


def test_recency_half_life() -> None:
    only_recency = TieWeights(
        frequency=0, recency=1, mutual_connections=0, duration=0, recency_half_life_days=10
    )
    assert tie_strength(_conn("a", n=1, last_days=10), NOW, only_recency).score == pytest.approx(
        0.5
    )


def test_future_interactions_are_ignored() -> None:
    future = _conn("a", n=1, last_days=-5, since_days=None)
    assert tie_strength(future, NOW, W).score == 0.0


def test_conduit_is_the_strongest_tie_and_runner_ups_are_explained() -> None:
    weak, strong, mid = (
        Customer(customer_id="c-weak"),
        Customer(customer_id="c-strong"),
        Customer(customer_id="c-mid"),
    )
    choice = choose_conduit(
        [
            (weak, _conn("w", n=1, last_days=80)),
            (strong, _conn("s", n=10, mutual=30)),
            (mid, _conn("m", n=3, last_days=5)),
        ],
        NOW,
        W,
    )
    assert choice is not None
    assert choice.customer_id == "c-strong"
    assert [cid for cid, _ in choice.runner_ups] == ["c-mid", "c-weak"]
    assert "c-mid" in choice.explanation.summary and "c-weak" in choice.explanation.summary
    assert choice.score > choice.runner_ups[0][1]


def test_ties_broken_by_customer_id_whatever_the_order() -> None:
    a, b = Customer(customer_id="b-cust"), Customer(customer_id="a-cust")
    c1, c2 = _conn("x", n=2), _conn("y", n=2)
    assert choose_conduit([(a, c1), (b, c2)], NOW, W).customer_id == "a-cust"  # type: ignore[union-attr]
    assert choose_conduit([(b, c2), (a, c1)], NOW, W).customer_id == "a-cust"  # type: ignore[union-attr]


def test_opted_out_customers_are_never_chosen() -> None:
    out = Customer(customer_id="c1", opted_out=True)
    other = Customer(customer_id="c2")
    choice = choose_conduit([(out, _conn("a", n=10)), (other, _conn("b", n=1))], NOW, W)
    assert choice is not None and choice.customer_id == "c2"
    assert "c1" in choice.explanation.summary
    assert choose_conduit([(out, _conn("a"))], NOW, W) is None
    assert choose_conduit([], NOW, W) is None


def test_weights_must_not_all_be_zero() -> None:
    with pytest.raises(ValueError):
        TieWeights(frequency=0, recency=0, mutual_connections=0, duration=0)
