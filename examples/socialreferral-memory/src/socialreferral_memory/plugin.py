"""Registration: the module named by the ``socialreferral`` entry point."""

from __future__ import annotations

from collections.abc import Callable

from socialreferral.hookspecs import hookimpl
from socialreferral.providers import ProviderSpec

_SETTINGS = "socialreferral_memory.adapters:MemorySettings"


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    for port, cls in (
        ("queue", "MemoryQueue"),
        ("store", "MemoryDocumentStore"),
        ("secrets", "MemorySecretStore"),
    ):
        register(
            ProviderSpec(
                port=port,
                name="memory",
                adapter=f"socialreferral_memory.adapters:{cls}",
                settings=_SETTINGS,
                description="in-memory, one process",
            )
        )
