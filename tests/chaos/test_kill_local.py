"""``kill -9`` campaign on the local provider: at least 20 kills at random moments during
5,000 events, across the ingest, worker and lead/reward stages; the result equals the
no-fault reference run's: 0 lost, 0 duplicated.

Phase 1 runs one ingest process and two worker processes (with the care sink) and kills
one of them every 0.2-1.2 s (a process is killable once it is at work: imports done,
models warm), restarting it at once; phase 2 does the same to the lead/reward process.
"""

from __future__ import annotations

from pathlib import Path

from reference_process import local_workload

from conftest import LOCAL_EVENTS, STALL_SECONDS, Figures, local_settings
from socialreferral.testing.chaos import KillCampaign, Ledger, compare, prepare

EVENTS = LOCAL_EVENTS
WORKLOAD = local_workload(EVENTS)
PHASE1_KILLS = {"ingest": 3, "worker": 11}
PHASE2_KILLS = 6


def test_kill_9_campaign_on_the_local_provider(tmp_path: Path, figures: Figures,
                                               local_reference: tuple[Ledger, float]) -> None:
    # The reference ran in the background since the session began (conftest.py).
    reference, reference_seconds = local_reference
    campaign = KillCampaign(tmp_path / "campaign", local_settings(tmp_path / "run", WORKLOAD),
                            WORKLOAD, seed=20)
    with campaign.providers() as providers:
        prepare(providers, WORKLOAD)
    first = campaign.run_phase({"ingest": 1, "worker": 2}, kills=PHASE1_KILLS,
                               done=campaign.drained, stall_seconds=STALL_SECONDS)
    second = campaign.run_phase({"leads": 1}, kills=PHASE2_KILLS,
                                done=lambda providers: True,
                                stall_seconds=STALL_SECONDS)
    comparison = compare(reference, campaign.ledger())

    figures.add("kill -9 (local)", events=campaign.expected_events,
                kills=sum(campaign.kills.values()), kills_by_stage=dict(campaign.kills),
                offers=comparison.run["offers"], leads=comparison.run["leads"],
                rewards=comparison.run["rewards"], care_items=comparison.run["care_items"],
                crm_tasks=comparison.run["crm_tasks"], lost=comparison.lost,
                duplicated=comparison.duplicated,
                seconds=f"{reference_seconds:.0f} waiting for the reference + "
                        f"{first.seconds:.0f} + {second.seconds:.0f} campaign")
    assert comparison.lost == 0 and comparison.duplicated == 0 and comparison.changed == 0, \
        comparison.describe()
    assert campaign.expected_events >= min(EVENTS, 5000)
    assert sum(campaign.kills.values()) >= 20, campaign.kills
    assert {"ingest", "worker", "leads"} <= set(campaign.kills), campaign.kills
    assert comparison.reference["offers"] > EVENTS // 5 and comparison.reference["crm_tasks"] > 0
