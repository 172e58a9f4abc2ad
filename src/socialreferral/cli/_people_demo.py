"""``socialreferral people demo``: seed 004's sales process on a synthetic world.

The CRM gets the world's contacts, the replay directory is written to the data
directory, CRM contacts are captured and fused, then the sales process runs for three
companies with the requesting salesperson's blacklist (one intermediary) and a
colleague's own blacklist: ranked contacts, the chosen paths and the CRM tasks are
printed. The process then runs again and creates nothing new.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from socialreferral.cli._common import console, open_providers, repeat_options
from socialreferral.cli._people_output import print_b2b


def run_demo(*, seed: int, data_dir: Path | None, settings_file: Path | None,
             as_json: bool) -> dict[str, Any]:
    """Run the demo (module docstring); return what it printed as JSON."""
    from socialreferral.people.b2b import B2BRequest
    from socialreferral.people.demo_b2b import demo_world
    from socialreferral.tasks.people import b2b_once, fuse_once

    temp = None
    if data_dir is None and settings_file is None:
        temp = tempfile.TemporaryDirectory(prefix="socialreferral-people-demo-")
        data_dir = Path(temp.name)
    now = datetime.now(UTC)
    try:
        with open_providers(settings_file, data_dir, create_data_dir=True) as providers:
            world = demo_world(seed, now=now)
            target = (data_dir or Path(".")) / "people-demo-directory.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(world.directory), encoding="utf-8")
            for contact in world.crm_contacts:
                providers.crm.save_contact(contact)
            captured, fusion, _ = fuse_once(providers, mode="full", now=now)
            staff = [p["person_id"] for p in world.directory["staff"]]
            shunned = world.directory["people"][0]["person_id"]
            providers.repositories.blacklists.add(staff[2], [world.directory["people"][1]
                                                             ["person_id"]])
            request = B2BRequest(requested_by=world.requested_by,
                                 companies=tuple(world.companies), blacklist=(shunned,))
            first = b2b_once(providers, request, directory_file=str(target), now=now)
            again = b2b_once(providers, request, directory_file=str(target), now=now)
    finally:
        if temp is not None:
            temp.cleanup()
    summary = {
        "crm_contacts_captured": captured, "first_fusion": fusion.model_dump(mode="json"),
        "blacklisted_by_requester": shunned,
        "first_run": {"created": list(first.created), "existing": list(first.existing)},
        "second_run": {"created": list(again.created), "existing": list(again.existing)},
        "ranked": [{"person_id": r.contact.person_id, "name": r.contact.display_name,
                    "company": r.contact.company, "title": r.contact.title,
                    "role": r.title.title_class, "score": round(r.score, 4)}
                   for r in first.ranked[:10]],
        "tasks": [{"performer": t.performer, "contact": t.contact_id,
                   "path": list(t.path.people), "score": round(t.path.score, 4),
                   "reasons": list(t.reasons)} for t in first.tasks],
    }
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return summary
    console.print(f"CRM contacts captured and fused: {captured} ({fusion.people} people)",
                  highlight=False)
    console.print(f"{world.requested_by} asks for warm introductions to "
                  f"{', '.join(world.companies)}; never through {shunned}", highlight=False)
    print_b2b(first)
    console.print(f"second run of the same request: {len(again.created)} tasks created, "
                  f"{len(again.existing)} existed already", highlight=False)
    if temp is None:
        console.print(f"run it again: socialreferral people b2b <companies.txt> --directory "
                      f"{target}{repeat_options(settings_file, data_dir)}", highlight=False,
                      soft_wrap=True)
    return summary


__all__ = ["run_demo"]
