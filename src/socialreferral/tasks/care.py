"""Batch-task entry points of the care queue, and the desk every entry point builds.

``care.categorize`` (registered in :data:`socialreferral.core_plugin.TASKS`) is the
periodic categorizer job: it rebuilds the settings from its payload, builds the
providers, wakes the snoozed items that are due and runs the clustering job once per
``[care.categorizer] every_hours`` period (24 h by default). A scheduler (cron, an
EventBridge or Azure Batch job schedule, ``socialreferral run-task care.categorize``) may
fire it as often as it likes: a period that has run already is skipped, so two
schedulers, or a retried job, run it once.

``care.sla`` (every 2 minutes in the embedded runtime's schedule) records the items whose
first-response SLA has just been breached: each is stamped and counted once
(``socialreferral.care.sla_breaches``, :mod:`socialreferral.service.care.sla`), however
often the task runs. It switches telemetry on from the environment like the worker task,
so the count reaches the exporters the deployment names.

:func:`care_desk` and :func:`care_sinks` are how a composition root (this module, the
referral worker task, the CLI, the web app) gets a :class:`~socialreferral.service.care.
CareDesk`: one base ranker per settings and process, so a pool process that runs several
jobs loads the ranker's models once.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from socialreferral.bootstrap import Providers, build_providers
from socialreferral.care.ranker import CareRanker
from socialreferral.care.settings import CareSettings
from socialreferral.observability.setup import configure_from_environment
from socialreferral.service.care import CareDesk, CareEventSink
from socialreferral.tasks.referral import settings_from_payload

log = logging.getLogger(__name__)

_RANKERS: dict[str, CareRanker] = {}
"""One base ranker per care settings and process (the tone model takes seconds to load)."""


def base_ranker(settings: CareSettings) -> CareRanker:
    """The process's ranker for ``settings`` (built on first use)."""
    key = settings.model_dump_json()
    if key not in _RANKERS:
        _RANKERS[key] = CareRanker(settings)
    return _RANKERS[key]


def care_desk(providers: Providers) -> CareDesk:
    """A desk over ``providers`` sharing the process's base ranker (built on first use)."""
    return CareDesk(repositories=providers.repositories, social=providers.social,
                    settings=providers.settings.care, ranker_factory=base_ranker)


def care_sinks(providers: Providers) -> tuple[CareEventSink, ...]:
    """The worker's care sink when brand pages are configured, else none. The ranker is
    built here, at the worker's start-up, so the first batch does not wait for it and
    the start-up's ``gc.freeze()`` (tasks/referral.py) covers its models."""
    if not providers.settings.care.pages:
        return ()
    base_ranker(providers.settings.care)
    return (CareEventSink(care_desk(providers)),)


def categorize_task(payload: dict[str, Any], index: int) -> None:
    """Batch task ``care.categorize``: wake due snoozes, run the categorizer if its period
    has not run (``payload["force"]`` runs it anyway). Array children other than 0 do
    nothing: the job is one computation."""
    if index != 0:
        return
    with build_providers(settings_from_payload(payload)) as providers:
        desk = care_desk(providers)
        woken = desk.wake_due()
        run = desk.run_categorizer(force=bool(payload.get("force", False)))
        if run is None:
            log.info("care.categorize: this period has run already; %d snoozes woke", woken)
        else:
            log.info("care.categorize: %d posts, %d clusters, %d new proposals; "
                     "%d snoozes woke", run.posts, len(run.clusters), run.proposals, woken)


def sla_task(payload: dict[str, Any], index: int) -> None:
    """Batch task ``care.sla``: stamp and count the first-response breaches not recorded
    yet (idempotent; array children other than 0 do nothing)."""
    if index != 0:
        return
    configure_from_environment(os.environ)  # telemetry, when the environment asks
    with build_providers(settings_from_payload(payload)) as providers:
        stamped = care_desk(providers).record_sla_breaches()
        if stamped:
            log.info("care.sla: %d new first-response breach(es)", len(stamped))


__all__ = ["base_ranker", "care_desk", "care_sinks", "categorize_task", "sla_task"]
