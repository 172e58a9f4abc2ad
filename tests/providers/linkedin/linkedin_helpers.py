"""Shared by the LinkedIn tests: settings for the fake and a channel builder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from socialreferral.domain.oauth import StoredToken
from socialreferral.ports import RetryPolicy
from socialreferral.providers import BuildContext
from socialreferral.providers.linkedin.channel import LinkedInSocialChannel
from socialreferral.providers.linkedin.settings import LinkedInSettings
from socialreferral.providers.local.secrets import LocalSecretStore
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.providers.local.store import LocalDocumentStore
from socialreferral.testing.vendor_fakes.linkedin_api import (
    CLIENT_ID,
    CLIENT_SECRET,
    ORGANIZATION_ID,
    LinkedInFake,
)
from socialreferral.testing.vendor_fakes.server import LoopbackServer

BACKEND = "LinkedIn API + OAuth fake (127.0.0.1) via linkedin-api-client/requests and Authlib"
FAST = RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.01, max_advised_wait=5)


def li_settings(server: LoopbackServer, **overrides: Any) -> LinkedInSettings:
    values: dict[str, Any] = {"api_url": server.url, "oauth_url": f"{server.url}/oauth/v2",
                              "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                              "organization_id": ORGANIZATION_ID}
    values.update(overrides)
    return LinkedInSettings.model_validate(values)


def li_channel(server: LoopbackServer, fake: LinkedInFake, folder: Path,
               **overrides: Any) -> LinkedInSocialChannel:
    """A channel built as bootstrap builds it, with an organisation admin's token."""
    local = LocalSettings(data_dir=folder)
    store = LocalDocumentStore.from_settings(local, BuildContext())
    secrets = LocalSecretStore.from_settings(local, BuildContext())
    secrets.set("linkedin-org-token", StoredToken(access_token=fake.issue("org-admin"))
                .to_secret())
    channel = LinkedInSocialChannel.from_settings(
        li_settings(server, **overrides),
        BuildContext(extra={"store": store, "secrets": secrets}))
    channel.retry = FAST
    return channel
