"""Plugin hooks. A plugin is a module or object with ``@hookimpl`` functions.

Built-in providers register through these same hooks as third-party ones. A third-party
package exposes its plugin under the entry-point group ``socialreferral``::

    [project.entry-points.socialreferral]
    memory = "socialreferral_memory.plugin"
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("socialreferral")
hookimpl = pluggy.HookimplMarker("socialreferral")


@hookspec
def register_providers(register: Callable[..., Any]) -> None:
    """Register adapters: ``register(ProviderSpec(port=..., name=..., adapter=..., ...))``."""


@hookspec
def register_tasks(register: Callable[[str, str], None]) -> None:
    """Register batch tasks: ``register("name", "package.module:function")``.

    A task function has the signature ``fn(payload: dict, index: int) -> None`` and must
    be importable by its dotted path (worker processes and cloud workers import it).
    """


@hookspec
def register_channels(register: Callable[[Any], None]) -> None:
    """Register inbound webhook channels: ``register(MyChannel())`` where ``MyChannel``
    subclasses :class:`socialreferral.channels.WebhookChannel`. The channel's ``name`` is
    its URL segment (``/webhooks/<name>``); two plugins may not register the same name.
    """


@hookspec
def register_logins(register: Callable[[Any], None]) -> None:
    """Register OAuth logins: ``register(LoginSpec(network=..., provider=..., login=...,
    settings=...))``; served at ``/connect/<network>`` when the provider's table
    configures an app."""
