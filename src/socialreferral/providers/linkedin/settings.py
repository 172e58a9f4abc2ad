"""Settings of the LinkedIn adapters (section ``[linkedin]`` of the settings file).

``client_secret`` is a :class:`~pydantic.SecretStr` (``SOCIALREFERRAL__LINKEDIN__CLIENT_SECRET``).
Tokens are never settings: the organisation admin's token (Community Management API,
``w_organization_social``) lives in the SecretStore under ``organization_token_secret``;
members' tokens under ``token_secret_name("linkedin", id)``, written by the login.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from socialreferral.providers import ProviderSettings

_URL = r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[^\s?#]*)?$"
DEFAULT_API_URL = "https://api.linkedin.com"


class LinkedInSettings(ProviderSettings):
    """The API hosts, the app, the organisation and what Sign In with LinkedIn asks."""

    #: The API host; another value (a gateway, a test fake) is reached through a
    #: requests transport adapter on the client's session (providers/_requests.py).
    api_url: str = Field(default=DEFAULT_API_URL, pattern=_URL)
    oauth_url: str = Field(default="https://www.linkedin.com/oauth/v2", pattern=_URL)
    #: LinkedIn's versioned API (``LinkedIn-Version`` header, YYYYMM).
    api_version: str = Field(default="202411", pattern=r"^[0-9]{6}(\.[0-9]{2})?$")
    client_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{1,64}$")
    client_secret: SecretStr | None = None
    #: The organisation the bank's page is (``urn:li:organization:<id>``).
    organization_id: str | None = Field(default=None, pattern=r"^[0-9]{1,20}$")
    organization_token_secret: str = Field(default="linkedin-org-token",
                                           pattern=r"^[A-Za-z0-9-]{1,127}$")
    #: Sign In with LinkedIn using OpenID Connect: the only member data LinkedIn gives
    #: an app without a partner programme (name, picture, e-mail if granted).
    scopes: tuple[str, ...] = ("openid", "profile", "email")
    required_scopes: tuple[str, ...] = ("openid", "profile")
    ca_bundle: str | None = None
    timeout_seconds: float = Field(default=20.0, gt=0, le=120)

    @field_validator("api_url", "oauth_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


__all__ = ["DEFAULT_API_URL", "LinkedInSettings"]
