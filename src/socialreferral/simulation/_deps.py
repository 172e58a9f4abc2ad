"""The simulator's optional dependency, imported on first use with an install hint."""

from __future__ import annotations

from typing import Any

from socialreferral.errors import ConfigurationError


def simpy_module() -> Any:
    """The ``simpy`` module, or a ``ConfigurationError`` saying how to install it."""
    try:
        import simpy
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise ConfigurationError(
            "the simulator needs simpy; install it with: pip install 'socialreferral[simulation]'"
        ) from None
    return simpy
