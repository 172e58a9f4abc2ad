"""A chaos campaign an integrator can run on any providers, a plugin's included.

- :mod:`~socialreferral.testing.chaos.workload` — the seeded workload (bank, signed
  deliveries, lead plan) whose outcome does not depend on the run;
- :mod:`~socialreferral.testing.chaos.stages` — ingest, worker and lead stages, in process
  or as processes of their own;
- :mod:`~socialreferral.testing.chaos.campaign` — ``kill -9`` at random moments, restarts,
  and the in-process reference run;
- :mod:`~socialreferral.testing.chaos.ledger` — what a run produced and how it differs
  from the reference (lost, duplicated, changed).

Transient faults come from :mod:`socialreferral.testing.faults`. ``tests/chaos`` runs the
campaign on the local provider, on moto_server and on Azurite with the Cosmos emulator;
``docs/reliability.md`` has the figures and the commands.
"""

from socialreferral.testing.chaos.campaign import (
    CampaignFailed,
    KillCampaign,
    PhaseResult,
    reference_run,
)
from socialreferral.testing.chaos.ledger import Comparison, Ledger, compare
from socialreferral.testing.chaos.stages import (
    Progress,
    ingest_stage,
    lead_stage,
    prepare,
    worker_stage,
)
from socialreferral.testing.chaos.workload import ChaosWorkload, Delivery, LeadStep

__all__ = [
    "CampaignFailed",
    "ChaosWorkload",
    "Comparison",
    "Delivery",
    "KillCampaign",
    "LeadStep",
    "Ledger",
    "PhaseResult",
    "Progress",
    "compare",
    "ingest_stage",
    "lead_stage",
    "prepare",
    "reference_run",
    "worker_stage",
]
