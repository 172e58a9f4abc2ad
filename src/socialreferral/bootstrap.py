"""The composition root: turns :class:`~socialreferral.settings.Settings` into adapters.

This is the only place that knows which adapter class serves which port. Nothing is
built at import time; :func:`build_providers` builds on request and the returned
:class:`Providers` closes what it built.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from types import TracebackType
from typing import Any, get_args

from pydantic import BaseModel, SecretStr, ValidationError

from socialreferral.errors import ConfigurationError
from socialreferral.plugins import Registry, load_registry
from socialreferral.ports import (
    CRM,
    PORTS,
    Adapter,
    BatchCompute,
    DocumentStore,
    Queue,
    RetryPolicy,
    SecretStore,
    SocialChannel,
)
from socialreferral.ports.oauth import OAuthLogin
from socialreferral.providers import BuildContext, ProviderSettings, ProviderSpec
from socialreferral.repositories import Repositories
from socialreferral.settings import Settings, describe_validation_error


@dataclass
class Providers:
    """One adapter per port, as chosen by the settings, and the repositories over the
    document store. Use as a context manager."""

    queue: Queue
    store: DocumentStore
    secrets: SecretStore
    batch: BatchCompute
    crm: CRM
    social: SocialChannel
    settings: Settings = field(repr=False)
    registry: Registry = field(repr=False)
    #: OAuth logins by network, for the networks whose settings table configures an app.
    logins: dict[str, OAuthLogin] = field(default_factory=dict, repr=False)

    @cached_property
    def repositories(self) -> Repositories:
        """The repositories over this bundle's document store (built once, on first use)."""
        return Repositories.over(self.store)

    def adapters(self) -> dict[str, Adapter]:
        return {port: getattr(self, port) for port in PORTS}

    def close(self) -> None:
        """Close every adapter (each at most once, even if shared between ports)."""
        seen: set[int] = set()
        for adapter in self.adapters().values():
            if id(adapter) not in seen:
                seen.add(id(adapter))
                adapter.close()
        for login in self.logins.values():
            login.close()

    def __enter__(self) -> Providers:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def provider_settings(settings: Settings, spec: ProviderSpec) -> ProviderSettings:
    """Validate the ``[<provider>]`` table of ``settings`` with the provider's model."""
    model = spec.load_settings_model()
    raw = settings.providers.get(spec.name, {})
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigurationError(describe_validation_error(exc, f"[{spec.name}]")) from None


def shareable_settings(settings: Settings, registry: Registry | None = None) -> dict[str, Any]:
    """``settings`` as JSON without any secret, for job payloads and logs.

    A provider setting is secret when its model types it ``SecretStr`` (keys, passwords,
    connection strings); such values are left out, and a worker adds them back from its
    own environment (``SOCIALREFERRAL__<PROVIDER>__<FIELD>``).
    """
    registry = registry or load_registry()
    data = settings.model_dump(mode="json")
    models = {name: spec for (_, name), spec in registry.providers.items()}
    data["providers"] = {
        name: _without_secrets(table, models[name].load_settings_model())
        if name in models
        else table
        for name, table in settings.providers.items()
    }
    return data


def _without_secrets(table: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in table.items():
        field = model.model_fields.get(key)
        annotation = field.annotation if field is not None else None
        if annotation is not None and _mentions(annotation, SecretStr):
            continue
        nested = _model_in(annotation)
        if nested is not None and isinstance(value, dict):
            value = _without_secrets(value, nested)
        kept[key] = value
    return kept


def _mentions(annotation: Any, target: type) -> bool:
    return annotation is target or any(_mentions(a, target) for a in get_args(annotation))


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def check_provider_tables(settings: Settings, registry: Registry) -> None:
    """Reject a table that is neither a setting nor a known provider (typos)."""
    known = {name for _, name in registry.providers}
    for table in settings.providers:
        if table not in known:
            raise ConfigurationError(
                f"[{table}]: not a setting and no installed provider has that name "
                f"(providers: {', '.join(sorted(known))})"
            )


def build_adapter(
    port: str, settings: Settings, registry: Registry, context: BuildContext
) -> Adapter:
    """Build the adapter that ``settings`` chooses for ``port``."""
    name = getattr(settings.ports, port)
    spec = registry.spec(port, name)
    adapter_class: Any = spec.load_adapter()
    base = PORTS[port]
    if not (isinstance(adapter_class, type) and issubclass(adapter_class, base)):
        raise ConfigurationError(f"{spec.adapter} is not a {base.__name__} adapter")
    adapter: Adapter = adapter_class.from_settings(provider_settings(settings, spec), context)
    adapter.retry = RetryPolicy(**settings.retry.model_dump())
    return adapter


#: Emulators only: what runs AWS Batch jobs' commands locally when the settings say
#: ``[aws] emulator_runs_jobs = true`` (moto runs no container). Named by path and imported
#: only when such an adapter is built, so production code never loads it.
EMULATOR_JOB_RUNNER = "socialreferral.testing.emulators.aws_batch:EmulatedJobs"


def emulator_job_runner(env: Mapping[str, str]) -> Any:
    """Build the emulator job runner (``BuildContext.extra["emulator_job_runner"]``) with
    the environment its job subprocesses get on top of this process's."""
    module, _, name = EMULATOR_JOB_RUNNER.partition(":")
    return getattr(importlib.import_module(module), name)(env)


#: Ports whose built adapters are handed to the adapters built after them
#: (``BuildContext.extra``): a network adapter reads its OAuth tokens from the SecretStore
#: by name at call time and remembers the message ids it sent in the DocumentStore.
SHARED_PORTS = ("store", "secrets")


def with_ports(context: BuildContext, built: Mapping[str, Adapter]) -> BuildContext:
    """``context`` with the already built adapters of :data:`SHARED_PORTS` in ``extra``
    (under their port names), so later adapters get them injected, never build them."""
    shared = {port: built[port] for port in SHARED_PORTS if port in built}
    if not shared:
        return context
    return replace(context, extra={**context.extra, **shared})


def build_providers(
    settings: Settings | None = None,
    *,
    registry: Registry | None = None,
    context: BuildContext | None = None,
) -> Providers:
    """Build every port's adapter. Settings default to ``Settings()`` (all local)."""
    settings = settings or Settings()
    registry = registry or load_registry()
    check_provider_tables(settings, registry)
    context = context or BuildContext(
        tasks=dict(registry.tasks),
        namespace=settings.namespace,
        # The application's [scaling] policy, so a batch adapter sizes workers by the same
        # rule the service uses (one table in the settings file, not one per provider);
        # and the emulator job runner, which an adapter uses only if its settings ask.
        extra={"scaling": settings.scaling, "emulator_job_runner": emulator_job_runner},
    )
    built: dict[str, Adapter] = {}
    try:
        for port in PORTS:
            built[port] = build_adapter(port, settings, registry, with_ports(context, built))
    except BaseException:
        for adapter in built.values():
            adapter.close()
        raise
    try:
        logins = build_logins(settings, registry, context)
    except BaseException:
        for adapter in built.values():
            adapter.close()
        raise
    return Providers(settings=settings, registry=registry, logins=logins,
                     **built)  # type: ignore[arg-type]


def build_logins(settings: Settings, registry: Registry,
                 context: BuildContext | None = None) -> dict[str, OAuthLogin]:
    """The OAuth login of every registered network whose provider table configures an
    app (``app_id`` or ``client_id``), keyed by network."""
    logins: dict[str, OAuthLogin] = {}
    for network, spec in sorted(registry.logins.items()):
        table = settings.providers.get(spec.provider) or {}
        if not (table.get("app_id") or table.get("client_id")):
            continue
        model = spec.load_settings_model()
        try:
            validated = model.model_validate(table)
        except ValidationError as exc:
            raise ConfigurationError(
                describe_validation_error(exc, f"[{spec.provider}]")) from None
        login = spec.load_login().from_settings(validated, context or BuildContext())
        if not isinstance(login, OAuthLogin):
            raise ConfigurationError(f"{spec.login} is not an OAuthLogin")
        logins[network] = login
    return logins


__all__ = [
    "EMULATOR_JOB_RUNNER",
    "SHARED_PORTS",
    "Providers",
    "build_adapter",
    "build_logins",
    "build_providers",
    "emulator_job_runner",
    "provider_settings",
    "shareable_settings",
    "with_ports",
]
