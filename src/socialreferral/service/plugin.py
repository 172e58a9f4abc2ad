"""The built-in ``core`` plugin: registers the service layer's batch tasks."""

from __future__ import annotations

from collections.abc import Callable

from socialreferral.hookspecs import hookimpl

TASKS = {
    "referral.process-batch": "socialreferral.service.worker:process_batch_task",
    "referral.promotions": "socialreferral.service.promotions:promotions_task",
}


@hookimpl
def register_tasks(register: Callable[[str, str], None]) -> None:
    """Register the worker and the scheduled promotion job."""
    for name, path in TASKS.items():
        register(name, path)
