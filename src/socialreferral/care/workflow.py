"""Workflow rules of the care queue as pure functions and a small state machine.

- :class:`CareTicket`: one actionable thread in the queue (ranked, routed, assigned);
- statuses ``open → pending → resolved``, ``snoozed``; :func:`transition` allows only
  the moves in :data:`TRANSITIONS` and stamps first response / resolution times;
- :func:`ranked_queues`: one queue per business function, highest RankScore first;
- :func:`assign_round_robin` (per-agent cap, agents serve their functions) and
  :func:`claim` (manual, same cap unless forced);
- :func:`sla_status`: first-response timers with warning and breach flags.

No clock is read: every function takes ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Literal, TypeVar

from pydantic import AwareDatetime, Field, field_validator

from socialreferral.domain._base import DomainModel
from socialreferral.errors import InvalidInput

__all__ = [
    "OPEN_STATUSES",
    "TRANSITIONS",
    "Agent",
    "Assignment",
    "CareTicket",
    "SlaPolicy",
    "SlaState",
    "Status",
    "assign_round_robin",
    "claim",
    "ranked_queues",
    "sla_status",
    "transition",
    "wake_due",
]

Status = Literal["open", "pending", "snoozed", "resolved"]
Event = Literal["reply", "customer_reply", "snooze", "wake", "resolve", "reopen"]

# event -> {from status: to status}. "reply" is the agent's (it stamps the first response);
# "customer_reply" brings a pending or snoozed ticket back, and reopens a resolved one.
TRANSITIONS: Mapping[Event, Mapping[Status, Status]] = {
    "reply": {"open": "pending", "pending": "pending"},
    "customer_reply": {"pending": "open", "snoozed": "open", "resolved": "open", "open": "open"},
    "snooze": {"open": "snoozed", "pending": "snoozed"},
    "wake": {"snoozed": "open"},
    "resolve": {"open": "resolved", "pending": "resolved", "snoozed": "resolved"},
    "reopen": {"resolved": "open"},
}
OPEN_STATUSES: frozenset[Status] = frozenset({"open", "pending", "snoozed"})


class CareTicket(DomainModel):
    """One thread in the care queue (keyed by its root post id)."""

    ticket_id: str = Field(min_length=1, max_length=128)
    business_function: str | None  # None while functions tie and no agent has decided
    rank_score: float
    intent: str = "complaint"
    status: Status = "open"
    assignee: str | None = None
    created_at: AwareDatetime
    first_response_at: AwareDatetime | None = None
    snoozed_until: AwareDatetime | None = None
    resolved_at: AwareDatetime | None = None


T = TypeVar("T", bound=CareTicket)


def transition(ticket: T, event: Event, at: datetime, *, until: datetime | None = None) -> T:
    """The ticket after ``event`` at time ``at``; refuses moves not in :data:`TRANSITIONS`.

    A subclass of :class:`CareTicket` (the service's queue item) comes back as itself."""
    if at.tzinfo is None:
        raise InvalidInput("timestamps must be timezone-aware", field="at")
    moves = TRANSITIONS.get(event)
    if moves is None:
        raise InvalidInput(f"unknown event {event!r}", field="event")
    target = moves.get(ticket.status)
    if target is None:
        raise InvalidInput(f"cannot {event} a ticket that is {ticket.status}", field="status")
    update: dict[str, object] = {"status": target}
    if event == "reply" and ticket.first_response_at is None:
        update["first_response_at"] = at
    if event == "snooze":
        if until is None or until <= at:
            raise InvalidInput("snooze needs a time in the future", field="until")
        update["snoozed_until"] = until
    elif target != "snoozed":
        update["snoozed_until"] = None
    update["resolved_at"] = at if target == "resolved" else None
    return ticket.model_copy(update=update)


def wake_due(tickets: Iterable[T], now: datetime) -> list[T]:
    """Snoozed tickets whose time has come, woken (status open)."""
    return [
        transition(t, "wake", now)
        for t in tickets
        if t.status == "snoozed" and t.snoozed_until is not None and t.snoozed_until <= now
    ]


def ranked_queues(
    tickets: Iterable[CareTicket], *, statuses: frozenset[Status] = frozenset({"open"})
) -> dict[str, list[CareTicket]]:
    """One queue per business function ("undecided" for ties), best first.

    Order: RankScore descending, then the oldest first, then the id (deterministic).
    """
    queues: dict[str, list[CareTicket]] = {}
    for t in tickets:
        if t.status in statuses:
            queues.setdefault(t.business_function or "undecided", []).append(t)
    for queue in queues.values():
        queue.sort(key=lambda t: (-t.rank_score, t.created_at, t.ticket_id))
    return queues


class Agent(DomainModel):
    """An agent, the functions they serve and how many open tickets they may hold."""

    agent_id: str = Field(min_length=1, max_length=128)
    functions: frozenset[str]  # business functions served ("*" serves all)
    cap: int = Field(default=10, ge=0, le=10_000)
    available: bool = True

    def serves(self, function: str | None) -> bool:
        """True if the agent takes tickets of ``function``."""
        return "*" in self.functions or (function or "undecided") in self.functions


class Assignment(DomainModel):
    """The outcome of an assignment round."""

    assigned: dict[str, str]  # ticket id -> agent id
    unassigned: tuple[str, ...]  # no agent of the function had room
    cursor: dict[str, int]  # per function: the round-robin position for the next round


def _load(tickets: Iterable[CareTicket]) -> dict[str, int]:
    load: dict[str, int] = {}
    for t in tickets:
        if t.assignee and t.status in OPEN_STATUSES:
            load[t.assignee] = load.get(t.assignee, 0) + 1
    return load


def assign_round_robin(
    tickets: Sequence[CareTicket],
    agents: Sequence[Agent],
    *,
    cursor: Mapping[str, int] | None = None,
) -> Assignment:
    """Assign unassigned open tickets, best first per function, round robin over the
    available agents serving that function, skipping agents at their cap.

    ``cursor`` (from the previous :class:`Assignment`) keeps the rotation fair across
    rounds. Tickets already assigned count towards their agent's cap.
    """
    load = _load(tickets)
    position = dict(cursor or {})
    assigned: dict[str, str] = {}
    unassigned: list[str] = []
    pending = [t for t in tickets if t.assignee is None and t.status == "open"]
    for function, queue in ranked_queues(pending).items():
        pool = [
            a
            for a in agents
            if a.available and a.serves(function if function != "undecided" else None)
        ]
        start = position.get(function, 0)
        for ticket in queue:
            chosen = None
            for step in range(len(pool)):
                agent = pool[(start + step) % len(pool)]
                if load.get(agent.agent_id, 0) < agent.cap:
                    chosen = agent
                    start = (start + step + 1) % len(pool)
                    break
            if chosen is None:
                unassigned.append(ticket.ticket_id)
                continue
            assigned[ticket.ticket_id] = chosen.agent_id
            load[chosen.agent_id] = load.get(chosen.agent_id, 0) + 1
        position[function] = start
    return Assignment(assigned=assigned, unassigned=tuple(unassigned), cursor=position)


def claim(
    ticket: CareTicket,
    agent: Agent,
    tickets: Iterable[CareTicket],
    *,
    force: bool = False,
) -> CareTicket:
    """An agent takes a ticket by hand. Refused if it is someone else's, closed, or the
    agent is at their cap (``force`` overrides the cap, e.g. for a supervisor)."""
    if ticket.status not in OPEN_STATUSES:
        raise InvalidInput(f"ticket is {ticket.status}", field="status")
    if ticket.assignee not in (None, agent.agent_id):
        raise InvalidInput(f"ticket is assigned to {ticket.assignee}", field="assignee")
    if ticket.assignee == agent.agent_id:
        return ticket
    if not force and _load(tickets).get(agent.agent_id, 0) >= agent.cap:
        raise InvalidInput(f"agent {agent.agent_id} is at the cap of {agent.cap}", field="cap")
    return ticket.model_copy(update={"assignee": agent.agent_id})


class SlaPolicy(DomainModel):
    """First-response targets: per intent and per function (the tighter applies).

    Durations are ``timedelta`` values; a settings file writes them as seconds or ISO 8601
    durations (``first_response = "PT1H"``).
    """

    first_response: timedelta = timedelta(hours=1)
    by_intent: dict[str, timedelta] = Field(default_factory=dict)
    by_function: dict[str, timedelta] = Field(default_factory=dict)
    warn_fraction: float = Field(default=0.75, gt=0.0, le=1.0)

    @field_validator("first_response")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("a target must be a positive duration")
        return value

    @field_validator("by_intent", "by_function")
    @classmethod
    def _positive_each(cls, values: dict[str, timedelta]) -> dict[str, timedelta]:
        if any(v <= timedelta(0) for v in values.values()):
            raise ValueError("every target must be a positive duration")
        return values

    def target(self, ticket: CareTicket) -> timedelta:
        """The first-response target of ``ticket``."""
        targets = [self.first_response]
        if ticket.intent in self.by_intent:
            targets.append(self.by_intent[ticket.intent])
        if ticket.business_function in self.by_function:
            targets.append(self.by_function[ticket.business_function or ""])
        return min(targets)


class SlaState(DomainModel):
    """Where a ticket stands against its first-response target."""

    due_at: AwareDatetime
    remaining_seconds: float  # negative once breached
    warning: bool
    breached: bool
    met: bool  # responded within the target


def sla_status(ticket: CareTicket, policy: SlaPolicy, now: datetime) -> SlaState:
    """First-response SLA of ``ticket`` at ``now``.

    Breached when the first response came after the due time, or none has come and the due
    time has passed; warning once ``warn_fraction`` of the target has elapsed.
    """
    if now.tzinfo is None:
        raise InvalidInput("timestamps must be timezone-aware", field="now")
    target = policy.target(ticket)
    due = ticket.created_at + target
    end = ticket.first_response_at or now
    remaining = (due - end).total_seconds()
    responded = ticket.first_response_at is not None
    breached = remaining < 0
    elapsed = (end - ticket.created_at).total_seconds()
    return SlaState(
        due_at=due,
        remaining_seconds=remaining,
        warning=not responded
        and not breached
        and elapsed >= policy.warn_fraction * target.total_seconds(),
        breached=breached,
        met=responded and not breached,
    )
