"""Provider plugins: ``local`` (default), ``aws``, ``azure``, and third-party ones.

Each provider module ``providers/<vendor>/<port>.py`` defines ``<Vendor><Port>`` adapters.
Cloud SDKs are imported lazily with :func:`import_sdk`, so ``import socialreferral`` and
listing providers work without them.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from pydantic import BaseModel, ConfigDict

from socialreferral.errors import ProviderNotInstalled


def import_sdk(module: str, *, provider: str, extra: str) -> ModuleType:
    """Import an optional SDK module or raise :class:`ProviderNotInstalled` with a hint."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ProviderNotInstalled(provider, extra, module) from exc


class ProviderSettings(BaseModel):
    """Base for a provider's typed settings (one section of the settings file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class BuildContext:
    """What a factory may need besides its own settings.

    ``tasks`` maps task names to ``"module:function"`` paths (from ``register_tasks``);
    ``namespace`` is the deployment's name, used to derive resource names. ``extra``
    carries what the composition root hands to adapters that want it, for example
    ``"scaling"`` (the application's ``[scaling]`` table) and ``"emulator_job_runner"``
    (a factory ``(env) -> JobRunner`` for ``[aws] emulator_runs_jobs``).
    """

    tasks: Mapping[str, str] = field(default_factory=dict)
    namespace: str = "socialreferral"
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderSpec:
    """How to build one adapter for one port.

    ``adapter`` and ``settings`` are ``"module:Class"`` paths, imported only when the
    provider is built (so a missing SDK fails late, with an install hint). The adapter
    class must offer ``from_settings(settings, context) -> adapter``.
    """

    port: str
    name: str
    adapter: str
    settings: str
    extra: str | None = None
    description: str = ""

    @classmethod
    def family(
        cls,
        name: str,
        settings: str,
        adapters: Mapping[str, tuple[str, str]],
        *,
        extra: str | None = None,
    ) -> list[ProviderSpec]:
        """One spec per port for a provider whose adapters share one settings model:
        ``adapters`` maps a port to ``("module:Class", description)``."""
        return [
            cls(port, name, adapter, settings, extra=extra, description=description)
            for port, (adapter, description) in adapters.items()
        ]

    def load_adapter(self) -> type[Any]:
        adapter: type[Any] = _load(self.adapter)
        return adapter

    def load_settings_model(self) -> type[ProviderSettings]:
        model = _load(self.settings)
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise TypeError(f"{self.settings} is not a pydantic model")
        return model  # type: ignore[return-value]


@dataclass(frozen=True)
class LoginSpec:
    """How to build a network's OAuth login (:class:`socialreferral.ports.oauth.OAuthLogin`).

    ``provider`` names the settings table (``[meta]``) validated by ``settings``; the login
    is built only when that table configures an app (``app_id`` or ``client_id``).
    """

    network: str
    provider: str
    login: str
    settings: str
    extra: str | None = None

    def load_login(self) -> type[Any]:
        login: type[Any] = _load(self.login)
        return login

    def load_settings_model(self) -> type[ProviderSettings]:
        return ProviderSpec(port="social", name=self.provider, adapter=self.login,
                            settings=self.settings).load_settings_model()


def _load(path: str) -> Any:
    module_name, _, attribute = path.partition(":")
    module = importlib.import_module(module_name)
    target: Any = module
    for part in attribute.split("."):
        target = getattr(target, part)
    return target


__all__ = ["BuildContext", "LoginSpec", "ProviderSettings", "ProviderSpec", "import_sdk"]
