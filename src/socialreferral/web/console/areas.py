"""The console's areas and the roles each admits — the one table of who may see what.

Each area is a page group under ``/console/<name>`` and its JSON twin under
``/api/<name>``; both routers carry the area's guard
(:func:`socialreferral.web.console.auth.requires`), so every route of an area checks the
same roles. ``admin`` is not a superuser: approving money (reviews) and answering
customers (care) stay with the roles that own them (separation of duties).

Adding an area is one entry here and a module in ``pages/`` whose routers come from
:func:`area_routers` (a back-end's REST router joins with :func:`include_guarded`).
``people`` is for marketers (B2B targets) and admins (finding a person, e.g. before an
erasure); every person shown there is audited under ``console:<operator>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute

from socialreferral.domain.operators import Principal, Role
from socialreferral.web.console.auth import requires


@dataclass(frozen=True)
class Area:
    """A page group: its name (URL segment), title, roles, and what it is for."""

    name: str
    title: str
    roles: frozenset[Role]
    summary: str

    @property
    def page(self) -> str:
        """The area's page URL."""
        return f"/console/{self.name}"


AREAS: tuple[Area, ...] = (
    Area("programme", "Referral programme", frozenset({Role.MARKETER, Role.ADMIN}),
         "Funnel, new customers, rewards by status, product, channel and week; CSV export."),
    Area("reviews", "Fraud review", frozenset({Role.REVIEWER}),
         "Flagged rewards with their reasons and evidence; approve or reject before the "
         "auto-approve deadline."),
    Area("care", "Care console", frozenset({Role.AGENT}),
         "The ranked queue per business function with each post's factors and thread; "
         "claim, reply, resolve, snooze; proposed dictionary terms."),
    Area("influence", "Influencer dashboard", frozenset({Role.MARKETER, Role.ADMIN}),
         "Top influencers per sentiment, their map, word clouds and the hashtag trend "
         "with spike alerts."),
    Area("people", "People", frozenset({Role.MARKETER, Role.ADMIN}),
         "Find a person by e-mail, phone or handle; golden record with provenance; B2B "
         "targets with ranked contacts and introduction paths."),
    Area("admin", "Administration", frozenset({Role.ADMIN}),
         "Erase a person, the settings in force, providers and their health."),
)


def area(name: str) -> Area:
    """The area called ``name``."""
    for item in AREAS:
        if item.name == name:
            return item
    raise KeyError(name)


def visible_areas(principal: Principal | None) -> list[Area]:
    """The areas ``principal`` may open (for the navigation)."""
    if principal is None:
        return []
    return [a for a in AREAS if principal.has_any(a.roles)]


def area_routers(name: str) -> tuple[APIRouter, APIRouter]:
    """(page router under ``/console/<name>``, JSON router under ``/api/<name>``), both
    guarded by the area's roles."""
    found = area(name)
    guard = [Depends(requires(found.roles))]
    pages = APIRouter(prefix=f"/console/{name}", dependencies=guard, include_in_schema=False)
    api = APIRouter(prefix=f"/api/{name}", dependencies=guard, tags=[f"console: {name}"])
    return pages, api


def include_area(app: FastAPI, name: str, *routers: APIRouter) -> None:
    """Include an area's routers and record each route's roles in
    ``app.state.route_roles`` (``{(method, path): roles}``; the role tests read it)."""
    roles = area(name).roles
    table = _route_roles(app)
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute):
                for method in route.methods or ():
                    table[(method, route.path)] = roles
        app.include_router(router)


def include_guarded(app: FastAPI, name: str, router: APIRouter, *, prefix: str) -> None:
    """Include a router built elsewhere (a REST router of the back-end) under ``prefix``
    with the area's guard, recording its routes' roles like :func:`include_area`."""
    roles = area(name).roles
    table = _route_roles(app)
    for route in router.routes:
        if isinstance(route, APIRoute):
            for method in route.methods or ():
                table[(method, prefix + route.path)] = roles
    from socialreferral.web.schemas import error_responses  # documents the guard's answers

    app.include_router(router, prefix=prefix, dependencies=[Depends(requires(roles))],
                       responses=error_responses(401, 403))


def _route_roles(app: FastAPI) -> dict[tuple[str, str], frozenset[Role]]:
    table: dict[tuple[str, str], frozenset[Role]] | None = getattr(app.state, "route_roles",
                                                                    None)
    if table is None:
        table = {}
        app.state.route_roles = table
    return table


__all__ = ["AREAS", "Area", "area", "area_routers", "include_area", "include_guarded",
           "visible_areas"]
