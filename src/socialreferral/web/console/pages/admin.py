"""Administration: erase a person, the settings in force, providers and their health.

==========================================  ==========================================
``GET  /console/admin``                     settings (no secret values), providers and
                                            their health, operators, the erasure form
``POST /console/admin/erase``               step 1: what the identifier resolves to,
                                            and a confirmation form
``POST /console/admin/erase/confirm``       step 2: erase; the page lists what was
                                            erased or anonymised, by kind
``GET  /api/admin/settings``                the settings without secrets (JSON)
``GET  /api/admin/providers``               providers, capabilities and health (JSON)
``POST /api/admin/erasures``                erase (JSON; ``confirm`` must be true)
==========================================  ==========================================

Roles: the ``admin`` area's (admin). Settings come from
:func:`~socialreferral.bootstrap.shareable_settings`, which drops every ``SecretStr``.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from socialreferral.bootstrap import Providers, shareable_settings
from socialreferral.errors import InvalidInput
from socialreferral.ports.health import probe_ports
from socialreferral.repositories import Subject
from socialreferral.service.privacy import erase_person, resolve_subject
from socialreferral.web.console.areas import area_routers, include_area
from socialreferral.web.console.auth import read_form
from socialreferral.web.console.templating import render
from socialreferral.web.redaction import app_logger
from socialreferral.web.schemas import error_responses

IdentifierKind = Literal["email", "phone", "customer_id", "person_id"]
KINDS: dict[str, str] = {"email": "E-mail address", "phone": "Phone number",
                         "customer_id": "Customer id", "person_id": "Social network id"}


class PortHealthBody(BaseModel):
    """One port's provider and the probe's outcome."""

    port: str
    adapter: str
    capabilities: list[str]
    healthy: bool
    detail: str
    seconds: float


class ErasureRequest(BaseModel):
    """Whom to erase; ``confirm`` must be true (erasure cannot be undone)."""

    model_config = ConfigDict(extra="forbid")

    kind: IdentifierKind
    value: str = Field(min_length=1, max_length=254)
    confirm: bool


class ErasureBody(BaseModel):
    """What one erasure erased or anonymised, by kind (counts only)."""

    counts: dict[str, int]
    total: int


def _identifier(kind: str, value: str) -> dict[str, str]:
    if kind not in KINDS:
        raise InvalidInput(f"choose one of {', '.join(KINDS)}", field="kind")
    value = value.strip()
    if not value or len(value) > 254:
        raise InvalidInput("enter the identifier (at most 254 characters)", field="value")
    return {kind: value}


def _preview(subject: Subject) -> dict[str, list[str]]:
    return {"customers": sorted(subject.customer_ids), "social accounts":
            sorted(f"{n}:{p}" for n, p in subject.accounts),
            "other network ids": sorted(subject.person_ids - {p for _, p in subject.accounts}),
            "e-mail addresses": sorted(subject.emails), "phone numbers": sorted(subject.phones)}


def install_admin(app: FastAPI, providers: Providers) -> None:
    """Add the admin routes to ``app``."""
    pages, api = area_routers("admin")
    repositories = providers.repositories
    log = app_logger()

    def settings_json() -> dict[str, Any]:
        return shareable_settings(providers.settings, providers.registry)

    def erase(identifier: dict[str, str]) -> dict[str, int]:
        report = erase_person(**identifier, repositories=repositories,
                              secrets=providers.secrets, crm=providers.crm,
                              social=providers.social)
        return dict(report.counts)

    @pages.get("")
    async def admin_page(request: Request) -> Response:
        """Settings, providers and health, operators, the erasure form."""
        health = await run_in_threadpool(probe_ports, providers.adapters())
        operators = await run_in_threadpool(repositories.operators.all)
        return render(request, "admin.html", {
            "settings_text": json.dumps(settings_json(), indent=2, sort_keys=True),
            "health": health, "operators": operators, "kinds": KINDS,
            "plugins": sorted(providers.registry.plugins),
        })

    @pages.post("/erase")
    async def erase_preview(request: Request) -> Response:
        """Step 1: what the identifier resolves to; ask for confirmation."""
        form = await read_form(request)
        identifier = _identifier(form.get("kind", ""), form.get("value", ""))
        subject = await run_in_threadpool(lambda: resolve_subject(repositories, **identifier))
        kind, value = next(iter(identifier.items()))
        return render(request, "admin_erase_confirm.html", {
            "kind": kind, "kind_label": KINDS[kind], "value": value,
            "preview": _preview(subject)})

    @pages.post("/erase/confirm")
    async def erase_confirmed(request: Request) -> Response:
        """Step 2: erase, then show the counts."""
        form = await read_form(request)
        identifier = _identifier(form.get("kind", ""), form.get("value", ""))
        if form.get("confirm") != "yes":
            raise InvalidInput("tick the box to confirm the erasure", field="confirm")
        counts = await run_in_threadpool(erase, identifier)
        kind = next(iter(identifier))
        log.info("erasure by %s: %d records (%s)", request.state.principal.name,
                 sum(counts.values()), kind)
        return render(request, "admin_erased.html", {
            "kind_label": KINDS[kind], "counts": counts, "total": sum(counts.values())})

    @api.get("/settings", summary="The settings in force, without secret values",
             responses=error_responses(401, 403))
    async def settings_api() -> dict[str, Any]:
        """Every setting except the provider fields typed as secrets."""
        return settings_json()

    @api.get("/providers", response_model=list[PortHealthBody],
             summary="Providers, capabilities and health", responses=error_responses(401, 403))
    async def providers_api() -> list[PortHealthBody]:
        """One cheap read per port; ``healthy`` false when the backend did not answer."""
        health = await run_in_threadpool(probe_ports, providers.adapters())
        return [PortHealthBody(port=h.port, adapter=h.adapter,
                               capabilities=list(h.capabilities), healthy=h.healthy,
                               detail=h.detail, seconds=round(h.seconds, 4)) for h in health]

    @api.post("/erasures", response_model=ErasureBody, summary="Erase a person",
              responses=error_responses(400, 401, 403, 422))
    async def erase_api(body: ErasureRequest, request: Request) -> ErasureBody:
        """Erase what the library stored about one person; the answer counts what was
        erased or anonymised, by kind. Send the session's CSRF token in
        ``X-CSRF-Token``."""
        if not body.confirm:
            raise InvalidInput("confirm must be true: an erasure cannot be undone",
                               field="confirm")
        counts = await run_in_threadpool(erase, _identifier(body.kind, body.value))
        log.info("erasure by %s (api): %d records", request.state.principal.name,
                 sum(counts.values()))
        return ErasureBody(counts=counts, total=sum(counts.values()))

    include_area(app, "admin", pages, api)


__all__ = ["ErasureBody", "ErasureRequest", "PortHealthBody", "install_admin"]
