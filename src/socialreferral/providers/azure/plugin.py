"""Registers the Azure provider's adapters (``pip install 'socialreferral[azure]'``).

Only dotted paths are registered; the adapter modules, and the Azure SDK behind them, are
imported when a settings file chooses ``azure`` for a port.
"""

from __future__ import annotations

from collections.abc import Callable

from socialreferral.hookspecs import hookimpl
from socialreferral.providers import ProviderSpec

_SETTINGS = "socialreferral.providers.azure.settings:AzureSettings"
_ADAPTERS = {
    "queue": (
        "socialreferral.providers.azure.queue:AzureStorageQueue",
        "Queue Storage, <queue>-poison after max_dequeue, Blob claim check",
    ),
    "store": (
        "socialreferral.providers.azure.cosmos:CosmosDocumentStore",
        "Cosmos DB NoSQL API (etag, TTL, partition-scoped queries, transactional batch)",
    ),
    "secrets": (
        "socialreferral.providers.azure.keyvault:KeyVaultSecretStore",
        "Key Vault secrets (versions, soft-delete aware)",
    ),
    "batch": (
        "socialreferral.providers.azure.batch:AzureBatchCompute",
        "Azure Batch pool with an autoscale formula generated from the scaling policy",
    ),
}


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    for spec in ProviderSpec.family("azure", _SETTINGS, _ADAPTERS, extra="azure"):
        register(spec)
