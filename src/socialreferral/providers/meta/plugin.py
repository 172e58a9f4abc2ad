"""Registers the Meta adapters (``pip install 'socialreferral[meta]'``): the Graph API
SocialChannel and Facebook Login. Only dotted paths; nothing is imported until a settings
file chooses ``social = "meta"`` or configures ``[meta] app_id``."""

from __future__ import annotations

from collections.abc import Callable

from socialreferral.hookspecs import hookimpl
from socialreferral.providers import LoginSpec, ProviderSpec

_SETTINGS = "socialreferral.providers.meta.settings:MetaSettings"


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(ProviderSpec(
        port="social", name="meta", adapter="socialreferral.providers.meta.channel:"
        "MetaSocialChannel", settings=_SETTINGS, extra="meta",
        description="Facebook Graph API: Messenger, Page comment replies, private replies, "
                    "consenting customers' profiles and friends who use the app"))


@hookimpl
def register_logins(register: Callable[[LoginSpec], None]) -> None:
    register(LoginSpec(network="facebook", provider="meta",
                       login="socialreferral.providers.meta.login:MetaLogin",
                       settings=_SETTINGS, extra="meta"))
