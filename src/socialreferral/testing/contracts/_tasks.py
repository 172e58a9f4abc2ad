"""Tasks the BatchCompute contract runs. Adapters under test register ``CONTRACT_TASKS``
(e.g. ``BuildContext(tasks=CONTRACT_TASKS)``) so their workers can import these."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

CONTRACT_TASKS = {
    "contract.succeed": "socialreferral.testing.contracts._tasks:succeed",
    "contract.fail": "socialreferral.testing.contracts._tasks:fail",
    "contract.sleep": "socialreferral.testing.contracts._tasks:sleep",
}


def succeed(payload: dict[str, Any], index: int) -> None:
    """Leave the side effect the contract checks: a marker file ``done-<index>``."""
    directory = Path(payload["dir"])
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"done-{index}").write_text(str(index), encoding="utf-8")


def fail(payload: dict[str, Any], index: int) -> None:
    """Always fail, with a recognisable message."""
    raise RuntimeError("boom")


def sleep(payload: dict[str, Any], index: int) -> None:
    """Take ``payload["seconds"]`` seconds (default 5): long enough to be cancelled."""
    time.sleep(float(payload.get("seconds", 5)))
