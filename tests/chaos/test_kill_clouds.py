"""``kill -9`` campaigns with the queue and the document store on cloud emulators: at
least 10 kills on moto_server (SQS + DynamoDB), at least 5 on Azurite + the Cosmos
emulator (Queue Storage + Cosmos NoSQL). Secrets, CRM and social channel stay local.

The reference is the same workload's no-fault run on the local provider: the records a
run produces must not depend on the provider either, so one reference serves both.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from conftest import CLOUD, STALL_SECONDS, Figures
from socialreferral.testing.chaos import KillCampaign, Ledger, compare, prepare


def _run(name: str, settings: dict[str, Any], tmp_path: Path, reference: Ledger,
         figures: Figures, kills: tuple[dict[str, int], int]) -> None:
    started = time.monotonic()
    campaign = KillCampaign(tmp_path / "campaign", settings, CLOUD, seed=7,
                            kill_gap=(0.3, 1.5))
    with campaign.providers() as providers:
        prepare(providers, CLOUD)
    campaign.run_phase({"ingest": 1, "worker": 2}, kills=kills[0], done=campaign.drained,
                       stall_seconds=STALL_SECONDS)
    campaign.run_phase({"leads": 1}, kills=kills[1], done=lambda providers: True,
                       stall_seconds=STALL_SECONDS)
    comparison = compare(reference, campaign.ledger())
    figures.add(f"kill -9 ({name})", events=campaign.expected_events,
                kills=sum(campaign.kills.values()), kills_by_stage=dict(campaign.kills),
                offers=comparison.run["offers"], rewards=comparison.run["rewards"],
                care_items=comparison.run["care_items"], lost=comparison.lost,
                duplicated=comparison.duplicated,
                seconds=round(time.monotonic() - started))
    assert comparison.lost == 0 and comparison.duplicated == 0 and comparison.changed == 0, \
        comparison.describe()
    assert sum(campaign.kills.values()) >= sum(kills[0].values()) + kills[1], campaign.kills
    assert {"ingest", "worker", "leads"} <= set(campaign.kills), campaign.kills


@pytest.mark.aws
def test_kill_9_campaign_on_moto_server(moto_server: str, tmp_path: Path,
                                        cloud_reference: Ledger, figures: Figures) -> None:
    name = f"chaos-{uuid.uuid4().hex[:8]}"
    settings = {
        "ports": {"queue": "aws", "store": "aws"},
        "local": {"data_dir": str(tmp_path / "local")},
        "aws": {"region": "us-east-1", "endpoint_url": moto_server,
                "credentials": {"access_key_id": "testing", "secret_access_key": "testing"},
                "create_missing_resources": True, "queue_name": name,
                "dead_letter_queue_name": f"{name}-dlq", "max_receives": 5,
                "visibility_timeout": 2, "table_name": name},
        **CLOUD.settings(),
    }
    _run("moto_server: SQS + DynamoDB", settings, tmp_path, cloud_reference, figures,
         ({"ingest": 2, "worker": 5}, 3))


@pytest.mark.azure
def test_kill_9_campaign_on_azurite_and_the_cosmos_emulator(
        azure_emulators: tuple[Any, str], tmp_path: Path, cloud_reference: Ledger,
        figures: Figures) -> None:
    azurite, cosmos = azure_emulators
    name = f"chaos{uuid.uuid4().hex[:8]}"
    settings = {
        "ports": {"queue": "azure", "store": "azure"},
        "local": {"data_dir": str(tmp_path / "local")},
        "azure": {"storage_connection_string": azurite.connection_string,
                  "queue_name": name, "max_dequeue": 5, "visibility_timeout": 2,
                  "claim_check_container": name,
                  "cosmos_endpoint": cosmos, "cosmos_key": _cosmos_key(),
                  "cosmos_database": name, "cosmos_container": "documents",
                  "enable_endpoint_discovery": False, "cosmos_emulator_compat": True},
        **CLOUD.settings(),
    }
    _run("Azurite + Cosmos emulator", settings, tmp_path, cloud_reference, figures,
         ({"ingest": 1, "worker": 2}, 2))


def _cosmos_key() -> str:
    from azure_emulators import COSMOS_KEY

    return str(COSMOS_KEY)
