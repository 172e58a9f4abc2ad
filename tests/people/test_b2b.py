"""B2B input and output (seed 004's first and last blocks): company selection by names,
CRM account and criteria; one performer per contact with the others' paths kept as
alternatives; CRM tasks with deterministic ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from socialreferral.people import (
    B2BRequest,
    Company,
    CompanyCriteria,
    Contact,
    Person,
    SocialGraph,
    Tie,
    designate_performers,
    rank_contacts,
)
from socialreferral.people.b2b import introduction_task, keep_performers, select, task_id_for

NOW = datetime(2026, 6, 1, tzinfo=UTC)
REGISTER = [
    Company(company_id="c1", name="Acme Tools", industry="manufacturing", employees=900,
            region="UK"),
    Company(company_id="c2", name="Globex Foods", industry="food", employees=120,
            region="France"),
    Company(company_id="c3", name="Initech", industry="software", region="UK"),
]


def test_companies_by_name_id_account_and_criteria() -> None:
    request = B2BRequest(requested_by="u", companies=("acme tools", "c3"))
    assert [c.company_id for c in select(REGISTER, request)] == ["c1", "c3"]
    by_account = B2BRequest(requested_by="u", crm_account="acct-1")
    assert [c.company_id for c in select(REGISTER, by_account, ["Globex Foods"])] == ["c2"]
    uk_large = B2BRequest(requested_by="u", criteria=CompanyCriteria(region="uk",
                                                                     min_employees=500))
    # Initech's size is unknown: a size criterion does not take it.
    assert [c.company_id for c in select(REGISTER, uk_large)] == ["c1"]
    narrowed = B2BRequest(requested_by="u", companies=("Acme Tools", "Globex Foods"),
                          criteria=CompanyCriteria(industry="Food"))
    assert [c.company_id for c in select(REGISTER, narrowed)] == ["c2"]
    manual = B2BRequest(requested_by="u", manual=(Company(company_id="m1", name="Hand Co"),))
    assert [c.company_id for c in select(REGISTER, manual)] == ["m1"]
    with pytest.raises(ValueError):
        B2BRequest(requested_by="u")
    with pytest.raises(ValueError):
        CompanyCriteria(min_employees=10, max_employees=5)


def _tasks() -> list:  # type: ignore[type-arg]
    graph = SocialGraph(
        [Person(person_id="ann", is_employee=True, is_sales=True),
         Person(person_id="bob", is_employee=True)],
        [Tie(a="ann", b="m1", strength=0.9), Tie(a="m1", b="cfo", strength=0.9),
         Tie(a="bob", b="m2", strength=0.6), Tie(a="m2", b="cfo", strength=0.6),
         Tie(a="ann", b="m2", strength=0.3)])
    ranked = rank_contacts([Contact(person_id="cfo", display_name="Carla", title="CFO",
                                    company="Acme")], now=NOW, graph=graph,
                           employees=["ann", "bob"])
    return designate_performers(graph, ranked, ["ann", "bob"], k=5)


def test_one_performer_per_contact_keeps_the_other_paths() -> None:
    tasks = _tasks()
    assert {t.performer for t in tasks} == {"ann", "bob"}
    every = sorted(p.people for t in tasks for p in (t.path, *t.alternatives))
    [kept] = keep_performers(tasks, 1)
    assert kept.performer == "ann" and kept.path.people == ("ann", "m1", "cfo")
    assert sorted(p.people for p in (kept.path, *kept.alternatives)) == every
    costs = [p.cost for p in kept.alternatives]
    assert costs == sorted(costs)
    assert len(keep_performers(tasks, 2)) == 2


def test_crm_task_has_a_deterministic_id_the_path_and_the_reasons() -> None:
    [task] = keep_performers(_tasks(), 1)
    names = {"ann": "Ann Seller", "m1": "Mo Middle", "cfo": "Carla Finch"}
    crm = introduction_task(task, names=names, requested_by="ann", created_at=NOW)
    again = introduction_task(task, names={}, requested_by="bob", created_at=NOW)
    assert crm.task_id == again.task_id == task_id_for("ann", "cfo")
    assert task_id_for("bob", "cfo") != crm.task_id
    assert crm.subject == "Warm introduction: Ann Seller to Carla Finch (Acme) via Mo Middle"
    assert crm.assignee == "ann" and crm.related_id == "cfo"
    assert crm.details["path"]["people"] == [{"id": "ann", "name": "Ann Seller"},
                                             {"id": "m1", "name": "Mo Middle"},
                                             {"id": "cfo", "name": "Carla Finch"}]
    assert len(crm.details["reasons"]) == 3 and crm.details["alternatives"]
