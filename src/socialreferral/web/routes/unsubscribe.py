"""``/unsubscribe``: the signed link every e-mail carries (RFC 8058 one-click).

``GET /unsubscribe?token=...`` only shows a page with one button: mail scanners and link
previewers fetch links, and a fetch must not unsubscribe anyone. ``POST`` to the same URL
(the button, or a mail client's one-click ``List-Unsubscribe=One-Click`` POST, which
carries no cookie) verifies the token and records the opt-out through
:func:`socialreferral.service.unsubscribe.unsubscribe`; the contact policy then refuses
every later offer or ask to that person. The token is the only authority: a forged,
altered or expired one is 403. The answer never names the person.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from socialreferral.bootstrap import Providers
from socialreferral.service.unsubscribe import UNSUBSCRIBE_PATH, unsubscribe
from socialreferral.web.schemas import error_responses

_PAGE: dict[int | str, dict[str, Any]] = {200: {"description": "A page (text/html)",
               "content": {"text/html": {"schema": {"type": "string"}}}}}
_STYLE = "font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto"


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang=en><meta charset=utf-8><title>{escape(title)}</title>"
        f"<meta name=robots content=noindex><body style='{_STYLE}'><h1>{escape(title)}</h1>"
        f"{body}</body></html>", headers={"Cache-Control": "no-store",
                                          "Referrer-Policy": "no-referrer"})


#: The signed token (the link's only authority), bounded like every token.
Token = Annotated[str, Query(min_length=1, max_length=2048)]


def unsubscribe_router(providers: Providers) -> APIRouter:
    """The unsubscribe routes over ``providers``."""
    router = APIRouter(tags=["unsubscribe"])
    key_secret: str = str((providers.settings.providers.get("email") or {}).get(
        "unsubscribe_key_secret") or "unsubscribe-link-key")

    # Errors are JSON (ErrorBody) like everywhere else, so the default response class
    # stays; the 200 page is documented as text/html.
    @router.get(UNSUBSCRIBE_PATH, response_model=None,
                responses={**_PAGE, **error_responses(422, 429)},
                summary="Confirm unsubscribing (no side effect)")
    def confirm(token: Token) -> HTMLResponse:
        """A page with the one button that unsubscribes (a GET changes nothing)."""
        action = escape(f"{UNSUBSCRIBE_PATH}?{urlencode({'token': token})}")
        return _page("Unsubscribe", f"<p>Stop every offer and reminder from us?</p>"
                     f"<form method=post action='{action}'><input type=hidden "
                     "name=List-Unsubscribe value=One-Click><button>Unsubscribe</button>"
                     "</form>")

    @router.post(UNSUBSCRIBE_PATH, response_model=None,
                 responses={**_PAGE, **error_responses(403, 422, 429, 503)},
                 summary="Unsubscribe (RFC 8058 one-click)")
    async def one_click(token: Token) -> HTMLResponse:
        """Verify the signed token and opt its person out of every contact."""
        await run_in_threadpool(unsubscribe, providers.repositories, providers.secrets,
                                token, datetime.now(UTC), key_secret=key_secret)
        return _page("You are unsubscribed",
                     "<p>You will not receive offers or reminders from us any more.</p>")

    return router


__all__ = ["unsubscribe_router"]
