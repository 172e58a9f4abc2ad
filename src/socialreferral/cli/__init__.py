"""The ``socialreferral`` command line (typer + rich).

=====================  ==============================================================
module                 commands
=====================  ==============================================================
``cli.admin``          ``providers``, ``check-settings``, ``run-task``, ``serve``
``cli.secrets``        ``secrets set``, ``secrets list``
``cli.console``        ``console add-user``, ``set-password``, ``remove-user``, ``list-users``
``cli.referral``       ``demo``, ``report``, ``worker``, ``ingest``, ``promote``
``cli.simulate``       ``simulate`` (the scaling simulator; ``simulation`` extra)
``cli.care``           ``care ingest|queue|explain|assign|reply|resolve|snooze|
                       recategorize|proposals|profile|demo`` (the care queue)
``cli.influence``      ``influence track|top|map|words|trend|alerts|keywords|recompute|
                       demo`` (influencer and campaign analytics)
``cli.people``         ``people capture|fuse|find|show|review|api-key|blacklist|b2b|demo``
``cli.models``         ``models install``, ``models status`` (the sentence model)
=====================  ==============================================================

Each module holds one typer app named ``commands``: an unnamed one adds top-level
commands, a named one (``typer.Typer(name="secrets", ...)``) adds a sub-command group.
Adding a group is one line in :data:`COMMAND_GROUPS`. What the commands share (console,
``--settings``/``--data-dir``/``--json``, :func:`~socialreferral.cli._common.fail`,
opening the providers, exit codes) lives in :mod:`socialreferral.cli._common`.
"""

from __future__ import annotations

import importlib

import typer

COMMAND_GROUPS: tuple[str, ...] = (
    "socialreferral.cli.admin",
    "socialreferral.cli.referral",
    "socialreferral.cli.secrets",
    "socialreferral.cli.console",
    "socialreferral.cli.simulate",
    "socialreferral.cli.care",
    "socialreferral.cli.influence",
    "socialreferral.cli.people",
    "socialreferral.cli.models",
)
"""Modules whose ``commands`` app is added to :data:`app`, in this order."""

app = typer.Typer(
    name="socialreferral",
    help="Social activity in; referrals, leads, rewards and a care queue out.",
    no_args_is_help=True,
    add_completion=False,
    # A crash must not print local variables: they can hold secrets and personal data.
    pretty_exceptions_show_locals=False,
)


def _register(target: typer.Typer, modules: tuple[str, ...]) -> None:
    for module_name in modules:
        group = getattr(importlib.import_module(module_name), "commands", None)
        if not isinstance(group, typer.Typer):
            raise TypeError(f"{module_name} has no typer app named 'commands'")
        target.add_typer(group)


_register(app, COMMAND_GROUPS)


def main() -> None:
    """Console-script entry point (``socialreferral = "socialreferral.cli:main"``)."""
    app()


__all__ = ["COMMAND_GROUPS", "app", "main"]
