"""The kill campaign's machinery (``socialreferral.testing.chaos``), outside the chaos
suite: stage processes come from the warm fork server and are restarted after a kill,
and a phase that stops progressing fails fast, saying where it stood, instead of waiting
out a fixed wall-clock budget (the cause of the moto_server campaign's flake: a fixed
360 s against warm-ups that take minutes on a loaded machine)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from socialreferral.testing.chaos import ChaosWorkload, KillCampaign, prepare
from socialreferral.testing.chaos.campaign import CampaignFailed

WORKLOAD = ChaosWorkload(events=20, customers=10, seed=3, lead_percent=50, delivery_size=5)


def _campaign(tmp_path: Path) -> KillCampaign:
    settings = {"local": {"data_dir": str(tmp_path / "data"), "visibility_timeout": 2},
                **WORKLOAD.settings()}
    campaign = KillCampaign(tmp_path / "campaign", settings, WORKLOAD, seed=1,
                            kill_gap=(0.1, 0.2))
    with campaign.providers() as providers:
        prepare(providers, WORKLOAD)
    return campaign


@pytest.mark.slow
def test_a_stalled_phase_fails_after_the_stall_bound_and_says_where_it_stood(
        tmp_path: Path) -> None:
    campaign = _campaign(tmp_path)
    started = time.monotonic()
    # Nothing was ingested: the lead stage finds no offer and finishes, and a `done`
    # that never holds leaves a phase in which nothing moves any more.
    with pytest.raises(CampaignFailed) as failure:
        campaign.run_phase({"leads": 1}, kills=0, done=lambda providers: False,
                           stall_seconds=4, max_seconds=600)
    assert time.monotonic() - started < 120  # the stall bound, not max_seconds
    message = str(failure.value)
    assert "nothing progressed for 4 s" in message
    assert "leads-0: finished" in message and "1 warm-ups" in message
    assert "deliveries acked 0/4" in message and "queue depth 0" in message


@pytest.mark.slow
def test_a_killed_stage_is_forked_again_from_the_warm_fork_server(tmp_path: Path) -> None:
    campaign = _campaign(tmp_path)
    assert campaign._forkserver is not None  # Linux: the default
    result = campaign.run_phase({"ingest": 1, "worker": 1}, kills={"worker": 1},
                                done=campaign.drained, stall_seconds=120)
    assert result.kills["worker"] == 1 and result.starts == 3
    with campaign.providers() as providers:
        assert campaign.drained(providers)
        assert len(providers.repositories.events.processed()) == campaign.expected_events
    assert "Traceback" not in (campaign.workdir / "worker-0.log").read_text()
