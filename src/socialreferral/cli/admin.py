"""Operator commands: ``providers``, ``check-settings``, ``run-task``, ``serve``.

``run-task`` is what batch workers execute (AWS Batch and Azure Batch run
``socialreferral run-task <task> --payload <json>``); its payload is parsed with the same
bounds as every other JSON the library takes from outside.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Mapping
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from socialreferral.cli._common import (
    OPERATION_FAILED,
    DataDirOption,
    JsonOption,
    SettingsOption,
    console,
    fail,
    fail_from,
    note,
    open_providers,
)
from socialreferral.errors import SocialReferralError

commands = typer.Typer()
"""Top-level commands (registered without a group name)."""

MAX_PAYLOAD_BYTES = 128 * 1024
"""Largest ``--payload`` accepted: Linux's limit for one command-line argument."""

# Environment variables that carry an array child's index on each batch service.
_ARRAY_INDEX_VARS = ("AWS_BATCH_JOB_ARRAY_INDEX", "SOCIALREFERRAL_TASK_INDEX")


@commands.command()
def providers(as_json: JsonOption = False) -> None:
    """List installed provider plugins, the ports they serve and their capabilities."""
    from socialreferral.plugins import load_registry

    registry = load_registry()
    rows: list[dict[str, Any]] = []
    for (port, name), spec in sorted(
        registry.providers.items(), key=lambda kv: (kv[0][1], kv[0][0])
    ):
        row: dict[str, Any] = {
            "provider": name,
            "plugin_source": registry.plugins.get(name, "builtin"),
            "port": port,
            "extra": spec.extra,
        }
        try:
            adapter = spec.load_adapter()
        except Exception as exc:  # one broken plugin must not hide the others
            row.update(adapter=spec.adapter, capabilities=[], error=f"cannot load: {exc}")
        else:
            row.update(
                adapter=adapter.__name__,
                capabilities=sorted(str(c) for c in adapter.capabilities),
            )
        rows.append(row)
    if as_json:
        typer.echo(json.dumps({"plugins": registry.plugins, "providers": rows}, indent=2))
        return
    table = Table(title="socialreferral providers")
    for column in ("provider", "port", "adapter", "capabilities", "install"):
        table.add_column(column, overflow="fold")
    for row in rows:
        install = f"socialreferral[{row['extra']}]" if row["extra"] else "(built in)"
        capabilities = row.get("error") or ", ".join(row["capabilities"]) or "-"
        table.add_row(
            row["provider"], row["port"], row["adapter"], escape(capabilities), escape(install)
        )
    console.print(table)
    console.print(f"plugins loaded: {', '.join(sorted(registry.plugins))}")


@commands.command("check-settings")
def check_settings(settings: SettingsOption = None) -> None:
    """Validate a settings file (and the environment) without building anything remote."""
    from socialreferral.bootstrap import check_provider_tables, provider_settings
    from socialreferral.plugins import load_registry
    from socialreferral.settings import load_settings

    try:
        loaded = load_settings(settings)
        registry = load_registry()
        check_provider_tables(loaded, registry)
        for port, name in loaded.ports.items():
            provider_settings(loaded, registry.spec(port, name))
    except SocialReferralError as exc:
        raise fail_from(exc) from None
    for port, name in loaded.ports.items():
        console.print(f"{port:8} → {name}")
    console.print("[green]settings are valid[/]")


@commands.command("run-task")
def run_task_command(
    task: Annotated[str, typer.Argument(help="registered task name")],
    payload: Annotated[str, typer.Option(help="JSON object passed to the task")] = "{}",
    index: Annotated[
        int | None, typer.Option(min=0, help="array child index (default: from env)")
    ] = None,
) -> None:
    """Run one registered task in this process (what batch workers execute)."""
    from socialreferral.plugins import load_registry
    from socialreferral.tasks import run_task

    body = parse_payload(payload)
    if index is None:
        index = array_index(os.environ)
    registry = load_registry()
    if task not in registry.tasks:
        raise fail(f"no task {task!r}; registered: {', '.join(sorted(registry.tasks)) or 'none'}")
    try:
        run_task(registry.tasks[task], body, index)
    except Exception as exc:
        # Batch services keep stderr: the traceback for people, then one plain last line
        # ("task failed: ...") that adapters can report as the job's error.
        traceback.print_exc(file=sys.stderr)
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())
        print(f"task failed: {reason}", file=sys.stderr)
        raise typer.Exit(code=OPERATION_FAILED) from None


def parse_payload(payload: str) -> dict[str, Any]:
    """``--payload`` as a JSON object, bounded in size and depth; a clean exit 2 otherwise."""
    from socialreferral.domain.json_input import parse_json_object

    try:
        # The shell hands over bytes; surrogateescape gives back exactly those bytes, so a
        # payload that is not UTF-8 is reported as such instead of failing later.
        raw = payload.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raise fail("--payload: not UTF-8 text") from None
    try:
        return parse_json_object(raw, field="--payload", max_bytes=MAX_PAYLOAD_BYTES)
    except SocialReferralError as exc:
        raise fail_from(exc) from None


def array_index(environ: Mapping[str, str]) -> int:
    """The array child index the batch service set (0 when none is set)."""
    for variable in _ARRAY_INDEX_VARS:
        raw = environ.get(variable)
        if raw is None:
            continue
        if not raw.strip().isdigit():
            raise fail(f"{variable}={raw[:20]!r} is not a non-negative integer")
        return int(raw)
    return 0


@commands.command()
def serve(
    settings: SettingsOption = None,
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="server processes")] = 1,
    forwarded_allow_ips: Annotated[str | None, typer.Option(
        help="trusted proxy addresses whose X-Forwarded-For is believed")] = None,
    data_dir: DataDirOption = None,
    background: Annotated[bool | None, typer.Option(
        "--with-workers/--no-workers",
        help="also run the queue workers and scheduled jobs (default: yes when the batch "
             "port is local; --no-workers gives a web-only node)")] = None,
) -> None:
    """Serve the webhooks, the referral pages, the console and its API (needs the web
    extra); on the embedded default also the queue workers and the scheduled jobs.
    Secrets and tokens are redacted from the access log."""
    try:
        # ProviderNotInstalled (with the install hint) when the web extra is missing.
        from socialreferral.web import serve as serve_web
    except SocialReferralError as exc:
        raise fail(str(exc)) from None
    # A server is how a deployment starts: an absent data directory is created.
    with open_providers(settings, data_dir, create_data_dir=True) as providers:
        run_background = (providers.settings.ports.batch == "local" if background is None
                          else background)
        if run_background:
            note("queue workers and scheduled jobs run in this process tree "
                 "(--no-workers for a web-only node)")
        else:
            note("web only: events wait in the queue for workers elsewhere "
                 "(socialreferral worker, or AWS/Azure Batch)")
        serve_web(providers, host, port, workers=workers,
                  forwarded_allow_ips=forwarded_allow_ips, background=run_background)


__all__ = ["MAX_PAYLOAD_BYTES", "array_index", "commands", "parse_payload"]
