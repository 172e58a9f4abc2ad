"""Referral commands: ``demo``, ``report``, ``worker``, ``ingest``, ``promote``.

Every command but ``demo`` works on an existing deployment: a ``--data-dir`` (or a local
store's directory) that does not exist is reported, not silently created empty.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from socialreferral.cli._common import (
    OPERATION_FAILED,
    DataDirOption,
    JsonOption,
    SettingsOption,
    console,
    fail,
    open_providers,
    repeat_options,
)
from socialreferral.cli._report_output import print_demo_summary, print_labelled, print_report
from socialreferral.errors import SocialReferralError

commands = typer.Typer()
"""Top-level commands (registered without a group name)."""


@commands.command()
def demo(
    customers: Annotated[int, typer.Option(min=2, max=100_000)] = 40,
    posts: Annotated[int, typer.Option(min=1, max=1_000_000)] = 160,
    seed: int = 7,
    workers: Annotated[int, typer.Option(min=1, max=64)] = 2,
    data_dir: DataDirOption = None,
    settings: SettingsOption = None,
    as_json: JsonOption = False,
    fakes: Annotated[bool, typer.Option(
        "--fakes", help="Start the Meta Graph API and Dynamics 365 loopback fakes "
        "(socialreferral.testing.vendor_fakes) and point [meta] and [dynamics] at them; "
        "use with --settings examples/meta-dynamics-fakes.toml (extras meta, dynamics)",
    )] = False,
    console_data: Annotated[bool, typer.Option(
        help="also fill the care queue, the influencer panels and the People pages "
             "(about half of the demo's time), so every console page has data")] = True,
) -> None:
    """Run the referral system end to end on a synthetic bank and print the funnel."""
    from socialreferral.cli._common import local_data_dir
    from socialreferral.demo.console_data import ConsoleDemo, seed_console, start_influence
    from socialreferral.demo.runner import run_demo
    from socialreferral.service.reports import report_json

    temp = None
    if data_dir is None and (settings is None or fakes):
        temp = tempfile.TemporaryDirectory(prefix="socialreferral-demo-")
        data_dir = Path(temp.name)
    stack = contextlib.ExitStack()
    try:
        social_seed = stack.enter_context(_started_fakes()) if fakes else None
        with open_providers(settings, data_dir, create_data_dir=True) as providers, Progress(
            TextColumn("{task.description}"), BarColumn(),
            TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
            console=console, disable=as_json, transient=True,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            if social_seed is not None:
                from socialreferral.testing.vendor_fakes.demo import PAGE_TOKEN_SECRET

                providers.secrets.set(PAGE_TOKEN_SECRET, social_seed.graph.page_token)
            with contextlib.ExitStack() as beside:
                # The influence stream is tracked while the workers drain the queue.
                influence = (beside.enter_context(start_influence(providers))
                             if console_data else None)
                result = run_demo(providers, customers=customers, posts=posts, seed=seed,
                                  workers=workers, progress=progress,
                                  social_seed=social_seed)
                extra = ConsoleDemo()
                if console_data:
                    progress("care, influence and people data for the console", 0, 1)
                    extra = seed_console(providers,
                                         data_dir or local_data_dir(providers.settings)
                                         or Path("."), influence=influence)
                    progress("care, influence and people data for the console", 1, 1)
    finally:
        stack.close()
        if temp is not None:
            temp.cleanup()
    if as_json:
        out: dict[str, Any] = report_json(result.report)
        out.update(ingest=result.ingest, simulated=result.simulated,
                   seconds=round(result.seconds, 3), console=extra.__dict__)
        typer.echo(json.dumps(out, indent=2))
        return
    print_demo_summary(result.ingest, result.simulated)
    print_report(result.report)
    if console_data:
        console.print(f"for the console: {extra.care_items} care conversations, "
                      f"{extra.influence_posts:,} posts on {', '.join(extra.keywords)} "
                      f"({extra.influence_alerts} spike alerts), {extra.people} people and "
                      f"{extra.introduction_tasks} B2B introduction tasks", highlight=False)
    console.print(f"demo finished in {result.seconds:.1f} s", highlight=False)
    console.print(_where_to_look(settings, None if temp is not None else data_dir),
                  highlight=False, soft_wrap=True)


@contextlib.contextmanager
def _started_fakes() -> Iterator[Any]:
    """The Meta and Dynamics fakes, their settings in this process's environment for the
    time they run (the demo's batch workers, child processes, inherit it)."""
    from socialreferral.testing.vendor_fakes.demo import meta_dynamics_fakes

    with meta_dynamics_fakes() as running:
        saved = {name: os.environ.get(name) for name in running.env}
        os.environ.update(running.env)
        try:
            yield running
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _where_to_look(settings: Path | None, data_dir: Path | None) -> str:
    options = repeat_options(settings, data_dir)
    if not options:
        return ("the data was in a temporary directory and is gone; to keep it and look "
                "again: socialreferral demo --data-dir ./demo-data, then "
                "socialreferral report --data-dir ./demo-data")
    return (f"look at the data again: socialreferral report{options}\n"
            f"or in the web console: socialreferral console add-user admin --role admin "
            f"--role marketer --role reviewer --role agent{options} (it asks for a "
            f"password), then socialreferral serve{options} and open "
            f"http://127.0.0.1:8000/console/")


@commands.command()
def report(settings: SettingsOption = None, data_dir: DataDirOption = None,
           as_json: JsonOption = False) -> None:
    """The funnel, rewards and new customers from stored data."""
    from socialreferral.service.reports import build_report, report_json

    with open_providers(settings, data_dir) as providers:
        built = build_report(providers.repositories,
                             currency=providers.settings.referral.currency)
    if as_json:
        typer.echo(json.dumps(report_json(built), indent=2))
    else:
        print_report(built)


@commands.command()
def worker(
    settings: SettingsOption = None,
    data_dir: DataDirOption = None,
    idle_seconds: Annotated[float, typer.Option(min=0.0, max=3600.0, help="stop after the "
                                                "queue stayed empty this long")] = 5.0,
    max_seconds: Annotated[float, typer.Option(min=0.0, max=86_400.0,
                                               help="stop after this long")] = 3600.0,
) -> None:
    """Drain the events queue in this process until it stays empty for --idle-seconds
    (the events of the brand pages in [care] pages also feed the care queue)."""
    from datetime import UTC, datetime

    from socialreferral.service.offers import collect_manual_offers
    from socialreferral.service.worker import Worker
    from socialreferral.tasks.referral import analyzer_for
    from socialreferral.tasks.sinks import event_sinks

    with open_providers(settings, data_dir) as providers:
        rules = providers.settings.referral
        runner = Worker(queue=providers.queue, repositories=providers.repositories,
                        crm=providers.crm, social=providers.social, settings=rules,
                        analyzer=analyzer_for(rules.analyzer), sinks=event_sinks(providers))
        done = runner.drain(idle_seconds=idle_seconds, max_seconds=max_seconds)
        manual = collect_manual_offers(repositories=providers.repositories,
                                       crm=providers.crm, social=providers.social,
                                       now=datetime.now(UTC))
    console.print(f"processed {done} events; {manual} manual offers picked up from the CRM",
                  highlight=False)


@commands.command()
def ingest(
    directory: Annotated[Path, typer.Argument(
        help="folder of recorded deliveries (*.json with headers+body, or *.body)",
        exists=True, file_okay=False)],
    source: Annotated[str, typer.Option(help="the webhook channel the deliveries came "
                                        "through (meta, generic, ...)")] = "meta",
    settings: SettingsOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Replay a directory of recorded webhook deliveries through ingestion."""
    from socialreferral.providers.local.social import replay
    from socialreferral.service.ingest import ingest_webhook

    totals = {"deliveries": 0, "enqueued": 0, "duplicates": 0, "rejected": 0, "refused": 0}
    with open_providers(settings, data_dir) as providers:
        channel = providers.registry.channel(source)
        deliveries = replay(directory)
        while True:
            try:
                delivery = next(deliveries, None)
            except SocialReferralError as exc:  # an unreadable file ends the replay
                _print_ingest_totals(totals)
                raise fail(f"stopped after {totals['deliveries']} deliveries: {exc}") from None
            if delivery is None:
                break
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
    _print_ingest_totals(totals)
    if totals["deliveries"] and totals["refused"] == totals["deliveries"]:
        raise fail("every delivery was refused; nothing was ingested", code=OPERATION_FAILED)


def _print_ingest_totals(totals: dict[str, int]) -> None:
    print_labelled([
        ("deliveries", f"{totals['deliveries']} read, {totals['refused']} refused"),
        ("events", f"{totals['enqueued']} enqueued, {totals['duplicates']} duplicates, "
                   f"{totals['rejected']} rejected"),
    ])


@commands.command()
def promote(settings: SettingsOption = None, data_dir: DataDirOption = None) -> None:
    """One run of the scheduled promotion job and the reminders."""
    from socialreferral.service.promotions import run_promotions, send_reminders

    with open_providers(settings, data_dir) as providers:
        run = run_promotions(repositories=providers.repositories, crm=providers.crm,
                             social=providers.social, settings=providers.settings.referral)
        reminded = send_reminders(repositories=providers.repositories,
                                  social=providers.social,
                                  settings=providers.settings.referral)
    print_labelled([
        ("promotions", f"{run.promotions} new, {run.published} published, "
                       f"{run.already_published} already published"),
        ("reminders", f"{reminded} sent"),
    ])


__all__ = ["commands", "demo", "ingest", "promote", "report", "worker"]
