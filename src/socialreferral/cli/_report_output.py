"""How the referral commands print: the report's tables and the demo's summary.

Readable lines for people (labelled counts, money with its currency); ``--json`` output is
built elsewhere from the same objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from socialreferral.cli._common import console

if TYPE_CHECKING:
    from socialreferral.service.reports import Report

_PRODUCT_STAGES = ("matched", "offers", "referrals", "leads", "rewards")


def format_money(amount: str, currency: str) -> str:
    """``"1234.5", "EUR"`` -> ``"1,234.50 EUR"`` (the amount as given if it is no number)."""
    try:
        return f"{Decimal(amount):,.2f} {currency}"
    except InvalidOperation:
        return f"{amount} {currency}"


def print_report(report: Report) -> None:
    """The funnel, per-product counts, rewards, new customers and step times."""
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
    if report.funnel.products:
        products = Table(title="per product")
        products.add_column("product")
        for stage_name in _PRODUCT_STAGES:
            products.add_column(stage_name, justify="right")
        for row in report.funnel.products:
            products.add_row(escape(row.product_id or "?"),
                             *(str(row.stage(s).count) for s in _PRODUCT_STAGES))
        console.print(products)
    print_labelled([
        ("rewards", f"{report.rewards_processed} processed, "
                    f"{format_money(report.rewards_amount, report.currency)}"
                    + _by_status(report.rewards_by_status)),
        ("new customers", str(report.new_customers)),
    ])
    steps = Table(title="average time per step (shape of the paper's Table 2)")
    for column in ("activity", "samples", "measured (s)", "paper (s)"):
        steps.add_column(column, justify="left" if column == "activity" else "right")
    for step in report.steps:
        measured = "-" if step.mean_seconds is None else f"{step.mean_seconds:.4f}"
        steps.add_row(escape(step.activity), str(step.samples), measured,
                      f"{step.paper_seconds:.2f}")
    console.print(steps)


def print_demo_summary(ingest: Mapping[str, int], simulated: Mapping[str, int]) -> None:
    """What the demo did, as labelled lines."""
    print_labelled([
        ("webhooks", f"{ingest.get('deliveries', 0)} signed deliveries: "
                     f"{ingest.get('enqueued', 0)} events queued, "
                     f"{ingest.get('duplicates', 0)} duplicates ignored (one delivery was "
                     f"sent twice), {ingest.get('rejected', 0)} rejected"),
        ("referrals", f"{simulated.get('recommended', 0)} recommended by customers, "
                      f"{simulated.get('forms', 0)} lead forms (submitted twice: "
                      f"{simulated.get('repeated_forms', 0)}, self-referrals: "
                      f"{simulated.get('self_referrals', 0)})"),
        ("CRM", f"{simulated.get('manual_offers', 0)} manual offers answered by an agent"),
        ("promotions", f"{simulated.get('promotions_published', 0)} published; "
                       f"{simulated.get('promotions_republished_on_rerun', 0)} again "
                       "when the job ran a second time"),
        ("reminders", f"{simulated.get('reminders', 0)} sent"),
    ], title="what the demo did")


def print_labelled(lines: list[tuple[str, str]], *, title: str | None = None) -> None:
    """``label  text`` lines, labels aligned."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, text in lines:
        grid.add_row(escape(label), escape(text))
    if title:
        console.print(f"[bold]{escape(title)}[/]")
    console.print(grid)


def _by_status(counts: Mapping[str, int]) -> str:
    if not counts:
        return ""
    parts = ", ".join(f"{status.replace('_', ' ')} {n}" for status, n in sorted(counts.items()))
    return f" ({parts})"


__all__ = ["format_money", "print_demo_summary", "print_labelled", "print_report"]
