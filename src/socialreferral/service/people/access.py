"""API keys of the People REST API's service callers, and authentication.

A key is created by an operator (``socialreferral people api-key create``), shown once
and stored as a digest (:mod:`socialreferral.people.access`); revoking it takes effect
on the next request. :func:`authenticate` turns a presented key and the scope an
operation needs into a :class:`~socialreferral.people.access.Caller`, or raises
:class:`~socialreferral.errors.NotAuthenticated` (HTTP 401: missing, malformed, unknown or
revoked — never said which) or :class:`~socialreferral.errors.RoleRequired` (HTTP 403: a
valid key without the scope).
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence
from datetime import datetime

from socialreferral.errors import InvalidInput, NotAuthenticated, NotFound, RoleRequired
from socialreferral.people.access import (
    SCOPES,
    ApiKey,
    Caller,
    digest_of,
    format_key,
    parse_key,
    verify,
)
from socialreferral.repositories import Repositories

_ID_ALPHABET = string.ascii_lowercase + string.digits


def create_api_key(repositories: Repositories, *, name: str, scopes: Sequence[str],
                   now: datetime) -> tuple[ApiKey, str]:
    """A new key: the stored record and the key to hand over (shown once, never stored)."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise InvalidInput(f"scopes must be among {', '.join(SCOPES)}", field="scopes")
    if not name.strip() or len(name) > 100:
        raise InvalidInput("1-100 characters", field="name")
    key_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))
    secret = secrets.token_urlsafe(32)
    record = ApiKey(key_id=key_id, name=name.strip(), scopes=tuple(sorted(set(scopes))),
                    digest=digest_of(secret), created_at=now)
    repositories.api_keys.add(record)
    return record, format_key(key_id, secret)


def revoke_api_key(repositories: Repositories, key_id: str, *, now: datetime) -> ApiKey:
    """Revoke a key (idempotent); :class:`NotFound` for an unknown id."""
    revoked = repositories.api_keys.revoke(key_id, now)
    if revoked is None:
        raise NotFound(f"no API key {key_id!r}")
    return revoked


def authenticate(repositories: Repositories, presented: str | None, scope: str) -> Caller:
    """The caller a presented key identifies, if it carries ``scope`` (module docstring)."""
    key_id, secret = parse_key(presented)
    key = repositories.api_keys.get(key_id)
    if not verify(key, secret) or key is None:
        raise NotAuthenticated("a valid API key is required")
    if scope not in key.scopes:
        raise RoleRequired(f"this API key lacks the scope {scope!r}")
    return Caller(caller_id=f"key:{key.key_id}", name=key.name, scopes=key.scopes)


__all__ = ["authenticate", "create_api_key", "revoke_api_key"]
