"""Finding and loading provider plugins (pluggy).

The built-in ``core`` (batch tasks, webhook channels), ``local``, ``aws`` and ``azure``
plugins and every third-party plugin under the entry-point group ``socialreferral``
register through the hooks in
:mod:`socialreferral.hookspecs`. The environment variable ``SOCIALREFERRAL_PLUGINS`` limits
what loads: a comma-separated list of plugin names (``local,aws``); unset or empty loads
everything. ``core`` (the built-in batch tasks) and ``local`` always load, because the
flows need the one and every port defaults to the other.

Loading a plugin imports only its registration module, never a cloud SDK.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType

import pluggy

from socialreferral import hookspecs
from socialreferral.channels import WebhookChannel
from socialreferral.errors import ConfigurationError, UnknownChannel
from socialreferral.ports import PORTS
from socialreferral.providers import LoginSpec, ProviderSpec

ENTRY_POINT_GROUP = "socialreferral"
_CHANNEL_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
PLUGINS_ENV = "SOCIALREFERRAL_PLUGINS"

BUILTIN_PLUGINS: dict[str, str] = {
    "core": "socialreferral.core_plugin",
    "local": "socialreferral.providers.local.plugin",
    "aws": "socialreferral.providers.aws.plugin",
    "azure": "socialreferral.providers.azure.plugin",
    "dynamics": "socialreferral.providers.dynamics.plugin",
    "meta": "socialreferral.providers.meta.plugin",
    "email": "socialreferral.providers.email.plugin",
    "x": "socialreferral.providers.x.plugin",
    "linkedin": "socialreferral.providers.linkedin.plugin",
}


@dataclass
class Registry:
    """Everything the loaded plugins registered."""

    providers: dict[tuple[str, str], ProviderSpec] = field(default_factory=dict)
    tasks: dict[str, str] = field(default_factory=dict)
    channels: dict[str, WebhookChannel] = field(default_factory=dict)
    logins: dict[str, LoginSpec] = field(default_factory=dict)
    plugins: dict[str, str] = field(default_factory=dict)
    """plugin name -> where it came from ("builtin" or the distribution name)."""

    def spec(self, port: str, name: str) -> ProviderSpec:
        """The spec for ``name`` on ``port`` or a :class:`ConfigurationError` listing choices."""
        if port not in PORTS:
            raise ConfigurationError(f"unknown port {port!r}; ports are: {', '.join(PORTS)}")
        try:
            return self.providers[(port, name)]
        except KeyError:
            choices = sorted(n for p, n in self.providers if p == port)
            raise ConfigurationError(
                f"no provider {name!r} for port {port!r}; installed: {', '.join(choices)} "
                f"(is its plugin installed and allowed by {PLUGINS_ENV}?)"
            ) from None

    def channel(self, name: str) -> WebhookChannel:
        """The webhook channel registered as ``name``; ``UnknownChannel`` otherwise."""
        try:
            return self.channels[name]
        except KeyError:
            known = ", ".join(sorted(self.channels)) or "none"
            raise UnknownChannel(f"no webhook channel {name!r} (registered: {known})") from None

    def _add_channel(self, channel: WebhookChannel) -> None:
        if not isinstance(channel, WebhookChannel):
            raise ConfigurationError(f"{channel!r} is not a WebhookChannel")
        name = getattr(channel, "name", "")
        if not isinstance(name, str) or not _CHANNEL_NAME.match(name):
            raise ConfigurationError(f"channel name {name!r} must match {_CHANNEL_NAME.pattern}")
        existing = self.channels.get(name)
        if existing is not None and type(existing) is not type(channel):
            raise ConfigurationError(f"two plugins register the webhook channel {name!r}")
        self.channels[name] = channel

    def _add_provider(self, spec: ProviderSpec) -> None:
        if spec.port not in PORTS:
            raise ConfigurationError(f"provider {spec.name!r} registers unknown port {spec.port!r}")
        key = (spec.port, spec.name)
        if key in self.providers and self.providers[key] != spec:
            raise ConfigurationError(
                f"two plugins register provider {spec.name!r} for {spec.port!r}"
            )
        self.providers[key] = spec

    def _add_login(self, spec: LoginSpec) -> None:
        if not isinstance(spec, LoginSpec) or not _CHANNEL_NAME.match(spec.network):
            raise ConfigurationError(f"{spec!r} is not a LoginSpec with a valid network name")
        if spec.network in self.logins and self.logins[spec.network] != spec:
            raise ConfigurationError(f"two plugins register the login for {spec.network!r}")
        self.logins[spec.network] = spec

    def _add_task(self, name: str, path: str) -> None:
        if name in self.tasks and self.tasks[name] != path:
            raise ConfigurationError(f"two plugins register the task {name!r}")
        self.tasks[name] = path


def allowed_plugins(env: Mapping[str, str] | None = None) -> frozenset[str] | None:
    """Names allowed by ``SOCIALREFERRAL_PLUGINS`` (None = all)."""
    raw = (os.environ if env is None else env).get(PLUGINS_ENV, "").strip()
    if not raw:
        return None
    return frozenset({"core", "local", *(p.strip() for p in raw.split(",") if p.strip())})


def plugin_manager(env: Mapping[str, str] | None = None) -> pluggy.PluginManager:
    """A plugin manager with the built-in and entry-point plugins that are allowed."""
    allowed = allowed_plugins(env)
    manager = pluggy.PluginManager("socialreferral")
    manager.add_hookspecs(hookspecs)
    for name, module_path in BUILTIN_PLUGINS.items():
        if allowed is None or name in allowed:
            module = _import_builtin(module_path)
            if module is not None:
                manager.register(module, name=name)
    if allowed is None:
        manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    else:
        for name in sorted(allowed - set(BUILTIN_PLUGINS)):
            manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP, name=name)
    return manager


def _import_builtin(module_path: str) -> ModuleType | None:
    # A built-in plugin whose module is not written yet is simply absent; any other import
    # error is a bug and must surface.
    try:
        return importlib.import_module(module_path)
    except ModuleNotFoundError as exc:
        if exc.name == module_path:
            return None
        raise


def load_registry(
    env: Mapping[str, str] | None = None, *, extra_plugins: tuple[object, ...] = ()
) -> Registry:
    """Run the registration hooks of every allowed plugin (plus ``extra_plugins``)."""
    manager = plugin_manager(env)
    for plugin in extra_plugins:
        manager.register(plugin)
    registry = Registry()
    manager.hook.register_providers(register=registry._add_provider)
    manager.hook.register_tasks(register=registry._add_task)
    manager.hook.register_channels(register=registry._add_channel)
    manager.hook.register_logins(register=registry._add_login)
    distributions = {id(p): d.project_name for p, d in manager.list_plugin_distinfo()}
    for name, plugin in manager.list_name_plugin():
        if plugin is not None:
            registry.plugins[name] = distributions.get(id(plugin), "builtin")
    return registry


__all__ = [
    "BUILTIN_PLUGINS",
    "ENTRY_POINT_GROUP",
    "PLUGINS_ENV",
    "Registry",
    "allowed_plugins",
    "load_registry",
    "plugin_manager",
]
