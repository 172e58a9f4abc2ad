"""The B2B sales process of seed 004, end to end: companies in, CRM tasks out.

1. **Input** — the request's companies (names, a CRM account, manual entries) and
   criteria, resolved against the directory's companies (:func:`~socialreferral.people.
   b2b.select`).
2. **Retrieve profiles** — each company's employee profiles from the
   :class:`~socialreferral.ports.directory.CompanyDirectory`, captured like any source.
3. **Fuse** — incremental linking (a full run when none has happened), so an employee
   the CRM or a social login already knows becomes one person with them.
4. **Rank** — the employees (as fused people) by title, ties to our staff and freshness.
5. **Designate performers** — the k best paths from our staff to each top contact over
   the :class:`~socialreferral.ports.directory.ContactNetwork`, through fused people
   (two profiles of one intermediary are one node), with the requesting user's blacklist
   (stored plus the request's) on every path and each employee's own on theirs.
6. **Output** — one CRM task per performer and contact with the path and the reasons
   (``performers_per_contact`` performers per contact, 1 by default: the best path's;
   the others' paths are the task's alternatives), created once: the task id is a
   digest of the pair, an existing task is left as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.errors import CRMRecordNotFound
from socialreferral.people.b2b import (
    B2BRequest,
    Company,
    introduction_task,
    keep_performers,
    select,
)
from socialreferral.people.graph import Person, SocialGraph, Tie
from socialreferral.people.paths import Blacklist
from socialreferral.people.performers import PerformerTask, designate_performers
from socialreferral.people.profiles import CapturedProfile
from socialreferral.people.ranking import Contact, RankedContact, rank_contacts
from socialreferral.people.settings import PeopleSettings
from socialreferral.ports import CRM
from socialreferral.ports.directory import CompanyDirectory, ContactNetwork
from socialreferral.repositories import Repositories
from socialreferral.service.people.fusion import FusionRun, run_fusion


class B2BRun(DomainModel):
    """What one run of the sales process found and created."""

    companies: tuple[Company, ...]
    profiles: int = Field(ge=0, description="employee profiles retrieved")
    fusion: FusionRun
    ranked: tuple[RankedContact, ...]
    tasks: tuple[PerformerTask, ...]
    created: tuple[str, ...] = Field(description="CRM task ids created by this run")
    existing: tuple[str, ...] = Field(description="task ids that existed already")
    names: dict[str, str] = Field(default_factory=dict, description="person id -> name")


def _contacts(captures: Sequence[CapturedProfile], owners: dict[str, str],
              repositories: Repositories) -> list[Contact]:
    """One contact per fused person among the employees: the latest capture's title and
    company, the person's golden name."""
    latest: dict[str, CapturedProfile] = {}
    for capture in sorted(captures, key=lambda c: (c.captured_at, c.record_id)):
        person = owners.get(capture.record_id)
        if person is not None:
            latest[person] = capture
    contacts = []
    for person, capture in sorted(latest.items()):
        cluster = repositories.people.cluster(person)
        name = capture.display_name
        if cluster is not None:
            golden = cluster.golden
            name = " ".join(filter(None, (golden.value("first_name"),
                                          golden.value("last_name")))) or name
        contacts.append(Contact(person_id=person, display_name=name[:200],
                                company=capture.attributes.get("company", "")[:200],
                                title=capture.attributes.get("title", "")[:200],
                                updated_at=capture.captured_at))
    return contacts


def _graph(network: ContactNetwork, node_of: dict[str, str],
           contacts: Sequence[Contact]) -> tuple[SocialGraph, list[str], dict[str, str]]:
    """The introduction graph with fused people as nodes; staff ids; names."""
    staff = network.staff()
    people: dict[str, Person] = {p.person_id: p for p in network.people()}
    people.update({p.person_id: p for p in staff})
    for contact in contacts:
        people[contact.person_id] = Person(person_id=contact.person_id,
                                           display_name=contact.display_name,
                                           title=contact.title, company=contact.company,
                                           updated_at=contact.updated_at)
    ties = []
    for tie in network.ties():
        a, b = node_of.get(tie.a, tie.a), node_of.get(tie.b, tie.b)
        if a != b:
            ties.append(Tie(a=a, b=b, strength=tie.strength))
    names = {pid: p.display_name for pid, p in people.items() if p.display_name}
    return SocialGraph(people.values(), ties), [p.person_id for p in staff], names


def run_b2b(repositories: Repositories, crm: CRM, directory: CompanyDirectory,
            network: ContactNetwork, request: B2BRequest, settings: PeopleSettings, *,
            now: datetime, spark_session: Any = None) -> B2BRun:
    """Run the sales process for ``request`` (module docstring)."""
    account_companies: list[str] = []
    if request.crm_account:
        account_companies = sorted({c.company for c in crm.list_contacts(
            account_id=request.crm_account) if c.company})
    companies = select(directory.companies(), request, account_companies)
    captures = [p for company in companies for p in directory.employees(company)]
    repositories.profiles.capture_many(captures)
    fusion = run_fusion(repositories, settings, now=now, mode="incremental",
                        spark_session=spark_session)
    owners = repositories.people.clusters_of(c.record_id for c in captures)
    contacts = _contacts(captures, owners, repositories)
    node_of = {c.external_id: owners[c.record_id] for c in captures if c.record_id in owners}
    graph, staff, names = _graph(network, node_of, contacts)
    ranked = rank_contacts(contacts, now=now, graph=graph, employees=staff)
    stored = repositories.blacklists.get(request.requested_by)
    requested = Blacklist.of(request.blacklist)
    blacklist = Blacklist(contacts=stored.contacts | requested.contacts,
                          ties=stored.ties | requested.ties)
    designated = designate_performers(graph, ranked, staff, top=request.top, k=request.k,
                                      blacklist=blacklist,
                                      employee_blacklists=repositories.blacklists.of(staff))
    tasks = keep_performers(designated, request.performers_per_contact)
    created, existing = [], []
    for task in tasks:
        record = introduction_task(task, names=names, requested_by=request.requested_by,
                                   created_at=now)
        try:
            crm.get_task(record.task_id)
            existing.append(record.task_id)
        except CRMRecordNotFound:
            crm.save_task(record)
            created.append(record.task_id)
    return B2BRun(companies=tuple(companies), profiles=len(captures), fusion=fusion,
                  ranked=tuple(ranked), tasks=tuple(tasks), created=tuple(created),
                  existing=tuple(existing), names=names)


__all__ = ["B2BRun", "run_b2b"]
