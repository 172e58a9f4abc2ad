"""The fraud review queue: flagged rewards, approve/reject with a note, the countdown.

==========================================  ==========================================
``GET  /console/reviews``                   the queue: each flagged reward with its
                                            reasons, evidence, deadline and a form
``GET  /console/reviews/countdowns``        htmx: every countdown, refreshed
                                            out-of-band (one request per 30 s)
``POST /console/reviews/{reward_id}``       a decision (form; htmx swaps the item,
                                            without JavaScript it redirects back)
``GET  /api/reviews``                       the queue as JSON
``POST /api/reviews/{reward_id}/decision``  a decision as JSON (``X-CSRF-Token``)
==========================================  ==========================================

Roles: the ``reviews`` area's (reviewer). The remaining time is computed on the server;
the page polls for fresh figures with htmx (no inline script). A decision applies only to
a reward still waiting (someone else, or the auto-approve job, may have decided first:
the reviewer is told so).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from socialreferral.bootstrap import Providers
from socialreferral.domain.explain import Factor
from socialreferral.domain.referrals import Reward
from socialreferral.domain.settings import ReferralSettings
from socialreferral.errors import InvalidInput
from socialreferral.service.reviews import (
    MAX_NOTE_CHARS,
    ReviewItem,
    decide,
    review_queue,
)
from socialreferral.web.console.areas import area_routers, include_area
from socialreferral.web.console.auth import read_form
from socialreferral.web.console.templating import render
from socialreferral.web.redaction import app_logger
from socialreferral.web.schemas import error_responses

COUNTDOWN_POLL = "every 30s"


class FlagReason(BaseModel):
    """One fraud flag and what it means."""

    code: str
    reason: str


class ReviewItemBody(BaseModel):
    """A flagged reward as the API shows it."""

    model_config = ConfigDict(frozen=True)

    reward_id: str
    referral_id: str
    referrer_id: str
    referrer_name: str | None
    lead_id: str
    product_id: str | None
    amount: str
    currency: str
    flags: list[FlagReason]
    summary: str
    factors: list[Factor]
    flagged_at: datetime
    deadline: datetime | None = Field(description="auto-approved then, if undecided")
    seconds_left: int | None

    @classmethod
    def of(cls, item: ReviewItem, now: datetime) -> ReviewItemBody:
        """The body for ``item`` at ``now``."""
        reward, left = item.reward, item.remaining(now)
        return cls(
            reward_id=reward.reward_id, referral_id=reward.referral_id,
            referrer_id=reward.referrer_id, referrer_name=item.referrer_name,
            lead_id=reward.lead_id, product_id=item.record.product_id,
            amount=f"{reward.amount:.2f}", currency=reward.currency,
            flags=[FlagReason(code=c, reason=r) for c, r in item.reasons],
            summary=reward.explanation.summary, factors=list(reward.explanation.factors),
            flagged_at=item.record.at, deadline=item.deadline,
            seconds_left=None if left is None else int(left.total_seconds()))


class DecisionBody(BaseModel):
    """A reviewer's decision."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)


def install_reviews(app: FastAPI, providers: Providers) -> None:
    """Add the review routes to ``app``."""
    pages, api = area_routers("reviews")
    rules: ReferralSettings = providers.settings.referral
    repositories = providers.repositories
    log = app_logger()

    def queue() -> list[ReviewItem]:
        return review_queue(repositories, rules)

    def decided(reward_id: str, approve: bool, reviewer: str, note: str) -> Reward:
        reward = decide(reward_id, approve, reviewer=reviewer, note=note,
                        repositories=repositories, now=datetime.now(UTC))
        log.info("review: %s %s by %s", reward_id, reward.status.value, reviewer)
        return reward

    @pages.get("")
    async def reviews_page(request: Request) -> Response:
        """The queue."""
        items = await run_in_threadpool(queue)
        return render(request, "reviews.html", {
            "items": items, "now": datetime.now(UTC), "poll": COUNTDOWN_POLL, "oob": False,
            "deadline_hours": rules.review_deadline_hours,
            "done": request.query_params.get("done", "")[:16],
        })

    @pages.get("/countdowns")
    async def countdowns(request: Request) -> Response:
        """Fresh countdowns, swapped out-of-band into the page."""
        items = await run_in_threadpool(queue)
        return render(request, "_countdowns.html",
                      {"items": items, "now": datetime.now(UTC), "oob": True})

    @pages.post("/{reward_id}")
    async def decide_form(reward_id: str, request: Request) -> Response:
        """A decision from the page's form."""
        form = await read_form(request)
        choice = form.get("decision", "")
        note = form.get("note", "")
        htmx = request.headers.get("hx-request") == "true"
        if choice not in ("approve", "reject"):
            raise InvalidInput("choose approve or reject", field="decision")
        try:
            reward = await run_in_threadpool(decided, reward_id, choice == "approve",
                                             request.state.principal.name, note)
        except InvalidInput as exc:
            if exc.field != "status":
                raise
            if not htmx:
                return RedirectResponse("/console/reviews?done=late", status_code=303)
            return render(request, "_review_decided.html",
                          {"reward_id": reward_id, "reward": None, "late": True,
                           "note": note})
        if not htmx:
            return RedirectResponse(f"/console/reviews?done={reward.status.value}",
                                    status_code=303)
        return render(request, "_review_decided.html",
                      {"reward_id": reward_id, "reward": reward, "late": False, "note": note})

    @api.get("", response_model=list[ReviewItemBody], summary="The fraud review queue",
             responses=error_responses(401, 403))
    async def reviews_json() -> list[ReviewItemBody]:
        """Rewards waiting for review, nearest deadline first, with reasons, evidence and
        the time left before the auto-approve job approves them."""
        now = datetime.now(UTC)
        return [ReviewItemBody.of(item, now) for item in await run_in_threadpool(queue)]

    @api.post("/{reward_id}/decision", response_model=Reward,
              summary="Approve or reject a flagged reward",
              responses=error_responses(400, 401, 403, 404, 422))
    async def decide_json(reward_id: str, body: DecisionBody, request: Request) -> Reward:
        """Record the decision (with the reviewer's name and note). 400 when the reward
        is no longer waiting for review. Send the session's CSRF token in
        ``X-CSRF-Token``."""
        return await run_in_threadpool(decided, reward_id, body.decision == "approve",
                                       request.state.principal.name, body.note)

    include_area(app, "reviews", pages, api)


__all__ = ["DecisionBody", "FlagReason", "ReviewItemBody", "install_reviews"]
