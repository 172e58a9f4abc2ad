"""The customer's OAuth login: ``GET /connect/{network}`` and its callback.

``/connect/{network}?ticket=...`` takes the signed ticket the bank's site issued for its
logged-in customer (:func:`socialreferral.service.connect.connect_ticket`) and answers
303 to the network's login dialog, with ``state`` and a PKCE challenge made by
:func:`~socialreferral.service.connect.begin_login`. The network sends the browser back to
``/connect/{network}/callback?code=...&state=...`` (or ``error=access_denied``):
:func:`~socialreferral.service.connect.finish_login` takes the single-use state and
connects the account. This flow is the customer's, not an operator's: it needs no
console session; ``state`` (bound server-side to the ticket's customer) and PKCE protect
it. Only networks whose settings configure an app (``Providers.logins``) are served; the
redirect URI is ``[web] public_base_url`` + the callback path, as registered with the
network. Tokens never appear in an answer or a log line.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from socialreferral.bootstrap import Providers
from socialreferral.errors import InvalidInput, UnknownChannel
from socialreferral.ports.oauth import OAuthLogin
from socialreferral.service.connect import ConnectOutcome, begin_login, finish_login
from socialreferral.web.schemas import error_responses

CONNECT_PATH = "/connect/{network}"
CALLBACK_PATH = "/connect/{network}/callback"


def connect_router(providers: Providers) -> APIRouter:
    """The login routes over ``providers`` (one pair of routes for every login)."""
    router = APIRouter(tags=["connect"])
    base = providers.settings.web.public_base_url.rstrip("/")

    def login_for(network: str) -> OAuthLogin:
        login = providers.logins.get(network)
        if login is None:
            known = ", ".join(sorted(providers.logins)) or "none"
            raise UnknownChannel(f"no login for {network!r} (configured: {known})")
        return login

    @router.get(CONNECT_PATH, status_code=303, response_class=RedirectResponse,
                responses={303: {"description": "To the network's login dialog"},
                           **error_responses(400, 403, 404, 429, 503)})
    def start(network: str, ticket: str = "") -> RedirectResponse:
        """Send the customer's browser to the network's login (state + PKCE)."""
        login = login_for(network)
        if not 0 < len(ticket) <= 2048:
            raise InvalidInput("a connect ticket of 1-2048 characters is needed",
                               field="ticket")
        url = begin_login(repositories=providers.repositories, secrets=providers.secrets,
                          login=login, ticket=ticket,
                          redirect_uri=base + CALLBACK_PATH.format(network=network),
                          now=datetime.now(UTC))
        return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})

    @router.get(CALLBACK_PATH, response_model=ConnectOutcome,
                responses=error_responses(400, 403, 404, 429, 503))
    async def callback(network: str, state: str = "", code: str | None = None,
                       error: str | None = None) -> ConnectOutcome:
        """Finish the login: the token to the SecretStore, the granted scopes to the
        consent; a declined login is answered as such."""
        login = login_for(network)
        return await run_in_threadpool(
            finish_login, repositories=providers.repositories, secrets=providers.secrets,
            social=providers.social, login=login, rules=providers.settings.referral.eligibility,
            state=state, code=code, error=error, now=datetime.now(UTC))

    return router


__all__ = ["CALLBACK_PATH", "CONNECT_PATH", "connect_router"]
