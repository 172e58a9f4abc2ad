"""Operator accounts, logins and sessions of the web console.

**Accounts** (:func:`create_operator`, :func:`set_password`, :func:`remove_operator`) keep
an argon2id hash of the password (``argon2-cffi``'s defaults, RFC 9106's second
recommended profile), never the password; a hash made with weaker parameters is redone on
the next successful login.

**Login** goes through an :class:`Authenticator`: anything that turns what the person
presented into a verified :class:`~socialreferral.domain.operators.Principal` (a name and
roles). :class:`PasswordAuthenticator` is the built-in one: it checks the hash, counts
failures in a row and locks the account for ``[console] lockout_minutes`` after
``lockout_failures`` of them (an unknown name costs the same hash computation as a
known one, so timing does not tell which names exist). **Where OIDC plugs in**: an
authenticator for Azure AD / Entra ID or Cognito would run the authorization-code flow
(redirect, callback, ID-token validation) in two console routes and map the token's
groups or app roles to :class:`~socialreferral.domain.operators.Role`; it ends, like the
password one, in a ``Principal`` handed to :meth:`Sessions.start` — sessions, CSRF and the
role checks do not change.

**Sessions** (:class:`Sessions`) are server-side: a random 256-bit id goes into the
cookie, the store keeps the session under a digest of it with the principal, a per-session
CSRF token, the login time and the last request; a session ends after
``session_idle_minutes`` idle or ``session_max_hours`` in all, at logout, or when the
account is removed (checked on every request for password logins, so removing an account
or changing its roles takes effect at once).
"""

from __future__ import annotations

import contextlib
import secrets as pysecrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol

from socialreferral.domain.operators import (
    ConsoleSettings,
    Operator,
    OperatorSession,
    Principal,
    Role,
)
from socialreferral.errors import (
    AccountLocked,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    ProviderNotInstalled,
)
from socialreferral.repositories.operators import OperatorRepository

MAX_PASSWORD_CHARS = 1024
"""Longer passwords are refused before hashing (hashing cost must not be attacker-sized)."""
_LOGIN_FAILED = "wrong name or password"


def password_hasher() -> Any:
    """argon2-cffi's ``PasswordHasher`` with its (RFC 9106) defaults; an install hint
    when the ``web`` extra is missing."""
    try:
        import argon2
    except ImportError:
        raise ProviderNotInstalled("console", "web", "argon2") from None
    return argon2.PasswordHasher()


def _check_password(password: str, rules: ConsoleSettings) -> None:
    if not isinstance(password, str) or len(password) < rules.password_min_length:
        raise InvalidInput(f"at least {rules.password_min_length} characters",
                           field="password")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput(f"at most {MAX_PASSWORD_CHARS} characters", field="password")


def _roles(roles: Iterable[str | Role]) -> tuple[Role, ...]:
    try:
        found = tuple(dict.fromkeys(Role(str(r).strip().lower()) for r in roles))
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise InvalidInput(f"roles are {known}", field="role") from None
    if not found:
        raise InvalidInput("give at least one role", field="role")
    return found


def create_operator(operators: OperatorRepository, name: str, roles: Iterable[str | Role],
                    password: str, *, rules: ConsoleSettings, now: datetime,
                    hasher: Any = None) -> Operator:
    """Create an account; ``InvalidInput`` for a bad name, role or password, or a name
    that is taken."""
    _check_password(password, rules)
    hasher = hasher or password_hasher()
    try:
        operator = Operator(name=name.strip().lower(), roles=_roles(roles),
                            password_hash=hasher.hash(password), created_at=now)
    except ValueError as exc:  # pydantic: the name's pattern
        if isinstance(exc, InvalidInput):
            raise
        raise InvalidInput("names are 1-64 lower-case letters, digits and . _ @ -",
                           field="name") from None
    if not operators.create(operator):
        raise InvalidInput(f"an operator called {operator.name!r} exists", field="name")
    return operator


def set_password(operators: OperatorRepository, name: str, password: str, *,
                 rules: ConsoleSettings, hasher: Any = None) -> Operator:
    """Replace an account's password (and lift a lockout)."""
    _check_password(password, rules)
    digest = (hasher or password_hasher()).hash(password)
    return operators.change(name.strip().lower(), lambda o: o.after_success(digest))


def remove_operator(operators: OperatorRepository, name: str) -> int:
    """Erase an account and its sessions; ``NotFound`` if there is none."""
    removed = operators.erase_operator(name)
    if not removed:
        raise NotFound(f"no operator {name.strip().lower()!r}")
    return removed


class Authenticator(Protocol):
    """Turns credentials into a verified principal (module docstring: OIDC)."""

    source: str

    def authenticate(self, name: str, password: str, *, now: datetime) -> Principal:
        """The principal, or ``NotAuthenticated`` / ``AccountLocked``."""
        ...


class PasswordAuthenticator:
    """Password logins against the operator repository, with lockout."""

    source = "password"

    def __init__(self, operators: OperatorRepository, rules: ConsoleSettings,
                 hasher: Any = None) -> None:
        self.operators = operators
        self.rules = rules
        self.hasher = hasher or password_hasher()
        # Verified when the name is unknown, so such a login costs the same time.
        self._decoy = self.hasher.hash(pysecrets.token_urlsafe(16))

    def authenticate(self, name: str, password: str, *, now: datetime) -> Principal:
        """Check the password; count a failure, lock on too many (module docstring)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        key = (name or "").strip().lower()[:64]
        operator = self.operators.get(key) if key else None
        attempt = (password or "")[:MAX_PASSWORD_CHARS]
        if operator is None:
            with contextlib.suppress(VerificationError, InvalidHashError):
                self.hasher.verify(self._decoy, attempt)
            raise NotAuthenticated(_LOGIN_FAILED)
        if operator.locked_at(now):
            raise self._locked(operator, now)
        try:
            self.hasher.verify(operator.password_hash, attempt)
        except (VerificationError, InvalidHashError):
            failed = self.operators.change(key, lambda o: o.after_failure(
                now, max_failures=self.rules.lockout_failures,
                lock_for=timedelta(minutes=self.rules.lockout_minutes)))
            if failed.locked_at(now):
                raise self._locked(failed, now) from None
            raise NotAuthenticated(_LOGIN_FAILED) from None
        rehash = (self.hasher.hash(attempt)
                  if self.hasher.check_needs_rehash(operator.password_hash) else None)
        if operator.failed_logins or operator.locked_until or rehash:
            self.operators.change(key, lambda o: o.after_success(rehash))
        return Principal(name=operator.name, roles=operator.roles, source=self.source)

    @staticmethod
    def _locked(operator: Operator, now: datetime) -> AccountLocked:
        assert operator.locked_until is not None
        wait = max(1, int((operator.locked_until - now).total_seconds()))
        return AccountLocked(f"too many failed logins; try again in {wait // 60 + 1} min",
                             retry_after=wait)


class Sessions:
    """Server-side console sessions (module docstring)."""

    def __init__(self, operators: OperatorRepository, rules: ConsoleSettings) -> None:
        self.operators = operators
        self.idle = timedelta(minutes=rules.session_idle_minutes)
        self.max_age = timedelta(hours=rules.session_max_hours)
        # Writing last_seen on every request would make every page view a store write.
        self.touch_every = min(timedelta(minutes=1), self.idle / 4)

    def start(self, principal: Principal, *, now: datetime) -> tuple[str, OperatorSession]:
        """Open a session for ``principal``: (session id for the cookie, session)."""
        session_id = pysecrets.token_urlsafe(32)
        session = OperatorSession(principal=principal, csrf_token=pysecrets.token_urlsafe(32),
                                  created_at=now, last_seen=now)
        self.operators.open_session(session_id, session, ttl_seconds=self._ttl())
        return session_id, session

    def resume(self, session_id: str, *, now: datetime) -> OperatorSession:
        """The live session behind ``session_id``; ``NotAuthenticated`` when there is none,
        it expired, or its password account is gone. Roles are re-read from the account."""
        if not session_id or len(session_id) > 128:
            raise NotAuthenticated("no session")
        session = self.operators.session(session_id)
        if session is None:
            raise NotAuthenticated("no session")
        if not session.valid_at(now, idle=self.idle, max_age=self.max_age):
            self.operators.close_session(session_id)
            raise NotAuthenticated("session expired")
        principal = session.principal
        if principal.source == PasswordAuthenticator.source:
            account = self.operators.get(principal.name)
            if account is None:
                self.operators.close_session(session_id)
                raise NotAuthenticated("account removed")
            if account.roles != principal.roles:
                session = session.model_copy(update={
                    "principal": principal.model_copy(update={"roles": account.roles})})
        if now - session.last_seen >= self.touch_every:
            session = session.model_copy(update={"last_seen": now})
            self.operators.save_session(session_id, session, ttl_seconds=self._ttl())
        return session

    def end(self, session_id: str) -> None:
        """Log out (no-op for an unknown id)."""
        if session_id and len(session_id) <= 128:
            self.operators.close_session(session_id)

    def _ttl(self) -> float:
        return self.max_age.total_seconds()


__all__ = [
    "MAX_PASSWORD_CHARS",
    "Authenticator",
    "PasswordAuthenticator",
    "Sessions",
    "create_operator",
    "password_hasher",
    "remove_operator",
    "set_password",
]
