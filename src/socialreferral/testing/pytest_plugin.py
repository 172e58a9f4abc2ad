"""pytest plugin (entry point ``pytest11``): markers and a per-backend summary.

Every conformance test records the backend it ran against (``record_property``); the
terminal summary counts outcomes per backend, so a run shows at a glance that, say, the
queue contract passed on "moto in-process" *and* on "moto_server".
"""

from __future__ import annotations

from collections import Counter

import pytest

_MARKERS = {
    "aws": "runs against moto (in-process or moto_server)",
    "azure": "runs against Azurite, the Cosmos emulator or SDK-level fakes",
    "slow": "multi-process, kill or long-running tests",
}
_outcomes: Counter[tuple[str, str]] = Counter()


def pytest_configure(config: pytest.Config) -> None:
    for name, text in _MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call" and not (report.when == "setup" and report.outcome != "passed"):
        return
    for key, value in report.user_properties:
        if key == "backend":
            _outcomes[(str(value), report.outcome)] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _outcomes:
        return
    terminalreporter.section("socialreferral conformance: backends")
    for backend in sorted({b for b, _ in _outcomes}):
        counts = ", ".join(f"{n} {o}" for (b, o), n in sorted(_outcomes.items()) if b == backend)
        terminalreporter.write_line(f"{backend}: {counts}")
