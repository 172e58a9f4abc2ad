"""Registration: the module named by the ``socialreferral`` entry point."""

from __future__ import annotations

from collections.abc import Callable

from socialreferral.hookspecs import hookimpl
from socialreferral.providers import ProviderSpec

_SETTINGS = "socialreferral_memory.adapters:MemorySettings"
_ADAPTERS = {
    "queue": ("socialreferral_memory.adapters:MemoryQueue", "in-memory, one process"),
    "store": ("socialreferral_memory.adapters:MemoryDocumentStore", "in-memory, one process"),
    "secrets": ("socialreferral_memory.adapters:MemorySecretStore", "in-memory, one process"),
    "crm": ("socialreferral_memory.crm:MemoryCRM", "in-memory, one process"),
    "social": ("socialreferral_memory.social:MemorySocialChannel", "in-memory stand-in network"),
}


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    for spec in ProviderSpec.family("memory", _SETTINGS, _ADAPTERS):
        register(spec)
