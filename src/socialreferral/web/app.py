"""The web app factory: the endpoints social networks and prospects reach (FastAPI).

==========================================  ==============================================
``GET  /webhooks/{channel}``                a channel's subscription handshake
``POST /webhooks/{channel}``                a signed webhook delivery (any registered
                                            channel: built-in or a plugin's)
``GET  /referrals/{token}``                 the offer behind a signed referral link
``POST /referrals/{token}/lead``            the prospect's lead form (JSON)
``/care/...``                                the care queue's agent API, when
                                            ``[web] care_api = true`` (web/routes/care.py)
``/influence/...``                          the influence dashboard's API, when
                                            ``[web] influence_api = true``
                                            (web/routes/influence.py)
``GET  /people``, ``/people/{id}``          the People API for service callers (API keys,
``GET|POST /people/review``                 audited; web/routes/people.py)
``GET  /connect/{network}``,               a customer's OAuth login (signed ticket,
``GET  /connect/{network}/callback``        state + PKCE; socialreferral.service.connect)
``GET  /healthz``                           liveness
``GET  /openapi.json``, ``/docs``           the schema (response models for every route)
                                            and Swagger UI, served from the package
``/console/...``, ``/api/...``, HTML pages  the web console (:mod:`socialreferral.web.
of ``/referrals/{token}``                   console`): prospects' pages, operators' pages
                                            and their JSON twins
==========================================  ==============================================

Layers of a request, outermost first (pure ASGI middleware, then FastAPI)::

    LastResortMiddleware   any unexpected exception -> 500, logged by type only
    SecurityHeaders        CSP, frame-ancestors, nosniff, Referrer-Policy, HSTS behind TLS
                           on every response (socialreferral.web.console.security)
    RateLimitMiddleware    per client address and per channel -> 429 + Retry-After
    BodyLimitMiddleware    Content-Length over the limit -> 413 up front; a streamed body
                           is counted and stopped at the limit
    FastAPI                exception handlers map library errors by meaning
                           (socialreferral.web.errors); routes call the use cases, blocking
                           port calls in the thread pool

Limits come from the ``[web]`` settings (``max_body_bytes``, ``client_rate``,
``channel_rate``). Secrets and referral tokens are redacted from the app's log records
(:mod:`socialreferral.web.redaction`); :func:`socialreferral.web.server.serve` runs the
app under uvicorn with the same redaction on the access log.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from socialreferral.bootstrap import Providers
from socialreferral.observability.setup import (
    configure_from_environment,
    metrics_asgi_app,
    watch_care,
    watch_queue,
)
from socialreferral.web.console import install_console, uses_tls
from socialreferral.web.console.security import SecurityHeadersMiddleware
from socialreferral.web.edge import BodyLimitMiddleware, LastResortMiddleware, UnexpectedErrors
from socialreferral.web.errors import install_error_handlers
from socialreferral.web.ratelimit import RateLimitMiddleware
from socialreferral.web.redaction import app_logger
from socialreferral.web.routes import (
    care_router,
    connect_router,
    health_router,
    influence_router,
    people_router,
    referral_router,
    unsubscribe_router,
    webhook_router,
)

API_VERSION = "0.1.0"


def create_app(providers: Providers, *, owns_providers: bool = False) -> FastAPI:
    """Build the app over a :class:`Providers` bundle.

    The channels served are those of ``providers.registry`` (built-in and plugin ones,
    registered through ``register_channels``). With ``owns_providers`` the app closes the
    providers when it shuts down (a server process that built them for the app).
    ``app.state.unexpected_errors`` counts what reached the last-resort handler.
    """
    web = providers.settings.web
    app_logger()  # attach the redacting filter before the first record

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if owns_providers:
                providers.close()

    app = FastAPI(
        title="socialreferral", version=API_VERSION, lifespan=lifespan,
        # FastAPI's /docs and /redoc load their assets from a CDN: the console serves
        # Swagger UI from the package instead.
        docs_url=None, redoc_url=None,
        description="Webhook ingestion for social networks, the prospect's referral "
                    "pages, the console's JSON API (the /api routes need a console "
                    "session; writes need its X-CSRF-Token) and the People API for "
                    "service callers (API keys). Errors share one JSON shape "
                    "(ErrorBody).",
    )
    app.state.providers = providers
    app.state.unexpected_errors = UnexpectedErrors()
    install_error_handlers(app)
    app.include_router(webhook_router(providers))
    app.include_router(referral_router(providers))
    if web.care_api:
        from socialreferral.tasks.care import care_desk  # the desk's composition root

        app.state.care_desk = care_desk(providers)
        app.include_router(care_router(app.state.care_desk, max_body_bytes=web.max_body_bytes))
    if web.influence_api:
        from socialreferral.tasks.influence import influence_analytics  # composition root

        app.state.influence = influence_analytics(providers)
        app.include_router(influence_router(app.state.influence))
    app.include_router(people_router(providers))
    app.include_router(connect_router(providers))
    app.include_router(unsubscribe_router(providers))
    app.include_router(health_router())
    # Telemetry only when SOCIALREFERRAL_TELEMETRY names exporters (docs/observability.md).
    telemetry = configure_from_environment(os.environ)
    if telemetry.exporters:
        watch_queue(providers.queue)
        if web.care_api or providers.settings.care.pages:  # the care queue is in use
            from socialreferral.tasks.care import care_desk

            desk = getattr(app.state, "care_desk", None) or care_desk(providers)
            watch_care(desk.sla_breached_now)
    if telemetry.prometheus:
        app.mount("/metrics", metrics_asgi_app())
    install_console(app, providers)
    # add_middleware wraps what is there, so the last one added is the outermost.
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=web.max_body_bytes)
    app.add_middleware(RateLimitMiddleware, client_rate=web.client_rate,
                       channel_rate=web.channel_rate, channels=tuple(providers.registry.channels))
    app.add_middleware(SecurityHeadersMiddleware, tls=uses_tls(providers))
    app.add_middleware(LastResortMiddleware, errors=app.state.unexpected_errors)
    return app


__all__ = ["API_VERSION", "create_app"]
