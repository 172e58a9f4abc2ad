"""The People API (seed 001's REST queries by apps and the CRM): search and read fused
people, the review band and operators' decisions. Service callers only.

==========================================  =============  ==============================
``GET  /people?email=|phone=|handle=``      people:read    people whose records hold it
``GET  /people/{person_id}``                people:read    golden record with provenance,
                                                           sources, links with weights
``GET  /people/review``                     people:review  the review band, both records
``POST /people/review``                     people:review  confirm or split a pair
==========================================  =============  ==============================

Authentication: an API key (``socialreferral people api-key create``), sent as
``Authorization: Bearer srk_...`` or ``X-API-Key: srk_...``; 401 without a valid one, 403
when it lacks the scope. Every person returned is audited (who, when, what, whom) before
the answer leaves. Bodies are parsed bounded (size, depth) like every other body.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from socialreferral.bootstrap import Providers
from socialreferral.domain.json_input import parse_json_object
from socialreferral.errors import InvalidInput
from socialreferral.people.access import Caller
from socialreferral.service.people import (
    PersonDetail,
    PersonSummary,
    ReviewEntry,
    authenticate,
    decide_pair,
    find_people,
    read_person,
    review_band,
)
from socialreferral.web.people_schemas import DECISION_BODY, DecisionApplied
from socialreferral.web.schemas import error_responses

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer srk_...")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: srk_...")
_SEARCH = Annotated[str | None, Query(max_length=256)]


def _presented(bearer: HTTPAuthorizationCredentials | None, header: str | None) -> str | None:
    if header:
        return header
    return bearer.credentials if bearer is not None else None


def people_router(providers: Providers) -> APIRouter:
    """The People routes over ``providers``."""
    router = APIRouter(prefix="/people", tags=["people"])
    repositories = providers.repositories
    settings = providers.settings.people
    max_body = providers.settings.web.max_body_bytes

    # Dependencies are defaults, not Annotated metadata: with postponed annotations FastAPI
    # resolves annotation strings in the module's globals, where these locals are not.
    def caller(scope: str) -> Any:
        def dependency(
            bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
            header: Annotated[str | None, Security(_header)],
        ) -> Caller:
            return authenticate(repositories, _presented(bearer, header), scope)

        return Security(dependency)

    reader = caller("people:read")
    reviewer = caller("people:review")

    @router.get("", response_model=list[PersonSummary],
                responses=error_responses(400, 401, 403, 422, 429, 503),
                summary="Find people by e-mail, phone or handle")
    def search(email: _SEARCH = None, phone: _SEARCH = None, handle: _SEARCH = None,
               who: Caller = reader) -> list[PersonSummary]:
        """The people whose records hold the value, normalised as fusion compares it
        (Gmail dots and ``+tags``, phone formats, ``@`` and profile URLs do not matter).
        Give exactly one of ``email``, ``phone``, ``handle``."""
        given = [(k, v) for k, v in (("email", email), ("phone", phone), ("handle", handle))
                 if v is not None]
        if len(given) != 1:
            raise InvalidInput("give exactly one of email, phone, handle", field="query")
        kind, value = given[0]
        return find_people(repositories, settings, caller=who, kind=kind, value=value,
                           now=datetime.now(UTC))

    @router.get("/review", response_model=list[ReviewEntry],
                responses=error_responses(400, 401, 403, 422, 429, 503),
                summary="The review band: pairs to confirm or split")
    def review(limit: Annotated[int, Query(ge=1, le=500)] = 100,
               who: Caller = reviewer) -> list[ReviewEntry]:
        """Uncertain pairs, most probable first, with both records, their people and the
        per-comparison match weights."""
        return review_band(repositories, settings, caller=who, now=datetime.now(UTC),
                           limit=limit)

    @router.post("/review", response_model=DecisionApplied,
                 responses=error_responses(400, 401, 403, 404, 413, 429, 503),
                 openapi_extra=DECISION_BODY, summary="Confirm or split a pair")
    async def decide(request: Request, who: Caller = reviewer) -> DecisionApplied:
        """Store the verdict and apply it now to the two people; every later fusion run
        applies it again."""
        body = parse_json_object(await request.body(), field="body", max_bytes=max_body)
        fields: dict[str, str] = {}
        for name in ("left_id", "right_id", "decision", "note"):
            value = body.get(name, "" if name == "note" else None)
            if not isinstance(value, str):
                raise InvalidInput("must be a string", field=name)
            fields[name] = value
        placed = await run_in_threadpool(
            decide_pair, repositories, settings, caller=who, now=datetime.now(UTC), **fields)
        return DecisionApplied(decision=fields["decision"], people=placed)

    @router.get("/{person_id}", response_model=PersonDetail,
                responses=error_responses(400, 401, 403, 404, 422, 429, 503),
                summary="A person: golden record, sources, links")
    def person(person_id: str, who: Caller = reader) -> PersonDetail:
        """The golden record with per-field provenance (which source said it, when, how
        many agree), every captured source, and the links with their match weights."""
        return read_person(repositories, settings, caller=who, person_id=person_id,
                           now=datetime.now(UTC))

    return router


__all__ = ["people_router"]
