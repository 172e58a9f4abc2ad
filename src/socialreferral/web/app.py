"""The web service: the endpoints social networks and prospects reach (FastAPI).

==========================================  ==============================================
``GET  /webhooks/meta``                     Meta's subscription handshake (echo challenge)
``POST /webhooks/{source}``                 a webhook delivery (``meta`` or ``generic``)
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
from fastapi.responses import JSONResponse, PlainTextResponse

from socialreferral.bootstrap import Providers
from socialreferral.domain.settings import ReferralSettings
from socialreferral.errors import (
    InvalidInput,
    NotFound,
    SignatureInvalid,
    SocialReferralError,
    TransientError,
)
from socialreferral.service.ingest import ingest_webhook, verify_subscription
from socialreferral.service.referrals import open_link, submit_lead

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 2_000_000


def create_app(providers: Providers, *, referral: ReferralSettings | None = None) -> FastAPI:
    """Build the FastAPI application over a :class:`Providers` bundle."""
    rules = referral or _referral_settings(providers)
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

    @app.get("/webhooks/meta")
    async def meta_handshake(request: Request) -> PlainTextResponse:
        challenge = verify_subscription(dict(request.query_params), providers.secrets)
        return PlainTextResponse(challenge)

    @app.post("/webhooks/{source}")
    async def webhook(source: str, request: Request) -> Any:
        raw = await request.body()
        result = ingest_webhook(
            dict(request.headers), raw, queue=providers.queue, store=providers.store,
            secrets=providers.secrets, source=source, max_body_bytes=MAX_BODY_BYTES,
        )
        return {
            "enqueued": len(result.enqueued),
            "duplicates": len(result.duplicates),
            "rejected": [{"path": r.path, "reason": r.reason} for r in result.rejected],
        }

    @app.get("/referrals/{token}")
    async def referral_landing(token: str) -> Any:
        referral = open_link(token, store=providers.store, secrets=providers.secrets)
        return {"referral_id": referral.referral_id, "product_id": referral.product_id,
                "expires_at": referral.link_expires_at.isoformat()}

    @app.post("/referrals/{token}/lead", status_code=201)
    async def lead_form(token: str, request: Request) -> Any:
        try:
            form = await request.json()
        except ValueError:
            raise InvalidInput("must be a JSON object", field="body") from None
        if not isinstance(form, dict):
            raise InvalidInput("must be a JSON object", field="body")
        reward = submit_lead(token, form, store=providers.store, secrets=providers.secrets,
                             crm=providers.crm, settings=rules)
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
    if isinstance(exc, TransientError):
        return 503, {"Retry-After": "30"}
    return 500, {}


def _referral_settings(providers: Providers) -> ReferralSettings:
    configured = providers.settings.referral
    if isinstance(configured, ReferralSettings):
        return configured
    return ReferralSettings.model_validate(configured)


__all__ = ["create_app"]
