"""``socialreferral people``: capture, fuse, find, show, review, API keys, B2B, demo.

=============================================  ============================================
``people capture FILE``                        import profiles (CSV or JSON lines)
``people fuse [--mode auto|full|incremental]``  CRM contacts in, fusion, CRM enrichment
``people find --email|--phone|--handle V``      people whose records hold the value
``people show PERSON_ID``                      golden record, sources, links
``people review list|confirm|split``           the review band and operators' verdicts
``people api-key create|list|revoke``          keys of the REST API's service callers
``people blacklist add|remove|show USER``      a user's contacts/ties never used
``people b2b REQUEST --directory FILE``         the B2B sales process: CRM tasks out
``people demo``                                the B2B demo on a synthetic world
=============================================  ============================================

Reads by ``find``, ``show`` and ``review`` are audited like REST reads, as the operator
``cli:<login name>``. An API key is printed once, at creation, and never stored.
"""

from __future__ import annotations

import csv
import getpass
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from socialreferral.cli._common import (
    DataDirOption,
    JsonOption,
    SettingsOption,
    console,
    fail,
    note,
    open_providers,
)
from socialreferral.cli._people_output import (
    print_b2b,
    print_keys,
    print_people,
    print_person,
    print_review,
)

if TYPE_CHECKING:
    from socialreferral.people.access import Caller
    from socialreferral.people.b2b import B2BRequest
    from socialreferral.people.profiles import CapturedProfile

commands = typer.Typer(name="people", no_args_is_help=True,
                       help="People: profile capture and fusion, the People API's keys, "
                            "review, B2B warm introductions.")
review = typer.Typer(name="review", no_args_is_help=True, help="The review band.")
api_key = typer.Typer(name="api-key", no_args_is_help=True,
                      help="API keys of the People REST API (shown once, stored hashed).")
blacklist = typer.Typer(name="blacklist", no_args_is_help=True,
                        help="Per-user blacklists of the B2B introductions.")
commands.add_typer(review)
commands.add_typer(api_key)
commands.add_typer(blacklist)

MAX_IMPORT_BYTES = 200_000_000


def _now() -> datetime:
    return datetime.now(UTC)


def _operator() -> Caller:
    from socialreferral.people.access import Caller

    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no login name in a container
        login = "unknown"
    return Caller(caller_id=f"cli:{login}"[:128], name=login[:100], scopes=())


def _echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


def read_profiles(path: Path, *, source: str, max_records: int) -> list[CapturedProfile]:
    """Captures from a CSV file (header row) or JSON lines (``.jsonl``/``.ndjson``/``.json``:
    one object per line); bad rows raise ``InvalidInput`` naming file and line."""
    from socialreferral.domain.json_input import parse_json_object
    from socialreferral.errors import InvalidInput
    from socialreferral.people.profiles import from_mapping

    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise InvalidInput(f"larger than {MAX_IMPORT_BYTES} bytes", field=str(path))
    text = path.read_text(encoding="utf-8-sig")
    rows: list[tuple[str, Any]]
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        rows = [(f"{path.name}:{n}", parse_json_object(line, field=f"{path.name}:{n}"))
                for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    else:
        reader = csv.DictReader(io.StringIO(text))
        rows = [(f"{path.name}:{n}", row) for n, row in enumerate(reader, start=2)]
    if len(rows) > max_records:
        raise InvalidInput(f"{len(rows)} profiles exceed the limit of {max_records}",
                           field=str(path))
    now = _now()
    return [from_mapping(row, source=source, captured_at=now, where=where)
            for where, row in rows]


@commands.command()
def capture(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                         help="CSV with a header row, or JSON lines")],
    source: Annotated[str, typer.Option(help="source name of these profiles")] = "import",
    settings: SettingsOption = None, data_dir: DataDirOption = None,
) -> None:
    """Import profiles from a CSV or JSON lines file.

    Columns: id (required), the person fields, network, handle, company, title, scopes,
    email_verified, captured_at."""
    from socialreferral.service.people import capture_profiles

    with open_providers(settings, data_dir) as providers:
        profiles = read_profiles(file, source=source,
                                 max_records=providers.settings.people.linkage.max_records)
        changed = capture_profiles(providers.repositories, profiles)
    console.print(f"{len(profiles)} profiles read, {changed} new or changed (they wait for "
                  "`socialreferral people fuse`)", highlight=False)


@commands.command()
def fuse(
    mode: Annotated[str, typer.Option(help="auto, full or incremental")] = "auto",
    settings: SettingsOption = None, data_dir: DataDirOption = None, as_json: JsonOption = False,
) -> None:
    """Capture changed CRM contacts, fuse profiles into people, enrich the CRM."""
    from socialreferral.tasks.people import fuse_once

    if mode not in ("auto", "full", "incremental"):
        raise fail("--mode must be auto, full or incremental")
    with open_providers(settings, data_dir) as providers:
        captured, run, enriched = fuse_once(providers, mode=mode)
    if as_json:
        _echo_json({"crm_contacts": captured, "fusion": run.model_dump(mode="json"),
                    "enrichment": enriched.model_dump() if enriched else None})
        return
    console.print(f"CRM contacts captured: {captured}", highlight=False)
    console.print(f"fusion ({run.mode}): {run.linked} profiles linked; {run.records} "
                  f"records, {run.people} people, {run.review} in review, {run.conflicts} "
                  f"conflicts, {run.seconds:.1f} s", highlight=False)
    if enriched is not None:
        console.print(f"CRM enrichment: {enriched.updated} contacts updated, "
                      f"{enriched.unchanged} unchanged, {enriched.missing} missing",
                      highlight=False)


@commands.command()
def find(
    email: Annotated[str | None, typer.Option(help="e-mail address")] = None,
    phone: Annotated[str | None, typer.Option(help="phone number")] = None,
    handle: Annotated[str | None, typer.Option(help="handle or profile URL")] = None,
    settings: SettingsOption = None, data_dir: DataDirOption = None, as_json: JsonOption = False,
) -> None:
    """People whose records hold the value (audited)."""
    from socialreferral.service.people import find_people

    given = [(k, v) for k, v in (("email", email), ("phone", phone), ("handle", handle)) if v]
    if len(given) != 1:
        raise fail("give exactly one of --email, --phone, --handle")
    with open_providers(settings, data_dir) as providers:
        found = find_people(providers.repositories, providers.settings.people,
                            caller=_operator(), kind=given[0][0], value=given[0][1], now=_now())
    if as_json:
        _echo_json([p.model_dump(mode="json") for p in found])
    else:
        print_people(found)


@commands.command()
def show(person_id: str, settings: SettingsOption = None, data_dir: DataDirOption = None,
         as_json: JsonOption = False) -> None:
    """A person: golden record with provenance, sources, links (audited)."""
    from socialreferral.service.people import read_person

    with open_providers(settings, data_dir) as providers:
        detail = read_person(providers.repositories, providers.settings.people,
                             caller=_operator(), person_id=person_id, now=_now())
    if as_json:
        _echo_json(detail.model_dump(mode="json"))
    else:
        print_person(detail)


@review.command("list")
def review_list(limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
                settings: SettingsOption = None, data_dir: DataDirOption = None,
                as_json: JsonOption = False) -> None:
    """Uncertain pairs, most probable first (audited)."""
    from socialreferral.service.people import review_band

    with open_providers(settings, data_dir) as providers:
        entries = review_band(providers.repositories, providers.settings.people,
                              caller=_operator(), now=_now(), limit=limit)
    if as_json:
        _echo_json([e.model_dump(mode="json") for e in entries])
    else:
        print_review(entries)


def _decide(decision: str, left: str, right: str, note_text: str, settings: Path | None,
            data_dir: Path | None) -> None:
    from socialreferral.service.people import decide_pair

    with open_providers(settings, data_dir) as providers:
        placed = decide_pair(providers.repositories, providers.settings.people,
                             caller=_operator(), left_id=left, right_id=right,
                             decision=decision, now=_now(), note=note_text)
    for record_id, person_id in placed.items():
        console.print(f"{record_id} -> {person_id}", highlight=False)


@review.command()
def confirm(left: str, right: str, note_text: Annotated[str, typer.Option("--note")] = "",
            settings: SettingsOption = None, data_dir: DataDirOption = None) -> None:
    """The two records are one person (sticks across runs)."""
    _decide("confirm", left, right, note_text, settings, data_dir)


@review.command()
def split(left: str, right: str, note_text: Annotated[str, typer.Option("--note")] = "",
          settings: SettingsOption = None, data_dir: DataDirOption = None) -> None:
    """The two records are different people (sticks across runs)."""
    _decide("split", left, right, note_text, settings, data_dir)


@api_key.command("create")
def api_key_create(
    name: Annotated[str, typer.Argument(help="who the key is for (an app, the CRM)")],
    scope: Annotated[list[str], typer.Option(help="people:read and/or people:review")],
    settings: SettingsOption = None, data_dir: DataDirOption = None,
) -> None:
    """Create a key: printed once, here, and never shown again."""
    from socialreferral.service.people import create_api_key

    with open_providers(settings, data_dir) as providers:
        record, key = create_api_key(providers.repositories, name=name, scopes=scope,
                                     now=_now())
    note(f"key {record.key_id} for {record.name} ({', '.join(record.scopes)}); store it now, "
         "it is not shown again:")
    typer.echo(key)


@api_key.command("list")
def api_key_list(settings: SettingsOption = None, data_dir: DataDirOption = None) -> None:
    """Keys with their names, scopes and state (never a secret)."""
    with open_providers(settings, data_dir) as providers:
        print_keys(providers.repositories.api_keys.every())


@api_key.command("revoke")
def api_key_revoke(key_id: str, settings: SettingsOption = None,
                   data_dir: DataDirOption = None) -> None:
    """Revoke a key: the next request with it gets 401."""
    from socialreferral.service.people import revoke_api_key

    with open_providers(settings, data_dir) as providers:
        revoked = revoke_api_key(providers.repositories, key_id, now=_now())
    console.print(f"key {revoked.key_id} revoked", highlight=False)


def _ties(values: list[str]) -> list[tuple[str, str]]:
    ties = []
    for value in values:
        a, sep, b = value.partition(",")
        if not sep or not a or not b:
            raise fail(f"--tie takes two ids separated by a comma, got {value!r}")
        ties.append((a.strip(), b.strip()))
    return ties


@blacklist.command("add")
def blacklist_add(user: str, contact: Annotated[list[str] | None, typer.Option()] = None,
                  tie: Annotated[list[str] | None, typer.Option(help="A,B")] = None,
                  settings: SettingsOption = None, data_dir: DataDirOption = None) -> None:
    """Never route the user's introductions through these contacts or ties."""
    with open_providers(settings, data_dir) as providers:
        held = providers.repositories.blacklists.add(user, contact or (), _ties(tie or []))
    console.print(f"{user}: {len(held.contacts)} contacts, {len(held.ties)} ties",
                  highlight=False)


@blacklist.command("remove")
def blacklist_remove(user: str, contact: Annotated[list[str] | None, typer.Option()] = None,
                     tie: Annotated[list[str] | None, typer.Option(help="A,B")] = None,
                     settings: SettingsOption = None, data_dir: DataDirOption = None) -> None:
    """Take contacts or ties off the user's blacklist."""
    with open_providers(settings, data_dir) as providers:
        held = providers.repositories.blacklists.remove(user, contact or (), _ties(tie or []))
    console.print(f"{user}: {len(held.contacts)} contacts, {len(held.ties)} ties",
                  highlight=False)


@blacklist.command("show")
def blacklist_show(user: str, settings: SettingsOption = None,
                   data_dir: DataDirOption = None) -> None:
    """The user's blacklist."""
    with open_providers(settings, data_dir) as providers:
        held = providers.repositories.blacklists.get(user)
    _echo_json({"contacts": sorted(held.contacts), "ties": sorted(held.ties)})


def read_request(path: Path, user: str | None) -> B2BRequest:
    """A B2B request from a JSON file (the request's fields) or a text file (one company
    name per line)."""
    from pydantic import ValidationError

    from socialreferral.domain.json_input import parse_json_object
    from socialreferral.errors import InvalidInput
    from socialreferral.people.b2b import B2BRequest

    raw = path.read_bytes()
    data: dict[str, Any]
    if path.suffix.lower() == ".json":
        data = parse_json_object(raw, field=path.name, max_bytes=5_000_000)
    else:
        names = [n.strip() for n in raw.decode("utf-8", "replace").splitlines() if n.strip()]
        data = {"companies": names}
    if user:
        data["requested_by"] = user
    try:
        return B2BRequest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "request"
        raise InvalidInput(first["msg"], field=f"{path.name}: {where}") from None


@commands.command()
def b2b(
    request_file: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, help="JSON request, or a text file of company names")],
    directory: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False, help="replay directory ([people.b2b] directory_file)")
    ] = None,
    user: Annotated[str | None, typer.Option(help="who asks (their blacklist applies)")] = None,
    settings: SettingsOption = None, data_dir: DataDirOption = None, as_json: JsonOption = False,
) -> None:
    """Run the B2B sales process for a request: one CRM task per performer, created once.

    Companies -> employee profiles -> fusion -> ranking -> performers -> CRM tasks."""
    from socialreferral.tasks.people import b2b_once

    with open_providers(settings, data_dir) as providers:
        request = read_request(request_file, user)
        run = b2b_once(providers, request,
                       directory_file=str(directory) if directory else None)
    if as_json:
        _echo_json(run.model_dump(mode="json"))
    else:
        print_b2b(run)


@commands.command()
def demo(seed: int = 11, data_dir: DataDirOption = None, settings: SettingsOption = None,
         as_json: JsonOption = False) -> None:
    """The B2B demo on a synthetic world, run twice (the second run creates nothing).

    Companies, employees on two networks, CRM contacts, our staff and their ties."""
    from socialreferral.cli._people_demo import run_demo

    run_demo(seed=seed, data_dir=data_dir, settings_file=settings, as_json=as_json)


__all__ = ["commands", "read_profiles", "read_request"]
