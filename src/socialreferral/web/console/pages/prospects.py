"""The prospect's HTML pages behind a referral link (no login).

=====================================  ==================================================
``GET  /referrals/{token}``            the landing page, when the browser asks for HTML
                                       (:mod:`~socialreferral.web.console.negotiation`;
                                       API clients keep the JSON answer of
                                       :mod:`socialreferral.web.routes.referrals`)
``POST /referrals/{token}``            the HTML lead form: CSRF-checked, validated field
                                       by field (422 with the messages next to the
                                       fields), then 303 to the thank-you page
``GET  /referrals/{token}/thanks``     the thank-you page
=====================================  ==================================================

An expired link gets a friendly 410 page, a tampered or unknown one a friendly 404 page.
Sending the form twice (a double click, the back button) gives the same lead and the
same thank-you page: the use case is idempotent per referral, and ``console.js``
disables the button after the first click. The CSRF token is a double-submit token bound
to the browser's ``sr_csrf`` cookie and to this referral.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from socialreferral.bootstrap import Providers
from socialreferral.domain.links import REFERRAL_PATH
from socialreferral.errors import SignatureInvalid
from socialreferral.service.landing import (
    FORM_LABELS,
    LandingView,
    form_errors,
    landing_view,
    lead_form,
    link_problem,
)
from socialreferral.service.referrals import submit_lead
from socialreferral.web.console.auth import ConsoleAuth, read_form
from socialreferral.web.console.security import CSRF_FIELD
from socialreferral.web.console.templating import render
from socialreferral.web.redaction import app_logger

_PROBLEMS = {
    "expired": (410, "This offer has expired",
                "The link you followed was valid for a limited time only, and that time "
                "is over."),
    "invalid": (404, "This link does not work",
                "The link may have been copied incompletely or changed. It does not lead "
                "to an offer."),
}


def _purpose(view: LandingView) -> str:
    return f"lead:{view.referral.referral_id}"


class ProspectPages:
    """Renders the prospect's pages over one app's providers."""

    def __init__(self, providers: Providers) -> None:
        self.providers = providers
        self.organisation = providers.settings.console.organisation

    def _view(self, token: str) -> LandingView:
        p = self.providers
        return landing_view(token, repositories=p.repositories, secrets=p.secrets, crm=p.crm,
                            now=datetime.now(UTC))

    def problem(self, request: Request, exc: SignatureInvalid) -> Response:
        """The friendly page for a link that expired or never worked."""
        status, title, message = _PROBLEMS[link_problem(exc)]
        return render(request, "prospect/link_error.html",
                      {"title": title, "message": message, "bank_name": self.organisation},
                      status_code=status)

    def form_page(self, request: Request, token: str, view: LandingView, *,
                  form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                  status_code: int = 200) -> Response:
        """The landing page with the lead form (and its errors, if any)."""
        auth: ConsoleAuth = request.app.state.console_auth
        response = Response()
        nonce = auth.nonce(request, response)
        page = render(request, "prospect/landing.html", {
            "view": view, "form": form or {}, "errors": errors or {}, "labels": FORM_LABELS,
            "form_token": auth.csrf.for_nonce(nonce, _purpose(view)),
            "action": request.url.path.removesuffix("/thanks"), "bank_name": self.organisation,
        }, status_code=status_code)
        # The nonce cookie, if one was set (only that: the holder's own headers, such as
        # its Content-Length, must not be copied).
        page.raw_headers.extend(h for h in response.raw_headers if h[0] == b"set-cookie")
        return page

    async def landing(self, request: Request, token: str) -> Response:
        """``GET /referrals/{token}`` for a browser."""
        try:
            view = await run_in_threadpool(self._view, token)
        except SignatureInvalid as exc:
            return self.problem(request, exc)
        if view.lead_captured:
            return self.thanks_page(request, view)
        return self.form_page(request, token, view)

    def thanks_page(self, request: Request, view: LandingView) -> Response:
        """The thank-you page."""
        return render(request, "prospect/thanks.html",
                      {"view": view, "bank_name": self.organisation})

    async def submit(self, request: Request, token: str) -> Response:
        """``POST /referrals/{token}``: check, validate, submit, redirect (module doc)."""
        try:
            view = await run_in_threadpool(self._view, token)
        except SignatureInvalid as exc:
            return self.problem(request, exc)
        form = await read_form(request)
        auth: ConsoleAuth = request.app.state.console_auth
        auth.csrf.check_nonce(request.cookies.get(auth.cookies.nonce), _purpose(view),
                              form.get(CSRF_FIELD))
        errors = form_errors(form)
        if errors:
            return self.form_page(request, token, view, form=form, errors=errors,
                                  status_code=422)
        p = self.providers
        reward = await run_in_threadpool(
            submit_lead, token, lead_form(form), repositories=p.repositories,
            secrets=p.secrets, crm=p.crm, settings=p.settings.referral)
        app_logger().info("lead form (html) taken for referral %s", reward.referral_id)
        return RedirectResponse(request.url.path + "/thanks", status_code=303)

    async def thanks(self, request: Request, token: str) -> Response:
        """``GET /referrals/{token}/thanks``."""
        try:
            view = await run_in_threadpool(self._view, token)
        except SignatureInvalid as exc:
            return self.problem(request, exc)
        if not view.lead_captured:
            return RedirectResponse(request.url.path.removesuffix("/thanks"),
                                    status_code=303)
        return self.thanks_page(request, view)


def prospect_router(pages: ProspectPages) -> APIRouter:
    """The thank-you page. The landing page and the form share their paths with the
    API (:mod:`socialreferral.web.routes.referrals`), which hands browsers to
    :class:`ProspectPages`."""
    router = APIRouter(include_in_schema=False)

    @router.get(REFERRAL_PATH + "/thanks")
    async def thanks(token: str, request: Request) -> Response:
        """The thank-you page."""
        return await pages.thanks(request, token)

    return router


__all__ = ["ProspectPages", "prospect_router"]
