"""The local kill campaign's no-fault reference run, as a process of its own.

``conftest.py`` starts it when the session begins, so its ~5,000 events run on the second
core while the first cases run (they leave one mostly idle: the emulator campaigns wait on
kills and warm-ups), instead of adding their minute or two to the local campaign's case.

Usage: ``python reference_process.py EVENTS DATA_DIR OUT.json``; writes the ledger as
JSON (``records`` and ``dead_letters``), atomically.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from socialreferral.testing.chaos import ChaosWorkload, Ledger, reference_run


def local_workload(events: int) -> ChaosWorkload:
    """The workload of ``test_kill_local.py``: webhooks arrive at 1,000 events/s (100
    deliveries of 10), so the ingest process is at work for ~5 s of the campaign."""
    return ChaosWorkload(events=events, customers=200, seed=11, lead_percent=25,
                         deliveries_per_second=100.0)


def ledger_from_json(data: dict[str, object]) -> Ledger:
    """The ledger :func:`main` wrote."""
    records = {kind: {rid: (pair[0], pair[1]) for rid, pair in rows.items()}
               for kind, rows in data["records"].items()}  # type: ignore[attr-defined]
    return Ledger(records=records, dead_letters=int(data["dead_letters"]))  # type: ignore[call-overload]


def main(argv: list[str]) -> int:
    """Run the reference (module docstring)."""
    events, data_dir, out = int(argv[0]), Path(argv[1]), Path(argv[2])
    workload = local_workload(events)
    settings = {"local": {"data_dir": str(data_dir), "visibility_timeout": 2},
                **workload.settings()}
    ledger = reference_run(settings, workload)
    part = out.with_suffix(".part")
    part.write_text(json.dumps({"records": ledger.records,
                                "dead_letters": ledger.dead_letters}), encoding="utf-8")
    os.replace(part, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
