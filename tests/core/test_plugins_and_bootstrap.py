"""Plugin discovery (pluggy), the env var that limits it, and building Providers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from socialreferral.bootstrap import build_providers
from socialreferral.errors import ConfigurationError
from socialreferral.hookspecs import hookimpl
from socialreferral.plugins import load_registry
from socialreferral.ports import PORTS
from socialreferral.providers import ProviderSpec
from socialreferral.settings import settings_from_mapping


def test_builtin_local_provider_serves_every_port() -> None:
    registry = load_registry(env={})
    assert {port for port, name in registry.providers if name == "local"} == set(PORTS)
    assert registry.plugins["local"] == "builtin"


def test_env_var_limits_which_plugins_load() -> None:
    registry = load_registry(env={"SOCIALREFERRAL_PLUGINS": "local"})
    assert {name for _, name in registry.providers} == {"local"}


def test_unknown_provider_lists_installed_ones(tmp_path: Path) -> None:
    settings = settings_from_mapping(
        {"ports": {"queue": "nowhere"}, "local": {"data_dir": str(tmp_path)}}
    )
    with pytest.raises(ConfigurationError, match=r"no provider 'nowhere' for port 'queue'.*local"):
        build_providers(settings, registry=load_registry(env={}))


def test_misspelt_provider_table_is_rejected(tmp_path: Path) -> None:
    settings = settings_from_mapping({"lcoal": {"data_dir": str(tmp_path)}})
    with pytest.raises(ConfigurationError, match=r"\[lcoal\]"):
        build_providers(settings, registry=load_registry(env={}))


def test_provider_table_is_validated_by_the_provider_model(tmp_path: Path) -> None:
    settings = settings_from_mapping({"local": {"data_dir": str(tmp_path), "workers": 0}})
    with pytest.raises(ConfigurationError, match=r"\[local\]: workers"):
        build_providers(settings, registry=load_registry(env={}))


def test_build_providers_gives_working_local_adapters(tmp_path: Path) -> None:
    settings = settings_from_mapping({"local": {"data_dir": str(tmp_path)}})
    with build_providers(settings) as providers:
        providers.queue.send("hello")
        [message] = providers.queue.receive()
        assert message.body == "hello"
        providers.queue.ack(message)
        providers.store.put("things", "a", {"n": 1})
        assert providers.store.get("things", "a").value == {"n": 1}
        providers.secrets.set("api-key", "s3cret")
        assert providers.secrets.get_value("api-key") == "s3cret"


class _ExtraPlugin:
    """A plugin object registered directly, as an entry point would be."""

    @hookimpl
    def register_providers(self, register: Callable[[ProviderSpec], None]) -> None:
        register(
            ProviderSpec(
                port="queue",
                name="extra",
                adapter="socialreferral.providers.local.queue:LocalQueue",
                settings="socialreferral.providers.local.settings:LocalSettings",
            )
        )

    @hookimpl
    def register_tasks(self, register: Callable[[str, str], None]) -> None:
        register("extra.task", "os.path:join")


def test_third_party_plugins_register_through_the_same_hooks() -> None:
    registry = load_registry(env={}, extra_plugins=(_ExtraPlugin(),))
    assert ("queue", "extra") in registry.providers
    assert registry.tasks["extra.task"] == "os.path:join"


def test_two_plugins_claiming_one_provider_name_conflict() -> None:
    class Clash:
        @hookimpl
        def register_providers(self, register: Callable[[ProviderSpec], None]) -> None:
            register(ProviderSpec(port="queue", name="local", adapter="x:Y", settings="x:Z"))

    with pytest.raises(ConfigurationError, match="two plugins"):
        load_registry(env={}, extra_plugins=(Clash(),))


def test_shareable_settings_leave_out_every_secret_field(tmp_path: Path) -> None:
    from socialreferral.bootstrap import shareable_settings

    settings = settings_from_mapping(
        {"local": {"data_dir": str(tmp_path), "secret_key": "Zm9v" * 11, "workers": 3}}
    )
    shared = shareable_settings(settings, load_registry(env={}))
    assert shared["providers"]["local"] == {"data_dir": str(tmp_path), "workers": 3}
    assert "Zm9v" not in str(shared)
