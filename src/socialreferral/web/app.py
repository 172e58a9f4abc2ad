"""The web service: the endpoints social networks and prospects reach (FastAPI).

==========================================  ==============================================
``GET  /webhooks/{channel}``                a channel's subscription handshake
``POST /webhooks/{channel}``                a webhook delivery (any registered channel)
``GET  /referrals/{token}``                 the offer behind a signed referral link
``POST /referrals/{token}/lead``            the prospect's lead form
``GET  /healthz``                           liveness
==========================================  ==============================================

The POST handlers read the **raw body** before anything parses it, because the signature
is an HMAC of those exact bytes. Errors map to status codes by meaning: a bad signature is
403, invalid input 400 or 422 naming the field, a missing record 404, a transient backend
failure 503 with ``Retry-After`` (Meta retries deliveries for up to 36 hours, so asking it
to retry loses nothing). Secrets never appear in responses or logs.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from socialreferral.bootstrap import Providers
from socialreferral.domain.json_input import parse_json_object
from socialreferral.domain.links import REFERRAL_PATH
from socialreferral.errors import (
    ConfigurationError,
    InvalidInput,
    NotFound,
    SignatureInvalid,
    SocialReferralError,
    TransientError,
)
from socialreferral.service.ingest import answer_handshake, ingest_webhook
from socialreferral.service.referrals import open_link, submit_lead

log = logging.getLogger(__name__)


def create_app(providers: Providers) -> FastAPI:
    """Build the FastAPI application over a :class:`Providers` bundle."""
    rules = providers.settings.referral
    web = providers.settings.web
    repositories = providers.repositories
    app = FastAPI(title="socialreferral", version="0.1.0")

    @app.exception_handler(SocialReferralError)
    async def _error(request: Request, exc: SocialReferralError) -> JSONResponse:
        status, headers = _status_for(exc)
        if status >= 500:
            log.warning("transient failure on %s: %s", request.url.path, type(exc).__name__)
        body = {"error": type(exc).__name__, "detail": str(exc),
                "field": getattr(exc, "field", None)}
        return JSONResponse(body, status_code=status, headers=headers)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/webhooks/{name}")
    async def handshake(name: str, request: Request) -> Response:
        reply = answer_handshake(providers.registry.channel(name),
                                 dict(request.query_params), providers.secrets)
        return Response(reply.body, media_type=reply.media_type)

    @app.post("/webhooks/{name}")
    async def webhook(name: str, request: Request) -> Any:
        channel = providers.registry.channel(name)
        raw = await request.body()
        result = ingest_webhook(
            channel, dict(request.headers), raw, queue=providers.queue,
            secrets=providers.secrets, repositories=repositories,
            max_body_bytes=web.max_body_bytes,
        )
        return {
            "enqueued": len(result.enqueued),
            "duplicates": len(result.duplicates),
            "rejected": [{"path": r.path, "reason": r.reason} for r in result.rejected],
        }

    @app.get(REFERRAL_PATH)
    async def referral_landing(token: str) -> Any:
        referral = open_link(token, repositories=repositories, secrets=providers.secrets)
        return {"referral_id": referral.referral_id, "product_id": referral.product_id,
                "expires_at": referral.link_expires_at.isoformat()}

    @app.post(REFERRAL_PATH + "/lead", status_code=201)
    async def lead_form(token: str, request: Request) -> Any:
        form = parse_json_object(await request.body(), field="body",
                                 max_bytes=web.max_body_bytes)
        reward = submit_lead(token, form, repositories=repositories,
                             secrets=providers.secrets, crm=providers.crm, settings=rules)
        # The prospect sees only that the form was taken; reward details are the bank's.
        return {"status": "received", "referral_id": reward.referral_id}

    return app


def _status_for(exc: SocialReferralError) -> tuple[int, dict[str, str]]:
    if isinstance(exc, SignatureInvalid):
        return 403, {}
    if isinstance(exc, InvalidInput):
        return 400, {}
    if isinstance(exc, NotFound):
        return 404, {}
    if isinstance(exc, TransientError | ConfigurationError):
        # A missing channel secret is the server's problem: the sender should retry.
        return 503, {"Retry-After": "30"}
    return 500, {}


__all__ = ["create_app"]
