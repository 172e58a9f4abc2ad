"""The example plugin, certified with the kit shipped inside socialreferral.

Backend: plain Python dicts in this process (no emulator needed). One line per port.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from socialreferral_memory import MemoryDocumentStore, MemoryQueue, MemorySecretStore

from socialreferral import build_providers
from socialreferral.plugins import load_registry
from socialreferral.settings import settings_from_mapping
from socialreferral.testing.contracts import (
    DocumentStoreContract,
    QueueContract,
    SecretStoreContract,
)


class MemoryFixtures:
    @pytest.fixture
    def backend(self) -> str:
        return "in-memory (socialreferral-memory example plugin)"

    @pytest.fixture
    def make_queue(self) -> Callable[..., MemoryQueue]:
        def make(**options: Any) -> MemoryQueue:
            return MemoryQueue(**options)

        return make

    @pytest.fixture
    def store(self) -> MemoryDocumentStore:
        return MemoryDocumentStore()

    @pytest.fixture
    def secret_store(self) -> MemorySecretStore:
        return MemorySecretStore()


class TestMemoryQueue(QueueContract, MemoryFixtures):
    pass


class TestMemoryDocumentStore(DocumentStoreContract, MemoryFixtures):
    pass


class TestMemorySecretStore(SecretStoreContract, MemoryFixtures):
    pass


def test_plugin_is_found_through_its_entry_point() -> None:
    registry = load_registry(env={})
    assert registry.spec("queue", "memory").adapter == "socialreferral_memory.adapters:MemoryQueue"
    assert registry.plugins["memory"] == "socialreferral-memory"


def test_env_var_can_exclude_the_plugin() -> None:
    registry = load_registry(env={"SOCIALREFERRAL_PLUGINS": "local"})
    assert ("queue", "memory") not in registry.providers


def test_settings_select_it_per_port(tmp_path: Path) -> None:
    settings = settings_from_mapping(
        {"ports": {"queue": "memory", "store": "memory"}, "local": {"data_dir": str(tmp_path)}}
    )
    with build_providers(settings) as providers:
        assert isinstance(providers.queue, MemoryQueue)
        assert isinstance(providers.store, MemoryDocumentStore)
        assert type(providers.secrets).__name__ == "LocalSecretStore"
