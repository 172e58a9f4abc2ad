"""Registers the X adapters (``pip install 'socialreferral[x]'``): the API v2
SocialChannel (tweepy) and X's OAuth 2.0 login (Authlib). Only dotted paths; nothing is
imported until a settings file chooses ``social = "x"`` or configures ``[x] client_id``."""

from __future__ import annotations

from collections.abc import Callable

from socialreferral.hookspecs import hookimpl
from socialreferral.providers import LoginSpec, ProviderSpec

_SETTINGS = "socialreferral.providers.x.settings:XSettings"


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(ProviderSpec(
        port="social", name="x", adapter="socialreferral.providers.x.channel:XSocialChannel",
        settings=_SETTINGS, extra="x",
        description="X API v2 (tweepy): replies and direct messages as the brand account, "
                    "consenting customers' public metrics, rate-limit resets honoured"))


@hookimpl
def register_logins(register: Callable[[LoginSpec], None]) -> None:
    register(LoginSpec(network="x", provider="x",
                       login="socialreferral.providers.x.login:XLogin",
                       settings=_SETTINGS, extra="x"))
