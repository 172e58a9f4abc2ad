"""The periodic categorizer as a registered batch task: found by name, run from a job
payload (a composition root of its own), once per period, waking due snoozes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from care_helpers import care_providers, desk_for, post

from socialreferral.core_plugin import TASKS
from socialreferral.plugins import load_registry
from socialreferral.tasks import lookup_task, run_task
from socialreferral.tasks.referral import task_payload


def test_care_categorize_runs_once_per_period_from_a_job_payload(tmp_path: Path) -> None:
    assert TASKS["care.categorize"] == "socialreferral.tasks.care:categorize_task"
    path = lookup_task(load_registry().tasks, "care.categorize")
    now = datetime.now(UTC)
    with care_providers(tmp_path / "data") as providers:
        desk = desk_for(providers)
        desk.ingest([post(str(i), f"u{i}", text, minutes=0).model_copy(
            update={"created_at": now - timedelta(hours=1)})
            for i, text in enumerate(["@acmecare my refund never arrived",
                                      "@acmecare refund still missing after weeks",
                                      "@acmecare the app keeps crashing",
                                      "@acmecare app crashing after the update"])])
        payload = task_payload(providers.settings)
        run_task(path, payload, index=1)  # array children other than 0 do nothing
        assert providers.repositories.care_tuning.runs() == []
        run_task(path, payload)
        run_task(path, payload)  # the same period: skipped
        [run] = providers.repositories.care_tuning.runs()
        assert run.posts == 4 and run.finished_at is not None
        run_task(path, {**payload, "force": True})
        assert len(providers.repositories.care_tuning.runs()) == 2


def test_care_sla_task_stamps_each_breach_once_from_a_job_payload(tmp_path: Path) -> None:
    assert TASKS["care.sla"] == "socialreferral.tasks.care:sla_task"
    path = lookup_task(load_registry().tasks, "care.sla")
    now = datetime.now(UTC)
    with care_providers(tmp_path / "data", sla={"first_response": 1800}) as providers:
        desk = desk_for(providers)
        desk.ingest([post("1", "u1", "@acmecare my refund never arrived").model_copy(
                         update={"created_at": now - timedelta(hours=1)}),
                     post("2", "u2", "@acmecare my card was charged twice").model_copy(
                         update={"created_at": now - timedelta(minutes=5)})])
        payload = task_payload(providers.settings)
        run_task(path, payload, index=1)  # array children other than 0 do nothing
        items = providers.repositories.care_items
        assert items.require("x:1").sla_breached_at is None
        run_task(path, payload)
        stamp = items.require("x:1").sla_breached_at
        assert stamp is not None and abs((stamp - (now - timedelta(minutes=30)))
                                         .total_seconds()) < 1
        assert items.require("x:2").sla_breached_at is None  # 25 minutes left
        run_task(path, payload)  # again: the stamp (and so the count) stays as it was
        assert items.require("x:1").sla_breached_at == stamp
