"""Care queue commands: ``socialreferral care ingest|queue|assign|reply|resolve|...``.

=====================  ===================================================================
``care ingest PATH``   a folder of recorded webhook deliveries (signatures checked with
                       the channel's secret) or a JSON lines file of posts
``care queue``         the ranked queue (per function, status, agent, breached), with SLA
``care explain ID``    one item: every factor, reasons, evidence, conversation, replies
``care assign [ID]``   give an item to ``--agent``; without an item, a round-robin round
``care reply ID``      answer in public or ``--private``, once (``--reply-id`` to retry)
``care resolve ID``    resolve (``--reopen`` to reopen; ``care snooze ID --until``)
``care recategorize``  re-rank and re-route the open items (``--run-job``: first run the
                       periodic categorizer)
``care proposals``     proposed dictionary terms; ``--approve ID``/``--reject ID``
``care profile [N]``   show or switch the weight profile
``care demo``          a synthetic brand page: threads, agents, the top of the queue
=====================  ===================================================================

A JSON lines file holds one post per line: ``post_id``, ``author_id``, ``text``,
``created_at`` (ISO 8601 with a timezone), and optionally ``network`` (default
``other``), ``parent_id``, ``root_id``, ``page_id``, ``is_brand``. Every command takes
``--json`` for machine-readable output on stdout.
"""

from __future__ import annotations

import json
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from socialreferral.cli._care_output import (
    detail_json,
    entry_json,
    item_json,
    print_detail,
    print_queue,
)
from socialreferral.cli._common import (
    OPERATION_FAILED,
    DataDirOption,
    JsonOption,
    SettingsOption,
    console,
    fail,
    fail_from,
    open_providers,
)
from socialreferral.errors import InvalidInput, SocialReferralError

if TYPE_CHECKING:
    from socialreferral.bootstrap import Providers
    from socialreferral.care.records import CareItem, IncomingPost
    from socialreferral.service.care import CareDesk

commands = typer.Typer(name="care", help="The customer-care queue (seed 003).",
                       no_args_is_help=True)

MAX_LINE_BYTES = 64 * 1024
_BATCH = 500
TicketArg = Annotated[str, typer.Argument(help="the item id (its conversation's first post)")]
AgentOption = Annotated[str | None, typer.Option("--agent", help="the agent's id")]


def _desk(providers: Providers) -> CareDesk:
    from socialreferral.tasks.care import care_desk

    return care_desk(providers)


def _show_item(item: CareItem, desk: CareDesk, as_json: bool, verb: str) -> None:
    if as_json:
        typer.echo(json.dumps(item_json(item, desk.sla(item)), indent=2))
        return
    console.print(f"{item.ticket_id}: {verb} (status {item.status}, agent "
                  f"{item.assignee or '-'}, queue {item.queue})", highlight=False,
                  markup=False)


@commands.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="a folder of recorded deliveries, or a JSON "
                                              "lines file of posts", exists=True)],
    source: Annotated[str, typer.Option(help="the webhook channel of recorded deliveries "
                                        "(meta, x, linkedin, generic)")] = "meta",
    settings: SettingsOption = None, data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Put brand-page posts into the care queue (threads traced, items ranked)."""
    from socialreferral.service.care import CareIngestResult

    with open_providers(settings, data_dir) as providers:
        desk = _desk(providers)
        total = CareIngestResult()
        refused: list[str] = []
        batches = _deliveries(providers, path, source, refused) if path.is_dir() \
            else _jsonl(path, refused)
        for batch in batches:
            done = desk.ingest(batch)
            for name in ("posts", "duplicates", "skipped", "brand_posts", "merged"):
                setattr(total, name, getattr(total, name) + getattr(done, name))
            total.items.extend(i for i in done.items if i not in total.items)
    out = {"posts": total.posts, "duplicates": total.duplicates, "skipped": total.skipped,
           "brand_posts": total.brand_posts, "merged": total.merged,
           "items": len(total.items), "refused": refused}
    if as_json:
        typer.echo(json.dumps(out, indent=2))
    else:
        for line in refused:
            console.print(f"refused: {line}", markup=False, highlight=False)
        console.print(f"{total.posts} new posts ({total.brand_posts} by the brand), "
                      f"{total.duplicates} known, {total.skipped} not posts, "
                      f"{total.merged} conversations joined, {len(total.items)} items "
                      "refreshed", highlight=False)
    if refused and not total.posts and not total.duplicates:
        raise fail("nothing was ingested", code=OPERATION_FAILED)


def _deliveries(providers: Providers, folder: Path, source: str,
                refused: list[str]) -> Any:
    from socialreferral.providers.local.social import replay
    from socialreferral.service.ingest import parse_delivery

    channel = providers.registry.channel(source)
    for delivery in replay(folder):
        try:
            batch = parse_delivery(channel, delivery.body, delivery.headers,
                                   providers.secrets,
                                   max_body_bytes=providers.settings.web.max_body_bytes)
        except SocialReferralError as exc:
            refused.append(f"{delivery.source}: {exc}")
            continue
        refused.extend(f"{delivery.source}: {r.path}: {r.reason}" for r in batch.rejected)
        yield list(batch.events)


def _jsonl(file: Path, refused: list[str]) -> Any:
    batch: list[IncomingPost] = []
    with file.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                batch.append(_post(raw, number))
            except InvalidInput as exc:
                refused.append(f"line {number}: {exc}")
                continue
            if len(batch) >= _BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def _post(raw: bytes, number: int) -> IncomingPost:
    from pydantic import ValidationError

    from socialreferral.care.records import IncomingPost
    from socialreferral.domain.json_input import parse_json_object

    data = parse_json_object(raw, field=f"line {number}", max_bytes=MAX_LINE_BYTES)
    renamed = {"post_id": "native_id", "parent_id": "parent_native_id",
               "root_id": "root_native_id"}
    fields = {renamed.get(k, k): v for k, v in data.items()}
    try:
        return IncomingPost.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        where = {v: k for k, v in renamed.items()}.get(where, where)
        raise InvalidInput(first["msg"], field=where or "line") from None


@commands.command()
def queue(
    function: Annotated[str | None, typer.Option("--queue", "-q", help="a business "
                                                 "function, miscellaneous or undecided")] = None,
    status: Annotated[list[str] | None, typer.Option(help="open, pending, snoozed, "
                                                     "resolved (repeatable)")] = None,
    agent: AgentOption = None,
    breached: Annotated[bool | None, typer.Option("--breached/--not-breached",
                                                  help="only (not) breached SLAs")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 20,
    settings: SettingsOption = None, data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """The ranked queue, best first, with SLA timers and each item's top factors."""
    with open_providers(settings, data_dir) as providers:
        desk = _desk(providers)
        page = desk.queue(function, statuses=tuple(status or ("open",)), assignee=agent,
                          breached=breached, limit=limit)
        texts = {}
        for entry in page.entries:
            lead = providers.repositories.care_threads.get(entry.item.lead_post_id)
            texts[entry.item.ticket_id] = lead.text if lead else ""
    if as_json:
        typer.echo(json.dumps({"queue": page.queue, "profile": page.profile,
                               "items": [entry_json(e) for e in page.entries],
                               "next_cursor": page.cursor}, indent=2))
        return
    print_queue(page.entries, texts=texts,
                title=f"care queue: {function or 'all functions'} (profile {page.profile})")


@commands.command()
def explain(ticket_id: TicketArg, settings: SettingsOption = None,
            data_dir: DataDirOption = None, as_json: JsonOption = False) -> None:
    """One item: RankScore = AuthorScore x BFI x AScore with every factor, the reasons,
    the evidence, its conversation and the replies sent."""
    with open_providers(settings, data_dir) as providers:
        detail = _desk(providers).explain(ticket_id)
    if as_json:
        typer.echo(json.dumps(detail_json(detail), indent=2))
    else:
        print_detail(detail)


@commands.command()
def assign(
    ticket_id: Annotated[str | None, typer.Argument(help="the item; omit for a round-robin "
                                                    "round")] = None,
    agent: AgentOption = None,
    function: Annotated[str | None, typer.Option("--queue", "-q", help="round robin over "
                                                 "this queue only")] = None,
    force: Annotated[bool, typer.Option(help="exceed the agent's cap")] = False,
    settings: SettingsOption = None, data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Give an item to an agent, or run a round-robin round (caps respected)."""
    with open_providers(settings, data_dir) as providers:
        desk = _desk(providers)
        if ticket_id is None:
            if agent is not None:
                raise fail("give the item to assign to --agent")
            done = desk.assign_round_robin(function)
            if as_json:
                typer.echo(json.dumps({"assigned": done.assigned,
                                       "unassigned": list(done.unassigned)}, indent=2))
                return
            for item_id, who in done.assigned.items():
                console.print(f"{item_id} -> {who}", markup=False, highlight=False)
            console.print(f"{len(done.assigned)} assigned, {len(done.unassigned)} without "
                          "an agent with room", highlight=False)
            return
        if agent is None:
            raise fail("name the agent: --agent ID")
        item = desk.assign(ticket_id, agent, force=force)
        _show_item(item, desk, as_json, f"assigned to {agent}")


@commands.command()
def reply(
    ticket_id: TicketArg,
    text: Annotated[str, typer.Option("--text", "-t", help="the answer")],
    private: Annotated[bool, typer.Option("--private/--public", help="a private message "
                                          "about the post, or a public reply")] = False,
    agent: AgentOption = None,
    reply_id: Annotated[str | None, typer.Option(help="idempotency key: the same id is "
                                                 "sent once")] = None,
    settings: SettingsOption = None, data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Answer an item through the SocialChannel (once per reply id)."""
    with open_providers(settings, data_dir) as providers:
        desk = _desk(providers)
        done = desk.reply(ticket_id, text, private=private, agent_id=agent, reply_id=reply_id)
    if as_json:
        typer.echo(json.dumps({"reply": done.reply.model_dump(mode="json"),
                               "sent_now": done.sent_now,
                               "item": item_json(done.item, desk.sla(done.item))}, indent=2))
        return
    what = "sent" if done.sent_now else "already sent"
    console.print(f"{ticket_id}: {'private' if private else 'public'} reply {what} "
                  f"({done.reply.reply_id}); status {done.item.status}", markup=False,
                  highlight=False)


@commands.command()
def resolve(ticket_id: TicketArg,
            reopen: Annotated[bool, typer.Option(help="reopen instead")] = False,
            settings: SettingsOption = None, data_dir: DataDirOption = None,
            as_json: JsonOption = False) -> None:
    """Resolve an item (its agent's slot is freed), or reopen it."""
    with open_providers(settings, data_dir) as providers:
        desk = _desk(providers)
        item = desk.reopen(ticket_id) if reopen else desk.resolve(ticket_id)
        _show_item(item, desk, as_json, "reopened" if reopen else "resolved")


@commands.command()
def snooze(ticket_id: TicketArg,
           until: Annotated[datetime, typer.Option(help="ISO 8601 time with a timezone",
                                                   formats=["%Y-%m-%dT%H:%M:%S%z"])],
           settings: SettingsOption = None, data_dir: DataDirOption = None,
           as_json: JsonOption = False) -> None:
    """Snooze an item until a time (it wakes up open)."""
    with open_providers(settings, data_dir) as providers:
        desk = _desk(providers)
        item = desk.snooze(ticket_id, until)
        _show_item(item, desk, as_json, f"snoozed until {until.isoformat()}")


@commands.command()
def recategorize(
    run_job: Annotated[bool, typer.Option(help="first run the periodic categorizer")] = False,
    force: Annotated[bool, typer.Option(help="run the job even if this period ran")] = False,
    settings: SettingsOption = None, data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Re-rank and re-route the open items with the current dictionaries and profile."""
    run = None
    with open_providers(settings, data_dir) as providers:
        desk = _desk(providers)
        if run_job:
            run = desk.run_categorizer(force=force)
        moved = desk.recategorize()
    if as_json:
        typer.echo(json.dumps({"run": None if run is None else run.model_dump(mode="json"),
                               "changed_queue": moved}, indent=2))
        return
    if run_job:
        console.print("categorizer: this period has run already (--force runs it again)"
                      if run is None else
                      f"categorizer: {run.posts} posts, {len(run.clusters)} clusters, "
                      f"{run.proposals} new proposals", highlight=False)
    console.print(f"{moved} items changed queue", highlight=False)


@commands.command()
def proposals(
    status: Annotated[str, typer.Option(help="pending, approved, rejected or all")] = "pending",
    approve: Annotated[list[str] | None, typer.Option(help="approve this proposal id")] = None,
    reject: Annotated[list[str] | None, typer.Option(help="reject this proposal id")] = None,
    agent: AgentOption = None,
    settings: SettingsOption = None, data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Dictionary terms the categorizer proposed; approve or reject them."""
    if status not in ("pending", "approved", "rejected", "all"):
        raise fail("--status must be pending, approved, rejected or all")
    with open_providers(settings, data_dir) as providers:
        desk = _desk(providers)
        for ident in approve or ():
            desk.decide(ident, approve=True, agent_id=agent)
        for ident in reject or ():
            desk.decide(ident, approve=False, agent_id=agent)
        found = desk.proposals(None if status == "all" else status)  # type: ignore[arg-type]
    if as_json:
        typer.echo(json.dumps([p.model_dump(mode="json") for p in found], indent=2))
        return
    for p in found:
        console.print(f"{p.proposal_id}  {p.function:<20} {p.term:<24} {p.status:<9} "
                      f"score {p.score:.3f}  (cluster {p.cluster})", markup=False,
                      highlight=False)
    console.print(f"{len(found)} proposals", highlight=False)


@commands.command()
def profile(
    name: Annotated[str | None, typer.Argument(help="switch to this profile")] = None,
    settings: SettingsOption = None, data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the weight profiles, or switch the active one (the open items are re-ranked)."""
    with open_providers(settings, data_dir) as providers:
        desk = _desk(providers)
        moved = desk.switch_profile(name) if name else 0
        active, known = desk.profile_name(), desk.settings.profiles
    if as_json:
        typer.echo(json.dumps({"active": active, "changed_queue": moved,
                               "profiles": sorted(known)}, indent=2))
        return
    for key, value in known.items():
        mark = "*" if key == active else " "
        console.print(f"{mark} {key:<18} {value.description}", markup=False, highlight=False)
    if name:
        console.print(f"switched to {active}; {moved} items changed queue", highlight=False)


@commands.command()
def demo(
    top: Annotated[int, typer.Option(min=1, max=100, help="items to show")] = 10,
    data_dir: DataDirOption = None, settings: SettingsOption = None,
    as_json: JsonOption = False,
) -> None:
    """A synthetic brand page with threads, agents and brand replies; prints the top of
    the queue with explanations."""
    from socialreferral.demo.care import run_care_demo

    temp = None
    if data_dir is None and settings is None:
        temp = tempfile.TemporaryDirectory(prefix="socialreferral-care-demo-")
        data_dir = Path(temp.name)
    try:
        with open_providers(settings, data_dir, create_data_dir=True) as providers:
            result = run_care_demo(providers, top=top)
            texts = {}
            for entry in result.top:
                lead = providers.repositories.care_threads.get(entry.item.lead_post_id)
                texts[entry.item.ticket_id] = lead.text if lead else ""
    except SocialReferralError as exc:
        raise fail_from(exc) from None
    finally:
        if temp is not None:
            temp.cleanup()
    if as_json:
        typer.echo(json.dumps({
            "events": result.events, "posts": result.ingest.posts,
            "brand_posts": result.ingest.brand_posts, "merged": result.ingest.merged,
            "assigned": result.assignment.assigned,
            "clusters": [list(c.ticket_ids) for c in result.clusters],
            "mass_response": [o.__dict__ for o in result.mass_response],
            "proposals": 0 if result.categorizer is None else result.categorizer.proposals,
            "top": [entry_json(e) for e in result.top]}, indent=2))
        return
    console.print(f"{result.events} webhook events -> {result.ingest.posts} posts "
                  f"({result.ingest.brand_posts} brand replies recognised), "
                  f"{result.ingest.merged} conversations joined when late parents arrived, "
                  f"{len(result.ingest.items)} conversations", highlight=False)
    console.print(f"round robin: {len(result.assignment.assigned)} assigned "
                  f"({', '.join(f'{k} -> {v}' for k, v in result.assignment.assigned.items())}"
                  f"); {len(result.assignment.unassigned)} waiting for an agent with room",
                  highlight=False, markup=False)
    for cluster in result.clusters:
        console.print(f"similar posts: {', '.join(cluster.ticket_ids)} "
                      f"({', '.join(cluster.top_terms[:3])}) -> one response: "
                      + ", ".join(f"{o.ticket_id} {o.status}" for o in result.mass_response),
                      highlight=False, markup=False)
    print_queue(result.top, texts=texts, title="top of the care queue (open and pending)")
    if result.top:
        from socialreferral.cli._care_output import top_factors

        best = result.top[0].item
        console.print(f"why {best.ticket_id} is first: {top_factors(best)}; "
                      + "; ".join(best.score.reasons if best.score else ()),
                      highlight=False, markup=False)
    if result.categorizer is not None:
        console.print(f"categorizer: {len(result.categorizer.clusters)} clusters, "
                      f"{result.categorizer.proposals} terms proposed for the agents' "
                      "approval", highlight=False)


__all__ = ["assign", "commands", "demo", "explain", "ingest", "proposals", "queue",
           "recategorize", "reply", "resolve", "snooze"]
