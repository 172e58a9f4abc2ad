"""Operators of the web console: accounts, roles, sessions and the lockout rule.

An operator is a bank employee who runs the programme (not a customer or a prospect).
Each has one or more :class:`Role`; every console route names the roles it admits. The
account keeps a password *hash* only (argon2id, computed outside the domain), the count
of failed logins in a row and, once that count reaches the limit, the time until which
the account is locked. A :class:`OperatorSession` is what a login opens: who, with which
roles, since when, and the per-session CSRF token of its forms.

Pure: no I/O, no clock (times are passed in).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain._time import require_aware

OPERATOR_NAME = r"^[a-z0-9][a-z0-9._@-]{0,63}$"
"""Lower-case login names (an e-mail address fits), so "Ann" and "ann" are one account."""


class ConsoleSettings(DomainModel):
    """``[console]``: operator logins and sessions of the web console.

    A session ends after ``session_idle_minutes`` without a request and in any case
    ``session_max_hours`` after the login; ``lockout_failures`` wrong passwords in a row
    lock the account for ``lockout_minutes``. Passwords shorter than
    ``password_min_length`` are refused when an account is created. ``organisation`` is
    the name prospects see on the offer pages.
    """

    organisation: str = Field(default="Example Bank", min_length=1, max_length=80)

    session_idle_minutes: float = Field(default=30.0, gt=0, le=24 * 60)
    session_max_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    lockout_failures: int = Field(default=5, ge=1, le=100)
    lockout_minutes: float = Field(default=15.0, gt=0, le=24 * 60)
    password_min_length: int = Field(default=12, ge=8, le=256)


class Role(StrEnum):
    """What an operator does. Routes admit roles explicitly; ``admin`` is not a superuser
    (it runs the system — settings, erasure — but does not approve money or answer
    customers: separation of duties)."""

    AGENT = "agent"
    MARKETER = "marketer"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class Operator(DomainModel):
    """An operator account (stored by the operator repository)."""

    name: str = Field(pattern=OPERATOR_NAME)
    roles: tuple[Role, ...] = Field(min_length=1, max_length=4)
    password_hash: str = Field(min_length=1, max_length=512)
    created_at: AwareDatetime
    failed_logins: int = Field(default=0, ge=0)
    locked_until: AwareDatetime | None = None

    def locked_at(self, now: datetime) -> bool:
        """True while a lockout is in force at ``now``."""
        require_aware(now)
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, now: datetime, *, max_failures: int,
                      lock_for: timedelta) -> Operator:
        """The account after one more wrong password at ``now``: the count grows, and on
        reaching ``max_failures`` the account locks for ``lock_for`` (the count restarts,
        so the next wrong password after the lockout locks again only after as many)."""
        require_aware(now)
        failures = self.failed_logins + 1
        if failures >= max_failures:
            return self.model_copy(update={"failed_logins": 0, "locked_until": now + lock_for})
        return self.model_copy(update={"failed_logins": failures})

    def after_success(self, password_hash: str | None = None) -> Operator:
        """The account after a correct password (counters cleared; a rehash kept)."""
        update: dict[str, object] = {"failed_logins": 0, "locked_until": None}
        if password_hash is not None:
            update["password_hash"] = password_hash
        return self.model_copy(update=update)


class Principal(DomainModel):
    """Who a request acts for, however they proved it (password today, OIDC later):
    ``source`` names the authenticator."""

    name: str = Field(pattern=OPERATOR_NAME)
    roles: tuple[Role, ...] = Field(min_length=1, max_length=4)
    source: str = Field(default="password", pattern=r"^[a-z][a-z0-9-]{0,31}$")

    def has_any(self, roles: frozenset[Role]) -> bool:
        """True if the principal holds one of ``roles``."""
        return any(role in roles for role in self.roles)


class OperatorSession(DomainModel):
    """An open console session (stored under a digest of its id, never the id)."""

    principal: Principal
    csrf_token: str = Field(min_length=32, max_length=128)
    created_at: AwareDatetime
    last_seen: AwareDatetime

    def valid_at(self, now: datetime, *, idle: timedelta, max_age: timedelta) -> bool:
        """True unless idle for longer than ``idle`` or older than ``max_age`` at ``now``."""
        require_aware(now)
        return now - self.last_seen <= idle and now - self.created_at <= max_age


__all__ = ["OPERATOR_NAME", "ConsoleSettings", "Operator", "OperatorSession", "Principal", "Role"]
