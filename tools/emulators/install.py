"""Install the Azure emulators (``npm ci``) unless ``node_modules`` already matches the
lockfile.

``.ci/run`` installs them once; the ``azure`` and ``chaos`` tox environments then call
this script too, so a developer's checkout gets them on demand, while CI does not pay a
second and third ``npm ci`` (about 4 minutes each in a fresh machine).

"Matches" is npm's own record: ``npm ci`` writes ``node_modules/.package-lock.json``
(the hidden lockfile) listing every package it installed; when it names the same
packages at the same versions and integrity hashes as ``package-lock.json``, nothing
would change. Anything else (no ``node_modules``, another lockfile, a package removed
by hand) runs ``npm ci``, which replaces ``node_modules`` as a whole.

Usage: ``python tools/emulators/install.py [--force]``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NPM_CI = ["ci", "--no-audit", "--no-fund", "--loglevel=error"]


def _packages(lockfile: Path) -> dict[str, tuple[Any, Any]]:
    """``path -> (version, integrity)`` of every installed package in ``lockfile``."""
    data = json.loads(lockfile.read_text(encoding="utf-8"))
    return {path: (entry.get("version"), entry.get("integrity"))
            for path, entry in data.get("packages", {}).items()
            if path and not entry.get("link")}


def up_to_date(folder: Path = HERE) -> bool:
    """True when ``folder/node_modules`` holds exactly what ``package-lock.json`` locks."""
    hidden = folder / "node_modules" / ".package-lock.json"
    try:
        wanted = _packages(folder / "package-lock.json")
        return bool(wanted) and _packages(hidden) == wanted and all(
            (folder / path).is_dir() for path in wanted)
    except (OSError, ValueError):
        return False


def main(argv: list[str]) -> int:
    """Run ``npm ci`` in this folder when needed (or with ``--force``)."""
    if "--force" not in argv and up_to_date():
        print(f"emulators: {HERE / 'node_modules'} matches package-lock.json, npm ci skipped")
        return 0
    npm = shutil.which("npm")
    if npm is None:
        print("emulators: npm not found (Node 20 is needed for Azurite and the Cosmos "
              "emulator)", file=sys.stderr)
        return 1
    return subprocess.call([npm, *NPM_CI, "--prefix", str(HERE)])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
