"""Batch task resolution: from a registered name to the function a worker runs.

A task is a plain function ``fn(payload: dict, index: int) -> None`` registered through
the ``register_tasks`` plugin hook as ``"name" -> "package.module:function"``. Workers
receive the path, not the function, so every kind of worker (the local process pool, an
AWS Batch or Azure Batch container running ``socialreferral run-task``) imports it the
same way, and nothing but JSON and a string crosses a process boundary.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from socialreferral.errors import InvalidInput, TaskNotRegistered

TaskFunction = Callable[[dict[str, Any], int], None]


def lookup_task(tasks: Mapping[str, str], name: str) -> str:
    """The ``module:function`` path registered for ``name``; raise ``TaskNotRegistered``."""
    try:
        return tasks[name]
    except KeyError:
        known = ", ".join(sorted(tasks)) or "none"
        raise TaskNotRegistered(
            f"no task named {name!r} is registered (registered: {known})"
        ) from None


def resolve_task(path: str) -> TaskFunction:
    """Import ``"package.module:function"`` and return the function.

    Raises ``InvalidInput`` for a malformed path and ``TaskNotRegistered`` when the module
    or function cannot be found or is not callable.
    """
    module_name, sep, attribute = path.partition(":")
    if not sep or not module_name or not attribute:
        raise InvalidInput(f"{path!r} is not of the form 'module:function'", field="task path")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise TaskNotRegistered(f"cannot import the module of task {path!r}: {exc}") from exc
    target: Any = module
    for part in attribute.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise TaskNotRegistered(f"{module_name} has no attribute {attribute!r}")
    if not callable(target):
        raise TaskNotRegistered(f"task {path!r} is not callable")
    function: TaskFunction = target
    return function


def run_task(path: str, payload: Mapping[str, Any], index: int = 0) -> None:
    """Run one task invocation: what a worker process executes for each array index.

    The payload is copied, so a task that mutates it cannot affect a retry in the same
    process. Exceptions propagate: the caller (pool or CLI) turns them into job state.
    """
    resolve_task(path)(dict(payload), index)


__all__ = ["TaskFunction", "lookup_task", "resolve_task", "run_task"]
