"""Claims, assignment and round-robin rounds, with per-agent caps that hold under races.

Every way an item gets an agent goes through one protocol (:func:`_take`):

1. reserve a slot on the agent's document under its etag (refused at the cap unless
   forced) — two claims by one agent serialise here, so the cap holds;
2. write the assignee on the item under its etag, re-checking the item's state inside the
   write — two agents claiming one item serialise here, so one wins;
3. if step 2 refuses, give the slot back.

A refusal is a :class:`~socialreferral.errors.StateConflict` (a web edge answers 409):
the item is someone else's, closed, or the agent is at their cap. Resolving an item frees
its slot (:mod:`~socialreferral.service.care.workflow`).

Round robin (Chatwoot/Sprinklr style): :func:`socialreferral.care.assign_round_robin`
plans the round over the open items, best first per queue, skipping agents at their cap,
with a stored cursor that keeps the rotation fair across rounds; each planned assignment
then goes through the same protocol, so a round racing a manual claim or another round
never exceeds a cap or assigns an item twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from socialreferral.care.records import CareItem
from socialreferral.care.workflow import OPEN_STATUSES, Agent, Assignment, assign_round_robin
from socialreferral.errors import NotFound, StateConflict
from socialreferral.repositories.care_agents import GRACE

if TYPE_CHECKING:
    from socialreferral.service.care.desk import CareDesk


class UnknownAgent(NotFound, KeyError):
    """No configured agent has this id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown agent"


def agent(desk: CareDesk, agent_id: str) -> Agent:
    """The configured agent (with run-time availability), or :class:`UnknownAgent`."""
    found = desk.agents().get(agent_id)
    if found is None:
        raise UnknownAgent(f"no agent {agent_id!r} is configured ([[care.agents]])")
    return found


def _take(desk: CareDesk, ticket_id: str, who: Agent, *, force: bool,
          allowed: Callable[[CareItem], None]) -> tuple[CareItem, str | None]:
    """Reserve, then assign under the item's etag; returns the item and the previous
    assignee. ``allowed`` raises :class:`StateConflict` when the item may not be taken."""
    items, agents = desk.repositories.care_items, desk.repositories.care_agents
    allowed(items.require(ticket_id))  # fail fast before reserving
    if not agents.reserve(who.agent_id, ticket_id, cap=who.cap, force=force, at=desk.now()):
        raise StateConflict(f"agent {who.agent_id} holds {who.cap} items, the cap",
                            field="cap")
    previous: dict[str, str | None] = {}

    def assign(current: CareItem) -> CareItem:
        allowed(current)
        previous["assignee"] = current.assignee
        return current.model_copy(update={"assignee": who.agent_id,
                                          "updated_at": desk.now()})

    try:
        item = items.change(ticket_id, assign)
    except (StateConflict, NotFound):
        if not _already_ours(desk, who.agent_id, ticket_id):
            agents.release(who.agent_id, ticket_id)
        raise
    before = previous.get("assignee")
    if before and before != who.agent_id:
        agents.release(before, ticket_id)
    return item, before


def _already_ours(desk: CareDesk, agent_id: str, ticket_id: str) -> bool:
    # a refused write on an item the agent holds anyway must not free its slot
    item = desk.repositories.care_items.get(ticket_id)
    return item is not None and item.assignee == agent_id


def _open(item: CareItem) -> None:
    if item.status not in OPEN_STATUSES:
        raise StateConflict(f"the item is {item.status}", field="status")


def claim(desk: CareDesk, ticket_id: str, agent_id: str, *, force: bool = False) -> CareItem:
    """``agent_id`` takes an unassigned open item (claiming one's own item is a no-op).
    Refused when another agent holds it, it is resolved, or the agent is at the cap."""
    who = agent(desk, agent_id)

    def allowed(item: CareItem) -> None:
        _open(item)
        if item.assignee not in (None, agent_id):
            raise StateConflict(f"the item is assigned to {item.assignee}", field="assignee")

    current = desk.repositories.care_items.require(ticket_id)
    if current.assignee == agent_id and current.status in OPEN_STATUSES:
        return current
    return _take(desk, ticket_id, who, force=force, allowed=allowed)[0]


def assign(desk: CareDesk, ticket_id: str, agent_id: str, *, force: bool = False) -> CareItem:
    """Give an open item to ``agent_id`` (a supervisor's move: taken from its current
    agent if it has one). The new agent's cap applies unless ``force``."""
    who = agent(desk, agent_id)
    current = desk.repositories.care_items.require(ticket_id)
    if current.assignee == agent_id and current.status in OPEN_STATUSES:
        return current
    return _take(desk, ticket_id, who, force=force, allowed=_open)[0]


def unassign(desk: CareDesk, ticket_id: str) -> CareItem:
    """Take an item back from its agent (no-op when it has none)."""
    previous: dict[str, str | None] = {}

    def drop(current: CareItem) -> CareItem:
        previous["assignee"] = current.assignee
        return current.model_copy(update={"assignee": None, "updated_at": desk.now()})

    item = desk.repositories.care_items.change(ticket_id, drop)
    if previous.get("assignee"):
        desk.repositories.care_agents.release(str(previous["assignee"]), ticket_id)
    return item


def round_robin(desk: CareDesk, queue: str | None = None) -> Assignment:
    """One assignment round over the open, unassigned, actionable items (of ``queue``,
    or every queue); returns what was assigned and what found no agent with room."""
    items, agents = desk.repositories.care_items, desk.repositories.care_agents
    team = list(desk.agents().values())
    holding = list(items.with_status(*OPEN_STATUSES))
    held = {(i.assignee, i.ticket_id) for i in holding if i.assignee}
    cutoff = desk.now() - GRACE
    for member in team:  # reservations a crash left behind (module docstring)
        def still_held(ticket_id: str, agent_id: str = member.agent_id) -> bool:
            return (agent_id, ticket_id) in held

        agents.prune(member.agent_id, still_held, older_than=cutoff)
    candidates = [i for i in holding if i.assignee or (
        i.status == "open" and i.actionable and (queue is None or i.queue == queue))]
    plan = assign_round_robin(candidates, team, cursor=agents.cursor())
    assigned: dict[str, str] = {}
    missed = list(plan.unassigned)
    by_id = {a.agent_id: a for a in team}
    for ticket_id, agent_id in plan.assigned.items():
        def unclaimed(item: CareItem) -> None:
            _open(item)
            if item.assignee is not None:
                raise StateConflict("taken meanwhile", field="assignee")

        try:
            _take(desk, ticket_id, by_id[agent_id], force=False, allowed=unclaimed)
        except (StateConflict, NotFound):
            missed.append(ticket_id)  # a race with a claim or another round: next round
            continue
        assigned[ticket_id] = agent_id
    agents.save_cursor(plan.cursor)
    return Assignment(assigned=assigned, unassigned=tuple(missed), cursor=plan.cursor)


__all__ = ["UnknownAgent", "agent", "assign", "claim", "round_robin", "unassign"]
