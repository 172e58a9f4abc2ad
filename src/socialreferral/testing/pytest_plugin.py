"""pytest plugin (entry point ``pytest11``): markers and a per-backend summary.

Every conformance test records the backend it ran against (``record_property``); the
terminal summary counts outcomes per backend, so a run shows at a glance that, say, the
queue contract passed on "moto in-process" *and* on "moto_server". Counts live in the
session's ``config.stash``, so nested in-process runs (pytester) keep their own.
"""

from __future__ import annotations

from collections import Counter

import pytest

_MARKERS = {
    "aws": "runs against moto (in-process or moto_server)",
    "azure": "runs against Azurite, the Cosmos emulator or SDK-level fakes",
    "slow": "multi-process, kill or long-running tests",
}
_OUTCOMES = pytest.StashKey[Counter[tuple[str, str]]]()


def pytest_configure(config: pytest.Config) -> None:
    for name, text in _MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    config.stash[_OUTCOMES] = Counter()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        outcome = "xfailed" if hasattr(report, "wasxfail") else report.outcome
        for key, value in report.user_properties:
            if key == "backend":
                item.config.stash[_OUTCOMES][(str(value), outcome)] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    outcomes = terminalreporter.config.stash.get(_OUTCOMES, Counter())
    if not outcomes:
        return
    terminalreporter.section("socialreferral conformance: backends")
    for backend in sorted({b for b, _ in outcomes}):
        counts = ", ".join(f"{n} {o}" for (b, o), n in sorted(outcomes.items()) if b == backend)
        terminalreporter.write_line(f"{backend}: {counts}")
