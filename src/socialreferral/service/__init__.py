"""The application layer: use cases over a Providers bundle (ports) and ReferralSettings.

* :mod:`.authorization` — connect a social account (token → SecretStore, eligibility);
* :mod:`.ingest` — ``ingest_webhook``: signature, normalisation, de-duplication, enqueue;
* :mod:`.worker` — ``Worker.process_batch`` and the ``referral.process-batch`` task;
* :mod:`.contacts` — the contact policy made race-safe over the document store;
* :mod:`.referrals` — recommend, signed links, lead capture, incentive, fraud, reward;
* :mod:`.promotions` — the scheduled promotion workflow and reminders;
* :mod:`.privacy` — ``erase_person``: the right to erasure across every port;
* :mod:`.reports` — the funnel, rewards and step times from stored data;
* :mod:`.records` — how domain models are stored (collections, keys).

No module here imports an SDK or reads the environment; the two batch-task entry points
build their adapters through :mod:`socialreferral.bootstrap`.
"""

from socialreferral.service.authorization import ConnectResult, connect_account
from socialreferral.service.ingest import IngestResult, ingest_webhook, verify_subscription
from socialreferral.service.privacy import ErasureReport, erase_person
from socialreferral.service.promotions import PromotionRun, run_promotions, send_reminders
from socialreferral.service.referrals import open_link, recommend, submit_lead
from socialreferral.service.reports import Report, build_report
from socialreferral.service.worker import Outcome, Worker, collect_manual_offers

__all__ = [
    "ConnectResult",
    "ErasureReport",
    "IngestResult",
    "Outcome",
    "PromotionRun",
    "Report",
    "Worker",
    "build_report",
    "collect_manual_offers",
    "connect_account",
    "erase_person",
    "ingest_webhook",
    "open_link",
    "recommend",
    "run_promotions",
    "send_reminders",
    "submit_lead",
    "verify_subscription",
]
