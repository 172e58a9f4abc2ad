"""``XLogin``: X's OAuth 2.0 authorization code flow with PKCE (S256), with Authlib.

X issues short-lived access tokens (2 hours) and, with the ``offline.access`` scope, a
refresh token that rotates on every refresh. The scopes *granted* are those of the token
response's ``scope`` (X lets a person's app settings narrow them); declined ones are
reported, never assumed. A confidential client authenticates at the token endpoint
with HTTP Basic (``client_secret_basic``); a public client (no ``client_secret``) sends
only its ``client_id``. Revocation is ``POST /2/oauth2/revoke``. The person's id and
name come from ``GET /2/users/me`` (tweepy, with the new token).

tweepy's own ``OAuth2UserHandler`` (requests-oauthlib) would do the same dialogue; Authlib
is used, as for Facebook Login, so the three networks' logins share one library and one
HTTP stack (httpx), and its error classes are mapped once here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import httpx

from socialreferral.domain.oauth import StoredToken
from socialreferral.errors import ConfigurationError, TokenInvalid
from socialreferral.ports.oauth import Grant, OAuthLogin
from socialreferral.providers import import_sdk
from socialreferral.providers._http import tls_context
from socialreferral.providers._token_calls import token_call
from socialreferral.providers.x.api import x_client
from socialreferral.providers.x.errors import NETWORK, map_x_errors
from socialreferral.providers.x.settings import XSettings


class XLogin(OAuthLogin):
    """X OAuth 2.0 login for customers and the brand account (module docstring)."""

    network: ClassVar[str] = NETWORK

    def __init__(self, settings: XSettings, *,
                 transport: httpx.BaseTransport | None = None) -> None:
        if settings.client_id is None:
            raise ConfigurationError("X login needs [x] client_id")
        self.settings = settings
        self.scopes = tuple(settings.scopes)
        self.required_scopes = tuple(settings.required_scopes)
        oauth = import_sdk("authlib.integrations.httpx_client", provider="x", extra="x")
        secret = settings.client_secret.get_secret_value() if settings.client_secret \
            else None
        self._oauth = oauth.OAuth2Client(
            settings.client_id, secret, scope=" ".join(self.scopes),
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic" if secret else "none",
            timeout=settings.timeout_seconds, verify=tls_context(settings.ca_bundle),
            transport=transport)

    @classmethod
    def from_settings(cls, settings: Any, context: Any) -> XLogin:
        if not isinstance(settings, XSettings):
            raise ConfigurationError("XLogin needs XSettings")
        return cls(settings)

    def close(self) -> None:
        self._oauth.close()

    def authorization_url(self, *, redirect_uri: str, state: str, code_verifier: str) -> str:
        url, _ = self._oauth.create_authorization_url(
            self.settings.authorize_url, state=state, code_verifier=code_verifier,
            redirect_uri=redirect_uri)
        return str(url)

    def _token_call(self, subject: str, call: Any, **kwargs: Any) -> dict[str, Any]:
        return token_call(NETWORK, "X", self.settings.token_url, subject, call, **kwargs)

    def exchange(self, *, code: str, code_verifier: str, redirect_uri: str,
                 now: datetime) -> Grant:
        answer = self._token_call("login code", self._oauth.fetch_token, code=code,
                                  code_verifier=code_verifier, redirect_uri=redirect_uri,
                                  grant_type="authorization_code")
        token = StoredToken.from_grant(answer, now, asked=self.scopes)
        with x_client(self.settings, token.access_token) as client, map_x_errors("users/me"):
            me = client.get_me(user_auth=False)
        data = me.get("data") if isinstance(me, dict) else None
        if not isinstance(data, dict) or not data.get("id"):
            raise TokenInvalid("X answered users/me without an id", network=NETWORK)
        granted = tuple(token.scopes)
        return Grant(person_id=str(data["id"]), token=token, granted=granted,
                     declined=tuple(s for s in self.scopes if s not in granted),
                     display_name=str(data.get("name") or ""))

    def refresh(self, token: StoredToken, now: datetime) -> StoredToken:
        """A new token pair (X rotates the refresh token); TokenInvalid when refused."""
        if token.refresh_token is None:
            raise TokenInvalid("no X refresh token (offline.access not granted); log in "
                               "again", network=NETWORK)
        answer = self._token_call("token refresh", self._oauth.refresh_token,
                                  refresh_token=token.refresh_token)
        return StoredToken.from_grant(answer, now, asked=token.scopes)

    def revoke(self, person_id: str, token: StoredToken) -> None:
        for value, hint in ((token.access_token, "access_token"),
                            (token.refresh_token, "refresh_token")):
            if value is None:
                continue
            try:
                response = self._oauth.revoke_token(self.settings.revoke_url, token=value,
                                                    token_type_hint=hint)
            except httpx.TransportError as exc:
                from socialreferral.errors import TransientError

                raise TransientError(f"X revoke: {type(exc).__name__}") from exc
            # 200 for a revoked or an unknown token alike (RFC 7009 §2.2); anything else
            # is worth a retry later rather than a silent success.
            if response.status_code >= 500:
                from socialreferral.errors import TransientError

                raise TransientError(f"X revoke: {response.status_code}")


__all__ = ["XLogin"]
