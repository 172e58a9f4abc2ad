"""The application layer: use cases over repositories and ports.

* :mod:`.authorization` — connect a social account (token → SecretStore, eligibility);
* :mod:`.ingest` — ``ingest_webhook``: signature, normalisation, de-duplication, enqueue;
* :mod:`.worker` — ``Worker``: queue batches in, offers and asks out;
* :mod:`.offers` — creating an offer and asking its referrer; CRM manual offers;
* :mod:`.referrals` — recommend, signed links, lead capture, incentive, fraud, review;
* :mod:`.promotions` — the scheduled promotion workflow and reminders;
* :mod:`.privacy` — ``erase_person``: the right to erasure across every repository and port;
* :mod:`.reports` — the funnel, rewards and step times from stored data;
* :mod:`.programme` — the programme report by product, channel and week, and its CSV;
* :mod:`.reviews` — the fraud review queue, decisions, the auto-approve deadline;
* :mod:`.landing` — what a prospect sees behind a link, the HTML form's checks;
* :mod:`.operators` — console operators: accounts, password logins, sessions.
* :mod:`.care` — ``CareDesk``: the customer-care queue (threads, ranking, assignment,
  SLA, replies, mass response, agent feedback, the periodic categorizer).

Use cases take a :class:`~socialreferral.repositories.Repositories` bundle and the ports
they need; none of them imports an SDK, builds adapters or reads the environment (that is
the composition root's job: :mod:`socialreferral.bootstrap` and the entry points).

Names are imported on first access (as in :mod:`socialreferral.text`): a queue worker
imports the few use cases it runs, not every flow's (issue 14's cold start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialreferral._lazy import lazy_names

if TYPE_CHECKING:
    from socialreferral.service.authorization import ConnectResult, connect_account
    from socialreferral.service.ingest import IngestResult, answer_handshake, ingest_webhook
    from socialreferral.service.offers import collect_manual_offers
    from socialreferral.service.privacy import ErasureReport, erase_person
    from socialreferral.service.programme import ProgrammeReport, build_programme, programme_csv
    from socialreferral.service.promotions import PromotionRun, run_promotions, send_reminders
    from socialreferral.service.referrals import open_link, recommend, review_reward, submit_lead
    from socialreferral.service.reports import Report, build_report
    from socialreferral.service.reviews import auto_approve_expired, decide, review_queue
    from socialreferral.service.worker import Outcome, Worker

_HOME = {
    "ConnectResult": ".authorization",
    "connect_account": ".authorization",
    "IngestResult": ".ingest",
    "answer_handshake": ".ingest",
    "ingest_webhook": ".ingest",
    "collect_manual_offers": ".offers",
    "ErasureReport": ".privacy",
    "erase_person": ".privacy",
    "ProgrammeReport": ".programme",
    "build_programme": ".programme",
    "programme_csv": ".programme",
    "PromotionRun": ".promotions",
    "run_promotions": ".promotions",
    "send_reminders": ".promotions",
    "open_link": ".referrals",
    "recommend": ".referrals",
    "review_reward": ".referrals",
    "submit_lead": ".referrals",
    "Report": ".reports",
    "build_report": ".reports",
    "auto_approve_expired": ".reviews",
    "decide": ".reviews",
    "review_queue": ".reviews",
    "Outcome": ".worker",
    "Worker": ".worker",
}


__getattr__, __dir__ = lazy_names(__name__, _HOME)


__all__ = [
    "ConnectResult",
    "ErasureReport",
    "IngestResult",
    "Outcome",
    "ProgrammeReport",
    "PromotionRun",
    "Report",
    "Worker",
    "answer_handshake",
    "auto_approve_expired",
    "build_programme",
    "build_report",
    "collect_manual_offers",
    "connect_account",
    "decide",
    "erase_person",
    "ingest_webhook",
    "open_link",
    "programme_csv",
    "recommend",
    "review_queue",
    "review_reward",
    "run_promotions",
    "send_reminders",
    "submit_lead",
]
