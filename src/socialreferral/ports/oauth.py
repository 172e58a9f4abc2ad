"""The OAuth login of a social network: authorization code with ``state`` and PKCE.

Not a port chosen per deployment like the others (a bank lets customers connect Facebook,
X *and* LinkedIn at once): every network whose settings table configures an app gets a
login, built by the composition root (``Providers.logins``, keyed by network). The use
case :mod:`socialreferral.service.connect` drives it; the web app serves
``/connect/{network}`` and its callback.

An implementation (``providers/<vendor>/login.py``, on Authlib) does the network's
dialogue: the authorization URL (``state``, ``code_challenge`` S256, the scopes asked),
the code exchange (with the ``code_verifier``; Meta's long-lived token exchange), which
scopes the person actually granted, refresh where the network has refresh tokens, and
revocation. Tokens come back as :class:`~socialreferral.domain.oauth.StoredToken` and go
only to the SecretStore.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from socialreferral.domain.oauth import StoredToken


@dataclass(frozen=True)
class Grant:
    """What a finished login produced. ``granted``: the scopes the network reports as
    granted; ``declined``: asked for but refused by the person (never assumed)."""

    person_id: str
    token: StoredToken = field(repr=False)
    granted: tuple[str, ...]
    declined: tuple[str, ...] = ()
    display_name: str = ""


class OAuthLogin(ABC):
    """One network's OAuth 2.0 authorization-code login (PKCE, S256)."""

    #: The network name, as in ``SocialChannel.network`` and ``/connect/{network}``.
    network: ClassVar[str] = ""
    #: Scopes without which a connection is useless (their absence is reported).
    required_scopes: tuple[str, ...] = ()
    #: Scopes asked for.
    scopes: tuple[str, ...] = ()

    @abstractmethod
    def authorization_url(self, *, redirect_uri: str, state: str, code_verifier: str) -> str:
        """Where to send the person's browser to log in and consent."""

    @abstractmethod
    def exchange(self, *, code: str, code_verifier: str, redirect_uri: str,
                 now: datetime) -> Grant:
        """Exchange the authorization code; return the grant (long-lived on Meta).
        A refused code raises :class:`~socialreferral.errors.TokenInvalid`."""

    def refresh(self, token: StoredToken, now: datetime) -> StoredToken:
        """A fresh token for ``token`` (networks with refresh tokens); by default the
        network has none and the person must log in again."""
        from socialreferral.errors import TokenInvalid

        raise TokenInvalid(f"{self.network} tokens cannot be refreshed; log in again",
                           network=self.network)

    @abstractmethod
    def revoke(self, person_id: str, token: StoredToken) -> None:
        """Revoke the grant at the network (erasure, disconnect). Idempotent: a token
        the network no longer knows is not an error."""

    def close(self) -> None:  # noqa: B027 - optional
        """Release HTTP clients."""


__all__ = ["Grant", "OAuthLogin"]
