"""B2B targets as the sales process left them: the introduction tasks in the CRM, grouped
by company, contacts ranked, each with the chosen path and its alternatives.

The sales process (:mod:`.b2b`) writes one CRM task per performer and contact
(:func:`~socialreferral.people.b2b.introduction_task`): the CRM is where salespeople work
them, so it is also what the console reads back — no second copy of the results is kept.
A task's ``details`` are the process's own output; a task of another kind is ignored.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain.crm import CrmTask
from socialreferral.people.b2b import TASK_KIND
from socialreferral.ports import CRM

MAX_TASKS = 5_000


class PathStep(DomainModel):
    """One person on an introduction path."""

    person_id: str
    name: str = ""


class IntroPathView(DomainModel):
    """A path from our staff member to the contact, with its score and why."""

    people: tuple[PathStep, ...]
    score: float
    explanation: str = ""


class TargetContact(DomainModel):
    """A contact at a target company, the performer chosen and the path."""

    task_id: str
    contact_id: str
    contact_name: str = ""
    contact_score: float
    performer: str | None
    path: IntroPathView | None
    alternatives: tuple[IntroPathView, ...] = ()
    reasons: tuple[str, ...] = ()
    requested_by: str = ""
    done: bool = False


class B2BTarget(DomainModel):
    """A target company with its contacts, best first."""

    company: str
    contacts: tuple[TargetContact, ...] = Field(default=())


def _path(value: Any) -> IntroPathView | None:
    if not isinstance(value, dict):
        return None
    people = tuple(PathStep(person_id=str(p.get("id", "")), name=str(p.get("name", "")))
                   for p in value.get("people", []) if isinstance(p, dict))
    return IntroPathView(people=people, score=float(value.get("score", 0.0)),
                         explanation=str(value.get("explanation", "")))


def _contact(task: CrmTask) -> tuple[str, TargetContact]:
    details = task.details
    found = details.get("contact")
    contact: dict[str, Any] = found if isinstance(found, dict) else {}
    alternatives = [p for p in (_path(a) for a in details.get("alternatives", []))
                    if p is not None]
    return str(contact.get("company", "") or "unknown company"), TargetContact(
        task_id=task.task_id, contact_id=str(contact.get("id", task.related_id or "")),
        contact_name=str(contact.get("name", "")),
        contact_score=float(contact.get("score", 0.0)), performer=task.assignee,
        path=_path(details.get("path")), alternatives=tuple(alternatives),
        reasons=tuple(str(r) for r in details.get("reasons", [])),
        requested_by=str(details.get("requested_by", "")), done=task.done)


def introduction_targets(crm: CRM) -> list[B2BTarget]:
    """The companies with introduction tasks, each with its contacts by score (best
    first); companies by their best contact."""
    groups: dict[str, list[TargetContact]] = {}
    for task in crm.list_tasks()[:MAX_TASKS]:
        if task.details.get("kind") != TASK_KIND:
            continue
        company, contact = _contact(task)
        groups.setdefault(company, []).append(contact)
    targets = [B2BTarget(company=company, contacts=tuple(sorted(
        contacts, key=lambda c: (-c.contact_score, c.contact_id))))
        for company, contacts in groups.items()]
    return sorted(targets, key=lambda t: (-t.contacts[0].contact_score, t.company))


__all__ = ["B2BTarget", "IntroPathView", "PathStep", "TargetContact", "introduction_targets"]
