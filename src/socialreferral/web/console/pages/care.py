"""The care console (seed 003): ranked queues, an item with its factors and thread, and
the agent's moves — all through :class:`~socialreferral.service.care.CareDesk`.

==================================================  =====================================
``GET  /console/care``                              queues with counts, the ranked items
                                                    of one (``?queue=``, ``?mine=1``)
                                                    with SLA timers, similar-post
                                                    clusters with a one-response form
``GET  /console/care/list``                         htmx: the ranked list, refreshed
                                                    every minute (SLA timers move)
``GET  /console/care/items/{ticket_id}``            the item: every factor of its score,
                                                    the whole thread, replies, actions
``POST /console/care/items/{ticket_id}/{action}``   claim, assign, unassign, reply,
                                                    resolve, reopen, snooze (form; htmx
                                                    swaps the action panel)
``POST /console/care/clusters``                     one response to a cluster's items
``GET  /console/care/proposals``                    dictionary terms the categorizer
``POST /console/care/proposals/{proposal_id}``      proposed; approve or reject
``/api/care/...``                                   the care REST API (web/routes/care.py)
                                                    behind the same guard
==================================================  =====================================

Roles: the ``care`` area's (agent). The operator is the care agent: their name is the
``agent_id`` of every claim and reply. Operators with the agent role who are not in
``[[care.agents]]`` serve every function with the default cap (:func:`operator_agents`);
a configured agent of the same name keeps the settings' functions and cap.

A move the desk refuses (another agent holds the item, the cap, a resolved item) is shown
in the panel as a notice, not as an error page: htmx swaps only successful answers.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from socialreferral.bootstrap import Providers
from socialreferral.care.records import CarePostRecord
from socialreferral.care.workflow import Agent
from socialreferral.domain.operators import Role
from socialreferral.errors import InvalidInput, NotFound, StateConflict, Unsupported
from socialreferral.repositories import Repositories
from socialreferral.service.care import CareDesk, ItemDetail, QueueEntry
from socialreferral.web.console.areas import area_routers, include_area, include_guarded
from socialreferral.web.console.auth import read_form
from socialreferral.web.console.templating import render
from socialreferral.web.redaction import app_logger

ACTIONS = ("claim", "assign", "unassign", "reply", "resolve", "reopen", "snooze")
LIST_POLL = "every 60s"
PAGE_SIZE = 50
MAX_SNOOZE_HOURS = 24 * 90
MAX_CLUSTER_ITEMS = 100


def operator_agents(repositories: Repositories) -> Callable[[], list[Agent]]:
    """The console's operators with the agent role, as care agents serving every function
    (``extra_agents`` of the console's desk; the module docstring)."""
    def agents() -> list[Agent]:
        return [Agent(agent_id=o.name, functions=frozenset({"*"}))
                for o in repositories.operators.all() if Role.AGENT in o.roles]
    return agents


def console_desk(providers: Providers) -> CareDesk:
    """The console's desk: the process's (shared ranker) plus the operator agents."""
    from socialreferral.tasks.care import base_ranker  # the desk's composition root

    return CareDesk(repositories=providers.repositories, social=providers.social,
                    settings=providers.settings.care, ranker_factory=base_ranker,
                    extra_agents=operator_agents(providers.repositories))


def thread_rows(thread: list[CarePostRecord]) -> list[tuple[int, CarePostRecord]]:
    """The thread in reading order with each post's depth (replies under their parent)."""
    children: dict[str | None, list[CarePostRecord]] = {}
    ids = {p.post_id for p in thread}
    for post in sorted(thread, key=lambda p: p.created_at):
        parent = post.parent_id if post.parent_id in ids else None
        children.setdefault(parent, []).append(post)
    rows: list[tuple[int, CarePostRecord]] = []
    stack = [(0, p) for p in reversed(children.get(None, []))]
    while stack:
        depth, post = stack.pop()
        rows.append((depth, post))
        stack.extend((depth + 1, c) for c in reversed(children.get(post.post_id, [])))
    return rows


def _snooze_hours(value: str) -> float:
    try:
        hours = float(value)
    except ValueError:
        raise InvalidInput("give the hours as a number", field="hours") from None
    if not 0 < hours <= MAX_SNOOZE_HOURS:
        raise InvalidInput(f"between 0 and {MAX_SNOOZE_HOURS} hours", field="hours")
    return hours


def install_care(app: FastAPI, providers: Providers) -> None:
    """Add the care console's routes (and the care API under ``/api/care``) to ``app``."""
    from socialreferral.web.routes.care import care_router

    pages, _ = area_routers("care")
    desk = console_desk(providers)
    log = app_logger()

    def texts(entries: list[QueueEntry]) -> dict[str, str]:
        threads = desk.repositories.care_threads
        out = {}
        for entry in entries:
            lead = threads.get(entry.item.lead_post_id) if entry.item.lead_post_id else None
            out[entry.item.ticket_id] = lead.text if lead is not None else ""
        return out

    def listing(queue: str | None, mine: str | None) -> dict[str, Any]:
        page = desk.queue(queue, statuses=("open", "pending"), assignee=mine,
                          limit=PAGE_SIZE)
        return {"entries": page.entries, "texts": texts(page.entries),
                "profile": page.profile, "queue": queue, "mine": bool(mine)}

    def queue_context(request: Request) -> dict[str, Any]:
        queue = request.query_params.get("queue") or None
        mine = request.state.principal.name if request.query_params.get("mine") else None
        found = listing(queue, mine)
        found.update(summary=desk.summary(), clusters=desk.clusters(queue),
                     pending=len(desk.proposals("pending")), now=desk.now())
        return found

    @pages.get("")
    async def care_page(request: Request) -> Response:
        """Queues, the ranked list of one, clusters."""
        context = await run_in_threadpool(queue_context, request)
        context.update(poll=LIST_POLL, done=request.query_params.get("done", "")[:40])
        return render(request, "care.html", context)

    @pages.get("/list")
    async def care_list(request: Request) -> Response:
        """The ranked list alone (the page polls it)."""
        queue = request.query_params.get("queue") or None
        mine = request.state.principal.name if request.query_params.get("mine") else None
        context = await run_in_threadpool(listing, queue, mine)
        return render(request, "_care_list.html", {**context, "poll": LIST_POLL})

    def detail_context(ticket_id: str) -> dict[str, Any]:
        detail: ItemDetail = desk.explain(ticket_id)
        return {"detail": detail, "item": detail.item, "sla": detail.sla,
                "rows": thread_rows(detail.thread),
                "conversation": {p.post_id for p in detail.conversation},
                "agents": sorted(desk.agents()), "reply_id": secrets.token_hex(12)}

    @pages.get("/items/{ticket_id}")
    async def item_page(ticket_id: str, request: Request) -> Response:
        """An item with its explanation, thread and actions."""
        context = await run_in_threadpool(detail_context, ticket_id)
        context.update(notice=request.query_params.get("done", "")[:80], tone="good")
        return render(request, "care_item.html", context)

    def act(ticket_id: str, action: str, form: dict[str, str], agent_id: str) -> str:
        if action == "claim":
            desk.claim(ticket_id, agent_id)
            return "You took the item."
        if action == "assign":
            target = form.get("agent", "")[:128]
            desk.assign(ticket_id, target)
            return f"Given to {target}."
        if action == "unassign":
            desk.unassign(ticket_id)
            return "Back in the queue, unassigned."
        if action == "reply":
            private = form.get("kind") == "private"
            done = desk.reply(ticket_id, form.get("text", ""), private=private,
                              agent_id=agent_id, reply_id=form.get("reply_id") or None)
            kind = "private" if private else "public"
            return (f"Your {kind} reply was sent." if done.sent_now
                    else f"That {kind} reply had been sent already.")
        if action == "resolve":
            desk.resolve(ticket_id)
            return "Resolved."
        if action == "reopen":
            desk.reopen(ticket_id)
            return "Reopened."
        hours = _snooze_hours(form.get("hours", ""))
        desk.snooze(ticket_id, desk.now() + timedelta(hours=hours))
        return f"Snoozed for {hours:g} hours."

    @pages.post("/items/{ticket_id}/{action}")
    async def item_action(ticket_id: str, action: str, request: Request) -> Response:
        """One of :data:`ACTIONS` from the item page's forms."""
        if action not in ACTIONS:
            raise NotFound("there is no such action")
        form = await read_form(request)
        agent_id = request.state.principal.name
        htmx = request.headers.get("hx-request") == "true"
        tone = "good"
        try:
            notice = await run_in_threadpool(act, ticket_id, action, form, agent_id)
            log.info("care: %s %s by %s", action, ticket_id, agent_id)
        except (StateConflict, Unsupported, InvalidInput) as exc:
            if not htmx:
                raise
            notice, tone = str(exc), "warn"
        except NotFound as exc:
            if not htmx or action != "assign":
                raise
            notice, tone = str(exc), "warn"
        if not htmx:
            return RedirectResponse(f"/console/care/items/{ticket_id}?done={action}",
                                    status_code=303)
        context = await run_in_threadpool(detail_context, ticket_id)
        context.update(notice=notice, tone=tone)
        return render(request, "_care_actions.html", context)

    def respond(form: dict[str, str], agent_id: str) -> int:
        ids = [t for t in form.get("ticket_ids", "").split(",") if t][:MAX_CLUSTER_ITEMS]
        _, outcomes = desk.mass_response(ids, form.get("text", ""),
                                         private=form.get("kind") == "private",
                                         agent_id=agent_id,
                                         response_id=form.get("response_id") or None)
        return sum(1 for o in outcomes if o.status == "sent")

    @pages.post("/clusters")
    async def cluster_response(request: Request) -> Response:
        """One response to every item of a cluster (each answered once)."""
        form = await read_form(request)
        sent = await run_in_threadpool(respond, form, request.state.principal.name)
        return RedirectResponse(f"/console/care?done=cluster-{sent}", status_code=303)

    @pages.get("/proposals")
    async def proposals_page(request: Request) -> Response:
        """Proposed dictionary terms, best first."""
        found = await run_in_threadpool(desk.proposals, "pending")
        decided = await run_in_threadpool(desk.proposals, None)
        return render(request, "care_proposals.html", {
            "proposals": found,
            "decided": [p for p in decided if p.status != "pending"][:20],
            "done": request.query_params.get("done", "")[:16]})

    @pages.post("/proposals/{proposal_id}")
    async def proposal_decision(proposal_id: str, request: Request) -> Response:
        """Approve (the term joins the function's dictionary) or reject."""
        form = await read_form(request)
        choice = form.get("decision", "")
        if choice not in ("approve", "reject"):
            raise InvalidInput("choose approve or reject", field="decision")
        await run_in_threadpool(lambda: desk.decide(
            proposal_id, approve=choice == "approve", agent_id=request.state.principal.name))
        return RedirectResponse(f"/console/care/proposals?done={choice}", status_code=303)

    include_area(app, "care", pages)
    # The care REST API (prefix /care) under /api with the area's guard.
    # Signed-in operators act as themselves: a body naming another agent is refused.
    include_guarded(app, "care", care_router(
        desk, max_body_bytes=providers.settings.web.max_body_bytes, dependencies=(),
        acting_agent=lambda request: str(request.state.principal.name)), prefix="/api")


__all__ = ["ACTIONS", "console_desk", "install_care", "operator_agents", "thread_rows"]
