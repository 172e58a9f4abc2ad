"""Logging in and out, and the console's home page.

``GET/POST /console/login`` (public; CSRF by the double-submit token, since there is no
session yet), ``POST /console/logout`` and ``GET /console/`` (any role). A successful
login opens a *new* session (no fixation: a session id from before the login is never
reused) and redirects to the page the operator wanted — only a path of this console,
never another site (no open redirect). A failed login says "wrong name or password",
never which; a locked account says for how long, with ``Retry-After``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from socialreferral.domain.operators import Role
from socialreferral.errors import AccountLocked, NotAuthenticated
from socialreferral.web.console.auth import ConsoleAuth, read_form, requires
from socialreferral.web.console.security import CSRF_FIELD
from socialreferral.web.console.templating import render
from socialreferral.web.redaction import app_logger

LOGIN_PATH = "/console/login"
HOME_PATH = "/console/"
_PURPOSE = "login"


def safe_next(target: str | None) -> str:
    """``target`` if it is a path of this console, else the home page."""
    if (not target or not target.startswith("/console/") or target.startswith("//")
            or "\\" in target or len(target) > 500 or target.startswith(LOGIN_PATH)):
        return HOME_PATH
    return target


def _login_page(request: Request, auth: ConsoleAuth, *, status_code: int = 200,
                error: str = "", notice: str = "", name: str = "", next_path: str = "",
                headers: dict[str, str] | None = None) -> Response:
    holder = Response()
    nonce = auth.nonce(request, holder)
    page = render(request, "login.html", {
        "form_token": auth.csrf.for_nonce(nonce, _PURPOSE), "error": error, "notice": notice,
        "name": name[:64], "next_path": safe_next(next_path),
        "lockout_failures": auth.rules.lockout_failures,
        "lockout_minutes": f"{auth.rules.lockout_minutes:g}",
    }, status_code=status_code, headers=headers)
    page.raw_headers.extend(h for h in holder.raw_headers if h[0] == b"set-cookie")
    return page


def login_router() -> APIRouter:
    """The login, logout and home routes."""
    router = APIRouter(include_in_schema=False)
    log = app_logger()

    @router.get(LOGIN_PATH)
    async def login_form(request: Request) -> Response:
        """The login form."""
        auth: ConsoleAuth = request.app.state.console_auth
        notice = "You have been logged out." if request.query_params.get("bye") else ""
        return _login_page(request, auth, next_path=request.query_params.get("next", ""),
                           notice=notice)

    @router.post(LOGIN_PATH)
    async def login(request: Request) -> Response:
        """Check the credentials; open a session; go where the operator wanted."""
        auth: ConsoleAuth = request.app.state.console_auth
        form = await read_form(request)
        auth.csrf.check_nonce(request.cookies.get(auth.cookies.nonce), _PURPOSE,
                              form.get(CSRF_FIELD))
        name, password = form.get("name", ""), form.get("password", "")
        now = datetime.now(UTC)
        try:
            principal = await run_in_threadpool(auth.authenticator.authenticate, name,
                                                password, now=now)
        except AccountLocked as exc:
            log.warning("console login refused: account locked")
            return _login_page(request, auth, status_code=429, error=str(exc), name=name,
                               next_path=form.get("next", ""),
                               headers={"Retry-After": str(exc.retry_after)})
        except NotAuthenticated as exc:
            log.info("console login failed")
            return _login_page(request, auth, status_code=401, error=str(exc).capitalize()
                               + ".", name=name, next_path=form.get("next", ""))
        old = request.cookies.get(auth.cookies.session, "")
        if old:
            await run_in_threadpool(auth.sessions.end, old)
        session_id, _ = await run_in_threadpool(auth.sessions.start, principal, now=now)
        log.info("console login: %s (%s)", principal.name, ",".join(principal.roles))
        response = RedirectResponse(safe_next(form.get("next")), status_code=303)
        auth.set_cookie(response, auth.cookies.session, session_id,
                        max_age=int(auth.sessions.max_age.total_seconds()))
        return response

    any_role = [Depends(requires(Role))]

    @router.post("/console/logout", dependencies=any_role)
    async def logout(request: Request) -> Response:
        """End the session (CSRF-checked like every form)."""
        auth: ConsoleAuth = request.app.state.console_auth
        await run_in_threadpool(auth.sessions.end, request.state.session_id)
        response = RedirectResponse(LOGIN_PATH + "?bye=1", status_code=303)
        auth.clear_cookie(response, auth.cookies.session)
        return response

    @router.get(HOME_PATH, dependencies=any_role)
    async def home(request: Request) -> Response:
        """The areas this operator may open."""
        return render(request, "home.html")

    return router


__all__ = ["HOME_PATH", "LOGIN_PATH", "login_router", "safe_next"]
