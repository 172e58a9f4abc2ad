"""The web console: server-rendered pages for prospects and for the people who run the
programme, with their JSON twins in the REST API. Offline by construction: templates,
CSS, htmx and Swagger UI are served from the package; charts are SVG drawn on the server.

=============================  ======================================  =================
pages                          what                                    roles
=============================  ======================================  =================
``/referrals/{token}``         the offer landing page, lead form,      none (the signed
(``…/thanks``)                 thank-you page, friendly link errors    link is the key)
``/console/login``, ``logout`` operator login (argon2id, lockout)      none / any
``/console/``                  the areas the operator may open         any
``/console/programme``         programme figures, CSV                  marketer, admin
``/console/reviews``           fraud review queue, countdowns          reviewer
``/console/care``              care queues, items, thread, replies     agent
``/console/influence``         the four influencer panels              marketer, admin
``/console/people``            find a person, golden record, B2B       marketer, admin
``/console/admin``             erase a person, settings, providers     admin
``/docs``                      Swagger UI, offline                     none
=============================  ======================================  =================

JSON twins: ``/api/programme``, ``/api/reviews``, ``/api/care/...``,
``/api/influence/...``, ``/api/people/...``, ``/api/admin/...`` (same session, same
roles; writes need the session's ``X-CSRF-Token``). Modules: ``areas`` (the roles table),
``auth`` (the guard every area router carries, cookies, form parsing), ``security``
(headers, CSRF), ``templating``, ``charts``, ``negotiation``, ``errors`` (error pages),
``assets`` (static files) and ``pages/`` (one module per area).
"""

from __future__ import annotations

from fastapi import FastAPI

from socialreferral.bootstrap import Providers
from socialreferral.providers import import_sdk

import_sdk("jinja2", provider="web console", extra="web")

from socialreferral.web.console.assets import STATIC_PREFIX, static_files  # noqa: E402
from socialreferral.web.console.auth import ConsoleAuth  # noqa: E402
from socialreferral.web.console.errors import html_errors  # noqa: E402
from socialreferral.web.console.pages.admin import install_admin  # noqa: E402
from socialreferral.web.console.pages.care import install_care  # noqa: E402
from socialreferral.web.console.pages.docs import docs_router  # noqa: E402
from socialreferral.web.console.pages.influence import install_influence  # noqa: E402
from socialreferral.web.console.pages.login import login_router  # noqa: E402
from socialreferral.web.console.pages.people import install_people  # noqa: E402
from socialreferral.web.console.pages.programme import install_programme  # noqa: E402
from socialreferral.web.console.pages.prospects import (  # noqa: E402
    ProspectPages,
    prospect_router,
)
from socialreferral.web.console.pages.reviews import install_reviews  # noqa: E402
from socialreferral.web.console.security import CsrfTokens  # noqa: E402


def uses_tls(providers: Providers) -> bool:
    """True when the app is reached over https (``[web] public_base_url``)."""
    return providers.settings.web.public_base_url.lower().startswith("https://")


def install_console(app: FastAPI, providers: Providers) -> None:
    """Add the console's routes, static files and error pages to ``app``."""
    app.state.console_auth = ConsoleAuth(
        providers.repositories, providers.settings.console, CsrfTokens(providers.secrets),
        tls=uses_tls(providers))
    app.state.prospect_pages = ProspectPages(providers)
    app.state.html_errors = html_errors
    app.include_router(prospect_router(app.state.prospect_pages))
    app.include_router(login_router())
    app.include_router(docs_router(app.openapi_url or "/openapi.json"))
    install_programme(app, providers)
    install_reviews(app, providers)
    install_care(app, providers)
    install_influence(app, providers, getattr(app.state, "influence", None))
    install_people(app, providers)
    install_admin(app, providers)
    app.mount(STATIC_PREFIX, static_files(), name="static")


__all__ = ["install_console", "uses_tls"]
