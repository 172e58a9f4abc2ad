"""Application settings: which provider serves each port, and how the flows behave.

Settings come from a TOML file overlaid by environment variables, then are validated as a
whole. The file chooses a provider **per port** and carries one table per provider::

    namespace = "acme-bank"

    [ports]
    queue = "aws"        # SQS
    store = "local"      # SQLite
    secrets = "local"

    [local]
    data_dir = "/var/lib/socialreferral"

    [aws]
    region = "eu-west-1"

Environment variables override the file: ``SOCIALREFERRAL__PORTS__QUEUE=aws`` sets
``ports.queue``; ``__`` separates levels. Secrets (keys, connection strings) belong in the
environment or the SecretStore, never in a committed file. Provider tables are validated
by the provider's own settings model when :func:`~socialreferral.bootstrap.build_providers`
builds it; everything else is validated here.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from socialreferral.care.settings import CareSettings
from socialreferral.domain.json_input import check_depth
from socialreferral.domain.operators import ConsoleSettings
from socialreferral.domain.scaling import SCALING_KINDS, AnyScalingPolicy, ScalingPolicy
from socialreferral.domain.settings import ReferralSettings
from socialreferral.errors import ConfigurationError, InvalidInput
from socialreferral.influence.settings import InfluenceSettings
from socialreferral.people.settings import PeopleSettings

ENV_PREFIX = "SOCIALREFERRAL__"
SETTINGS_FILE_ENV = "SOCIALREFERRAL_SETTINGS"
DEFAULT_FILE = Path("socialreferral.toml")
MAX_SETTINGS_BYTES = 1_000_000
MAX_SETTINGS_DEPTH = 12

_PROVIDER_NAME = r"^[a-z][a-z0-9_-]{0,31}$"


class PortSelection(BaseModel):
    """The provider name chosen for each port (``local`` unless said otherwise)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    queue: str = Field(default="local", pattern=_PROVIDER_NAME)
    store: str = Field(default="local", pattern=_PROVIDER_NAME)
    secrets: str = Field(default="local", pattern=_PROVIDER_NAME)
    batch: str = Field(default="local", pattern=_PROVIDER_NAME)
    crm: str = Field(default="local", pattern=_PROVIDER_NAME)
    social: str = Field(default="local", pattern=_PROVIDER_NAME)

    def items(self) -> list[tuple[str, str]]:
        return list(self.model_dump().items())


class RetrySettings(BaseModel):
    """Retries of transient errors in every port (see ``ports.RetryPolicy``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    attempts: int = Field(default=5, ge=1, le=20)
    initial_wait: float = Field(default=0.05, ge=0, le=10)
    max_wait: float = Field(default=2.0, ge=0, le=60)
    #: Longest service-advised wait (Retry-After) a worker sleeps through; longer ones
    #: fail the attempt so the queue redelivers the job later.
    max_advised_wait: float = Field(default=30.0, ge=0, le=900)


class RateLimit(BaseModel):
    """A request budget: at most ``requests`` per ``per_seconds`` (moving window)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requests: int = Field(ge=1, le=1_000_000)
    per_seconds: int = Field(default=60, ge=1, le=86_400)


class WebSettings(BaseModel):
    """``[web]``: how the web app is reached and what it accepts.

    ``public_base_url`` is where prospects and networks reach the app (behind a proxy:
    the proxy's https URL); referral links are built from it, so they match the route the
    app serves. ``max_body_bytes`` bounds every request body while it streams in;
    ``client_rate``/``channel_rate`` bound requests per client address and per webhook
    channel (429 with ``Retry-After`` beyond them). ``care_api`` mounts the care queue's
    agent endpoints (``/care/...``), which have no authentication of their own yet;
    ``influence_api`` mounts the influence dashboard's (``/influence/...``), likewise.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    public_base_url: str = Field(
        default="http://127.0.0.1:8000", pattern=r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[^\s?#]*)?$",
        max_length=300)
    max_body_bytes: int = Field(default=2_000_000, ge=1024, le=50_000_000)
    client_rate: RateLimit = RateLimit(requests=600, per_seconds=60)
    channel_rate: RateLimit = RateLimit(requests=6000, per_seconds=60)
    # The care queue's agent API (/care/...). Off by default: it has no authentication
    # of its own until the console brings one; enable it behind an authenticating proxy.
    care_api: bool = False
    # The influence dashboard's API (/influence/...): off by default, see the docstring.
    influence_api: bool = False


class ScheduleSettings(BaseModel):
    """``[schedule]``: the background work ``socialreferral serve`` runs beside the web app
    on the embedded default (``socialreferral.runtime``).

    ``every_seconds`` overrides a scheduled task's interval by task name (``0`` turns it
    off), e.g. ``[schedule.every_seconds]`` ``"referral.promotions" = 600``. Queue workers
    are started when events wait, as many as the ``[scaling]`` policy asks for; each exits
    after the queue stayed empty for ``worker_idle_seconds``. ``check_seconds`` is how often
    the queue and the schedule are looked at.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    every_seconds: dict[str, float] = Field(default_factory=dict)
    worker_idle_seconds: float = Field(default=30.0, ge=0.1, le=3600)
    check_seconds: float = Field(default=2.0, ge=0.05, le=600)

    @model_validator(mode="after")
    def _intervals(self) -> ScheduleSettings:
        for name, seconds in self.every_seconds.items():
            if not 0 <= seconds <= 31 * 86_400:
                raise ValueError(f"every_seconds.{name}: must be between 0 and 31 days")
        return self


class Settings(BaseModel):
    """The whole validated configuration.

    ``providers`` holds the raw per-provider tables (``[local]``, ``[aws]``, ...) until
    bootstrap validates each against its provider's model. ``referral`` holds the flow
    rules (weights, caps, thresholds); ``care`` the care queue's (business functions,
    weight profiles, brand pages, SLA targets, agents and their caps);
    ``influence`` the tracked keywords, aggregate storage, scoring and spike alerts;
    ``people`` the People flow (fusion, REST, B2B).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    namespace: str = Field(default="socialreferral", pattern=r"^[a-z][a-z0-9-]{1,40}$")
    ports: PortSelection = PortSelection()
    retry: RetrySettings = RetrySettings()
    # The paper's rule unless the table says kind = "backlog" (see domain/scaling.py).
    scaling: AnyScalingPolicy = ScalingPolicy()
    referral: ReferralSettings = Field(default_factory=ReferralSettings)
    # The customer-care queue: functions, profiles, brand pages, SLA, agents (care/).
    care: CareSettings = Field(default_factory=CareSettings)
    # Influencer and campaign analytics: keywords, storage, scoring, alerts (influence/).
    influence: InfluenceSettings = Field(default_factory=InfluenceSettings)
    web: WebSettings = WebSettings()
    console: ConsoleSettings = ConsoleSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    people: PeopleSettings = Field(default_factory=PeopleSettings)
    providers: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # The file these settings were read from, if any (not a setting: never serialised).
    _source_file: Path | None = PrivateAttr(default=None)

    @property
    def source_file(self) -> Path | None:
        """The settings file these settings came from (None for defaults or a mapping)."""
        return self._source_file

    @model_validator(mode="before")
    @classmethod
    def _collect_provider_tables(cls, data: Any) -> Any:
        # Top-level tables that are not settings of their own are provider tables.
        if not isinstance(data, Mapping):
            return data
        known = set(cls.model_fields)
        result: dict[str, Any] = {}
        providers: dict[str, Any] = dict(data.get("providers", {}))
        for key, value in data.items():
            if key in known:
                if key != "providers":
                    result[key] = value
            elif isinstance(value, Mapping):
                # A top-level table refines the same provider's table under "providers"
                # (a job payload carries the latter, the environment adds the former).
                providers[key] = _merge(dict(providers.get(key, {})), value)
            else:
                result[key] = value  # let extra="forbid" name it
        result["providers"] = providers
        return result


def _env_overrides(env: Mapping[str, str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX):
            continue
        path = [part.lower() for part in name[len(ENV_PREFIX) :].split("__") if part]
        if not path:
            continue
        node = overrides
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigurationError(f"environment variable {name} conflicts with another")
            node = child
        node[path[-1]] = value
    return overrides


def _merge(base: dict[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def describe_validation_error(exc: ValidationError, source: str) -> str:
    """One line per problem: ``<source>: ports.queue: <message>``."""
    lines = []
    for error in exc.errors():
        # A discriminated union puts the variant's tag in the location
        # ("scaling.queue_length.max_nodes"): name the field as written, then the kind.
        parts = [str(part) for part in error["loc"]]
        kinds = [p for p in parts[1:2] if parts[0] == "scaling" and p in SCALING_KINDS]
        where = ".".join(p for i, p in enumerate(parts) if not (i == 1 and kinds)) or "(root)"
        if kinds:
            where += f" (kind {kinds[0]})"
        lines.append(f"{source}: {where}: {error['msg']}")
    return "\n".join(lines)


def load_settings(
    path: str | Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Read ``path`` (or ``$SOCIALREFERRAL_SETTINGS``, or ``./socialreferral.toml`` if it
    exists, or nothing), apply ``overrides`` and then the ``SOCIALREFERRAL__*`` variables;
    validate everything.

    Raises :class:`ConfigurationError` naming the file and each invalid field.
    """
    environ = os.environ if env is None else env
    if path is None and environ.get(SETTINGS_FILE_ENV):
        path = environ[SETTINGS_FILE_ENV]
    if path is None and DEFAULT_FILE.is_file():
        path = DEFAULT_FILE
    data: dict[str, Any] = {}
    source = "defaults"
    if path is not None:
        source = str(path)
        data = read_settings_file(path)
    if overrides:
        data = _merge(data, overrides)
        source += " + overrides"
    settings = settings_from_mapping(data, source=source, env=environ)
    if path is not None:
        settings._source_file = Path(path).resolve()
    return settings


def read_settings_file(path: str | Path) -> dict[str, Any]:
    """Parse a TOML settings file (unvalidated); errors name the file."""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_SETTINGS_BYTES:
            raise ConfigurationError(f"{file}: larger than {MAX_SETTINGS_BYTES} bytes")
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"settings file not found: {file}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{file}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigurationError(f"{file}: nested too deeply") from None
    _check_nesting(data, str(file))
    return data


def _check_nesting(data: Mapping[str, Any], source: str) -> None:
    try:
        check_depth(data, field="settings", max_depth=MAX_SETTINGS_DEPTH)
    except InvalidInput:
        raise ConfigurationError(
            f"{source}: nested deeper than {MAX_SETTINGS_DEPTH} levels") from None


def settings_from_mapping(
    data: Mapping[str, Any],
    *,
    source: str = "settings",
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Validate an already-parsed settings mapping, overlaid by ``SOCIALREFERRAL__*``
    variables from ``env`` when given (how a batch worker adds the secrets that were
    deliberately left out of its job payload)."""
    _check_nesting(data, source)
    overrides = _env_overrides(env) if env is not None else {}
    if overrides:
        data = _merge(dict(data), overrides)
        source += " + environment"
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigurationError(describe_validation_error(exc, source)) from None


__all__ = [
    "ENV_PREFIX",
    "SETTINGS_FILE_ENV",
    "ConsoleSettings",
    "InfluenceSettings",
    "PortSelection",
    "RateLimit",
    "RetrySettings",
    "ScheduleSettings",
    "Settings",
    "WebSettings",
    "describe_validation_error",
    "load_settings",
    "read_settings_file",
    "settings_from_mapping",
]
