"""The referral demo with queue and store on Azure, through ``examples/azure-emulators.toml``.

Backends: Azurite 3.35.0 (Queue + Blob) and @vercel/cosmosdb-server 1.0.1 (Cosmos NoSQL
API), both on free loopback ports; secrets, batch, CRM and social channel stay local, as
in the example file. The batch workers are separate processes: they get the Cosmos key and
storage connection string, which job payloads never carry, from the settings file. Not
covered: real Azure throughput limits, Entra ID, Key Vault and Azure Batch in this flow.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from azure_emulators import Azurite
from typer.testing import CliRunner

from socialreferral.cli import app

pytestmark = pytest.mark.azure
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "azure-emulators.toml"


def test_demo_runs_with_queue_and_store_on_azure_emulators(
    azurite: Azurite, cosmos_url: str, tmp_path: Path
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text, n = re.subn(r'(?m)^storage_connection_string = ".*"$',
                      f'storage_connection_string = "{azurite.connection_string}"', text)
    assert n == 1
    text, n = re.subn(r'(?m)^cosmos_endpoint = ".*"$', f'cosmos_endpoint = "{cosmos_url}"', text)
    assert n == 1
    text = text.replace('data_dir = ".socialreferral"', f'data_dir = "{tmp_path}"')
    # A database and queue of their own: the session's emulators are shared with other tests.
    text = text.replace('cosmos_database = "socialreferral"', 'cosmos_database = "demo"')
    text = text.replace('queue_name = "events"', 'queue_name = "demo-events"')
    settings = tmp_path / "azure-emulators.toml"
    settings.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["demo", "--no-console-data", "--settings", str(settings), "--customers", "8",
              "--posts", "24", "--seed", "5", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["totals"]["events"] == 24
    assert out["totals"]["leads"] > 0 and out["totals"]["rewards"] > 0
