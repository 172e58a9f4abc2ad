"""``socialreferral secrets``: set a secret and see what is configured, never a value.

``secrets set NAME`` reads the value from stdin when it is piped in, or from a hidden
prompt with confirmation in a terminal; never from the command line, where it would stay
in the shell history and be visible in process listings. It prints the new version.

``secrets list`` shows names and versions of the stored secrets, and every secret the
registered webhook channels read, set or missing, so an operator sees what is left to
configure. Customers' OAuth tokens (one per connected account, names hashed) are counted
rather than listed unless ``--all`` is given.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from socialreferral.cli._common import (
    DataDirOption,
    JsonOption,
    SettingsOption,
    console,
    fail,
    fail_from,
    note,
    open_providers,
    repeat_options,
)
from socialreferral.errors import InvalidInput, SecretNotFound
from socialreferral.ports.secrets import MAX_SECRET_BYTES, check_secret_name
from socialreferral.records import Capability

if TYPE_CHECKING:
    from socialreferral.plugins import Registry
    from socialreferral.ports import SecretStore

commands = typer.Typer(
    name="secrets",
    help="Set secrets and list what is configured (values are never shown).",
    no_args_is_help=True,
)

# The shape of service.authorization.token_secret_name(): one secret per connected
# social account. The names are hashes, so listing them one by one helps nobody.
PERSON_TOKEN = re.compile(r"^oauth-[A-Za-z0-9]{1,20}-[0-9a-f]{40}$")


@dataclass(frozen=True, slots=True)
class SecretRow:
    """One line of ``secrets list``: metadata only."""

    name: str
    status: str  # "set" or "missing"
    versions: int | None
    current_version: str | None
    updated_at: str | None
    channels: tuple[str, ...]


def stdin_is_terminal() -> bool:
    """True when a person types at stdin (then the value is prompted for, hidden)."""
    return sys.stdin is not None and sys.stdin.isatty()


def read_value(name: str) -> str:
    """The new value of ``name``: from a hidden prompt in a terminal, else from stdin.

    One trailing line end is dropped (``echo`` adds it); anything else is kept as given.
    """
    if stdin_is_terminal():
        value = str(typer.prompt(f"value of {name}", hide_input=True,
                                 confirmation_prompt=True))
    else:
        stream: Any = sys.stdin
        if stream is None:  # started without any stdin (some service managers do that)
            raise fail(f"no value for {name}: stdin is closed and there is no terminal")
        raw = stream.buffer.read(MAX_SECRET_BYTES + 3) if hasattr(stream, "buffer") else (
            stream.read(MAX_SECRET_BYTES + 3).encode("utf-8", "surrogateescape"))
        if len(raw) > MAX_SECRET_BYTES + 2:
            raise fail(f"the value on stdin is longer than {MAX_SECRET_BYTES} bytes")
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise fail("the value on stdin is not UTF-8 text") from None
        value = value.removesuffix("\n").removesuffix("\r")
    if not value.strip():
        raise fail(
            f"refusing an empty value for {name}: pipe it in "
            f"(printf '%s' \"$VALUE\" | socialreferral secrets set {name} ...) "
            "or run the command in a terminal to be prompted"
        )
    return value


@commands.command(
    "set", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def set_secret(
    context: typer.Context,
    name: Annotated[str, typer.Argument(help="secret name (letters, digits, '-')")],
    settings: SettingsOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Store a new version of NAME; the value comes from stdin or a hidden prompt."""
    if context.args:
        # Extra arguments are collected rather than rejected by the parser, because its
        # message would repeat them, and the likeliest extra argument is the value.
        raise fail(
            f"secrets set takes NAME and the options --settings, --data-dir and --json; "
            f"{len(context.args)} other argument(s) given, not shown here. A value must "
            "never be on the command line, where it stays in the shell history: pipe it "
            "in or let the command prompt for it. Nothing was stored."
        )
    try:
        check_secret_name(name)
    except InvalidInput as exc:
        raise fail_from(exc) from None
    value = read_value(name)
    with open_providers(settings, data_dir, create_data_dir=True) as providers:
        secret = providers.secrets.set(name, value)
        expected = channel_secrets(providers.registry)
        store = providers.secrets.adapter_name
    if as_json:
        typer.echo(json.dumps({"name": name, "version": secret.version, "store": store}))
        return
    console.print(f"{escape(name)}: stored version {escape(secret.version)} "
                  f"in {escape(store)}", highlight=False)
    if name not in expected and not name.startswith("oauth-"):
        known = ", ".join(sorted(expected)) or "none"
        note(f"note: no registered webhook channel reads {name!r} (they read: {known})")


@commands.command("list")
def list_secrets(
    settings: SettingsOption = None,
    data_dir: DataDirOption = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="also list customers' OAuth tokens one by one")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Names and versions of the stored secrets, and the channels' secrets still missing."""
    with open_providers(settings, data_dir) as providers:
        store = providers.secrets
        expected = channel_secrets(providers.registry)
        listable = store.supports(Capability.LIST)
        stored = store.names() if listable else []
        tokens = [n for n in stored if PERSON_TOKEN.match(n)]
        hidden = set() if show_all else set(tokens)
        shown = sorted((set(stored) - hidden) | set(expected))
        rows = [describe(store, name, listed=name in stored, listable=listable,
                         channels=expected.get(name, ()))
                for name in shown]
        adapter = store.adapter_name
    missing = [row.name for row in rows if row.status == "missing"]
    if as_json:
        typer.echo(json.dumps({
            "store": adapter, "can_list": listable, "secrets": [asdict(r) for r in rows],
            "missing": missing, "customer_tokens": len(tokens),
        }, indent=2))
        return
    print_rows(rows, adapter)
    if not listable:
        note(f"{adapter} cannot list its secrets: only the channels' secrets are shown")
    if tokens and not show_all:
        console.print(f"customer OAuth tokens: {len(tokens)} (names are hashes; --all "
                      "lists them)", highlight=False)
    if missing:
        console.print("still to configure:", highlight=False)
        options = repeat_options(settings, data_dir)
        for name in missing:
            console.print(f"  printf '%s' \"$VALUE\" | socialreferral secrets set "
                          f"{name}{options}", markup=False, highlight=False, soft_wrap=True)


def channel_secrets(registry: Registry) -> dict[str, tuple[str, ...]]:
    """Every secret name a registered webhook channel reads -> the channels reading it."""
    readers: dict[str, list[str]] = {}
    for channel_name, channel in sorted(registry.channels.items()):
        for secret in channel.secret_names or (channel.signing_secret,):
            readers.setdefault(secret, []).append(channel_name)
    return {secret: tuple(names) for secret, names in readers.items()}


def describe(store: SecretStore, name: str, *, listed: bool, listable: bool,
             channels: tuple[str, ...] = ()) -> SecretRow:
    """Metadata of ``name`` (``listed``: it was among the store's names; ``listable``: the
    store can list names at all). Versions come from the store when it keeps them; on a
    store that can neither list nor version, the value is read only to learn that it
    exists, and never shown."""
    missing = SecretRow(name, "missing", None, None, None, channels)
    if store.supports(Capability.VERSIONS):
        try:
            versions = store.versions(name)
        except SecretNotFound:
            return missing
        current = next((v for v in reversed(versions) if v.current), versions[-1])
        return SecretRow(name, "set", len(versions), current.version,
                         _when(current.created_at), channels)
    if listable:
        return SecretRow(name, "set", None, None, None, channels) if listed else missing
    try:
        secret = store.get(name)
    except SecretNotFound:
        return missing
    return SecretRow(name, "set", None, secret.version, _when(secret.created_at), channels)


def print_rows(rows: list[SecretRow], adapter: str) -> None:
    """The ``secrets list`` table."""
    table = Table(title=f"secrets in {adapter}")
    table.add_column("name", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("versions", justify="right")
    table.add_column("current version", overflow="fold")
    table.add_column("updated (UTC)", no_wrap=True)
    table.add_column("read by", overflow="fold")
    for row in rows:
        status = "[green]set[/]" if row.status == "set" else "[bold red]missing[/]"
        table.add_row(escape(row.name), status,
                      "-" if row.versions is None else str(row.versions),
                      escape(row.current_version or "-"), row.updated_at or "-",
                      escape(", ".join(row.channels) or "-"))
    console.print(table)


def _when(epoch: float) -> str | None:
    if not epoch:
        return None
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M")


__all__ = [
    "PERSON_TOKEN",
    "SecretRow",
    "channel_secrets",
    "commands",
    "describe",
    "list_secrets",
    "read_value",
    "set_secret",
    "stdin_is_terminal",
]
