"""The Azure plugin through the library's composition root: settings with ``[ports]`` on
``azure`` build working adapters (Azurite 3.35.0 queue, @vercel/cosmosdb-server store).

Not covered: Key Vault and Batch through bootstrap (they need the fakes' credentials and
CA injected; their adapters are tested directly).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from azure_emulators import COSMOS_KEY, Azurite

from socialreferral.bootstrap import build_providers
from socialreferral.plugins import load_registry
from socialreferral.settings import settings_from_mapping

pytestmark = pytest.mark.azure


def test_registered_and_built_from_settings(
    azurite: Azurite, cosmos_url: str, tmp_path: Path
) -> None:
    """The plugin registers all four ports under ``azure``; a settings mapping like
    examples/azure-emulators.toml builds a queue and a store that work."""
    registry = load_registry(env={})
    assert {port for port, name in registry.providers if name == "azure"} == {
        "queue", "store", "secrets", "batch",
    }  # fmt: skip
    settings = settings_from_mapping(
        {
            "ports": {"queue": "azure", "store": "azure"},
            "local": {"data_dir": str(tmp_path)},
            "azure": {
                "storage_connection_string": azurite.connection_string,
                "queue_name": f"boot{uuid.uuid4().hex[:10]}",
                "cosmos_endpoint": cosmos_url,
                "cosmos_key": COSMOS_KEY,
                "enable_endpoint_discovery": False,
                "cosmos_emulator_compat": True,
            },
        }
    )
    with build_providers(settings, registry=registry) as providers:
        providers.queue.send("hello azure")
        [message] = providers.queue.receive()
        assert message.body == "hello azure"
        providers.queue.ack(message)
        providers.store.put("boot", "k", {"ok": True})
        assert providers.store.get("boot", "k").value == {"ok": True}
