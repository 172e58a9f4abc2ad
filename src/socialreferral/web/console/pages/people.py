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
                                           performer, the chosen path, alternatives;
                                           the form that starts a run
``POST /console/people/b2b/runs``          start a warm-path run for the companies
                                           entered: the batch task ``people.b2b``
                                           (the same use case as ``socialreferral
                                           people b2b``), then back to the targets
``POST /api/people/search``                the search as JSON (``X-CSRF-Token``)
``GET  /api/people/persons/{id}``          a person as JSON
``GET  /api/people/b2b``                   the targets as JSON
=========================================  ============================================

Roles: the ``people`` area's (marketer for the B2B targets, admin for finding a person,
e.g. before an erasure; both see both), checked with the CSRF token on every POST by
the area's guard. A run is requested as ``console:<operator>`` (the request's
``requested_by``, whose blacklist applies). Every person shown is audited by the People
use cases like an API caller's read, under the caller id ``console:<operator>``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from socialreferral.bootstrap import Providers
from socialreferral.errors import InvalidInput
from socialreferral.people.access import Caller
from socialreferral.people.b2b import MAX_COMPANIES, B2BRequest
from socialreferral.service.people import PersonDetail, PersonSummary, find_people, read_person
from socialreferral.service.people.introductions import B2BTarget, introduction_targets
from socialreferral.web.console.areas import area_routers, include_area
from socialreferral.web.console.auth import read_form
from socialreferral.web.console.templating import render
from socialreferral.web.schemas import error_responses

KINDS = {"email": "E-mail address", "phone": "Phone number", "handle": "Social handle"}
MAX_VALUE_CHARS = 256
MAX_COMPANY_CHARS = 200
MAX_TOP = 1000
B2B_TASK = "people.b2b"
_JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


class SearchRequest(BaseModel):
    """Find people by one key."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["email", "phone", "handle"]
    value: str = Field(min_length=1, max_length=MAX_VALUE_CHARS)


def search_errors(kind: str, value: str) -> dict[str, str]:
    """Field errors of the search form (empty when it can be run)."""
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = "Choose what to find by: " + ", ".join(KINDS.values()).lower() + "."
    if not value.strip():
        errors["value"] = "Enter the e-mail address, phone number or handle to look for."
    return errors


def b2b_request(form: dict[str, str],
                requested_by: str) -> tuple[B2BRequest | None, dict[str, str]]:
    """The B2B request of the console's form (companies one per line or comma-separated,
    an optional CRM account, how many contacts get performers), or its field errors."""
    names = [n.strip() for n in re.split(r"[\n,;]", form.get("companies", "")) if n.strip()]
    account = form.get("crm_account", "").strip() or None
    if not names and account is None:
        return None, {"companies": "Name at least one company, or a CRM account."}
    if len(names) > MAX_COMPANIES:
        return None, {"companies": f"At most {MAX_COMPANIES} companies per run."}
    if any(len(n) > MAX_COMPANY_CHARS for n in names):
        return None, {"companies": f"A company name has at most {MAX_COMPANY_CHARS} "
                                   "characters."}
    top = form.get("top", "").strip() or "10"
    if not top.isdigit() or not 1 <= int(top) <= MAX_TOP:
        return None, {"top": f"A whole number from 1 to {MAX_TOP}."}
    try:
        return B2BRequest(requested_by=requested_by, companies=tuple(dict.fromkeys(names)),
                          crm_account=account, top=int(top)), {}
    except ValidationError as exc:
        first = exc.errors()[0]
        where = str(first["loc"][0]) if first["loc"] else "companies"
        return None, {where if where in ("crm_account", "top") else "companies":
                      str(first["msg"]).removeprefix("Value error, ")}


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
                                               "results": None, "errors": {}})

    @pages.post("/search")
    async def search_page(request: Request) -> Response:
        """The people found (the form again above them); a missing or refused value is
        a field error on the form (422), not an error page."""
        form = await read_form(request)
        kind, value = form.get("kind", ""), form.get("value", "")[:MAX_VALUE_CHARS]
        errors = search_errors(kind, value)
        found = None
        if not errors:
            try:
                found = await run_in_threadpool(search, console_caller(request), kind, value)
            except InvalidInput as exc:  # the use case's own check of the value
                errors = {"value": str(exc).split(": ", 1)[-1]}
        return render(request, "people.html", {
            "kinds": KINDS, "kind": kind if kind in KINDS else "email", "value": value,
            "results": found, "errors": errors}, status_code=422 if errors else 200)

    @pages.get("/persons/{person_id}")
    async def person_page(person_id: str, request: Request) -> Response:
        """A person's golden record with provenance, sources and links."""
        detail = await run_in_threadpool(person, console_caller(request), person_id)
        return render(request, "people_person.html", {"detail": detail})

    async def b2b_view(request: Request, *, form: dict[str, str] | None = None,
                       errors: dict[str, str] | None = None, started: str | None = None,
                       status_code: int = 200) -> Response:
        found = await run_in_threadpool(targets)
        return render(request, "people_b2b.html", {
            "targets": found, "form": form or {}, "errors": errors or {},
            "started": started, "max_companies": MAX_COMPANIES,
            "configured": bool(settings.b2b.directory_file)}, status_code=status_code)

    @pages.get("/b2b")
    async def b2b_page(request: Request, started: str | None = None) -> Response:
        """Target companies, ranked contacts, chosen paths; the form that starts a run
        (``started``: the job id of the run just started, shown as a notice)."""
        shown = started if started is not None and _JOB_ID.match(started) else None
        return await b2b_view(request, started=shown)

    @pages.post("/b2b/runs")
    async def b2b_start(request: Request) -> Response:
        """Start a warm-path run for the companies entered (module docstring); field
        errors come back on the form (422), a missing company register as 409."""
        form = await read_form(request)
        wanted, errors = b2b_request(form, console_caller(request).caller_id)
        if wanted is None:
            return await b2b_view(request, form=form, errors=errors, status_code=422)
        if not settings.b2b.directory_file:
            return await b2b_view(request, form=form, status_code=409, errors={
                "run": "No company register is configured ([people.b2b] directory_file)."})
        # Lazily, like the other pages' task imports: the worker's module is heavy.
        from socialreferral.tasks.referral import task_payload

        payload = task_payload(providers.settings, request=wanted.model_dump(mode="json"))
        job_id = await run_in_threadpool(providers.batch.submit, B2B_TASK, payload,
                                         name="people-b2b")
        return RedirectResponse(f"/console/people/b2b?started={quote(job_id)}",
                                status_code=303)

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


__all__ = ["KINDS", "SearchRequest", "console_caller", "install_people", "search_errors"]
