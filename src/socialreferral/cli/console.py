"""``socialreferral console``: the web console's operator accounts.

``add-user NAME --role ROLE`` creates an account (``--role`` repeats for several roles:
agent, marketer, reviewer, admin); ``set-password NAME`` replaces a password and lifts a
lockout; ``remove-user NAME`` erases an account and its sessions; ``list-users`` shows
names, roles and lockouts. Passwords come from stdin when piped in, or from a hidden,
confirmed prompt in a terminal — never from the command line, where they would stay in
the shell history and be visible in process listings. ``--generate`` makes a random
password instead and prints it once.
"""

from __future__ import annotations

import json
import secrets as pysecrets
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from socialreferral.cli._common import (
    DataDirOption,
    JsonOption,
    SettingsOption,
    console,
    fail,
    open_providers,
)
from socialreferral.cli.secrets import read_value
from socialreferral.domain.operators import Role

commands = typer.Typer(
    name="console",
    help="Operator accounts of the web console (passwords never on the command line).",
    no_args_is_help=True,
)

RoleOption = Annotated[list[Role], typer.Option(
    "--role", "-r", help="agent, marketer, reviewer or admin (repeat for several)",
    case_sensitive=False)]
_EXTRA = {"allow_extra_args": True, "ignore_unknown_options": True}


def _no_extra(context: typer.Context, command: str) -> None:
    if context.args:
        # Not echoed: the likeliest extra argument is a password.
        raise fail(f"console {command} takes a NAME and options only; "
                   f"{len(context.args)} other argument(s) given, not shown here. A "
                   "password must never be on the command line: pipe it in or let the "
                   "command prompt for it. Nothing was changed.")


def generated_password() -> str:
    """A random password (24 URL-safe characters, 143 bits)."""
    return pysecrets.token_urlsafe(18)


@commands.command("add-user", context_settings=_EXTRA)
def add_user(
    context: typer.Context,
    name: Annotated[str, typer.Argument(help="login name (lower-case; an e-mail fits)")],
    role: RoleOption,
    generate: Annotated[bool, typer.Option(
        "--generate", help="make a random password and print it once")] = False,
    settings: SettingsOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an operator account; the password comes from stdin or a hidden prompt."""
    from socialreferral.service.operators import create_operator

    _no_extra(context, "add-user")
    password = generated_password() if generate else read_value(f"the password of {name}")
    with open_providers(settings, data_dir, create_data_dir=True) as providers:
        operator = create_operator(providers.repositories.operators, name, role, password,
                                   rules=providers.settings.console, now=datetime.now(UTC))
    if as_json:
        out = {"name": operator.name, "roles": [r.value for r in operator.roles]}
        if generate:
            out["password"] = password
        typer.echo(json.dumps(out))
        return
    console.print(f"operator {escape(operator.name)} created with the roles "
                  f"{', '.join(r.value for r in operator.roles)}", highlight=False)
    if generate:
        console.print(f"password (shown once): {escape(password)}", highlight=False)


@commands.command("set-password", context_settings=_EXTRA)
def set_password_command(
    context: typer.Context,
    name: Annotated[str, typer.Argument(help="login name")],
    settings: SettingsOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Replace an operator's password (and lift a lockout)."""
    from socialreferral.service.operators import set_password

    _no_extra(context, "set-password")
    password = read_value(f"the new password of {name}")
    with open_providers(settings, data_dir) as providers:
        operator = set_password(providers.repositories.operators, name, password,
                                rules=providers.settings.console)
    console.print(f"password of {escape(operator.name)} replaced", highlight=False)


@commands.command("remove-user")
def remove_user(
    name: Annotated[str, typer.Argument(help="login name")],
    settings: SettingsOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Erase an operator account and its sessions."""
    from socialreferral.service.operators import remove_operator

    with open_providers(settings, data_dir) as providers:
        removed = remove_operator(providers.repositories.operators, name)
    console.print(f"operator {escape(name.strip().lower())} removed ({removed} records)",
                  highlight=False)


@commands.command("list-users")
def list_users(settings: SettingsOption = None, data_dir: DataDirOption = None,
               as_json: JsonOption = False) -> None:
    """Names, roles and lockouts (never a password hash)."""
    with open_providers(settings, data_dir) as providers:
        operators = providers.repositories.operators.all()
    if as_json:
        typer.echo(json.dumps([
            {"name": o.name, "roles": [r.value for r in o.roles],
             "created_at": o.created_at.isoformat(),
             "locked_until": o.locked_until.isoformat() if o.locked_until else None}
            for o in operators], indent=2))
        return
    table = Table(title="console operators")
    for column in ("name", "roles", "created", "locked until"):
        table.add_column(column)
    for o in operators:
        table.add_row(escape(o.name), ", ".join(r.value for r in o.roles),
                      o.created_at.strftime("%Y-%m-%d %H:%M"),
                      o.locked_until.strftime("%Y-%m-%d %H:%M") if o.locked_until else "-")
    console.print(table)


__all__ = ["add_user", "commands", "generated_password", "list_users", "remove_user"]
