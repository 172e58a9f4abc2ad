"""The built-in ``core`` plugin: the library's batch tasks and webhook channels.

It registers through the same hooks as a third-party plugin would, so a plugin can add a
task or a network exactly like these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from socialreferral.hookspecs import hookimpl

TASKS = {
    "referral.process-batch": "socialreferral.tasks.referral:process_batch_task",
    "referral.promotions": "socialreferral.tasks.referral:promotions_task",
    "referral.auto-approve": "socialreferral.tasks.referral:auto_approve_task",
    "care.categorize": "socialreferral.tasks.care:categorize_task",
    "care.sla": "socialreferral.tasks.care:sla_task",
    "influence.recompute": "socialreferral.tasks.influence:recompute_task",
    "people.fuse": "socialreferral.tasks.people:fuse_task",
    "people.b2b": "socialreferral.tasks.people:b2b_task",
}


@hookimpl
def register_tasks(register: Callable[[str, str], None]) -> None:
    """Register the worker and the scheduled jobs (promotions, the review deadline, the care
    categorizer, the influence recompute, People fusion and B2B)."""
    for name, path in TASKS.items():
        register(name, path)


@hookimpl
def register_channels(register: Callable[[Any], None]) -> None:
    """Register the built-in webhook channels (one module per network)."""
    from socialreferral.channels import BUILTIN_CHANNELS

    for channel in BUILTIN_CHANNELS:
        register(channel())
