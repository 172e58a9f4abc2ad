"""How the care commands print: queue tables, an item's explanation, JSON documents.

Human output is rich tables and labelled lines; ``--json`` output is built from the same
records with :func:`entry_json` / :func:`detail_json`, so the two never disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from socialreferral.cli._common import console

if TYPE_CHECKING:
    from socialreferral.care.records import CareItem
    from socialreferral.care.workflow import SlaState
    from socialreferral.service.care import ItemDetail, QueueEntry

_TOP_FACTORS = 3
_TEXT_CHARS = 70


def sla_json(sla: SlaState) -> dict[str, Any]:
    """The SLA state as JSON."""
    return sla.model_dump(mode="json")


def item_json(item: CareItem, sla: SlaState) -> dict[str, Any]:
    """An item as JSON: its record (with the score's factors) and its SLA."""
    return {**item.model_dump(mode="json"), "sla": sla_json(sla)}


def entry_json(entry: QueueEntry) -> dict[str, Any]:
    """A queue entry as JSON."""
    return item_json(entry.item, entry.sla)


def detail_json(detail: ItemDetail) -> dict[str, Any]:
    """An item's detail as JSON."""
    return {"item": item_json(detail.item, detail.sla),
            "conversation": [p.model_dump(mode="json") for p in detail.conversation],
            "thread": [p.model_dump(mode="json") for p in detail.thread[:500]],
            "replies": [r.model_dump(mode="json") for r in detail.replies],
            "reply_kinds": list(detail.reply_kinds)}


def sla_text(sla: SlaState, item: CareItem) -> str:
    """``breached``, ``due in 12 min``, ``met``... in a few characters."""
    if item.first_response_at is not None:
        return "met" if sla.met else "late reply"
    minutes = abs(sla.remaining_seconds) / 60
    if sla.breached:
        return f"[red]breached {minutes:.0f} min ago[/]"
    return f"[yellow]due in {minutes:.0f} min[/]" if sla.warning else f"due in {minutes:.0f} min"


def top_factors(item: CareItem) -> str:
    """The Eq. 1 terms that moved the RankScore most, e.g. ``sentiment +0.19``."""
    if item.score is None:
        return "(erased)"
    terms = sorted((f for f in item.score.factors if f.part == "ascore" and f.contribution),
                   key=lambda f: -abs(f.rank_contribution))[:_TOP_FACTORS]
    return ", ".join(f"{f.name} {f.rank_contribution:+.3f}" for f in terms) or "-"


def print_queue(entries: list[QueueEntry], *, title: str, texts: dict[str, str]) -> None:
    """A table of queue entries, best first."""
    table = Table(title=title)
    for column in ("#", "item", "queue", "status", "agent", "rank", "intent", "SLA",
                   "top factors", "post"):
        table.add_column(column, overflow="fold")
    for n, entry in enumerate(entries, 1):
        item = entry.item
        text = texts.get(item.ticket_id, "")
        table.add_row(str(n), escape(item.ticket_id), escape(item.queue), item.status,
                      escape(item.assignee or "-"), f"{item.rank_score:.3f}", item.intent,
                      sla_text(entry.sla, item), escape(top_factors(item)),
                      escape(text[:_TEXT_CHARS] + ("…" if len(text) > _TEXT_CHARS else "")))
    console.print(table)


def print_detail(detail: ItemDetail) -> None:
    """An item with every factor, its reasons, its SLA, its conversation and replies."""
    item, score = detail.item, detail.item.score
    console.print(f"[bold]{escape(item.ticket_id)}[/]  queue {escape(item.queue)} "
                  f"({item.function_source})  status {item.status}  agent "
                  f"{escape(item.assignee or '-')}  intent {item.intent} "
                  f"({item.intent_source})  SLA: {sla_text(detail.sla, item)}",
                  highlight=False)
    if score is None:
        console.print("explanation: none (the author was erased)")
    else:
        console.print(f"RankScore {score.rank_score:.4f} = AuthorScore "
                      f"{score.author_score:.3f} x BFI {score.bfi:.3f} ({score.bfi_source}) "
                      f"x AScore {score.ascore:.3f}   profile {score.profile}",
                      highlight=False)
        table = Table(title="factors")
        for column in ("part", "factor", "value", "weight", "contribution", "to RankScore",
                       "meaning"):
            table.add_column(column, overflow="fold")
        for f in score.factors:
            table.add_row(f.part, f.name, f"{f.value:.3f}", f"{f.weight:.2f}",
                          f"{f.contribution:.3f}",
                          f"{f.rank_contribution:+.4f}" if f.part == "ascore" else "",
                          escape(f.explanation))
        console.print(table)
        console.print("reasons: " + escape("; ".join(score.reasons)), highlight=False)
        evidence = [*score.features.entities, *score.features.negative_phrases,
                    *score.features.positive_phrases, *score.features.info_seeking]
        console.print("evidence: " + escape(", ".join(evidence[:20]) or "-"),
                      highlight=False)
    console.print(f"conversation ({len(detail.conversation)} posts; thread "
                  f"{escape(item.root_id or '-')}, {len(detail.thread)} posts):",
                  highlight=False)
    for post in detail.conversation:
        who = "brand" if post.is_brand else post.author_id
        console.print(f"  {post.created_at:%Y-%m-%d %H:%M} {escape(who)}: "
                      f"{escape(post.text[:200])}", highlight=False)
    for reply in detail.replies:
        kind = "private" if reply.private else "public"
        console.print(f"  reply ({kind}, {reply.status}) by {escape(reply.agent_id or '-')}: "
                      f"{escape(reply.text[:200])}", highlight=False)


__all__ = ["detail_json", "entry_json", "item_json", "print_detail", "print_queue",
           "sla_text", "top_factors"]
