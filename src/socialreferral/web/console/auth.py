"""Who is asking, and may they: the one place every console and console-API route is
guarded.

:func:`requires` builds the dependency each area's router carries (see
:mod:`socialreferral.web.console.areas`): it resumes the operator's server-side session
from the cookie (``NotAuthenticated`` -> 401, or a redirect to the login page for a
page), checks that the operator holds one of the area's roles (``RoleRequired`` -> 403)
and, for every request that changes something, reads the form and checks its CSRF token
(``SignatureInvalid`` -> 403) before the route runs. A route cannot forget the check: it
is on the router, not on the route.

Service callers (API keys or OAuth client credentials, planned with the people REST) would
be resolved here too, into the same :class:`~socialreferral.domain.operators.Principal`.

Cookies: the session id in ``sr_session`` and the double-submit nonce in ``sr_csrf``,
both HttpOnly and SameSite=Strict; behind TLS they are ``Secure`` and named with the
``__Host-`` prefix (no Domain, Path=/), so no subdomain can set or read them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from socialreferral.domain.operators import ConsoleSettings, OperatorSession, Role
from socialreferral.errors import InvalidInput, RoleRequired
from socialreferral.repositories import Repositories
from socialreferral.service.operators import Authenticator, PasswordAuthenticator, Sessions
from socialreferral.web.console.security import CsrfTokens

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 40


@dataclass(frozen=True)
class CookieNames:
    """The cookie names for a deployment (``__Host-`` behind TLS)."""

    session: str
    nonce: str

    @classmethod
    def for_tls(cls, tls: bool) -> CookieNames:
        """``__Host-sr_session``/``__Host-sr_csrf`` behind TLS, else without the prefix
        (browsers refuse ``__Host-`` cookies that are not Secure)."""
        prefix = "__Host-" if tls else ""
        return cls(session=f"{prefix}sr_session", nonce=f"{prefix}sr_csrf")


class ConsoleAuth:
    """Sessions, the authenticator, CSRF tokens and cookies of one app."""

    def __init__(self, repositories: Repositories, rules: ConsoleSettings, csrf: CsrfTokens,
                 *, tls: bool, authenticator: Authenticator | None = None) -> None:
        self.rules = rules
        self.sessions = Sessions(repositories.operators, rules)
        self._repositories = repositories
        self._authenticator = authenticator
        self.csrf = csrf
        self.tls = tls
        self.cookies = CookieNames.for_tls(tls)

    @property
    def authenticator(self) -> Authenticator:
        """The login method (built on first use: argon2's first hash takes a moment)."""
        if self._authenticator is None:
            self._authenticator = PasswordAuthenticator(self._repositories.operators,
                                                        self.rules)
        return self._authenticator

    @authenticator.setter
    def authenticator(self, authenticator: Authenticator) -> None:
        """Replace the login method (another hashing profile, a directory, ...)."""
        self._authenticator = authenticator

    # -- cookies ---------------------------------------------------------------------
    def set_cookie(self, response: Response, name: str, value: str, *,
                   max_age: int | None = None) -> None:
        """A cookie with this deployment's flags (module docstring)."""
        response.set_cookie(name, value, max_age=max_age, path="/", secure=self.tls,
                            httponly=True, samesite="strict")

    def clear_cookie(self, response: Response, name: str) -> None:
        """Remove a cookie set by :meth:`set_cookie`."""
        response.delete_cookie(name, path="/", secure=self.tls, httponly=True,
                               samesite="strict")

    def nonce(self, request: Request, response: Response | None = None) -> str:
        """The browser's double-submit nonce; a new one (set on ``response``) if absent."""
        current = request.cookies.get(self.cookies.nonce, "")
        if current and len(current) <= 64:
            return current
        fresh = self.csrf.new_nonce()
        if response is not None:
            self.set_cookie(response, self.cookies.nonce, fresh)
        return fresh

    # -- sessions --------------------------------------------------------------------
    def session_of(self, request: Request) -> tuple[str, OperatorSession]:
        """(session id, live session) of the request; ``NotAuthenticated`` otherwise."""
        session_id = request.cookies.get(self.cookies.session, "")
        return session_id, self.sessions.resume(session_id, now=datetime.now(UTC))


async def read_form(request: Request) -> dict[str, str]:
    """The request's urlencoded form (bounded; the edge already bounds the body).

    Only ``application/x-www-form-urlencoded``: the console's forms upload no files, so no
    multipart parser is exposed to hostile bodies. A repeated field keeps its first value.
    """
    cached = getattr(request.state, "form", None)
    if isinstance(cached, dict):
        return cached
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        raise InvalidInput(f"send the form as {FORM_TYPE}", field="Content-Type")
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS,
                          errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("the form is not valid UTF-8 or has too many fields",
                           field="form") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        form.setdefault(key, value)
    request.state.form = form
    return form


def requires(roles: Iterable[Role]) -> Callable[[Request], Awaitable[OperatorSession]]:
    """The guard of an area (module docstring): session, role, then CSRF on writes."""
    allowed = frozenset(roles)

    async def guard(request: Request) -> OperatorSession:
        auth: ConsoleAuth = request.app.state.console_auth
        session_id, session = await run_in_threadpool(auth.session_of, request)
        request.state.principal = session.principal
        request.state.csrf_token = session.csrf_token
        request.state.session_id = session_id
        if not session.principal.has_any(allowed):
            needed = ", ".join(sorted(r.value for r in allowed))
            raise RoleRequired(f"this page needs the role {needed}")
        if request.method not in SAFE_METHODS:
            content_type = request.headers.get("content-type", "").lower()
            form = await read_form(request) if content_type.startswith(FORM_TYPE) else {}
            auth.csrf.check_session(session.csrf_token, form, request.headers)
        return session

    guard.roles = allowed  # type: ignore[attr-defined]  # read by the role test
    return guard


__all__ = ["FORM_TYPE", "SAFE_METHODS", "ConsoleAuth", "CookieNames", "read_form", "requires"]
