"""The prospect's side of a referral: the landing of a signed link and the lead form.

``GET /referrals/{token}`` (the path :data:`~socialreferral.domain.links.REFERRAL_PATH`,
from which :func:`~socialreferral.domain.links.referral_url` builds the links the flow
sends) and ``POST /referrals/{token}/lead``. A browser (``Accept: text/html``) gets the
landing page with the HTML form instead of JSON (content negotiation; the pages are in
:mod:`socialreferral.web.console.pages.prospects`, which also serves the form's
``POST /referrals/{token}``). The form body is parsed with
:func:`~socialreferral.domain.json_input.parse_json_object` — bounded in size and depth,
so a hostile body is a 400 naming the field, never a 500. Submitting the same form twice
gives the same lead (the use case is idempotent).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from socialreferral.bootstrap import Providers
from socialreferral.domain.json_input import parse_json_object
from socialreferral.domain.links import REFERRAL_PATH
from socialreferral.service.referrals import open_link, submit_lead
from socialreferral.web.console.negotiation import prefers_html
from socialreferral.web.redaction import app_logger
from socialreferral.web.schemas import LeadReceived, ReferralLanding, error_responses

_FORM_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The prospect's details: name, email and/or phone, consent flags.",
        "content": {"application/json": {"schema": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "email": {"type": "string"},
                           "phone": {"type": "string"}},
        }}},
    },
}


_HTML_OK: dict[int | str, dict[str, Any]] = {
    200: {"description": "The referral (JSON), or the landing page when the client "
                         "asks for text/html",
          "content": {"text/html": {"schema": {"type": "string"}}}},
}
_HTML_FORM: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "email": {"type": "string"},
                           "phone": {"type": "string"}, "consent_contact": {"type": "string"},
                           "consent_marketing": {"type": "string"},
                           "csrf_token": {"type": "string"}},
        }}},
    },
}
_HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}
_HTML_FORM_ANSWERS: dict[int | str, dict[str, Any]] = {
    303: {"description": "Taken: see the thank-you page"},
    **{code: {"description": text, "content": _HTML_PAGE} for code, text in (
        (400, "Not a urlencoded form, not UTF-8, or too many fields (a page)"),
        (403, "The form's CSRF token or cookie is missing or wrong (a page)"),
        (404, "The link is not valid (a page)"), (410, "The link has expired (a page)"),
        (413, "Body larger than the limit"),
        (422, "The page again, with a message next to each field to correct"),
        (429, "Rate limit exceeded"), (503, "Backend unavailable (a page)"))},
}


def referral_router(providers: Providers) -> APIRouter:
    """The referral routes over ``providers``."""
    router = APIRouter(tags=["referrals"])
    repositories = providers.repositories
    rules = providers.settings.referral
    max_body = providers.settings.web.max_body_bytes
    log = app_logger()

    @router.get(REFERRAL_PATH, response_model=ReferralLanding,
                responses={**_HTML_OK, **error_responses(403, 429, 503)},
                summary="The offer behind a signed referral link")
    async def landing(token: str, request: Request) -> ReferralLanding | Response:
        """The referral a genuine, unexpired link points to (403 for any other token).
        A browser asking for ``text/html`` gets the landing page with the lead form
        (404/410 pages for a link that is tampered with or expired)."""
        if prefers_html(request.headers.get("accept")):
            pages = request.app.state.prospect_pages
            page: Response = await pages.landing(request, token)
            return page
        referral = await run_in_threadpool(open_link, token, repositories=repositories,
                                           secrets=providers.secrets)
        return ReferralLanding(referral_id=referral.referral_id,
                               product_id=referral.product_id,
                               expires_at=referral.link_expires_at)

    @router.post(REFERRAL_PATH, response_class=Response, openapi_extra=_HTML_FORM,
                 responses=_HTML_FORM_ANSWERS, summary="The prospect's HTML lead form")
    async def html_form(token: str, request: Request) -> Response:
        """The landing page's form (``application/x-www-form-urlencoded``, with the
        page's CSRF token and cookie): 303 to the thank-you page, or the page again with
        a message next to each field that needs one (422). For programs, ``/lead``."""
        page: Response = await request.app.state.prospect_pages.submit(request, token)
        return page

    @router.post(REFERRAL_PATH + "/lead", status_code=201, response_model=LeadReceived,
                 responses=error_responses(400, 403, 413, 429, 503),
                 openapi_extra=_FORM_BODY, summary="The prospect's lead form")
    async def lead_form(token: str, request: Request) -> LeadReceived:
        """Take the prospect's details: a lead in the CRM (deduplicated), the referrer's
        reward with its fraud checks. Submitting twice gives the same lead."""
        form = parse_json_object(await request.body(), field="body", max_bytes=max_body)
        reward = await run_in_threadpool(
            submit_lead, token, form, repositories=repositories, secrets=providers.secrets,
            crm=providers.crm, settings=rules)
        log.info("lead form taken for referral %s", reward.referral_id)
        return LeadReceived(referral_id=reward.referral_id)

    return router


__all__ = ["referral_router"]
