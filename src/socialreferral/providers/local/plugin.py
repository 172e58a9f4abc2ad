"""Registers the local provider's adapters and the built-in batch tasks."""

from __future__ import annotations

from collections.abc import Callable

from socialreferral.hookspecs import hookimpl
from socialreferral.providers import ProviderSpec

_SETTINGS = "socialreferral.providers.local.settings:LocalSettings"
_ADAPTERS = {
    "queue": "socialreferral.providers.local.queue:LocalQueue",
    "store": "socialreferral.providers.local.store:LocalDocumentStore",
    "secrets": "socialreferral.providers.local.secrets:LocalSecretStore",
    "batch": "socialreferral.providers.local.batch:LocalBatchCompute",
    "crm": "socialreferral.providers.local.crm:LocalCRM",
    "social": "socialreferral.providers.local.social:LocalSocialChannel",
}


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    for port, adapter in _ADAPTERS.items():
        register(
            ProviderSpec(
                port=port,
                name="local",
                adapter=adapter,
                settings=_SETTINGS,
                description="embedded default (SQLite, encrypted file, process pool)",
            )
        )
