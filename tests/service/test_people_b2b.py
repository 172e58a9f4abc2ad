"""The B2B sales process through the service (seed 004): companies in, one CRM task per
performer out, created once; blacklists never crossed; contacts ranked by title.
Backend: the local provider in tmp_path; the replay directory from test data."""

from __future__ import annotations

import itertools

import pytest
from people_helpers import NOW, b2b_world

from socialreferral.bootstrap import Providers
from socialreferral.domain.crm import CrmContact
from socialreferral.people.b2b import B2BRequest, CompanyCriteria, task_id_for
from socialreferral.people.demo_b2b import demo_world
from socialreferral.people.paths import IntroPath
from socialreferral.providers.local.directory import ReplayDirectory
from socialreferral.service.people import run_b2b
from socialreferral.service.people.b2b import B2BRun


def _run(providers: Providers, directory: ReplayDirectory, request: B2BRequest) -> B2BRun:
    return run_b2b(providers.repositories, providers.crm, directory, directory, request,
                   providers.settings.people, now=NOW)


def _ties(path: IntroPath) -> set[frozenset[str]]:
    return {frozenset(pair) for pair in itertools.pairwise(path.people)}


def test_one_task_per_performer_created_once(providers: Providers) -> None:
    directory = ReplayDirectory(b2b_world())
    request = B2BRequest(requested_by="emp-s1", companies=("Acme Tools",), top=5, k=3)
    first = _run(providers, directory, request)
    assert [c.company_id for c in first.companies] == ["acme"]
    assert first.profiles == 3 and first.fusion.linked == 3
    # Ranked by title: the CFO and the buyer before the (stale) assistant.
    roles = [r.title.title_class for r in first.ranked]
    assert roles == ["decision_maker", "buyer", "other"]
    assert first.ranked[0].contact.display_name == "Carla Finch"
    cfo = first.ranked[0].contact.person_id
    cfo_task = next(t for t in first.tasks if t.contact_id == cfo)
    # The best path runs through the strong bridge, from the sales colleague.
    assert cfo_task.path.people == ("emp-s1", "x-bridge", cfo)
    assert len({t.contact_id for t in first.tasks}) == len(first.tasks)  # one performer each
    tasks = {t.task_id: t for t in providers.crm.list_tasks()}
    assert set(first.created) == set(tasks) and not first.existing
    record = tasks[task_id_for("emp-s1", cfo)]
    assert record.assignee == "emp-s1" and record.related_id == cfo
    assert "Carla Finch" in record.subject and "Bea Bridge" in record.subject
    details = record.details
    assert [p["id"] for p in details["path"]["people"]] == ["emp-s1", "x-bridge", cfo]
    assert details["alternatives"] and details["reasons"][1].startswith("role:")
    # A salesperson marks the task done; the re-run creates nothing and changes nothing.
    providers.crm.save_task(record.model_copy(update={"done": True}))
    again = _run(providers, directory, request)
    assert again.created == () and set(again.existing) == set(first.created)
    after = {t.task_id: t for t in providers.crm.list_tasks()}
    assert set(after) == set(tasks) and after[record.task_id].done


def test_fusion_joins_crm_contacts_and_second_network_profiles(providers: Providers) -> None:
    world = b2b_world()
    world["employees"].append({
        "company_id": "acme", "id": "acme-cfo-xing", "network": "xing",
        "handle": "carlafinch", "first_name": "C.", "last_name": "Finch",
        "email": "carla.finch@acme.example", "title": "CFO"})
    world["ties"].append({"a": "emp-s2", "b": "acme-cfo-xing", "strength": 0.95})
    providers.crm.save_contact(CrmContact(contact_id="k-cfo", first_name="Carla",
                                          last_name="Finch", email="Carla.Finch@acme.example",
                                          company="Acme Tools", updated_at=NOW))
    from socialreferral.service.people import import_crm_contacts, run_fusion

    import_crm_contacts(providers.repositories, providers.crm)
    run_fusion(providers.repositories, providers.settings.people, now=NOW, mode="full")
    directory = ReplayDirectory(world)
    run = _run(providers, directory, B2BRequest(requested_by="emp-s1",
                                                companies=("acme",), top=1, k=3))
    cfo = run.ranked[0].contact.person_id
    owners = providers.repositories.people.clusters_of(
        ["crm:k-cfo", "register:linkedin:acme-cfo", "register:xing:acme-cfo-xing"])
    assert set(owners.values()) == {cfo}  # three sources, one person, one graph node
    [task] = run.tasks
    # The tie known only through the second network's profile is the strongest path.
    assert task.path.people == ("emp-s2", cfo)


def test_blacklists_are_never_crossed(providers: Providers) -> None:
    world = demo_world(5, now=NOW)
    directory = ReplayDirectory(world.directory)
    staff = [p["person_id"] for p in world.directory["staff"]]
    # Intermediaries one hop from our staff: banning them matters (not vacuous).
    people = sorted({t["b"] for t in world.directory["ties"]
                     if t["a"] in staff and t["b"].startswith("x-")})
    assert len(people) >= 7
    stored_contacts, stored_ties = people[:3], [(staff[0], people[3])]
    providers.repositories.blacklists.add(world.requested_by, stored_contacts, stored_ties)
    own = {staff[1]: people[4], staff[2]: people[5]}
    for employee, contact in own.items():
        providers.repositories.blacklists.add(employee, [contact])
    request = B2BRequest(requested_by=world.requested_by, companies=tuple(world.companies),
                         top=20, k=5, performers_per_contact=3, blacklist=(people[6],))
    run = _run(providers, directory, request)
    assert run.tasks, "the world should offer paths"
    banned = {*stored_contacts, people[6]}
    banned_ties = {frozenset(t) for t in stored_ties}
    for task in run.tasks:
        for path in (task.path, *task.alternatives):
            assert not banned & set(path.people), path.people
            assert not banned_ties & _ties(path), path.people
            if path.performer in own:
                assert own[path.performer] not in path.people, path.people


def test_companies_from_criteria_and_crm_account(providers: Providers) -> None:
    directory = ReplayDirectory(b2b_world())
    by_criteria = _run(providers, directory, B2BRequest(
        requested_by="emp-s1", criteria=CompanyCriteria(industry="Food", region="france")))
    assert [c.company_id for c in by_criteria.companies] == ["globex"]
    providers.crm.save_contact(CrmContact(contact_id="k-9", last_name="Any",
                                          company="Acme Tools", account_id="acct-acme",
                                          updated_at=NOW))
    by_account = _run(providers, directory, B2BRequest(requested_by="emp-s1",
                                                       crm_account="acct-acme"))
    assert [c.company_id for c in by_account.companies] == ["acme"]
    with pytest.raises(ValueError):
        B2BRequest(requested_by="emp-s1")  # no input at all
