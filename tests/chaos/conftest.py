"""Fixtures of the chaos suite (``tox -e chaos``): the shared small workload and its
reference run, the emulators, and the figures table printed at the end of the run.

Sizes can be lowered for a quick local look (``SOCIALREFERRAL_CHAOS_EVENTS=1000``); the
defaults are what CI runs and what ``docs/reliability.md`` reports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from socialreferral.testing.chaos import ChaosWorkload, Ledger, reference_run

ROOT = Path(__file__).resolve().parents[2]
# The emulator helpers of the provider tests start moto_server, Azurite and the Cosmos
# emulator on free loopback ports and stop them by pid.
for helper in ("aws", "azure"):
    sys.path.insert(0, str(ROOT / "tests" / "providers" / helper))

# Built-in providers only: a plugin installed in the environment (a developer's editable
# example plugin, say) is not what these cases measure. Stage processes inherit it.
os.environ.setdefault("SOCIALREFERRAL_PLUGINS", "local,aws,azure")

SMALL = ChaosWorkload(events=int(os.environ.get("SOCIALREFERRAL_CHAOS_SMALL_EVENTS", "600")),
                      customers=60, seed=5, lead_percent=40)
"""The workload of the fault case."""
CLOUD = ChaosWorkload(events=int(os.environ.get("SOCIALREFERRAL_CHAOS_CLOUD_EVENTS", "150")),
                      customers=30, seed=5, lead_percent=40, delivery_size=5)
"""The workload of the moto and Azure campaigns (emulators take ~40 store calls/event)."""
STALL_SECONDS = 180.0
"""A kill campaign's phase fails when nothing moved this long (no process became ready,
no kill, no delivery, no event processed): a hang, told apart from a slow machine."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/chaos" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.chaos)


LOCAL_EVENTS = int(os.environ.get("SOCIALREFERRAL_CHAOS_EVENTS", "5000"))
"""Events of the local kill campaign (``test_kill_local.py``)."""
_REFERENCE: dict[str, Any] = {}


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the local campaign's reference run in the background (``reference_process``)
    when that case is selected, so it overlaps the cases before it."""
    if not any(item.name == "test_kill_9_campaign_on_the_local_provider"
               for item in session.items):
        return
    folder = Path(session.config._tmp_path_factory.mktemp("local-reference"))  # type: ignore[attr-defined]
    out, log = folder / "ledger.json", (folder / "reference.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("reference_process.py")),
         str(LOCAL_EVENTS), str(folder / "data"), str(out)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])})
    log.close()
    _REFERENCE.update(process=process, out=out, log=folder / "reference.log",
                      started=time.monotonic())


def pytest_sessionfinish() -> None:
    process = _REFERENCE.get("process")
    if process is not None and process.poll() is None:
        process.kill()  # by its id: only the process this session started
        process.wait(timeout=30)
    # The kill campaigns' fork server (campaign.py) is left running by multiprocessing
    # until the interpreter exits, unwaited; stopping it here reaps it, so the CPU time
    # of every stage process it forked is counted in this session's (docs/reliability.md
    # reports user + sys with children).
    import multiprocessing.forkserver

    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)
    if callable(stop):
        stop()


@pytest.fixture(scope="session")
def local_reference() -> tuple[Ledger, float]:
    """The local campaign's reference ledger, and the seconds the test waited for it."""
    from reference_process import ledger_from_json

    process = _REFERENCE.get("process")
    if process is None:
        pytest.fail("the local reference run was not started", pytrace=False)
    waited = time.monotonic()
    code = process.wait(timeout=1800)
    if code != 0:
        tail = _REFERENCE["log"].read_text(encoding="utf-8", errors="replace")[-3000:]
        pytest.fail(f"the local reference run failed ({code}):\n{tail}", pytrace=False)
    ledger = ledger_from_json(json.loads(_REFERENCE["out"].read_text(encoding="utf-8")))
    return ledger, time.monotonic() - waited


@dataclass
class Figures:
    """Rows of the table printed at the end: one per case."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, case: str, **values: Any) -> None:
        self.rows.append({"case": case, **values})


FIGURES = Figures()


@pytest.fixture(scope="session")
def figures() -> Figures:
    return FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES.rows:
        return
    terminalreporter.section("chaos figures")
    for row in FIGURES.rows:
        parts = [f"{k} = {v}" for k, v in row.items() if k != "case"]
        terminalreporter.write_line(f"{row['case']}: " + ", ".join(parts))


@pytest.fixture(scope="session")
def cloud_reference(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    """The no-fault reference run of :data:`CLOUD` on the local provider."""
    data = tmp_path_factory.mktemp("cloud-reference")
    return reference_run(local_settings(data, CLOUD), CLOUD)


@pytest.fixture(scope="session")
def small_reference(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    """The no-fault reference run of :data:`SMALL` on the local provider."""
    data = tmp_path_factory.mktemp("small-reference")
    return reference_run(local_settings(data, SMALL), SMALL)


def local_settings(data_dir: Path, workload: ChaosWorkload, **local: Any) -> dict[str, Any]:
    """Settings of a run on the local provider in ``data_dir``."""
    return {"local": {"data_dir": str(data_dir), "visibility_timeout": 2, **local},
            **workload.settings()}


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    from aws_moto import run_moto_server

    with run_moto_server() as url:
        yield url


@pytest.fixture(scope="session")
def azure_emulators() -> Iterator[tuple[Any, str]]:
    from azure_emulators import EmulatorMissing, run_azurite, run_cosmos

    try:
        with run_azurite() as azurite, run_cosmos() as cosmos:
            yield azurite, cosmos
    except EmulatorMissing as exc:
        pytest.fail(str(exc), pytrace=False)
