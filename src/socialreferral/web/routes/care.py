"""The care queue's agent API: queues, items, assignment, replies, feedback, profiles.

=====================================================  ===================================
``GET  /care/queues``                                  counts per queue, active profile
``GET  /care/items``                                   a ranked page of a queue (filters:
                                                       queue, status, assignee, breached)
``GET  /care/items/{ticket_id}``                       an item: factors, SLA, conversation,
                                                       thread, replies, reply kinds
``POST /care/items/{ticket_id}/claim|assign|unassign`` take / give / take back (409 when
                                                       held by another agent or at the cap)
``POST /care/items/{ticket_id}/reply``                 public or private reply, once
``POST /care/items/{ticket_id}/resolve|reopen|snooze`` status moves (409 when refused)
``POST /care/items/{ticket_id}/correction``            an agent's function / intent
``POST /care/assignments``                             one round-robin round
``GET  /care/clusters``, ``POST /care/mass-responses`` similar items, one response to all
``GET  /care/proposals``,                              proposed dictionary terms and the
``POST /care/proposals/{id}/approve|reject``           agent's decision
``POST /care/recategorize``                            re-rank and re-route open items
``GET|PUT /care/profile``                              the weight profile, switched live
``GET  /care/agents``, ``PUT .../availability``        agents, caps, loads, availability
=====================================================  ===================================

Mounted when ``[web] care_api = true``. Authentication and roles come with the agent
console: every route depends on :func:`care_access`, the one place an identity check
plugs in (``create_app`` passes it as the router's dependency; a deployment replaces it
with its session or token check). Behind an identity, ``acting_agent`` names the caller:
a body whose ``agent_id`` is someone else is refused (403) on every route but ``assign``,
where it names the agent given the item. Without one, put the API behind an
authenticating proxy.

Bodies are read raw and parsed with :func:`~socialreferral.domain.json_input.
parse_json_object` (size, depth and surrogates bounded) before the request model
validates them, so any hostile body is a 400 naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from socialreferral.care.records import ProposalStatus
from socialreferral.care.settings import MISCELLANEOUS
from socialreferral.care.workflow import Status
from socialreferral.domain.json_input import parse_json_object
from socialreferral.errors import InvalidInput, RoleRequired
from socialreferral.service.care import CareDesk
from socialreferral.web.care_schemas import (
    AgentAction,
    AgentOut,
    AgentsOut,
    AssignmentOut,
    AvailabilityRequest,
    ClusterOut,
    ClustersOut,
    CorrectionRequest,
    DecisionRequest,
    ItemDetailOut,
    ItemOut,
    MassOutcomeOut,
    MassResponseOut,
    MassResponseRequest,
    ProfileInfo,
    ProfileOut,
    ProfileRequest,
    ProposalOut,
    ProposalsOut,
    QueueCountsOut,
    QueuePageOut,
    QueueSummaryOut,
    RecategorizeOut,
    ReplyOut,
    ReplyRequest,
    ReplyResultOut,
    RoundRobinRequest,
    SnoozeRequest,
)
from socialreferral.web.schemas import error_responses

B = TypeVar("B", bound=BaseModel)
TicketId = Annotated[str, Path(min_length=1, max_length=200)]
ProposalId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")]
AgentId = Annotated[str, Path(min_length=1, max_length=128)]
_STATUSES: dict[str, ProposalStatus | None] = {
    "pending": "pending", "approved": "approved", "rejected": "rejected", "all": None}


def care_access(request: Request) -> None:
    """Where authentication and roles plug in (module docstring). Allows every request
    for now; the console issue replaces it with an identity check."""


def _body_spec(model: type[BaseModel], required: bool = True,
               choices: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The documented request body: the model's schema, with the fields whose values
    come from the settings (queues, functions, profiles) narrowed to those values."""
    schema = model.model_json_schema()
    for name, values in (choices or {}).items():
        schema["properties"][name] = {"anyOf": [{"enum": values}, {"type": "null"}]} \
            if "anyOf" in schema["properties"][name] else {"enum": values}
    return {"requestBody": {"required": required, "content": {
        "application/json": {"schema": schema}}}}


def _one_of(values: list[str]) -> str:
    return "^(" + "|".join(re.escape(v) for v in values) + ")$"


def _as_caller(read: Callable[[Request], Awaitable[B]],
               acting_agent: Callable[[Request], str] | None) -> Callable[[Request], Awaitable[B]]:
    """``read``, refusing a body that acts as an agent other than the caller."""
    if acting_agent is None:
        return read

    async def read_as_caller(request: Request) -> B:
        body = await read(request)
        claimed = getattr(body, "agent_id", None)
        if claimed is not None and claimed != acting_agent(request):
            raise RoleRequired("agent_id must be the signed-in operator")
        return body
    return read_as_caller


def _body_reader(model: type[B], max_bytes: int, *,
                 optional: bool = False) -> Callable[[Request], Awaitable[B]]:
    async def read(request: Request) -> B:
        raw = await request.body()
        data = {} if optional and not raw.strip() else parse_json_object(
            raw, field="body", max_bytes=max_bytes)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InvalidInput(first["msg"], field=f"body.{where}" if where else "body") \
                from None
    return read


def _item(desk: CareDesk, ticket_id: str) -> ItemOut:
    item = desk.repositories.care_items.require(ticket_id)
    return ItemOut.of(item, desk.sla(item))


def _profiles(desk: CareDesk, changed: int = 0) -> ProfileOut:
    return ProfileOut(active=desk.profile_name(), changed_queue=changed,
                      profiles=[ProfileInfo(name=p.name, description=p.description)
                                for p in desk.settings.profiles.values()])


def care_router(desk: CareDesk, *, max_body_bytes: int,
                dependencies: tuple[Any, ...] = (Depends(care_access),),
                acting_agent: Callable[[Request], str] | None = None) -> APIRouter:
    """The care routes over ``desk`` (module docstring); ``acting_agent`` reads the
    signed-in caller's agent id from the request, when there is an identity."""
    router = APIRouter(prefix="/care", tags=["care"], dependencies=list(dependencies))
    errors = error_responses(400, 404, 409, 413, 422, 429, 501, 503)

    def _reader(model: type[B], max_bytes: int, *,
                optional: bool = False) -> Callable[[Request], Awaitable[B]]:
        return _as_caller(_body_reader(model, max_bytes, optional=optional), acting_agent)

    action = _reader(AgentAction, max_body_bytes)
    given_to = _body_reader(AgentAction, max_body_bytes)  # assign: names the other agent
    queue_names = list(desk.settings.queues())
    functions = [f.name for f in desk.settings.functions] + [MISCELLANEOUS]
    profiles = sorted(desk.settings.profiles)
    # a default, not an annotation: annotations are resolved in the module's namespace
    queue_query: Any = Query(None, pattern=_one_of(queue_names),
                             description="a queue: " + ", ".join(queue_names))

    @router.get("/queues", response_model=QueueSummaryOut, responses=errors,
                summary="Counts per queue")
    def queues() -> QueueSummaryOut:
        """Every queue in priority order with its open, pending, snoozed, breached and
        unassigned actionable items."""
        return QueueSummaryOut(profile=desk.profile_name(),
                               queues=[QueueCountsOut.of(c) for c in desk.summary()])

    @router.get("/items", response_model=QueuePageOut, responses=errors,
                summary="A ranked page of a queue")
    def items(queue: str | None = queue_query,
              status: Annotated[list[Status] | None, Query(max_length=4)] = None,
              assignee: Annotated[str | None, Query(max_length=128)] = None,
              breached: bool | None = None, actionable: bool | None = True,
              limit: Annotated[int, Query(ge=1, le=200)] = 50,
              cursor: Annotated[str | None, Query(max_length=2_000)] = None) -> QueuePageOut:
        """Best RankScore first, each item with its explanation and SLA timer; pass
        ``next_cursor`` back as ``cursor`` for the next page."""
        page = desk.queue(queue, statuses=tuple(status or ("open",)), assignee=assignee,
                          breached=breached, actionable=actionable, limit=limit,
                          cursor=cursor or None)
        return QueuePageOut(queue=page.queue, profile=page.profile, next_cursor=page.cursor,
                            items=[ItemOut.of(e.item, e.sla) for e in page.entries])

    @router.get("/items/{ticket_id}", response_model=ItemDetailOut, responses=errors,
                summary="An item with its explanation and thread")
    def item(ticket_id: TicketId) -> ItemDetailOut:
        """The item, every factor of its score, its SLA, its conversation, the whole
        thread, the replies sent and the reply kinds the channel allows."""
        return ItemDetailOut.of(desk.explain(ticket_id))

    @router.post("/items/{ticket_id}/claim", response_model=ItemOut, responses=errors,
                 openapi_extra=_body_spec(AgentAction), summary="An agent takes the item")
    async def claim(ticket_id: TicketId, request: Request) -> ItemOut:
        """409 when another agent holds it, it is resolved, or the agent is at the cap."""
        body = await action(request)
        done = await run_in_threadpool(desk.claim, ticket_id, body.agent_id, force=body.force)
        return ItemOut.of(done, desk.sla(done))

    @router.post("/items/{ticket_id}/assign", response_model=ItemOut, responses=errors,
                 openapi_extra=_body_spec(AgentAction), summary="Give the item to an agent")
    async def assign(ticket_id: TicketId, request: Request) -> ItemOut:
        """A supervisor's move (taken from its current agent); the cap applies unless
        ``force``."""
        body = await given_to(request)
        done = await run_in_threadpool(desk.assign, ticket_id, body.agent_id,
                                       force=body.force)
        return ItemOut.of(done, desk.sla(done))

    @router.post("/items/{ticket_id}/unassign", response_model=ItemOut, responses=errors,
                 summary="Take the item back from its agent")
    def unassign(ticket_id: TicketId) -> ItemOut:
        """The item goes back to the queue unassigned."""
        done = desk.unassign(ticket_id)
        return ItemOut.of(done, desk.sla(done))

    reply_body = _reader(ReplyRequest, max_body_bytes)

    @router.post("/items/{ticket_id}/reply", response_model=ReplyResultOut,
                 responses=errors, openapi_extra=_body_spec(ReplyRequest),
                 summary="Answer in public or in private")
    async def reply(ticket_id: TicketId, request: Request) -> ReplyResultOut:
        """Sent once through the SocialChannel (retry with the same ``reply_id``); 501
        when the channel cannot reply that way, 409 when the item is resolved."""
        body = await reply_body(request)
        done = await run_in_threadpool(desk.reply, ticket_id, body.text,
                                       private=body.private, agent_id=body.agent_id,
                                       reply_id=body.reply_id, post_id=body.post_id)
        return ReplyResultOut(reply=ReplyOut.of(done.reply), sent_now=done.sent_now,
                              item=ItemOut.of(done.item, desk.sla(done.item)))

    @router.post("/items/{ticket_id}/resolve", response_model=ItemOut, responses=errors,
                 summary="Resolve the item")
    def resolve(ticket_id: TicketId) -> ItemOut:
        """Open, pending or snoozed → resolved; the agent's slot is freed."""
        done = desk.resolve(ticket_id)
        return ItemOut.of(done, desk.sla(done))

    @router.post("/items/{ticket_id}/reopen", response_model=ItemOut, responses=errors,
                 summary="Reopen a resolved item")
    def reopen(ticket_id: TicketId) -> ItemOut:
        """Resolved → open."""
        done = desk.reopen(ticket_id)
        return ItemOut.of(done, desk.sla(done))

    snooze_body = _reader(SnoozeRequest, max_body_bytes)

    @router.post("/items/{ticket_id}/snooze", response_model=ItemOut, responses=errors,
                 openapi_extra=_body_spec(SnoozeRequest), summary="Snooze the item")
    async def snooze(ticket_id: TicketId, request: Request) -> ItemOut:
        """Open or pending → snoozed until ``until`` (at most 90 days); it wakes up open."""
        body = await snooze_body(request)
        done = await run_in_threadpool(desk.snooze, ticket_id, body.until)
        return ItemOut.of(done, desk.sla(done))

    correction_body = _reader(CorrectionRequest, max_body_bytes)

    @router.post("/items/{ticket_id}/correction", response_model=ItemOut, responses=errors,
                 openapi_extra=_body_spec(CorrectionRequest,
                                          choices={"function": functions}),
                 summary="Correct the function and/or intent")
    async def correction(ticket_id: TicketId, request: Request) -> ItemOut:
        """Kept through re-ranking and used by the next categorizer run."""
        body = await correction_body(request)
        done = await run_in_threadpool(desk.correct, ticket_id, function=body.function,
                                       intent=body.intent, agent_id=body.agent_id)
        return ItemOut.of(done, desk.sla(done))

    round_body = _reader(RoundRobinRequest, max_body_bytes, optional=True)

    @router.post("/assignments", response_model=AssignmentOut, responses=errors,
                 openapi_extra=_body_spec(RoundRobinRequest, required=False,
                                          choices={"queue": queue_names}),
                 summary="One round-robin assignment round")
    async def assignments(request: Request) -> AssignmentOut:
        """Open, unassigned items to the agents serving their queue, round robin, never
        beyond an agent's cap."""
        body = await round_body(request)
        if body.queue is not None and body.queue not in desk.settings.queues():
            raise InvalidInput(f"not one of {list(desk.settings.queues())}", field="queue")
        done = await run_in_threadpool(desk.assign_round_robin, body.queue)
        return AssignmentOut(assigned=done.assigned, unassigned=list(done.unassigned))

    @router.get("/clusters", response_model=ClustersOut, responses=errors,
                summary="Similar open items, for one response")
    def clusters(queue: str | None = queue_query) -> ClustersOut:
        """Groups of open items whose posts are similar, largest first."""
        if queue is not None and queue not in desk.settings.queues():
            raise InvalidInput(f"not one of {list(desk.settings.queues())}", field="queue")
        return ClustersOut(clusters=[ClusterOut.of(c) for c in desk.clusters(queue)])

    mass_body = _reader(MassResponseRequest, max_body_bytes)

    @router.post("/mass-responses", response_model=MassResponseOut, responses=errors,
                 openapi_extra=_body_spec(MassResponseRequest),
                 summary="One response to many items")
    async def mass_responses(request: Request) -> MassResponseOut:
        """Each item answered once; retry with the returned ``response_id``."""
        body = await mass_body(request)
        response_id, outcomes = await run_in_threadpool(
            desk.mass_response, body.ticket_ids, body.text, private=body.private,
            agent_id=body.agent_id, response_id=body.response_id)
        return MassResponseOut(response_id=response_id,
                               outcomes=[MassOutcomeOut.of(o) for o in outcomes])

    @router.get("/proposals", response_model=ProposalsOut, responses=errors,
                summary="Proposed dictionary terms")
    def proposals(status: Annotated[str, Query(pattern="^(pending|approved|rejected|all)$")]
                  = "pending") -> ProposalsOut:
        """What the periodic categorizer proposed, best first."""
        found = desk.proposals(_STATUSES[status])
        return ProposalsOut(proposals=[ProposalOut.of(p) for p in found])

    decision_body = _reader(DecisionRequest, max_body_bytes, optional=True)

    for verb, approve in (("approve", True), ("reject", False)):
        async def decided(proposal_id: ProposalId, request: Request,
                          approve: bool = approve) -> ProposalOut:
            body = await decision_body(request)
            done = await run_in_threadpool(desk.decide, proposal_id, approve=approve,
                                           agent_id=body.agent_id)
            return ProposalOut.of(done)

        decided.__doc__ = (f"{verb.capitalize()} the term: "
                           + ("it joins the function's dictionary at once."
                              if approve else "it is never proposed again."))
        router.add_api_route(f"/proposals/{{proposal_id}}/{verb}", decided, methods=["POST"],
                             response_model=ProposalOut, responses=errors,
                             openapi_extra=_body_spec(DecisionRequest, required=False),
                             summary=f"{verb.capitalize()} a proposed term",
                             name=f"{verb}_proposal")

    @router.post("/recategorize", response_model=RecategorizeOut, responses=errors,
                 summary="Re-rank and re-route the open items")
    def recategorize() -> RecategorizeOut:
        """With the current dictionaries (approved terms) and profile; agent corrections
        are kept."""
        return RecategorizeOut(changed_queue=desk.recategorize())

    @router.get("/profile", response_model=ProfileOut, responses=errors,
                summary="The active weight profile")
    def profile() -> ProfileOut:
        """The active profile and those one can switch to."""
        return _profiles(desk)

    profile_body = _reader(ProfileRequest, max_body_bytes)

    @router.put("/profile", response_model=ProfileOut, responses=errors,
                openapi_extra=_body_spec(ProfileRequest, choices={"name": profiles}),
                summary="Switch the weight profile")
    async def switch(request: Request) -> ProfileOut:
        """Takes effect at once: the open items are re-ranked."""
        body = await profile_body(request)
        changed = await run_in_threadpool(desk.switch_profile, body.name,
                                          agent_id=body.agent_id)
        return _profiles(desk, changed)

    @router.get("/agents", response_model=AgentsOut, responses=errors,
                summary="Agents, their caps and loads")
    def agents() -> AgentsOut:
        """Every configured agent with the queues they serve, cap, load, availability."""
        return AgentsOut(agents=[_agent(desk, a) for a in desk.agents()])

    availability_body = _reader(AvailabilityRequest, max_body_bytes)

    @router.put("/agents/{agent_id}/availability", response_model=AgentOut,
                responses=errors, openapi_extra=_body_spec(AvailabilityRequest),
                summary="Switch an agent on or off for round robin")
    async def availability(agent_id: AgentId, request: Request) -> AgentOut:
        """An unavailable agent keeps their items and gets no new ones."""
        body = await availability_body(request)
        await run_in_threadpool(desk.set_available, agent_id, body.available)
        return _agent(desk, agent_id)

    return router


def _agent(desk: CareDesk, agent_id: str) -> AgentOut:
    from socialreferral.service.care.assignment import agent

    found = agent(desk, agent_id)
    return AgentOut(agent_id=found.agent_id, functions=sorted(found.functions), cap=found.cap,
                    available=found.available,
                    holding=len(desk.repositories.care_agents.holding(found.agent_id)))


__all__ = ["care_access", "care_router"]
