"""The example plugin, certified with the kit shipped inside socialreferral.

Backend: plain Python dicts in this process (no emulator needed). One class per port; the
social channel's ``seed_social`` and ``delivered`` fixtures use the adapter's own
``add_profile``/``add_connections``/``sent_messages``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from socialreferral_memory import (
    MemoryCRM,
    MemoryDocumentStore,
    MemoryQueue,
    MemorySecretStore,
    MemorySocialChannel,
)

from socialreferral import build_providers
from socialreferral.domain.social import Connection, OutboundMessage, Profile
from socialreferral.plugins import load_registry
from socialreferral.settings import settings_from_mapping
from socialreferral.testing.contracts import (
    CRMContract,
    DocumentStoreContract,
    QueueContract,
    SecretStoreContract,
    SocialChannelContract,
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

    @pytest.fixture
    def crm(self) -> MemoryCRM:
        return MemoryCRM()

    @pytest.fixture
    def social(self) -> MemorySocialChannel:
        return MemorySocialChannel()

    @pytest.fixture
    def seed_social(
        self, social: MemorySocialChannel
    ) -> Callable[[Sequence[Profile], Sequence[Connection]], None]:
        def seed(profiles: Sequence[Profile], connections: Sequence[Connection]) -> None:
            for profile in profiles:
                social.add_profile(profile)
            social.add_connections(connections)

        return seed

    @pytest.fixture
    def delivered(self, social: MemorySocialChannel) -> Callable[..., list[OutboundMessage]]:
        return social.sent_messages


class TestMemoryQueue(QueueContract, MemoryFixtures):
    pass


class TestMemoryDocumentStore(DocumentStoreContract, MemoryFixtures):
    pass


class TestMemorySecretStore(SecretStoreContract, MemoryFixtures):
    pass


class TestMemoryCRM(CRMContract, MemoryFixtures):
    pass


class TestMemorySocialChannel(SocialChannelContract, MemoryFixtures):
    pass


def test_plugin_is_found_through_its_entry_point() -> None:
    registry = load_registry(env={})
    assert registry.spec("queue", "memory").adapter == "socialreferral_memory.adapters:MemoryQueue"
    assert registry.spec("crm", "memory").adapter == "socialreferral_memory.crm:MemoryCRM"
    social = registry.spec("social", "memory").adapter
    assert social == "socialreferral_memory.social:MemorySocialChannel"
    assert registry.plugins["memory"] == "socialreferral-memory"


def test_env_var_can_exclude_the_plugin() -> None:
    registry = load_registry(env={"SOCIALREFERRAL_PLUGINS": "local"})
    assert ("queue", "memory") not in registry.providers


def test_settings_select_it_per_port(tmp_path: Path) -> None:
    settings = settings_from_mapping(
        {
            "ports": {"queue": "memory", "store": "memory", "crm": "memory", "social": "memory"},
            "local": {"data_dir": str(tmp_path)},
        }
    )
    with build_providers(settings) as providers:
        assert isinstance(providers.queue, MemoryQueue)
        assert isinstance(providers.store, MemoryDocumentStore)
        assert isinstance(providers.crm, MemoryCRM)
        assert isinstance(providers.social, MemorySocialChannel)
        assert type(providers.secrets).__name__ == "LocalSecretStore"
