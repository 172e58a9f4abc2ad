"""Designating performers: one task per employee, per-user blacklists."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from socialreferral.errors import InvalidInput
from socialreferral.people import (
    Blacklist,
    Contact,
    Person,
    SocialGraph,
    Tie,
    designate_performers,
    rank_contacts,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def graph() -> SocialGraph:
    people = [
        Person(person_id="ann", is_employee=True, is_sales=True),
        Person(person_id="bob", is_employee=True),
    ]
    ties = [
        Tie(a="ann", b="mutual1", strength=0.9),
        Tie(a="mutual1", b="buyer", strength=0.9),
        Tie(a="bob", b="mutual2", strength=0.6),
        Tie(a="mutual2", b="buyer", strength=0.6),
        Tie(a="ann", b="mutual2", strength=0.3),
        Tie(a="bob", b="engineer", strength=0.8),
    ]
    return SocialGraph(people, ties)


def contacts() -> list[Contact]:
    return [
        Contact(person_id="buyer", title="Head of Procurement", company="Acme"),
        Contact(person_id="engineer", title="Engineer", company="Acme"),
        Contact(person_id="ghost", title="CEO", company="Acme"),  # not in the graph
    ]


def test_one_task_per_performer_with_path_and_reasons(graph: SocialGraph) -> None:
    ranked = rank_contacts(contacts(), now=NOW, graph=graph, employees=["ann", "bob"])
    tasks = designate_performers(graph, ranked, ["ann", "bob"], k=5)
    by_contact: dict[str, list[str]] = {}
    for task in tasks:
        by_contact.setdefault(task.contact_id, []).append(task.performer)
        assert task.path.people[0] == task.performer
        assert task.path.people[-1] == task.contact_id
        assert len(task.reasons) == 3
    assert sorted(by_contact["buyer"]) == ["ann", "bob"]
    assert by_contact["engineer"][0] == "bob"  # bob knows the engineer directly
    assert "ghost" not in by_contact
    ann = next(t for t in tasks if t.performer == "ann" and t.contact_id == "buyer")
    assert ann.path.people == ("ann", "mutual1", "buyer")
    assert all(a.performer == "ann" for a in ann.alternatives)


def test_employee_blacklist_applies_only_to_that_employee(graph: SocialGraph) -> None:
    ranked = rank_contacts(contacts()[:1], now=NOW)
    own = {"ann": Blacklist(contacts=frozenset({"mutual1"}))}
    tasks = designate_performers(graph, ranked, ["ann", "bob"], employee_blacklists=own)
    ann = next(t for t in tasks if t.performer == "ann")
    assert "mutual1" not in ann.path.people
    assert ann.path.people == ("ann", "mutual2", "buyer")
    bob = next(t for t in tasks if t.performer == "bob")
    assert bob.path.people == ("bob", "mutual2", "buyer")


def test_request_blacklist_applies_to_everyone(graph: SocialGraph) -> None:
    ranked = rank_contacts(contacts()[:1], now=NOW)
    tasks = designate_performers(graph, ranked, ["ann", "bob"], blacklist=["mutual2", "mutual1"])
    assert tasks == []
    with pytest.raises(InvalidInput):
        designate_performers(graph, ranked, ["ann"], top=0)
