"""OAuth tokens as the library stores them: the SecretStore name and the secret's value.

A token lives only in the SecretStore, under :func:`token_secret_name` (the same name in
the authorization use case, in erasure and in the network adapters that read it at call
time). The value is :class:`StoredToken` as compact JSON: the access token, the refresh
token when the network issues one (X, LinkedIn), the expiry, and the scopes granted.
A value that is not JSON is taken as a bare access token (what ``socialreferral secrets
set`` or an older version stored), so operators can paste a page token by hand.

Pure: no I/O, no clock; callers pass ``now``.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta

from pydantic import AwareDatetime, Field

from socialreferral.domain._base import DomainModel
from socialreferral.errors import InvalidInput

#: A token this close to its expiry is refreshed (or treated as expired) before use.
EXPIRY_MARGIN = timedelta(minutes=2)
#: Largest stored token value (Key Vault's secret limit is 25 KB).
MAX_TOKEN_JSON = 16_000


def token_secret_name(network: str, person_id: str) -> str:
    """SecretStore name of a person's OAuth token (names allow only letters, digits, '-')."""
    clean = re.sub(r"[^A-Za-z0-9]", "", network)[:20] or "net"
    digest = hashlib.sha256(f"{network}\x1f{person_id}".encode()).hexdigest()[:40]
    return f"oauth-{clean}-{digest}"


class StoredToken(DomainModel):
    """One OAuth grant as kept in the SecretStore (never in a document or a log).

    ``expires_at`` None means the network gave no expiry (a Meta page token derived from
    a long-lived user token does not expire). ``scopes`` are those the network reports
    as granted, which may be fewer than were asked for.
    """

    access_token: str = Field(min_length=1, max_length=8000)
    refresh_token: str | None = Field(default=None, max_length=8000)
    token_type: str = Field(default="Bearer", max_length=32)
    expires_at: AwareDatetime | None = None
    scopes: tuple[str, ...] = ()

    def __repr__(self) -> str:  # a token must not reach a log through repr()
        return f"StoredToken(expires_at={self.expires_at!r}, scopes={self.scopes!r})"

    __str__ = __repr__

    def expired(self, now: datetime, margin: timedelta = EXPIRY_MARGIN) -> bool:
        """True when the token expires within ``margin`` of ``now``."""
        return self.expires_at is not None and self.expires_at - margin <= now

    def to_secret(self) -> str:
        """The secret's value: compact JSON."""
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def from_secret(cls, value: str) -> StoredToken:
        """Parse a secret's value; a value that is not a JSON object is a bare token."""
        text = value.strip()
        if len(text) > MAX_TOKEN_JSON:
            raise InvalidInput(f"longer than {MAX_TOKEN_JSON} characters", field="token")
        if not text.startswith("{"):
            if not text:
                raise InvalidInput("empty token", field="token")
            return cls(access_token=text)
        try:
            return cls.model_validate(json.loads(text))
        except (ValueError, TypeError):
            # Never echo the value: it is a credential.
            raise InvalidInput("not a stored token", field="token") from None

    @classmethod
    def from_grant(cls, grant: dict[str, object], now: datetime,
                   asked: tuple[str, ...] = ()) -> StoredToken:
        """A token from an RFC 6749 token response (``access_token``, ``expires_in``,
        ``refresh_token``, ``scope`` space- or comma-separated); without ``scope`` the
        network granted what was ``asked`` (RFC 6749 §5.1)."""
        access = grant.get("access_token")
        if not isinstance(access, str) or not access:
            raise InvalidInput("the token response has no access_token", field="access_token")
        expires_in = grant.get("expires_in")
        expires_at = None
        if isinstance(expires_in, int | float | str) and str(expires_in).strip():
            try:
                expires_at = now.astimezone(UTC) + timedelta(seconds=float(expires_in))
            except ValueError:
                raise InvalidInput("not a number", field="expires_in") from None
        scope = grant.get("scope")
        scopes = tuple(s for s in re.split(r"[\s,]+", scope) if s) if isinstance(
            scope, str) else tuple(asked)
        refresh = grant.get("refresh_token")
        return cls(access_token=access,
                   refresh_token=refresh if isinstance(refresh, str) and refresh else None,
                   token_type=str(grant.get("token_type") or "Bearer")[:32],
                   expires_at=expires_at, scopes=scopes)


class LoginAttempt(DomainModel):
    """A login in progress: what the callback needs, keyed by a digest of ``state``.

    Single use and short-lived: the callback takes it (deletes it) before the code
    exchange, so a replayed callback finds nothing. The PKCE ``code_verifier`` is useless
    without the authorization code, which only the person's browser carries.
    """

    customer_id: str = Field(min_length=1, max_length=128)
    network: str = Field(min_length=1, max_length=32)
    code_verifier: str = Field(min_length=43, max_length=128)
    redirect_uri: str = Field(min_length=1, max_length=2000)
    expires_at: AwareDatetime


__all__ = ["EXPIRY_MARGIN", "MAX_TOKEN_JSON", "LoginAttempt", "StoredToken",
           "token_secret_name"]
