"""Eligibility thresholds."""

from __future__ import annotations

import pytest

from socialreferral.domain.eligibility import EligibilityRules, assess_eligibility
from socialreferral.domain.social import Connection, Profile

RULES = EligibilityRules(min_connections=3, min_influence=0.2, min_activity_per_30d=2)
ME = Profile(person_id="me", network="facebook")


def _conns(n: int) -> list[Connection]:
    return [Connection(person_id="me", other_id=f"f{i}", network="facebook") for i in range(n)]


def test_eligible_exactly_at_thresholds() -> None:
    e = assess_eligibility(ME, _conns(3), 2, 0.2, RULES)
    assert e.eligible and e.failed == ()
    assert e.explanation.names() == ["connections", "influence", "activity_30d"]


@pytest.mark.parametrize(
    ("connections", "activity", "influence", "failed"),
    [
        (2, 2, 0.2, ("connections",)),
        (3, 1, 0.2, ("activity_30d",)),
        (3, 2, 0.19, ("influence",)),
        (0, 0, 0.0, ("connections", "influence", "activity_30d")),
    ],
)
def test_each_threshold(
    connections: int, activity: int, influence: float, failed: tuple[str, ...]
) -> None:
    e = assess_eligibility(ME, _conns(connections), activity, influence, RULES)
    assert not e.eligible
    assert e.failed == failed
    for name in failed:
        assert e.explanation.factor(name).value == 0.0
        assert name in e.explanation.summary


def test_duplicate_and_foreign_connections_do_not_count() -> None:
    conns = _conns(2) + _conns(2) + [Connection(person_id="other", other_id="z", network="x")]
    assert not assess_eligibility(ME, conns, 5, 1.0, RULES).eligible


def test_reported_total_counts_when_the_list_is_partial() -> None:
    # /me/friends lists only friends who use the app; the profile carries the total.
    popular = Profile(person_id="me", network="facebook", followers=500)
    assert assess_eligibility(popular, _conns(1), 5, 1.0, RULES).eligible
