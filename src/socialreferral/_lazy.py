"""Public names of a package loaded from their modules on first use (PEP 562).

A queue worker imports the few use cases it runs, not every flow's (issue 14's cold
start), and ``import socialreferral`` stays light; the packages that re-export many names
(``text``, ``care``, ``influence``, ``people``, ``scoring``, ``service``) share this.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, homes: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose public names live in the
    modules ``homes`` gives (absolute, or relative to ``package`` with a leading dot).

    A name is imported on its first access and then kept in the package's namespace, so
    later lookups do not come back here.
    """
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*(n for n in namespace if not n.startswith("_")), *homes})

    return __getattr__, __dir__
