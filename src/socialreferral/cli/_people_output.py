"""How the ``people`` commands print: people, review pairs, B2B results, API keys.

Readable tables for people; ``--json`` output is the same objects' ``model_dump``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from socialreferral.cli._common import console

if TYPE_CHECKING:
    from socialreferral.people.access import ApiKey
    from socialreferral.service.people import PersonDetail, PersonSummary, ReviewEntry
    from socialreferral.service.people.b2b import B2BRun


def print_people(found: Sequence[PersonSummary]) -> None:
    """Search results: one line per person."""
    if not found:
        console.print("nobody found", highlight=False)
        return
    table = Table(title="people")
    for column in ("person", "name", "e-mail", "phone", "sources", "records"):
        table.add_column(column)
    for person in found:
        table.add_row(person.person_id, escape(person.display_name),
                      escape(person.fields.get("email", "")),
                      escape(person.fields.get("phone", "")), ", ".join(person.sources),
                      str(person.records))
    console.print(table)


def print_person(detail: PersonDetail) -> None:
    """A person: the golden record with provenance, sources, links."""
    golden = Table(title=f"person {detail.person_id}: golden record")
    for column in ("field", "value", "from", "source", "observed", "support", "other values"):
        golden.add_column(column)
    for field, prov in detail.golden.fields.items():
        golden.add_row(field, escape(prov.value), prov.record_id, prov.source,
                       prov.observed_at.date().isoformat() if prov.observed_at else "",
                       str(prov.support), str(prov.alternatives))
    console.print(golden)
    sources = Table(title="sources")
    for column in ("record", "source", "network", "captured", "fields"):
        sources.add_column(column)
    for source in detail.sources:
        sources.add_row(source.record_id, source.source, source.network or "",
                        source.captured_at.date().isoformat(),
                        escape(", ".join(f"{k}={v}" for k, v in source.fields.items())))
    console.print(sources)
    if detail.links:
        links = Table(title="links")
        for column in ("pair", "probability", "weight", "rule / evidence"):
            links.add_column(column)
        for link in detail.links:
            evidence = link.rule or ", ".join(f"{e.comparison}:{e.level} ({e.match_weight:+.1f})"
                                              for e in link.evidence)
            links.add_row(f"{link.left_id} ~ {link.right_id}", f"{link.match_probability:.3f}",
                          f"{link.match_weight:+.2f}", escape(evidence))
        console.print(links)


def print_review(entries: Sequence[ReviewEntry]) -> None:
    """The review band."""
    if not entries:
        console.print("the review band is empty", highlight=False)
        return
    table = Table(title="review band")
    for column in ("left", "right", "probability", "reason"):
        table.add_column(column)
    for entry in entries:
        def side(view: object) -> str:
            if view is None:
                return "?"
            record_id = getattr(view, "record_id", "")
            fields = getattr(view, "fields", {})
            name = " ".join(filter(None, (fields.get("first_name"), fields.get("last_name"))))
            return f"{record_id} {escape(name)}"

        table.add_row(side(entry.left), side(entry.right), f"{entry.match_probability:.3f}",
                      escape(entry.reason))
    console.print(table)


def print_b2b(run: B2BRun, *, shown: int = 10) -> None:
    """Ranked contacts, the chosen paths and the CRM tasks."""
    names = run.names
    console.print(f"companies: {', '.join(escape(c.name) for c in run.companies) or 'none'}; "
                  f"{run.profiles} employee profiles retrieved; fusion: {run.fusion.mode}, "
                  f"{run.fusion.people} people", highlight=False, soft_wrap=True)
    ranked = Table(title="ranked contacts")
    for column in ("#", "contact", "company", "title", "role", "score", "why"):
        ranked.add_column(column)
    for i, item in enumerate(run.ranked[:shown], start=1):
        why = "; ".join(f"{f.name} {f.contribution:.2f}" for f in item.explanation.factors)
        ranked.add_row(str(i), escape(item.contact.display_name or item.contact.person_id),
                       escape(item.contact.company), escape(item.contact.title),
                       item.title.title_class.replace("_", " "), f"{item.score:.3f}", why)
    console.print(ranked)
    paths = Table(title="designated performers (best path each)")
    for column in ("performer", "via", "contact", "score", "alternatives", "CRM task"):
        paths.add_column(column)
    from socialreferral.people.b2b import task_id_for

    created = set(run.created)
    for task in run.tasks:
        via = ", ".join(escape(names.get(p) or p) for p in task.path.intermediaries)
        task_id = task_id_for(task.performer, task.contact_id)
        paths.add_row(escape(names.get(task.performer) or task.performer), via or "(direct)",
                      escape(names.get(task.contact_id) or task.contact_id),
                      f"{task.path.score:.3f}", str(len(task.alternatives)),
                      f"{task_id[:12]}… {'new' if task_id in created else 'existed'}")
    console.print(paths)
    console.print(f"CRM tasks: {len(run.created)} created, {len(run.existing)} existed "
                  "already", highlight=False)


def print_keys(keys: Sequence[ApiKey]) -> None:
    """API keys: metadata only (the secret is shown once, at creation)."""
    table = Table(title="API keys")
    for column in ("key id", "name", "scopes", "created", "revoked"):
        table.add_column(column)
    for key in keys:
        table.add_row(key.key_id, escape(key.name), ", ".join(key.scopes),
                      key.created_at.isoformat(timespec="seconds"),
                      key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "")
    console.print(table)


__all__ = ["print_b2b", "print_keys", "print_people", "print_person", "print_review"]
