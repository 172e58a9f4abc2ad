"""Batch-task entry points of the People flow (each a composition root of its own).

* ``people.fuse`` — the periodic fusion job: CRM contacts changed since the last run are
  captured, then profiles are fused (payload ``mode``: ``auto`` by default — a full run
  when the last is older than ``[people] full_every_hours``, else incremental linking of
  new captures; ``full``; ``incremental``), then golden values are pushed to the CRM's
  contacts (``[people] enrich_crm``). A scheduler runs it (``socialreferral serve``'s
  embedded schedule every 15 minutes, ``[schedule.every_seconds] "people.fuse"``; in the
  clouds an EventBridge Scheduler or Azure Batch job schedule calling ``socialreferral
  run-task people.fuse``; or cron calling ``socialreferral people fuse``).
* ``people.b2b`` — one run of the B2B sales process for a request in the payload
  (``request``: a :class:`~socialreferral.people.b2b.B2BRequest` as JSON) over the replay
  directory of ``[people.b2b] directory_file``.

With ``[people.linkage] backend = "spark"`` the job builds a Spark session (``[people]
spark_master``, Splink's similarity UDF jar on the class path) and stops it afterwards:
this is the one place that creates one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from socialreferral.bootstrap import Providers, build_providers
from socialreferral.errors import ConfigurationError, InvalidInput, ProviderNotInstalled
from socialreferral.people.b2b import B2BRequest
from socialreferral.people.settings import PeopleSettings
from socialreferral.service.people import enrich_crm, import_crm_contacts, run_b2b, run_fusion
from socialreferral.service.people.b2b import B2BRun
from socialreferral.service.people.fusion import FusionMode, FusionRun
from socialreferral.tasks.referral import settings_from_payload

_MODES = ("auto", "full", "incremental")


@contextmanager
def spark_session(settings: PeopleSettings) -> Iterator[Any]:
    """A Spark session for Splink when the settings ask for the Spark backend (else
    None); stopped on exit. Needs the ``spark`` extra and a Java 17+ runtime."""
    if settings.linkage.backend != "spark":
        yield None
        return
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as exc:
        raise ProviderNotInstalled("people (Spark backend)", "spark", "pyspark") from exc
    session = (SparkSession.builder.appName("socialreferral-people-fusion")
               .master(settings.spark_master)
               .config("spark.jars", similarity_jar_location())
               .getOrCreate())
    if settings.spark_checkpoint_dir:
        session.sparkContext.setCheckpointDir(settings.spark_checkpoint_dir)
    try:
        yield session
    finally:
        session.stop()


def fuse_once(providers: Providers, *, mode: str = "auto",
              now: datetime | None = None) -> tuple[int, FusionRun, Any]:
    """Capture CRM contacts, fuse, enrich: (contacts captured, the run, the enrichment)."""
    if mode not in _MODES:
        raise ConfigurationError(f"mode must be one of {', '.join(_MODES)}")
    settings = providers.settings.people
    moment = now or datetime.now(UTC)
    repositories = providers.repositories
    captured = (import_crm_contacts(repositories, providers.crm)
                if settings.import_crm_contacts else 0)
    chosen: FusionMode = "full" if mode == "full" else (
        "incremental" if mode == "incremental" else "auto")
    with spark_session(settings) as spark:
        run = run_fusion(repositories, settings, now=moment, mode=chosen, spark_session=spark)
    # A full run sweeps every contact; an incremental one only the people it changed.
    changed = None if run.mode == "full" else run.changed
    enriched = (enrich_crm(repositories, providers.crm, settings, now=moment, people=changed)
                if settings.enrich_crm else None)
    return captured, run, enriched


def fuse_task(payload: dict[str, Any], index: int) -> None:
    """Batch task ``people.fuse`` (module docstring); payload: ``settings``, optionally
    ``settings_file`` and ``mode``."""
    with build_providers(settings_from_payload(payload)) as providers:
        fuse_once(providers, mode=str(payload.get("mode", "auto")))


def b2b_once(providers: Providers, request: B2BRequest, *,
             directory_file: str | None = None, now: datetime | None = None) -> B2BRun:
    """One run of the B2B process over the configured replay directory."""
    from socialreferral.providers.local.directory import ReplayDirectory

    settings = providers.settings.people
    path = directory_file or settings.b2b.directory_file
    if not path:
        raise ConfigurationError("[people.b2b] directory_file is not set: the B2B process "
                                 "needs a company directory")
    directory = ReplayDirectory.from_file(path, source=settings.b2b.source)
    with spark_session(settings) as spark:
        return run_b2b(providers.repositories, providers.crm, directory, directory, request,
                       settings, now=now or datetime.now(UTC), spark_session=spark)


def b2b_task(payload: dict[str, Any], index: int) -> None:
    """Batch task ``people.b2b``: payload ``request`` (a B2BRequest as JSON)."""
    try:
        request = B2BRequest.model_validate(payload.get("request") or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(first["msg"], field=f"request.{where}" if where else "request") from None
    with build_providers(settings_from_payload(payload)) as providers:
        b2b_once(providers, request)


__all__ = ["b2b_once", "b2b_task", "fuse_once", "fuse_task", "spark_session"]
