"""B2B warm introductions, the pure parts (seed 004's input and output blocks).

Seed 004's sales process has six blocks: input → retrieve profiles → fusion → ranking →
designating performers → output. Ranking and performers live in :mod:`.ranking` and
:mod:`.performers`; this module holds the two ends:

* **input** — companies named in a list, taken from a CRM account, or entered by hand,
  plus identification criteria (industry, size, region) that select companies from a
  register's prefetch (:class:`Company`, :class:`CompanyCriteria`, :func:`select`);
* **output** — one CRM task per performer (:func:`introduction_task`; by default one
  performer per contact, :func:`keep_performers`), whose id is a
  digest of (performer, contact) alone (:func:`task_id_for`): re-running the process for
  the same company creates nothing new, and a salesperson's edits to the task (done,
  notes) are never overwritten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import Field, model_validator

from socialreferral.domain._base import DomainModel
from socialreferral.domain.crm import CrmTask
from socialreferral.people.paths import IntroPath
from socialreferral.people.performers import PerformerTask

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$"
MAX_COMPANIES = 200
TASK_KIND = "b2b-introduction"


class Company(DomainModel):
    """A company as a register (or the CRM, or a person typing) describes it."""

    company_id: str = Field(pattern=_ID)
    name: str = Field(min_length=1, max_length=200)
    industry: str = Field(default="", max_length=100)
    employees: int | None = Field(default=None, ge=0)
    region: str = Field(default="", max_length=100)
    account_id: str | None = Field(default=None, pattern=_ID)


class CompanyCriteria(DomainModel):
    """Identification criteria (seed 004: "industry, size, region"); empty = any."""

    industry: str | None = Field(default=None, max_length=100)
    min_employees: int | None = Field(default=None, ge=0)
    max_employees: int | None = Field(default=None, ge=0)
    region: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _range(self) -> CompanyCriteria:
        if (self.min_employees is not None and self.max_employees is not None
                and self.min_employees > self.max_employees):
            raise ValueError("min_employees is above max_employees")
        return self

    @property
    def empty(self) -> bool:
        """True when no criterion is set."""
        return not (self.industry or self.region or self.min_employees is not None
                    or self.max_employees is not None)

    def matches(self, company: Company) -> bool:
        """Whether ``company`` meets every criterion (text compared case-insensitively;
        an unknown size fails a size criterion)."""
        if self.industry and company.industry.casefold() != self.industry.casefold():
            return False
        if self.region and company.region.casefold() != self.region.casefold():
            return False
        size = company.employees
        if self.min_employees is not None and (size is None or size < self.min_employees):
            return False
        return not (self.max_employees is not None
                    and (size is None or size > self.max_employees))


class B2BRequest(DomainModel):
    """One run of the sales process, as a user asked for it.

    Companies come from ``companies`` (names or ids looked up in the register),
    ``crm_account`` (the company of a CRM account, through its contacts), ``manual``
    (entered by hand) and, when set, ``criteria`` (the register's companies that match).
    """

    requested_by: str = Field(min_length=1, max_length=128)
    companies: tuple[str, ...] = Field(default=(), max_length=MAX_COMPANIES)
    crm_account: str | None = Field(default=None, pattern=_ID)
    manual: tuple[Company, ...] = Field(default=(), max_length=MAX_COMPANIES)
    criteria: CompanyCriteria = CompanyCriteria()
    top: int = Field(default=10, ge=1, le=1000)
    k: int = Field(default=5, ge=1, le=100)
    performers_per_contact: int = Field(
        default=1, ge=1, le=100,
        description="tasks per contact: the performers of the best paths; the other "
                    "performers' paths stay in the task as alternatives",
    )
    blacklist: tuple[str, ...] = Field(default=(), max_length=10_000)

    @model_validator(mode="after")
    def _some_input(self) -> B2BRequest:
        if not (self.companies or self.crm_account or self.manual or not self.criteria.empty):
            raise ValueError("name companies, a CRM account, a manual entry or criteria")
        return self


def select(companies: Iterable[Company], request: B2BRequest,
           account_companies: Iterable[str] = ()) -> list[Company]:
    """The companies a request targets, in a stable order (by name, then id).

    A named company (``request.companies`` or ``account_companies``) matches a register
    entry by id or by name, case-insensitively; ``request.manual`` entries are taken as
    given; with criteria, every register company meeting them is added. Named and manual
    companies must also meet the criteria when some are set (the criteria narrow a list).
    """
    known = list(companies)
    wanted = {n.casefold() for n in (*request.companies, *account_companies)}
    chosen: dict[str, Company] = {}
    for company in known:
        named = company.company_id.casefold() in wanted or company.name.casefold() in wanted
        by_criteria = not request.criteria.empty and request.criteria.matches(company)
        if (named and request.criteria.matches(company)) or by_criteria:
            chosen[company.company_id] = company
    for company in request.manual:
        if request.criteria.matches(company):
            chosen.setdefault(company.company_id, company)
    return sorted(chosen.values(), key=lambda c: (c.name.casefold(), c.company_id))


def task_id_for(performer: str, contact_id: str) -> str:
    """The CRM task id of ``performer`` approaching ``contact_id``: a digest of the pair
    alone, so every run asks for the same task and creates it at most once."""
    digest = hashlib.sha256(f"{TASK_KIND}\x1f{performer}\x1f{contact_id}".encode()).hexdigest()
    return f"b2b-{digest[:32]}"


def _path_view(path: IntroPath, names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "people": [{"id": p, "name": names.get(p, "")} for p in path.people],
        "cost": round(path.cost, 6),
        "score": round(path.score, 6),
        "explanation": path.explanation.summary,
    }


def introduction_task(task: PerformerTask, *, names: Mapping[str, str], requested_by: str,
                      created_at: datetime) -> CrmTask:
    """The CRM task for one performer (seed 004's output: performer, company info,
    contacts info, the path and the reasons)."""
    contact = names.get(task.contact_id) or task.contact_id
    performer = names.get(task.performer) or task.performer
    via = [names.get(p) or p for p in task.path.intermediaries]
    subject = f"Warm introduction: {performer} to {contact}"
    if task.company:
        subject += f" ({task.company})"
    if via:
        subject += " via " + ", ".join(via)
    return CrmTask(
        task_id=task_id_for(task.performer, task.contact_id),
        subject=subject[:400],
        assignee=task.performer,
        related_id=task.contact_id,
        details={
            "kind": TASK_KIND,
            "requested_by": requested_by,
            "contact": {"id": task.contact_id, "name": names.get(task.contact_id, ""),
                        "company": task.company, "score": round(task.contact_score, 6)},
            "path": _path_view(task.path, names),
            "alternatives": [_path_view(p, names) for p in task.alternatives],
            "reasons": list(task.reasons),
        },
        created_at=created_at,
    )


def keep_performers(tasks: Sequence[PerformerTask], per_contact: int) -> list[PerformerTask]:
    """At most ``per_contact`` tasks per contact (``tasks`` as designated: by contact rank,
    then path cost); each kept task also lists the dropped performers' paths among its
    alternatives, so the k best paths stay visible in the CRM."""
    by_contact: dict[str, list[PerformerTask]] = {}
    for task in tasks:
        by_contact.setdefault(task.contact_id, []).append(task)
    kept: list[PerformerTask] = []
    for group in by_contact.values():
        dropped = [p for t in group[per_contact:] for p in (t.path, *t.alternatives)]
        for task in group[:per_contact]:
            others = sorted((*task.alternatives, *dropped), key=lambda p: (p.cost, p.people))
            kept.append(task.model_copy(update={"alternatives": tuple(others)}))
    return kept


def people_on(tasks: Sequence[PerformerTask]) -> set[str]:
    """Every person id a set of tasks names (performers, paths, alternatives)."""
    found: set[str] = set()
    for task in tasks:
        found.update(task.path.people)
        for path in task.alternatives:
            found.update(path.people)
    return found


__all__ = [
    "MAX_COMPANIES",
    "TASK_KIND",
    "B2BRequest",
    "Company",
    "CompanyCriteria",
    "introduction_task",
    "keep_performers",
    "people_on",
    "select",
    "task_id_for",
]
