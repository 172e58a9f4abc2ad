"""Shared by the X tests: settings for the fake, a channel builder, token seeding."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from socialreferral.domain.oauth import StoredToken, token_secret_name
from socialreferral.ports import RetryPolicy
from socialreferral.providers import BuildContext
from socialreferral.providers.local.secrets import LocalSecretStore
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.providers.local.store import LocalDocumentStore
from socialreferral.providers.x.channel import XSocialChannel
from socialreferral.providers.x.settings import XSettings
from socialreferral.testing.vendor_fakes.server import LoopbackServer
from socialreferral.testing.vendor_fakes.x_api import (
    BRAND_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    XApiFake,
)

BACKEND = "X API v2 + OAuth 2.0 fake (127.0.0.1) via tweepy/requests and Authlib"
FAST = RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.01, max_advised_wait=5)


def x_settings(server: LoopbackServer, **overrides: Any) -> XSettings:
    values: dict[str, Any] = {
        "api_url": server.url, "authorize_url": f"{server.url}/i/oauth2/authorize",
        "token_url": f"{server.url}/2/oauth2/token",
        "revoke_url": f"{server.url}/2/oauth2/revoke", "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET}
    values.update(overrides)
    return XSettings.model_validate(values)


def x_channel(server: LoopbackServer, fake: XApiFake, folder: Path,
              **overrides: Any) -> XSocialChannel:
    """A channel built as bootstrap builds it, over local store and secrets in ``folder``,
    with the brand account's token in place."""
    local = LocalSettings(data_dir=folder)
    store = LocalDocumentStore.from_settings(local, BuildContext())
    secrets = LocalSecretStore.from_settings(local, BuildContext())
    access, refresh = fake.issue(BRAND_ID)
    secrets.set("x-account-token", StoredToken(access_token=access, refresh_token=refresh)
                .to_secret())
    channel = XSocialChannel.from_settings(
        x_settings(server, **overrides), BuildContext(extra={"store": store, "secrets": secrets}))
    channel.retry = FAST
    return channel


def give_token(channel: XSocialChannel, fake: XApiFake, person_id: str, *,
               expired: bool = False) -> tuple[str, str | None]:
    """Store a token of ``person_id`` as the login would (``expired``: past its expiry)."""
    access, refresh = fake.issue(person_id, ("tweet.read", "users.read", "offline.access"))
    when = datetime.now(UTC) + (timedelta(hours=-1) if expired else timedelta(hours=2))
    channel._secrets.set(token_secret_name("x", person_id), StoredToken(
        access_token=access, refresh_token=refresh, expires_at=when,
        scopes=("tweet.read", "users.read", "offline.access")).to_secret())
    return access, refresh
