"""Shared by the Meta tests: the backend's name, settings for the fake, a channel builder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from socialreferral.domain.oauth import StoredToken, token_secret_name
from socialreferral.ports import RetryPolicy
from socialreferral.providers import BuildContext
from socialreferral.providers.local.secrets import LocalSecretStore
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.providers.local.store import LocalDocumentStore
from socialreferral.providers.meta.channel import MetaSocialChannel
from socialreferral.providers.meta.settings import MetaSettings
from socialreferral.testing.vendor_fakes.graph import APP_ID, APP_SECRET, PAGE_ID, GraphFake
from socialreferral.testing.vendor_fakes.server import LoopbackServer

BACKEND = "Graph API + Facebook Login fake (127.0.0.1) via httpx/Authlib"
FAST = RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.01, max_advised_wait=5)


def meta_settings(server: LoopbackServer, **overrides: Any) -> MetaSettings:
    return MetaSettings(graph_url=server.url, dialog_url=server.url, app_id=APP_ID,
                        app_secret=APP_SECRET, page_id=PAGE_ID, **overrides)


def meta_channel(server: LoopbackServer, fake: GraphFake, folder: Path,
                 **overrides: Any) -> MetaSocialChannel:
    """A channel built as bootstrap builds it, over local store and secrets in ``folder``."""
    local = LocalSettings(data_dir=folder)
    store = LocalDocumentStore.from_settings(local, BuildContext())
    secrets = LocalSecretStore.from_settings(local, BuildContext())
    secrets.set("meta-page-token", fake.page_token)
    channel = MetaSocialChannel.from_settings(
        meta_settings(server, **overrides),
        BuildContext(extra={"store": store, "secrets": secrets}))
    channel.retry = FAST
    return channel


def give_token(channel: MetaSocialChannel, fake: GraphFake, person_id: str) -> str:
    """Store a long-lived token of ``person_id`` as the login would."""
    token = fake.issue(person_id, long=True)
    channel._secrets.set(token_secret_name("facebook", person_id),
                         StoredToken(access_token=token).to_secret())
    return token
