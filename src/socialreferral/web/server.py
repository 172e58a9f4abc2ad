"""Running the web app under uvicorn with redacted logs: :func:`serve`.

One process (``workers=1``) serves the app built over the caller's :class:`Providers`.
Several processes (``workers>1``) cannot share those adapters (connections, file handles
and threads do not cross a process boundary), so each worker rebuilds its own from the
same settings: from the settings *file* when there is one (``SOCIALREFERRAL_SETTINGS``,
plus the ``SOCIALREFERRAL__*`` environment the workers inherit), otherwise from the
settings without secrets (:func:`~socialreferral.bootstrap.shareable_settings`), the
secrets coming back from the inherited environment as for batch workers. Plugins passed
to ``load_registry(extra_plugins=...)`` by hand are not seen by such workers: only
installed (entry-point) plugins are.

Background work: with ``background=True`` (what ``socialreferral serve`` passes on the
embedded default) a :class:`~socialreferral.runtime.BackgroundRuntime` runs in this
process beside the server — queue workers by the scaling policy and the scheduled jobs,
as batch tasks in child processes — and stops when the server does. With several server
processes it runs once, in the parent.

Logging: :func:`log_config` is uvicorn's own configuration with a
:class:`~socialreferral.web.redaction.RedactingFilter` on the access and default handlers
and the ``socialreferral`` loggers routed to the default handler.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI

from socialreferral.bootstrap import Providers, build_providers, shareable_settings
from socialreferral.settings import (
    SETTINGS_FILE_ENV,
    Settings,
    load_settings,
    settings_from_mapping,
)
from socialreferral.web.app import create_app

WORKER_SETTINGS_ENV = "SOCIALREFERRAL_WEB_SETTINGS"
"""Settings (JSON, without secrets) for worker processes when there is no settings file."""
_FILTER = "socialreferral.web.redaction.RedactingFilter"
_JSON_FORMATTER = "socialreferral.observability.logs.JsonFormatter"


def log_config(level: str = "info", *, json_lines: bool | None = None) -> dict[str, Any]:
    """uvicorn's logging configuration with redaction on every handler; with
    ``json_lines`` (default: ``SOCIALREFERRAL_LOG_FORMAT=json``) one JSON object per line
    (:class:`~socialreferral.observability.logs.JsonFormatter`, trace ids included)."""
    from uvicorn.config import LOGGING_CONFIG

    if json_lines is None:
        json_lines = os.environ.get("SOCIALREFERRAL_LOG_FORMAT", "").lower() == "json"
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact"] = {"()": _FILTER}
    for handler in config["handlers"].values():
        handler["filters"] = [*handler.get("filters", []), "redact"]
    if json_lines:
        for formatter in config["formatters"]:
            config["formatters"][formatter] = {"()": _JSON_FORMATTER}
    config["loggers"]["socialreferral"] = {
        "handlers": ["default"], "level": level.upper(), "propagate": False}
    return config


def serve(providers: Providers, host: str = "127.0.0.1", port: int = 8000, *,
          workers: int = 1, log_level: str = "info",
          forwarded_allow_ips: str | None = None, background: bool = False) -> None:
    """Serve the web app on ``host``:``port`` until interrupted (blocking).

    ``workers`` > 1 runs that many processes, each building its own providers from
    ``providers.settings`` (module docstring). ``forwarded_allow_ips`` (comma-separated
    proxy addresses, or ``"*"``) makes uvicorn trust their ``X-Forwarded-For``, so rate
    limits apply to the real client address. ``background`` also runs the queue workers
    and the scheduled jobs (module docstring).
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    runtime = None
    if background:
        from socialreferral.runtime import BackgroundRuntime

        runtime = BackgroundRuntime(providers)
        runtime.start()
    try:
        with _exit_cleanly_on_sigterm():
            _run_server(providers, host, port, workers=workers, log_level=log_level,
                        forwarded_allow_ips=forwarded_allow_ips)
    finally:
        if runtime is not None:
            runtime.stop()


@contextmanager
def _exit_cleanly_on_sigterm() -> Iterator[None]:
    """uvicorn shuts down gracefully on SIGTERM and then raises the signal again with the
    handler it found; with Python's default that kills the process on the spot, before
    ``finally`` blocks and context managers run — the providers would not be closed and
    the local pool's worker processes would be orphaned. This handler turns that last
    SIGTERM into ``SystemExit(0)``, so everything unwinds."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def leave(signum: int, frame: object) -> None:
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, leave)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_server(providers: Providers, host: str, port: int, *, workers: int,
                log_level: str, forwarded_allow_ips: str | None) -> None:
    import uvicorn

    options: dict[str, Any] = {
        "host": host, "port": port, "log_config": log_config(log_level),
        "log_level": log_level, "proxy_headers": forwarded_allow_ips is not None,
        "forwarded_allow_ips": forwarded_allow_ips, "server_header": False,
    }
    if workers == 1:
        uvicorn.run(create_app(providers), **options)
        return
    settings = providers.settings
    if settings.source_file is not None:
        os.environ[SETTINGS_FILE_ENV] = str(settings.source_file)
        os.environ.pop(WORKER_SETTINGS_ENV, None)
    else:
        os.environ[WORKER_SETTINGS_ENV] = json.dumps(
            shareable_settings(settings, providers.registry))
    uvicorn.run("socialreferral.web.server:worker_app", factory=True, workers=workers,
                **options)


def worker_settings() -> Settings:
    """The settings a worker process rebuilds its providers from (module docstring)."""
    payload = os.environ.get(WORKER_SETTINGS_ENV)
    if payload:
        return settings_from_mapping(json.loads(payload), source=WORKER_SETTINGS_ENV,
                                     env=os.environ)
    return load_settings()


def worker_app() -> FastAPI:
    """The app of one worker process of a multi-process :func:`serve` (uvicorn factory)."""
    return create_app(build_providers(worker_settings()), owns_providers=True)


__all__ = ["WORKER_SETTINGS_ENV", "log_config", "serve", "worker_app", "worker_settings"]
