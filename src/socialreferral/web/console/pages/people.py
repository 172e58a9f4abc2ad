"""People (seeds 001 and 004): find a person, their golden record with provenance, and
the B2B targets with ranked contacts and the introduction paths chosen.

=========================================  ============================================
``GET  /console/people``                   the search form and the B2B targets link
``POST /console/people/search``            people whose records hold an e-mail, phone
                                           or handle (a POST: the searched value stays
                                           out of URLs, logs and history)
``GET  /console/people/persons/{id}``      golden record: each field's value, source
                                           record, support and alternatives; the
                                           sources; the links with their weights
``GET  /console/people/b2b``               target companies, contacts by score, the
                                           performer, the chosen path, alternatives
``POST /api/people/search``                the search as JSON (``X-CSRF-Token``)
``GET  /api/people/persons/{id}``          a person as JSON
``GET  /api/people/b2b``                   the targets as JSON
=========================================  ============================================

Roles: the ``people`` area's (marketer for the B2B targets, admin for finding a person,
e.g. before an erasure; both see both). Every person shown is audited by the People
use cases like an API caller's read, under the caller id ``console:<operator>``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from socialreferral.bootstrap import Providers
from socialreferral.errors import InvalidInput
from socialreferral.people.access import Caller
from socialreferral.service.people import PersonDetail, PersonSummary, find_people, read_person
from socialreferral.service.people.introductions import B2BTarget, introduction_targets
from socialreferral.web.console.areas import area_routers, include_area
from socialreferral.web.console.auth import read_form
from socialreferral.web.console.templating import render
from socialreferral.web.schemas import error_responses

KINDS = {"email": "E-mail address", "phone": "Phone number", "handle": "Social handle"}
MAX_VALUE_CHARS = 256


class SearchRequest(BaseModel):
    """Find people by one key."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["email", "phone", "handle"]
    value: str = Field(min_length=1, max_length=MAX_VALUE_CHARS)


def console_caller(request: Request) -> Caller:
    """The operator as the People audit names them."""
    name: str = request.state.principal.name
    return Caller(caller_id=f"console:{name}", name=name[:100])


def install_people(app: FastAPI, providers: Providers) -> None:
    """Add the People pages and their JSON twins to ``app``."""
    pages, api = area_routers("people")
    repositories, settings = providers.repositories, providers.settings.people

    def search(caller: Caller, kind: str, value: str) -> list[PersonSummary]:
        return find_people(repositories, settings, caller=caller, kind=kind, value=value,
                           now=datetime.now(UTC))

    def person(caller: Caller, person_id: str) -> PersonDetail:
        return read_person(repositories, settings, caller=caller, person_id=person_id,
                           now=datetime.now(UTC))

    def targets() -> list[B2BTarget]:
        return introduction_targets(providers.crm)

    @pages.get("")
    async def people_page(request: Request) -> Response:
        """The search form."""
        return render(request, "people.html", {"kinds": KINDS, "kind": "email", "value": "",
                                               "results": None})

    @pages.post("/search")
    async def search_page(request: Request) -> Response:
        """The people found (the form again above them)."""
        form = await read_form(request)
        kind, value = form.get("kind", ""), form.get("value", "")[:MAX_VALUE_CHARS]
        if kind not in KINDS:
            raise InvalidInput(f"search by one of {', '.join(KINDS)}", field="kind")
        found = await run_in_threadpool(search, console_caller(request), kind, value)
        return render(request, "people.html", {"kinds": KINDS, "kind": kind, "value": value,
                                               "results": found})

    @pages.get("/persons/{person_id}")
    async def person_page(person_id: str, request: Request) -> Response:
        """A person's golden record with provenance, sources and links."""
        detail = await run_in_threadpool(person, console_caller(request), person_id)
        return render(request, "people_person.html", {"detail": detail})

    @pages.get("/b2b")
    async def b2b_page(request: Request) -> Response:
        """Target companies, ranked contacts, chosen paths."""
        found = await run_in_threadpool(targets)
        return render(request, "people_b2b.html", {"targets": found})

    @api.post("/search", response_model=list[PersonSummary], summary="Find people",
              responses=error_responses(400, 401, 403, 422))
    async def search_json(body: SearchRequest, request: Request) -> list[PersonSummary]:
        """People whose records hold the e-mail, phone or handle (audited). Send the
        session's CSRF token in ``X-CSRF-Token``."""
        return await run_in_threadpool(search, console_caller(request), body.kind,
                                       body.value)

    @api.get("/persons/{person_id}", response_model=PersonDetail, summary="A person",
             responses=error_responses(400, 401, 403, 404))
    async def person_json(person_id: str, request: Request) -> PersonDetail:
        """Golden record with per-field provenance, sources and links (audited)."""
        return await run_in_threadpool(person, console_caller(request), person_id)

    @api.get("/b2b", response_model=list[B2BTarget], summary="B2B targets",
             responses=error_responses(401, 403))
    async def b2b_json() -> list[B2BTarget]:
        """Companies with introduction tasks, contacts by score, paths chosen."""
        return await run_in_threadpool(targets)

    include_area(app, "people", pages, api)


__all__ = ["KINDS", "SearchRequest", "console_caller", "install_people"]
