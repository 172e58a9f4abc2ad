"""Registers the local provider's adapters (the built-in batch tasks come from ``core``)."""

from __future__ import annotations

from collections.abc import Callable

from socialreferral.hookspecs import hookimpl
from socialreferral.providers import ProviderSpec

_SETTINGS = "socialreferral.providers.local.settings:LocalSettings"
_DESCRIPTION = "embedded default (SQLite, encrypted file, process pool)"
_ADAPTERS = {
    "queue": ("socialreferral.providers.local.queue:LocalQueue", _DESCRIPTION),
    "store": ("socialreferral.providers.local.store:LocalDocumentStore", _DESCRIPTION),
    "secrets": ("socialreferral.providers.local.secrets:LocalSecretStore", _DESCRIPTION),
    "batch": ("socialreferral.providers.local.batch:LocalBatchCompute", _DESCRIPTION),
    "crm": ("socialreferral.providers.local.crm:LocalCRM", _DESCRIPTION),
    "social": ("socialreferral.providers.local.social:LocalSocialChannel", _DESCRIPTION),
}


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    for spec in ProviderSpec.family("local", _SETTINGS, _ADAPTERS):
        register(spec)
