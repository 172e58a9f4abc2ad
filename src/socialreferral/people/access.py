"""Who may read people, and the record of who did: API keys and audit entries.

Service callers (an app, the CRM's integration) authenticate with an API key of the form
``srk_<key id>_<secret>``. Only a SHA-256 digest of the secret is stored: the secret is
256 random bits, so a digest cannot be reversed or guessed, and a fast hash is enough
(slow password hashes exist for low-entropy human passwords). The key id, stored in
clear, finds the record; the digest is compared in constant time. A key carries scopes:

* ``people:read`` — search people and read a person (golden record, sources, links);
* ``people:review`` — list the review band and confirm or split pairs.

Every read of a person is an :class:`AuditEntry`: who (key id and name), when, what
(search, read, review, decide), whom (the person id) and how the caller searched (by
e-mail, phone or handle — the kind only: the searched value is never stored, so an entry
that found nobody holds no personal data).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Literal

from pydantic import AwareDatetime, Field

from socialreferral.domain._base import DomainModel
from socialreferral.errors import NotAuthenticated

SCOPES: tuple[str, ...] = ("people:read", "people:review")
KEY_PREFIX = "srk"
_KEY = re.compile(r"^srk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$")

AuditAction = Literal["search", "read", "review", "decide", "enrich"]


class ApiKey(DomainModel):
    """A service caller's key as stored: never the secret, only its digest."""

    key_id: str = Field(pattern=r"^[a-z0-9]{12}$")
    name: str = Field(min_length=1, max_length=100)
    scopes: tuple[str, ...]
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    created_at: AwareDatetime
    revoked_at: AwareDatetime | None = None

    @property
    def active(self) -> bool:
        """True until revoked."""
        return self.revoked_at is None


class Caller(DomainModel):
    """An authenticated caller: what the audit log names."""

    caller_id: str = Field(min_length=1, max_length=128)
    name: str = Field(default="", max_length=100)
    scopes: tuple[str, ...] = ()


class AuditEntry(DomainModel):
    """One access to one person (``subject``; None when a search found nobody)."""

    entry_id: str = Field(min_length=1, max_length=128)
    at: AwareDatetime
    caller_id: str = Field(max_length=128)
    caller_name: str = Field(default="", max_length=100)
    action: AuditAction
    subject: str | None = Field(default=None, max_length=128)
    query_kind: str | None = Field(default=None, max_length=16)
    results: int = Field(default=0, ge=0)


def digest_of(secret: str) -> str:
    """The stored digest of a key's secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def format_key(key_id: str, secret: str) -> str:
    """The key a caller presents: ``srk_<key id>_<secret>``."""
    return f"{KEY_PREFIX}_{key_id}_{secret}"


def parse_key(presented: str | None) -> tuple[str, str]:
    """(key id, secret) of a presented key; :class:`NotAuthenticated` if malformed.

    The message never repeats the presented value (it may be a real key mistyped).
    """
    match = _KEY.match(presented or "")
    if match is None:
        raise NotAuthenticated("a valid API key is required")
    return match.group(1), match.group(2)


def verify(key: ApiKey | None, secret: str) -> bool:
    """True if ``key`` is active and ``secret`` is its secret (constant-time compare;
    an unknown key costs the same digest as a known one)."""
    expected = key.digest if key is not None and key.active else "0" * 64
    ok = hmac.compare_digest(expected, digest_of(secret))
    return ok and key is not None and key.active


__all__ = [
    "KEY_PREFIX",
    "SCOPES",
    "ApiKey",
    "AuditAction",
    "AuditEntry",
    "Caller",
    "digest_of",
    "format_key",
    "parse_key",
    "verify",
]
