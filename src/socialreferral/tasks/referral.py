"""Batch-task entry points of the referral flows (each a composition root of its own).

A batch worker — a process of the local pool, an AWS Batch or Azure Batch container
running ``socialreferral run-task`` — starts with nothing but a JSON payload and its
environment; these functions rebuild the settings, build the adapters and repositories,
run the use case and exit.
"""

from __future__ import annotations

import gc
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from socialreferral.bootstrap import build_providers, shareable_settings
from socialreferral.observability.setup import configure_from_environment
from socialreferral.service.offers import collect_manual_offers
from socialreferral.service.promotions import run_promotions, send_reminders
from socialreferral.service.reviews import auto_approve_expired
from socialreferral.service.worker import Worker
from socialreferral.settings import Settings, load_settings
from socialreferral.text.activity import ActivityAnalyzer, AnalyzerSettings, make_analyzer


def task_payload(settings: Settings, **options: Any) -> dict[str, Any]:
    """The JSON payload of a job for ``settings`` (plus ``options``).

    Secrets (every ``SecretStr`` provider setting) are left out: payloads may be logged or
    stored by a batch service. A worker adds them from the submitter's settings file when
    it can read it (``settings_file``: a worker on the same machine) and from its own
    ``SOCIALREFERRAL__*`` environment (a container); the local provider's secret store
    falls back to its key file in ``data_dir``.
    """
    payload: dict[str, Any] = {"settings": shareable_settings(settings), **options}
    if settings.source_file is not None:
        payload["settings_file"] = str(settings.source_file)
    return payload


def settings_from_payload(payload: dict[str, Any]) -> Settings:
    """The submitter's settings: its file when readable (secrets included), then the
    payload (everything else, as submitted), then this worker's environment."""
    settings_file = payload.get("settings_file")
    readable = settings_file if settings_file and Path(settings_file).is_file() else None
    return load_settings(readable, env=os.environ, overrides=payload.get("settings") or {})


_ANALYZERS: dict[str, ActivityAnalyzer] = {}
"""One analyzer per settings and worker process: a pool process that runs several jobs
keeps its models (the catalog classifier takes seconds to build) warm between them."""


def _analyzer(settings: AnalyzerSettings) -> ActivityAnalyzer:
    key = settings.model_dump_json()
    if key not in _ANALYZERS:
        _ANALYZERS[key] = analyzer_for(settings)
    return _ANALYZERS[key]


def analyzer_for(settings: AnalyzerSettings) -> ActivityAnalyzer:
    """A new analyzer for ``settings`` whose catalog classifiers are kept on disk between
    processes as the settings ask (:mod:`socialreferral.runtime.classifier_files`)."""
    from socialreferral.runtime.classifier_files import classifier_files_for

    return make_analyzer(settings, classifier_cache=classifier_files_for(settings, os.environ))


def process_batch_task(payload: dict[str, Any], index: int) -> None:
    """Batch task ``referral.process-batch``: drain the events queue, then exit.

    ``payload``: ``settings`` (see :func:`task_payload`), optionally ``settings_file``,
    ``idle_seconds`` (stop after the queue stayed empty that long, default 1),
    ``max_seconds`` (hard stop, default 600). Every array child drains the same queue;
    the queue hands each message to one of them. With ``[care] pages`` or
    ``[influence]`` keywords configured, the events also go to those features (the
    worker's sinks, :mod:`socialreferral.tasks.sinks`).
    """
    from socialreferral.tasks.sinks import event_sinks  # its factories import this module

    configure_from_environment(os.environ)  # telemetry, when the environment asks
    # Start-up allocates the long-lived models (10^5-term vocabularies, tables) and little
    # garbage: the collector's repeated passes over them were a good part of the cold
    # start. One collection at the end frees that garbage before gc.freeze().
    gc.disable()
    try:
        with build_providers(settings_from_payload(payload)) as providers:
            rules = providers.settings.referral
            worker = Worker(queue=providers.queue, repositories=providers.repositories,
                            crm=providers.crm, social=providers.social, settings=rules,
                            analyzer=_analyzer(rules.analyzer), sinks=event_sinks(providers))
            worker.start()
            # The models built at start-up are long-lived: moving them out of the
            # collector's generations keeps its passes short (the care ranker's
            # throughput rose from 15,000-18,600 to 24,400 posts/s in
            # benchmarks/care_throughput.py --gc-freeze).
            gc.collect()
            gc.freeze()
            gc.enable()
            worker.drain(idle_seconds=float(payload.get("idle_seconds", 1.0)),
                         max_seconds=float(payload.get("max_seconds", 600.0)))
    finally:
        gc.enable()


def promotions_task(payload: dict[str, Any], index: int) -> None:
    """Batch task ``referral.promotions``: one run of promotions, reminders and the
    CRM's answered manual offers."""
    with build_providers(settings_from_payload(payload)) as providers:
        rules = providers.settings.referral
        run_promotions(repositories=providers.repositories, crm=providers.crm,
                       social=providers.social, settings=rules)
        send_reminders(repositories=providers.repositories, social=providers.social,
                       settings=rules)
        collect_manual_offers(repositories=providers.repositories, crm=providers.crm,
                              social=providers.social, now=datetime.now(UTC))


def auto_approve_task(payload: dict[str, Any], index: int) -> None:
    """Batch task ``referral.auto-approve``: approve the flagged rewards nobody decided on
    within ``[referral] review_deadline_hours`` (see :mod:`socialreferral.service.reviews`)."""
    with build_providers(settings_from_payload(payload)) as providers:
        auto_approve_expired(providers.repositories, providers.settings.referral,
                             datetime.now(UTC))


__all__ = ["auto_approve_task", "process_batch_task", "promotions_task",
           "settings_from_payload", "task_payload"]
