"""Designating performers: who in our company should approach each top contact, and how.

For each of the best-ranked contacts, the k best introduction paths from any of our
employees (:func:`~socialreferral.people.paths.warm_paths`) are grouped by the employee
they start from; each such employee becomes one task-to-be, carrying the best path, the
alternatives through other intermediaries, and the reasons (why this contact, why this
path). The CRM adapter turns these into tasks later; nothing here calls a CRM.

Blacklists are per user (seed 004: "the user could create a blacklist, which specifies
that some of his or her contacts should not be considered"): the requesting user's list
applies to every path; an employee's own list applies to paths that employee performs.
Employees without a list of their own are searched together in one query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.errors import InvalidInput
from socialreferral.people.graph import SocialGraph
from socialreferral.people.paths import MAX_K, Blacklist, IntroPath, warm_paths
from socialreferral.people.ranking import RankedContact

MAX_CONTACTS = 1_000


class PerformerTask(DomainModel):
    """One task-to-be: ``performer`` approaches ``contact_id`` along ``path``."""

    performer: str
    contact_id: str
    company: str = ""
    contact_score: float = Field(ge=0.0, le=1.0)
    path: IntroPath
    alternatives: tuple[IntroPath, ...] = ()
    reasons: tuple[str, ...]


def _merge(blacklists: Iterable[Blacklist]) -> Blacklist:
    contacts: set[str] = set()
    ties: set[tuple[str, str]] = set()
    for b in blacklists:
        contacts |= b.contacts
        ties |= b.ties
    return Blacklist(contacts=frozenset(contacts), ties=frozenset(ties))


def paths_for(
    graph: SocialGraph,
    employees: Iterable[str],
    target: str,
    *,
    k: int,
    blacklist: Blacklist,
    employee_blacklists: Mapping[str, Blacklist],
) -> list[IntroPath]:
    """The k best paths to ``target`` over all employees, each under its own blacklist."""
    staff = sorted(set(employees))
    shared = [e for e in staff if not employee_blacklists.get(e)]
    groups: list[tuple[list[str], Blacklist]] = []
    if shared:
        groups.append((shared, blacklist))
    groups += [
        ([e], _merge([blacklist, employee_blacklists[e]]))
        for e in staff
        if employee_blacklists.get(e)
    ]
    found: list[IntroPath] = []
    for sources, banned in groups:
        found += warm_paths(graph, sources, target, k=k, blacklist=banned)
    found.sort(key=lambda p: (p.cost, p.people))
    return found[:k]


def designate_performers(
    graph: SocialGraph,
    contacts: Iterable[RankedContact],
    employees: Iterable[str],
    *,
    top: int = 10,
    k: int = 5,
    blacklist: Blacklist | Iterable[str | tuple[str, str]] = (),
    employee_blacklists: Mapping[str, Blacklist] | None = None,
) -> list[PerformerTask]:
    """Tasks for the ``top`` contacts (in the given order), one per performing employee.

    Contacts not in the graph, blacklisted, or out of reach get no task. Tasks are
    ordered by contact rank, then by path cost.
    """
    if not 1 <= top <= MAX_CONTACTS:
        raise InvalidInput(f"top must be between 1 and {MAX_CONTACTS}", field="top")
    if not 1 <= k <= MAX_K:
        raise InvalidInput(f"k must be between 1 and {MAX_K}", field="k")
    staff = list(employees)
    shared = Blacklist.of(blacklist)
    own = dict(employee_blacklists or {})
    tasks: list[PerformerTask] = []
    for ranked in list(contacts)[:top]:
        target = ranked.contact.person_id
        if target not in graph or target in shared.contacts:
            continue
        paths = paths_for(graph, staff, target, k=k, blacklist=shared, employee_blacklists=own)
        by_performer: dict[str, list[IntroPath]] = {}
        for path in paths:
            by_performer.setdefault(path.performer, []).append(path)
        for performer, options in by_performer.items():
            best = options[0]
            reasons = (
                f"contact: {ranked.explanation.summary}",
                f"role: {ranked.title.explanation.summary}",
                f"path: {best.explanation.summary}",
            )
            tasks.append(
                PerformerTask(
                    performer=performer,
                    contact_id=target,
                    company=ranked.contact.company,
                    contact_score=ranked.score,
                    path=best,
                    alternatives=tuple(options[1:]),
                    reasons=reasons,
                )
            )
    return tasks


__all__ = ["PerformerTask", "designate_performers", "paths_for"]
