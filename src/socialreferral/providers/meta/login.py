"""``MetaLogin``: Facebook Login (authorization code, ``state``, PKCE S256) with Authlib.

After the code exchange the short-lived user token is exchanged for a long-lived one
(``grant_type=fb_exchange_token``, about 60 days); Meta has no refresh token, so an
expired token means logging in again. The scopes *granted* are read from
``/me/permissions`` (a person can untick permissions in the dialog): ``declined`` ones are
reported, never assumed. Revocation is ``DELETE /{id}/permissions``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import httpx

from socialreferral.domain.oauth import StoredToken
from socialreferral.errors import ConfigurationError, SocialReferralError, TokenInvalid
from socialreferral.ports.oauth import Grant, OAuthLogin
from socialreferral.providers import import_sdk
from socialreferral.providers._http import tls_context
from socialreferral.providers.meta.errors import NETWORK, ObjectMissing, map_graph_errors
from socialreferral.providers.meta.graph import GraphClient
from socialreferral.providers.meta.settings import MetaSettings


class MetaLogin(OAuthLogin):
    """Facebook Login for customers (see the module docstring)."""

    network: ClassVar[str] = NETWORK

    def __init__(self, settings: MetaSettings, *,
                 transport: httpx.BaseTransport | None = None) -> None:
        if settings.app_id is None or settings.app_secret is None:
            raise ConfigurationError("Facebook Login needs [meta] app_id and app_secret")
        self.settings = settings
        self.scopes = tuple(settings.scopes)
        self.required_scopes = tuple(settings.required_scopes)
        oauth = import_sdk("authlib.integrations.httpx_client", provider="meta", extra="meta")
        self._oauth = oauth.OAuth2Client(
            settings.app_id, settings.app_secret.get_secret_value(),
            scope=",".join(self.scopes), code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_post",
            timeout=settings.timeout_seconds, verify=tls_context(settings.ca_bundle),
            transport=transport)
        self._graph = GraphClient(settings, transport=transport)

    @classmethod
    def from_settings(cls, settings: Any, context: Any) -> MetaLogin:
        if not isinstance(settings, MetaSettings):
            raise ConfigurationError("MetaLogin needs MetaSettings")
        return cls(settings)

    def close(self) -> None:
        self._oauth.close()
        self._graph.close()

    def authorization_url(self, *, redirect_uri: str, state: str, code_verifier: str) -> str:
        url, _ = self._oauth.create_authorization_url(
            f"{self.settings.dialog_url}/{self.settings.api_version}/dialog/oauth",
            state=state, code_verifier=code_verifier, redirect_uri=redirect_uri)
        return str(url)

    def exchange(self, *, code: str, code_verifier: str, redirect_uri: str,
                 now: datetime) -> Grant:
        root = self.settings.api_root
        try:
            with map_graph_errors("code exchange"):
                short = self._oauth.fetch_token(f"{root}/oauth/access_token", code=code,
                                                code_verifier=code_verifier,
                                                redirect_uri=redirect_uri)
                secret = self.settings.app_secret
                assert secret is not None  # checked in __init__
                long = self._oauth.request("GET", f"{root}/oauth/access_token", params={
                    "grant_type": "fb_exchange_token", "client_id": self.settings.app_id,
                    "client_secret": secret.get_secret_value(),
                    "fb_exchange_token": short["access_token"]}, withhold_token=True)
        except SocialReferralError:
            raise
        except Exception as exc:  # authlib's OAuthError: the code was refused
            raise TokenInvalid(f"Facebook refused the login code ({type(exc).__name__})",
                               network=NETWORK) from None
        if long.status_code != 200:
            raise TokenInvalid("Facebook refused the long-lived token exchange",
                               network=NETWORK)
        token = StoredToken.from_grant(long.json(), now)
        me = self._graph.call("GET", "me", token.access_token, "me",
                              params={"fields": "id,name"})
        permissions = list(self._graph.pages("me/permissions", token.access_token,
                                             "permissions"))
        granted = tuple(p["permission"] for p in permissions if p.get("status") == "granted")
        declined = tuple(s for s in self.scopes if s not in granted)
        return Grant(person_id=str(me["id"]),
                     token=token.model_copy(update={"scopes": granted}),
                     granted=granted, declined=declined,
                     display_name=str(me.get("name") or ""))

    def revoke(self, person_id: str, token: StoredToken) -> None:
        try:
            self._graph.call("DELETE", f"{person_id}/permissions", token.access_token,
                             "revoke permissions", person_id=person_id)
        except (TokenInvalid, ObjectMissing):
            return  # nothing left to revoke


__all__ = ["MetaLogin"]
