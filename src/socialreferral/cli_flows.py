"""Flow commands of the ``socialreferral`` CLI: ``demo``, ``report``, ``worker``, ``ingest``,
``promote``. :func:`register` adds them to the main typer app (see :mod:`socialreferral.cli`).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from socialreferral.errors import SocialReferralError

if TYPE_CHECKING:
    from socialreferral.bootstrap import Providers
    from socialreferral.service.reports import Report

console = Console()

SettingsOption = Annotated[
    Path | None,
    typer.Option("--settings", "-s", help="TOML settings file", exists=True, dir_okay=False),
]
DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="data directory of the local provider")
]
JsonOption = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@contextmanager
def _providers(settings_file: Path | None, data_dir: Path | None) -> Iterator[Providers]:
    from socialreferral.bootstrap import build_providers
    from socialreferral.settings import load_settings

    # Absolute: batch workers are separate processes and must find the same files.
    overrides = {"local": {"data_dir": str(data_dir.resolve())}} if data_dir else None
    loaded = load_settings(settings_file, overrides=overrides)
    with build_providers(loaded) as providers:
        yield providers


def _print_report(report: Report) -> None:
    table = Table(title="referral funnel")
    for column in ("stage", "count", "from previous", "from events"):
        table.add_column(column, justify="right" if column != "stage" else "left")
    for stage in report.funnel.total.stages:
        table.add_row(
            stage.name, str(stage.count),
            "-" if stage.rate_from_previous is None else f"{stage.rate_from_previous:.0%}",
            "-" if stage.rate_from_start is None else f"{stage.rate_from_start:.0%}",
        )
    console.print(table)
    products = Table(title="per product")
    for column in ("product", "matched", "offers", "referrals", "leads", "rewards"):
        products.add_column(column)
    for row in report.funnel.products:
        products.add_row(row.product_id or "?", *(str(row.stage(s).count) for s in
                         ("matched", "offers", "referrals", "leads", "rewards")))
    console.print(products)
    console.print(
        f"rewards processed: {report.rewards_processed} ({report.rewards_amount}); "
        f"by status: {report.rewards_by_status}; new customers: {report.new_customers}"
    )
    steps = Table(title="average time per step (shape of the paper's Table 2)")
    for column in ("activity", "samples", "measured (s)", "paper (s)"):
        steps.add_column(column)
    for step in report.steps:
        measured = "-" if step.mean_seconds is None else f"{step.mean_seconds:.4f}"
        steps.add_row(step.activity, str(step.samples), measured, f"{step.paper_seconds:.2f}")
    console.print(steps)


def demo(
    customers: Annotated[int, typer.Option(min=2, max=100_000)] = 40,
    posts: Annotated[int, typer.Option(min=1, max=1_000_000)] = 160,
    seed: int = 7,
    workers: Annotated[int, typer.Option(min=1, max=64)] = 2,
    data_dir: DataDirOption = None,
    settings: SettingsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run the referral system end to end on a synthetic bank and print the funnel."""
    from socialreferral.demo.runner import run_demo
    from socialreferral.service.reports import report_json

    temp = None
    if data_dir is None and settings is None:
        temp = tempfile.TemporaryDirectory(prefix="socialreferral-demo-")
        data_dir = Path(temp.name)
    try:
        with _providers(settings, data_dir) as providers, Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
            "{task.total}"), TimeElapsedColumn(), console=console, disable=as_json,
            transient=True,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            result = run_demo(providers, customers=customers, posts=posts, seed=seed,
                              workers=workers, progress=progress)
    except SocialReferralError as exc:
        raise _fail(str(exc)) from None
    finally:
        if temp is not None:
            temp.cleanup()
    if as_json:
        out: dict[str, Any] = report_json(result.report)
        out.update(ingest=result.ingest, simulated=result.simulated,
                   seconds=round(result.seconds, 3))
        typer.echo(json.dumps(out, indent=2))
        return
    console.print(f"ingest: {result.ingest}")
    console.print(f"simulated: {result.simulated}")
    _print_report(result.report)
    console.print(f"demo finished in {result.seconds:.1f} s")


def report(settings: SettingsOption = None, data_dir: DataDirOption = None,
           as_json: JsonOption = False) -> None:
    """The funnel, rewards and new customers from stored data."""
    from socialreferral.service.reports import build_report, report_json

    try:
        with _providers(settings, data_dir) as providers:
            built = build_report(providers.repositories,
                                 currency=providers.settings.referral.currency)
    except SocialReferralError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(report_json(built), indent=2))
    else:
        _print_report(built)


def worker(settings: SettingsOption = None, data_dir: DataDirOption = None,
           idle_seconds: float = 5.0, max_seconds: float = 3600.0) -> None:
    """Drain the events queue in this process until it stays empty for --idle-seconds."""
    from datetime import UTC, datetime

    from socialreferral.service.offers import collect_manual_offers
    from socialreferral.service.worker import Worker

    try:
        with _providers(settings, data_dir) as providers:
            runner = Worker(queue=providers.queue, repositories=providers.repositories,
                            crm=providers.crm, social=providers.social,
                            settings=providers.settings.referral)
            done = runner.drain(idle_seconds=idle_seconds, max_seconds=max_seconds)
            manual = collect_manual_offers(repositories=providers.repositories,
                                           crm=providers.crm, social=providers.social,
                                           now=datetime.now(UTC))
    except SocialReferralError as exc:
        raise _fail(str(exc)) from None
    console.print(f"processed {done} events; {manual} manual offers picked up from the CRM")


def ingest(
    directory: Annotated[Path, typer.Argument(help="folder of recorded deliveries "
                                              "(*.json with headers+body, or *.body)")],
    source: Annotated[str, typer.Option(help="the webhook channel the deliveries came "
                                        "through (meta, generic, ...)")] = "meta",
    settings: SettingsOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Replay a directory of recorded webhook deliveries through ingestion."""
    from socialreferral.providers.local.social import replay
    from socialreferral.service.ingest import ingest_webhook

    totals = {"deliveries": 0, "enqueued": 0, "duplicates": 0, "rejected": 0, "refused": 0}
    try:
        with _providers(settings, data_dir) as providers:
            channel = providers.registry.channel(source)
            for delivery in replay(directory):
                totals["deliveries"] += 1
                try:
                    result = ingest_webhook(channel, delivery.headers, delivery.body,
                                            queue=providers.queue, secrets=providers.secrets,
                                            repositories=providers.repositories,
                                            max_body_bytes=providers.settings.web.max_body_bytes)
                except SocialReferralError as exc:
                    totals["refused"] += 1
                    console.print(f"{delivery.source}: refused: {exc}", markup=False)
                    continue
                totals["enqueued"] += len(result.enqueued)
                totals["duplicates"] += len(result.duplicates)
                totals["rejected"] += len(result.rejected)
                for item in result.rejected:
                    console.print(f"{delivery.source}: {item.path}: {item.reason}", markup=False)
    except SocialReferralError as exc:
        raise _fail(str(exc)) from None
    console.print(totals)


def promote(settings: SettingsOption = None, data_dir: DataDirOption = None) -> None:
    """One run of the scheduled promotion job and the reminders."""
    from socialreferral.service.promotions import run_promotions, send_reminders

    try:
        with _providers(settings, data_dir) as providers:
            run = run_promotions(repositories=providers.repositories, crm=providers.crm,
                                 social=providers.social, settings=providers.settings.referral)
            reminded = send_reminders(repositories=providers.repositories,
                                      social=providers.social,
                                      settings=providers.settings.referral)
    except SocialReferralError as exc:
        raise _fail(str(exc)) from None
    console.print(f"promotions: {run.promotions}, published: {run.published}, "
                  f"already published: {run.already_published}, reminders: {reminded}")


def register(app: typer.Typer) -> None:
    """Add the flow commands to ``app``."""
    app.command()(demo)
    app.command()(report)
    app.command()(worker)
    app.command()(ingest)
    app.command()(promote)


__all__ = ["register"]
