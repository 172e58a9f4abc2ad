"""Settings of the Meta adapters (section ``[meta]`` of the settings file).

``app_secret`` is a :class:`~pydantic.SecretStr`: give it through the environment
(``SOCIALREFERRAL__META__APP_SECRET``). Tokens are never settings: the Page token lives
in the SecretStore under ``page_token_secret`` (``socialreferral secrets set
meta-page-token``), customers' tokens under ``token_secret_name("facebook", id)``,
written by the login; the adapters read them at call time.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from socialreferral.providers import ProviderSettings

_URL = r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[^\s?#]*)?$"


class MetaSettings(ProviderSettings):
    """The Graph API endpoint, the app, the Page, and what Facebook Login asks for."""

    graph_url: str = Field(default="https://graph.facebook.com", pattern=_URL)
    #: Facebook Login's dialog host (www.facebook.com; a fake's URL in tests).
    dialog_url: str = Field(default="https://www.facebook.com", pattern=_URL)
    api_version: str = Field(default="v21.0", pattern=r"^v[0-9]{1,2}\.[0-9]$")
    app_id: str | None = Field(default=None, pattern=r"^[0-9]{1,32}$")
    app_secret: SecretStr | None = None
    #: The Page the app is installed on: its feed, comments and Messenger inbox.
    page_id: str | None = Field(default=None, pattern=r"^[0-9]{1,32}$")
    #: SecretStore name of the Page access token (derived from a long-lived user token of
    #: a Page admin, so it does not expire).
    page_token_secret: str = Field(default="meta-page-token", pattern=r"^[A-Za-z0-9-]{1,127}$")
    #: Permissions Facebook Login asks customers for (least privilege: no user_posts
    #: unless the deployment reads customers' own posts; it needs App Review).
    scopes: tuple[str, ...] = ("public_profile", "email", "user_friends")
    #: Without these a connection is recorded but reported as incomplete.
    required_scopes: tuple[str, ...] = ("public_profile",)
    #: Messenger ``messaging_type`` for plain messages: ``RESPONSE`` (inside the 24-hour
    #: window after the person wrote to the Page) or ``MESSAGE_TAG`` with ``message_tag``.
    messaging_type: str = Field(default="RESPONSE", pattern=r"^(RESPONSE|UPDATE|MESSAGE_TAG)$")
    message_tag: str | None = Field(default=None, pattern=r"^[A-Z_]{1,40}$")
    ca_bundle: str | None = None
    timeout_seconds: float = Field(default=20.0, gt=0, le=120)
    #: Most pages of ``paging.next`` followed in one read.
    max_pages: int = Field(default=20, ge=1, le=1000)

    @field_validator("graph_url", "dialog_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def api_root(self) -> str:
        return f"{self.graph_url}/{self.api_version}"


__all__ = ["MetaSettings"]
