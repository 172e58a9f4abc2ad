"""What every command of the ``socialreferral`` CLI shares.

One console for results (stdout) and one for errors (stderr, so ``--json`` output stays
parseable), the shared options (``--settings``, ``--data-dir``, ``--json``), the one way to
stop with an error (:func:`fail`, with the exit code convention below) and the one way to
open the configured providers (:func:`open_providers`).

Exit codes: ``0`` success; ``1`` an operation failed (a backend answered with an error, a
task failed); ``2`` bad input or configuration (a wrong argument, an invalid settings file,
a data directory that does not exist, a name nothing is registered under). Errors are one
readable line, never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from socialreferral.errors import (
    ConfigurationError,
    InvalidInput,
    NotFound,
    SocialReferralError,
    Unsupported,
)

if TYPE_CHECKING:
    from socialreferral.bootstrap import Providers
    from socialreferral.settings import Settings

console = Console()
"""Where results go (stdout)."""

error_console = Console(stderr=True)
"""Where errors and notes about the run go (stderr)."""

SettingsOption = Annotated[
    Path | None,
    typer.Option(
        "--settings",
        "-s",
        help="TOML settings file (default: $SOCIALREFERRAL_SETTINGS or ./socialreferral.toml)",
        exists=True,
        dir_okay=False,
    ),
]
DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="data directory of the local provider (overrides the settings and environment)",
        file_okay=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="machine-readable output on stdout")]

USAGE_ERROR = 2
OPERATION_FAILED = 1

# The environment variable that would otherwise override an explicit --data-dir
# (settings apply the environment last).
_DATA_DIR_VARIABLE = ("local", "data_dir")


def fail(message: str, *, code: int = USAGE_ERROR) -> typer.Exit:
    """Print ``error: message`` on stderr and return the exit to raise::

        raise fail("no such thing")
    """
    error_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False,
                        soft_wrap=True)
    return typer.Exit(code=code)


def exit_code_for(exc: BaseException) -> int:
    """``2`` for errors the caller can fix by changing the input or the configuration,
    ``1`` for failures of the operation itself (see the module docstring)."""
    if isinstance(exc, ConfigurationError | InvalidInput | NotFound | Unsupported):
        return USAGE_ERROR
    return OPERATION_FAILED


def fail_from(exc: SocialReferralError) -> typer.Exit:
    """:func:`fail` with the error's message and its exit code."""
    return fail(str(exc), code=exit_code_for(exc))


def note(message: str) -> None:
    """A remark about the run on stderr (dim), kept out of the results."""
    error_console.print(f"[dim]{escape(message)}[/]", highlight=False, soft_wrap=True)


@contextmanager
def open_providers(settings_file: Path | None, data_dir: Path | None, *,
                   create_data_dir: bool = False) -> Iterator[Providers]:
    """The configured providers, closed on exit.

    ``data_dir`` (``--data-dir``) overrides the local provider's directory. Unless
    ``create_data_dir`` (commands that set a deployment up: ``demo``, ``secrets set``),
    the local data directory must already exist when it is given or when the document
    store is local: reading "nothing" from a mistyped path would otherwise look like an
    empty deployment, and leave an empty store behind. Any library error raised while
    building the providers or inside the ``with`` block becomes a clean :func:`fail`.
    """
    from socialreferral.bootstrap import build_providers
    from socialreferral.settings import load_settings

    try:
        env = dict(os.environ)
        overrides = None
        if data_dir is not None:
            # Absolute: batch workers are separate processes and must find the same files.
            overrides = {"local": {"data_dir": str(data_dir.resolve())}}
            env = {k: v for k, v in env.items() if not _names_data_dir(k)}
        loaded = load_settings(settings_file, env=env, overrides=overrides)
        if not create_data_dir:
            _require_data_dir(loaded, given=data_dir is not None)
        with build_providers(loaded) as providers:
            yield providers
    except SocialReferralError as exc:
        raise fail_from(exc) from None


def repeat_options(settings_file: Path | None, data_dir: Path | None) -> str:
    """`` --settings FILE --data-dir DIR`` (shell-quoted, only those given), for the
    follow-up commands a command suggests."""
    import shlex

    options = ""
    if settings_file is not None:
        options += f" --settings {shlex.quote(str(settings_file))}"
    if data_dir is not None:
        options += f" --data-dir {shlex.quote(str(data_dir))}"
    return options


def local_data_dir(settings: Settings) -> Path | None:
    """The local provider's data directory as configured (None if its table is invalid:
    building the providers reports that)."""
    from pydantic import ValidationError

    from socialreferral.providers.local.settings import LocalSettings

    try:
        return LocalSettings.model_validate(settings.providers.get("local", {})).data_dir
    except ValidationError:
        return None


def _require_data_dir(settings: Settings, *, given: bool) -> None:
    if not given and settings.ports.store != "local":
        return  # the data lives in a cloud store; the local directory may be absent
    path = local_data_dir(settings)
    if path is None or path.is_dir():
        return
    raise fail(
        f"the data directory {path} does not exist (give the directory your deployment "
        f"uses with --data-dir or [local] data_dir; `socialreferral demo --data-dir {path}` "
        "creates one with demo data)"
    )


def _names_data_dir(variable: str) -> bool:
    from socialreferral.settings import ENV_PREFIX

    if not variable.startswith(ENV_PREFIX):
        return False
    path = tuple(p.lower() for p in variable[len(ENV_PREFIX):].split("__") if p)
    return path == _DATA_DIR_VARIABLE


__all__ = [
    "OPERATION_FAILED",
    "USAGE_ERROR",
    "DataDirOption",
    "JsonOption",
    "SettingsOption",
    "console",
    "error_console",
    "exit_code_for",
    "fail",
    "fail_from",
    "local_data_dir",
    "note",
    "open_providers",
    "repeat_options",
]
