"""``LinkedInLogin``: Sign In with LinkedIn using OpenID Connect (authorization code,
``state``; PKCE S256 sent as well), with Authlib.

The token endpoint takes the client credentials in the form (``client_secret_post``).
Member access tokens last 60 days; refresh tokens exist only for apps LinkedIn approved
for them, so without one an expired token means logging in again. The scopes *granted*
are the token answer's ``scope`` (comma-separated); declined ones are reported. The
member's id (``sub``) and name come from ``/v2/userinfo``. Revocation is
``POST /oauth/v2/revoke``.

Authlib rather than the SDK's ``AuthClient``: the latter has no ``state`` or PKCE
support, and Authlib keeps the three networks' logins on one library.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import httpx

from socialreferral.domain.oauth import StoredToken
from socialreferral.errors import (
    ConfigurationError,
    TransientError,
)
from socialreferral.ports.oauth import Grant, OAuthLogin
from socialreferral.providers import import_sdk
from socialreferral.providers._http import tls_context
from socialreferral.providers._token_calls import token_call
from socialreferral.providers.linkedin.channel import member_profile
from socialreferral.providers.linkedin.errors import NETWORK
from socialreferral.providers.linkedin.settings import LinkedInSettings


class LinkedInLogin(OAuthLogin):
    """Sign In with LinkedIn for members (module docstring)."""

    network: ClassVar[str] = NETWORK

    def __init__(self, settings: LinkedInSettings, *,
                 transport: httpx.BaseTransport | None = None) -> None:
        if settings.client_id is None or settings.client_secret is None:
            raise ConfigurationError("LinkedIn login needs [linkedin] client_id and "
                                     "client_secret")
        self.settings = settings
        self.scopes = tuple(settings.scopes)
        self.required_scopes = tuple(settings.required_scopes)
        oauth = import_sdk("authlib.integrations.httpx_client", provider="linkedin",
                           extra="linkedin")
        self._oauth = oauth.OAuth2Client(
            settings.client_id, settings.client_secret.get_secret_value(),
            scope=" ".join(self.scopes), code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_post",
            timeout=settings.timeout_seconds, verify=tls_context(settings.ca_bundle),
            transport=transport)

    @classmethod
    def from_settings(cls, settings: Any, context: Any) -> LinkedInLogin:
        if not isinstance(settings, LinkedInSettings):
            raise ConfigurationError("LinkedInLogin needs LinkedInSettings")
        return cls(settings)

    def close(self) -> None:
        self._oauth.close()

    def authorization_url(self, *, redirect_uri: str, state: str, code_verifier: str) -> str:
        url, _ = self._oauth.create_authorization_url(
            f"{self.settings.oauth_url}/authorization", state=state,
            code_verifier=code_verifier, redirect_uri=redirect_uri)
        return str(url)

    def _token_call(self, subject: str, call: Any, **kwargs: Any) -> dict[str, Any]:
        return token_call(NETWORK, "LinkedIn", f"{self.settings.oauth_url}/accessToken",
                          subject, call, **kwargs)

    def exchange(self, *, code: str, code_verifier: str, redirect_uri: str,
                 now: datetime) -> Grant:
        answer = self._token_call("login code", self._oauth.fetch_token, code=code,
                                  code_verifier=code_verifier, redirect_uri=redirect_uri,
                                  grant_type="authorization_code")
        token = StoredToken.from_grant(answer, now, asked=self.scopes)
        me = member_profile(self.settings, token.access_token)
        granted = tuple(token.scopes)
        return Grant(person_id=str(me["sub"]), token=token, granted=granted,
                     declined=tuple(s for s in self.scopes if s not in granted),
                     display_name=str(me.get("name") or ""))

    def refresh(self, token: StoredToken, now: datetime) -> StoredToken:
        """A new token where LinkedIn approved refresh tokens for the app; else the
        member logs in again."""
        if token.refresh_token is None:
            return super().refresh(token, now)
        answer = self._token_call("token refresh", self._oauth.refresh_token,
                                  refresh_token=token.refresh_token)
        return StoredToken.from_grant(answer, now, asked=token.scopes)

    def revoke(self, person_id: str, token: StoredToken) -> None:
        secret = self.settings.client_secret
        assert secret is not None  # checked in __init__
        try:
            response = self._oauth.post(
                f"{self.settings.oauth_url}/revoke", withhold_token=True,
                data={"client_id": self.settings.client_id,
                      "client_secret": secret.get_secret_value(),
                      "token": token.access_token})
        except httpx.TransportError as exc:
            raise TransientError(f"LinkedIn revoke: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise TransientError(f"LinkedIn revoke: {response.status_code}")


__all__ = ["LinkedInLogin"]
