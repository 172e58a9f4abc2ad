"""Errors as pages: what a person sees when a console page or a prospect's page fails.

:func:`html_errors` is installed as the app's ``html_errors`` renderer (see
:mod:`socialreferral.web.errors`): it takes every ``/console`` request, and the
prospect's pages (the HTML form, the thank-you page, and the landing page when the
browser asked for HTML); everything else keeps the JSON error body. The status code is
the one the JSON answer would have had; a page that needs a login redirects to it
instead (303, with the page to come back to).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from socialreferral.errors import SignatureInvalid
from socialreferral.web.console.negotiation import prefers_html
from socialreferral.web.console.security import CSRF_FIELD
from socialreferral.web.console.templating import render

_REFERRAL_PAGE = re.compile(r"^/referrals/[^/]+(/thanks)?/?$")
_TITLES = {400: "That did not work", 401: "Please log in", 403: "Not allowed",
           404: "Page not found", 405: "Not possible here", 413: "Too much data",
           415: "Form not understood", 422: "Please check the form",
           429: "Too many attempts", 503: "Temporarily unavailable"}


def _takes(request: Request) -> bool:
    path = request.url.path
    if path == "/console" or path.startswith("/console/"):
        return True
    if _REFERRAL_PAGE.match(path):
        return (request.method == "POST" or path.rstrip("/").endswith("/thanks")
                or prefers_html(request.headers.get("accept")))
    return False


def _message(status: int, exc: Exception, detail: str) -> str:
    if status >= 500:
        return "Something went wrong on our side. Please try again in a few minutes."
    if status == 403 and getattr(exc, "field", None) == CSRF_FIELD:
        return ("The form had expired or did not come from this site. Go back, reload the "
                "page and send it again.")
    if status == 403 and not isinstance(exc, SignatureInvalid):
        return "Your roles do not give access to this page."
    if status == 404:
        return "There is no page at this address."
    return detail[:300] or _TITLES.get(status, "Error")


def html_errors(request: Request, status: int, exc: Exception, detail: str) -> Response | None:
    """The error page for ``request`` (module docstring), or None for JSON."""
    if not _takes(request):
        return None
    path = request.url.path
    if (status == 401 and request.method in ("GET", "HEAD")
            and path.startswith("/console/") and path != "/console/login"):
        return RedirectResponse(f"/console/login?next={quote(path, safe='/')}",
                                status_code=303)
    pages = getattr(request.app.state, "prospect_pages", None)
    if (pages is not None and isinstance(exc, SignatureInvalid)
            and getattr(exc, "field", None) == "token"):
        page: Response = pages.problem(request, exc)
        return page
    title = _TITLES.get(status, "Error")
    link = None
    if status == 401:
        link = {"href": "/console/login", "text": "Log in"}
    elif path.startswith("/console/"):
        link = {"href": "/console/", "text": "Back to the console"}
    prospect = not path.startswith("/console")
    return render(request, "error.html", {
        "title": title, "message": _message(status, exc, detail), "status": status,
        "link": link, "tone": "warn" if status < 500 else "bad",
        "layout": "prospect/base.html" if prospect else "base.html",
        "bank_name": request.app.state.providers.settings.console.organisation,
    }, status_code=status)


__all__ = ["html_errors"]
