"""Registers the LinkedIn adapters (``pip install 'socialreferral[linkedin]'``): the
organisation's SocialChannel (official linkedin-api-client) and Sign In with LinkedIn
(Authlib). Only dotted paths; nothing is imported until a settings file chooses
``social = "linkedin"`` or configures ``[linkedin] client_id``."""

from __future__ import annotations

from collections.abc import Callable

from socialreferral.hookspecs import hookimpl
from socialreferral.providers import LoginSpec, ProviderSpec

_SETTINGS = "socialreferral.providers.linkedin.settings:LinkedInSettings"


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(ProviderSpec(
        port="social", name="linkedin",
        adapter="socialreferral.providers.linkedin.channel:LinkedInSocialChannel",
        settings=_SETTINGS, extra="linkedin",
        description="LinkedIn Community Management API (linkedin-api-client): comments and "
                    "posts as the organisation; members' name/e-mail via OpenID Connect"))


@hookimpl
def register_logins(register: Callable[[LoginSpec], None]) -> None:
    register(LoginSpec(network="linkedin", provider="linkedin",
                       login="socialreferral.providers.linkedin.login:LinkedInLogin",
                       settings=_SETTINGS, extra="linkedin"))
