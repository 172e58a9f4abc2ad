"""The ``socialreferral`` command line (typer + rich).

Commands: ``providers`` (installed plugins, ports and capabilities), ``check-settings``,
``run-task`` (what cloud batch workers execute), and the flow commands registered from
:mod:`socialreferral.cli_flows` (``demo``, ``report``, ``worker``...).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from socialreferral.errors import SocialReferralError

app = typer.Typer(
    name="socialreferral",
    help="Social activity in; referrals, leads, rewards and a care queue out.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()

SettingsOption = Annotated[
    Path | None,
    typer.Option(
        "--settings",
        "-s",
        help="TOML settings file (default: $SOCIALREFERRAL_SETTINGS or ./socialreferral.toml)",
        exists=True,
        dir_okay=False,
    ),
]

# Environment variables that carry an array child's index on each batch service.
_ARRAY_INDEX_VARS = ("AWS_BATCH_JOB_ARRAY_INDEX", "SOCIALREFERRAL_TASK_INDEX")


def fail(message: str) -> typer.Exit:
    """Print a clear error and return the exit to raise (code 2 = bad input/config)."""
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@app.command()
def providers(
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
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


@app.command("check-settings")
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
        raise fail(str(exc)) from None
    for port, name in loaded.ports.items():
        console.print(f"{port:8} → {name}")
    console.print("[green]settings are valid[/]")


@app.command("run-task")
def run_task_command(
    task: Annotated[str, typer.Argument(help="registered task name")],
    payload: Annotated[str, typer.Option(help="JSON object passed to the task")] = "{}",
    index: Annotated[int | None, typer.Option(help="array child index (default: from env)")] = None,
) -> None:
    """Run one registered task in this process (what batch workers execute)."""
    from socialreferral.plugins import load_registry
    from socialreferral.tasks import run_task

    try:
        body = json.loads(payload)
    except json.JSONDecodeError as exc:
        raise fail(f"--payload is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise fail("--payload must be a JSON object")
    if index is None:
        index = next((int(os.environ[v]) for v in _ARRAY_INDEX_VARS if v in os.environ), 0)
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
        raise typer.Exit(code=1) from None


@app.command()
def serve(
    settings: SettingsOption = None,
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port")] = 8000,
) -> None:
    """Serve the webhook and referral endpoints (needs the ``web`` extra)."""
    from socialreferral.bootstrap import build_providers
    from socialreferral.providers import import_sdk
    from socialreferral.settings import load_settings

    try:
        uvicorn = import_sdk("uvicorn", provider="web", extra="web")
        from socialreferral.web import create_app

        providers = build_providers(load_settings(settings))
    except SocialReferralError as exc:
        raise fail(str(exc)) from None
    with providers:
        uvicorn.run(create_app(providers), host=host, port=port, log_level="info")


def main() -> None:
    """Console-script entry point."""
    from socialreferral.cli_flows import register

    register(app)
    app()


if __name__ == "__main__":
    main()
