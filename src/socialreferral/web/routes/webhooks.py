"""``GET``/``POST /webhooks/{channel}`` for every registered channel.

The POST handler reads the **raw body** first (the signature is an HMAC of those exact
bytes; the body limit applies while it streams in), then runs ingestion — signature,
normalisation, de-duplication, enqueue, all blocking port calls — in the thread pool, so
one slow backend call never stalls the event loop and other requests proceed. The GET
handler (a sync function, so FastAPI runs it in the thread pool too) answers the
channel's subscription handshake: Meta's echo, X's CRC, LinkedIn's challenge.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from socialreferral.bootstrap import Providers
from socialreferral.service.ingest import answer_handshake, ingest_webhook
from socialreferral.web.redaction import app_logger
from socialreferral.web.schemas import WebhookAccepted, error_responses

_DELIVERY_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The network's delivery, byte for byte as signed (JSON).",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
}
_HANDSHAKE_OK: dict[int | str, dict[str, Any]] = {
    200: {"description": "The channel's handshake answer: text (Meta's echoed challenge) "
                         "or JSON (X's response_token, LinkedIn's challengeResponse)",
          "content": {"text/plain": {"schema": {"type": "string"}},
                      "application/json": {"schema": {"type": "object"}}}},
}


def webhook_router(providers: Providers) -> APIRouter:
    """The webhook routes over ``providers`` (its registry names the channels)."""
    router = APIRouter(tags=["webhooks"])
    registry = providers.registry
    max_body = providers.settings.web.max_body_bytes
    log = app_logger()

    @router.get("/webhooks/{channel}", response_class=Response,
                responses={**_HANDSHAKE_OK, **error_responses(400, 403, 404, 429, 503)},
                summary="Subscription handshake of a channel")
    def handshake(channel: str, request: Request) -> Response:
        """Answer the channel's subscription check: Meta's ``hub.challenge`` echo (text),
        X's CRC ``response_token`` or LinkedIn's ``challengeResponse`` (JSON)."""
        reply = answer_handshake(registry.channel(channel), dict(request.query_params),
                                 providers.secrets)
        log.info("handshake answered for channel %s", channel)
        return Response(reply.body, media_type=reply.media_type,
                        headers={"Cache-Control": "no-store"})

    @router.post("/webhooks/{channel}", response_model=WebhookAccepted,
                 responses=error_responses(400, 403, 404, 413, 429, 503),
                 openapi_extra=_DELIVERY_BODY, summary="A signed webhook delivery")
    async def deliver(channel: str, request: Request) -> WebhookAccepted:
        """Verify the signature over the raw body, normalise, de-duplicate and enqueue.
        Malformed entries are reported by JSON path; the good ones are still enqueued."""
        found = registry.channel(channel)  # 404 before reading a byte of the body
        raw = await request.body()
        result = await run_in_threadpool(
            ingest_webhook, found, dict(request.headers), raw, queue=providers.queue,
            secrets=providers.secrets, repositories=providers.repositories,
            max_body_bytes=max_body)
        log.info("webhook %s: %d enqueued, %d duplicates, %d rejected, %d skipped",
                 channel, len(result.enqueued), len(result.duplicates),
                 len(result.rejected), len(result.skipped))
        for item in result.rejected[:5]:
            log.info("webhook %s rejected %s: %s", channel, item.path[:200],
                     item.reason[:200])
        return WebhookAccepted.of(result)

    return router


__all__ = ["webhook_router"]
