"""The prospect's side of a referral: the landing of a signed link and the lead form.

``GET /referrals/{token}`` (the path :data:`~socialreferral.domain.links.REFERRAL_PATH`,
from which :func:`~socialreferral.domain.links.referral_url` builds the links the flow
sends) and ``POST /referrals/{token}/lead``. The form body is parsed with
:func:`~socialreferral.domain.json_input.parse_json_object` — bounded in size and depth,
so a hostile body is a 400 naming the field, never a 500. Submitting the same form twice
gives the same lead (the use case is idempotent).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from socialreferral.bootstrap import Providers
from socialreferral.domain.json_input import parse_json_object
from socialreferral.domain.links import REFERRAL_PATH
from socialreferral.service.referrals import open_link, submit_lead
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


def referral_router(providers: Providers) -> APIRouter:
    """The referral routes over ``providers``."""
    router = APIRouter(tags=["referrals"])
    repositories = providers.repositories
    rules = providers.settings.referral
    max_body = providers.settings.web.max_body_bytes
    log = app_logger()

    @router.get(REFERRAL_PATH, response_model=ReferralLanding,
                responses=error_responses(403, 429, 503),
                summary="The offer behind a signed referral link")
    def landing(token: str) -> ReferralLanding:
        """The referral a genuine, unexpired link points to (403 for any other token)."""
        referral = open_link(token, repositories=repositories, secrets=providers.secrets)
        return ReferralLanding(referral_id=referral.referral_id,
                               product_id=referral.product_id,
                               expires_at=referral.link_expires_at)

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
