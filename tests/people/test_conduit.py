"""The conduit lookup on the graph agrees with the referral flow's choose_conduit."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from socialreferral.domain.customers import Customer
from socialreferral.domain.social import Connection, Interaction
from socialreferral.domain.ties import TieWeights, choose_conduit
from socialreferral.people import Person, SocialGraph, Tie, strongest_tie

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def test_strongest_tie_matches_choose_conduit() -> None:
    rng = random.Random(3)
    weights = TieWeights()
    prospect = "friend"
    candidates: list[tuple[Customer, Connection]] = []
    for i in range(12):
        interactions = tuple(
            Interaction(kind="like", at=NOW - timedelta(days=rng.randint(0, 200)))
            for _ in range(rng.randint(0, 15))
        )
        connection = Connection(
            person_id=f"fb{i}",
            other_id=prospect,
            network="facebook",
            since=NOW - timedelta(days=rng.randint(1, 2000)),
            mutual_connections=rng.randint(0, 40),
            interactions=interactions,
        )
        customer = Customer(
            customer_id=f"c{i}", social_accounts={"facebook": f"fb{i}"}, opted_out=i % 5 == 0
        )
        candidates.append((customer, connection))
    expected = choose_conduit(candidates, NOW, weights)
    assert expected is not None
    graph = SocialGraph.from_connections((c for _, c in candidates), NOW, weights)
    eligible = {c.person_id("facebook") or "" for c, _ in candidates if not c.opted_out}
    choice = strongest_tie(graph, prospect, eligible)
    assert choice is not None
    winner = next(c for c, _ in candidates if c.owns("facebook", choice.person_id))
    assert winner.customer_id == expected.customer_id
    assert choice.strength == pytest.approx(expected.score)


def test_ties_break_by_id_and_unknowns_give_none() -> None:
    graph = SocialGraph(
        [Person(person_id="b")],
        [
            Tie(a="b", b="p", strength=0.7),
            Tie(a="a", b="p", strength=0.7),
            Tie(a="c", b="p", strength=0.2),
        ],
    )
    choice = strongest_tie(graph, "p")
    assert choice is not None and choice.person_id == "a"
    assert choice.runner_ups == (("b", 0.7), ("c", 0.2))
    assert strongest_tie(graph, "p", ["c", "zz"]) == strongest_tie(graph, "p", {"c"})
    assert strongest_tie(graph, "nobody") is None
    assert strongest_tie(graph, "p", ["zz"]) is None


def test_ties_without_evidence_still_compete_as_in_the_referral_flow() -> None:
    """A tie scoring 0 is chosen when nothing better exists (smallest customer id), and
    a positive score, however small, beats it."""
    weights = TieWeights()
    bare = [
        (Customer(customer_id=cid), Connection(person_id=f"fb-{cid}", other_id="friend",
                                                network="facebook"))
        for cid in ("c2", "c1")
    ]
    choice = choose_conduit(bare, NOW, weights)
    assert choice is not None and choice.customer_id == "c1" and choice.score == 0.0
    assert choice.runner_ups == (("c2", 0.0),)
    ancient = Connection(person_id="fb-c3", other_id="friend", network="facebook",
                         interactions=(Interaction(kind="like", at=NOW - timedelta(days=9000)),))
    choice = choose_conduit([*bare, (Customer(customer_id="c3"), ancient)], NOW, weights)
    assert choice is not None and choice.customer_id == "c3" and 0 < choice.score < 1e-50
