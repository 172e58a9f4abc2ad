"""Settings of the X adapters (section ``[x]`` of the settings file).

``client_secret`` is a :class:`~pydantic.SecretStr` (``SOCIALREFERRAL__X__CLIENT_SECRET``);
leave it unset for a *public* client (PKCE only). Tokens are never settings: the brand
account's user-context token lives in the SecretStore under ``account_token_secret``
(written by the brand account's own login, or ``socialreferral secrets set``), customers'
tokens under ``token_secret_name("x", id)``, written by the login.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from socialreferral.providers import ProviderSettings

_URL = r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[^\s?#]*)?$"
DEFAULT_API_URL = "https://api.twitter.com"


class XSettings(ProviderSettings):
    """The API hosts, the app (OAuth 2.0 client), scopes and the brand account."""

    #: API v2 host. tweepy hard-codes https://api.twitter.com; another value (an egress
    #: gateway, a test fake) is reached through a requests transport adapter mounted on
    #: tweepy's session (providers/x/api.py), not by patching tweepy.
    api_url: str = Field(default=DEFAULT_API_URL, pattern=_URL)
    authorize_url: str = Field(default="https://x.com/i/oauth2/authorize", pattern=_URL)
    token_url: str = Field(default="https://api.x.com/2/oauth2/token", pattern=_URL)
    revoke_url: str = Field(default="https://api.x.com/2/oauth2/revoke", pattern=_URL)
    client_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_\-]{1,128}$")
    client_secret: SecretStr | None = None
    #: Least privilege for customers: read their own profile and metrics; the brand
    #: account's login also needs tweet.write, dm.read and dm.write.
    scopes: tuple[str, ...] = ("tweet.read", "users.read", "offline.access")
    required_scopes: tuple[str, ...] = ("tweet.read", "users.read")
    #: SecretStore name of the brand account's token (replies and DMs are sent as it).
    account_token_secret: str = Field(default="x-account-token",
                                      pattern=r"^[A-Za-z0-9-]{1,127}$")
    ca_bundle: str | None = None
    timeout_seconds: float = Field(default=20.0, gt=0, le=120)

    @field_validator("api_url", "authorize_url", "token_url", "revoke_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


__all__ = ["DEFAULT_API_URL", "XSettings"]
