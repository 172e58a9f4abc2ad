"""SecretsManagerStore: the SecretStore port on AWS Secrets Manager, with a TTL cache.

Features
    get/set/delete; versions through staging labels: ``set`` creates the secret or puts a
    new value (Secrets Manager moves ``AWSCURRENT`` to it and ``AWSPREVIOUS`` to the old
    one), ``versions`` lists every version id with ``current`` = holds ``AWSCURRENT``, and
    :meth:`SecretsManagerStore.promote` moves ``AWSCURRENT`` back to an older version
    (rollback). An in-process cache keeps current values for ``secrets_cache_ttl`` seconds
    (0 disables it) and version-pinned values for good (versions are immutable); writes
    through this instance refresh it, writes by other processes are seen after the TTL.
    ``names`` (capability ``list``) pages through ListSecrets, filtered to the prefix on
    the server and again here (the service's name filter ignores case), so a deployment
    sees only its own secrets; secrets scheduled for deletion are not listed.
    Capabilities: ``versions``, ``list``.

Names
    The port's names (letters, digits, dashes) are stored under ``secret_prefix``
    (default ``socialreferral/``), so one account can hold several deployments and IAM
    policies can be scoped to ``arn:aws:secretsmanager:*:*:secret:socialreferral/*``.

Configuration and permissions
    ``[aws]``: ``secret_prefix``, ``secrets_cache_ttl``, ``secret_recovery_days`` (0 =
    delete at once, 7-30 = recoverable; a name cannot be reused while in recovery).
    Least privilege on the prefix: ``secretsmanager:GetSecretValue``,
    ``CreateSecret``, ``PutSecretValue``, ``ListSecretVersionIds``, ``DescribeSecret`` and
    ``DeleteSecret``; ``UpdateSecretVersionStage`` only for ``promote``;
    ``ListSecrets`` (which IAM cannot scope to a resource) only for ``names``.
"""

from __future__ import annotations

import threading
import time
from typing import Any, ClassVar, Self

from socialreferral.errors import SecretNotFound, SecretStoreError, TransientError
from socialreferral.ports import RetryPolicy, SecretStore
from socialreferral.providers import BuildContext
from socialreferral.providers.aws.clients import make_client
from socialreferral.providers.aws.errors import error_code, map_boto_errors
from socialreferral.providers.aws.settings import AwsSettings
from socialreferral.records import Capability, Secret, SecretVersion

_CURRENT = "AWSCURRENT"
_LIST_PAGE_SIZE = 100  # ListSecrets' maximum


class SecretsManagerStore(SecretStore):
    """Secret store on AWS Secrets Manager (see the module docstring)."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.VERSIONS, Capability.LIST}
    )
    provider: ClassVar[str] = "aws"

    def __init__(
        self,
        secretsmanager: Any,
        *,
        prefix: str = "socialreferral/",
        cache_ttl: float = 60.0,
        recovery_days: int = 0,
        retry: RetryPolicy | None = None,
    ) -> None:
        """Wrap a boto3 Secrets Manager client."""
        super().__init__(retry=retry)
        self.sm, self.prefix = secretsmanager, prefix
        self.cache_ttl, self.recovery_days = cache_ttl, recovery_days
        self._current: dict[str, tuple[float, Secret]] = {}
        self._pinned: dict[tuple[str, str], Secret] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: AwsSettings, context: BuildContext) -> Self:
        """Build from ``[aws]`` settings."""
        return cls(
            make_client(settings, "secretsmanager"),
            prefix=settings.secret_prefix,
            cache_ttl=settings.secrets_cache_ttl,
            recovery_days=settings.secret_recovery_days,
        )

    # -- primitives ----------------------------------------------------------------
    def _get(self, name: str, version: str | None) -> Secret:
        if version is None:
            with self._lock:
                cached = self._current.get(name)
            if cached is not None and cached[0] > time.monotonic():
                return cached[1]
        elif (name, version) in self._pinned:
            return self._pinned[(name, version)]
        elif not 32 <= len(version) <= 64:
            # Secrets Manager version ids are 32-64 characters: anything else names none
            raise SecretNotFound(f"{name}: no version {version!r}")
        # passing the stage explicitly matters: after UpdateSecretVersionStage, moto (and a
        # cached default) could otherwise answer with the version that lost the label
        selector = {"VersionId": version} if version else {"VersionStage": _CURRENT}
        with map_boto_errors(SecretStoreError, not_found=SecretNotFound, what=name):
            answer = self._fetch(name, selector)
        secret = Secret(
            name,
            answer["VersionId"],
            answer["SecretString"],
            _epoch(answer.get("CreatedDate")),
        )
        self._remember(secret, current=version is None)
        return secret

    def _fetch(self, name: str, selector: dict[str, str]) -> Any:
        try:
            return self.sm.get_secret_value(SecretId=self.prefix + name, **selector)
        except Exception as exc:
            # an unknown VersionId is a validation error on some backends
            if error_code(exc) in {"ValidationException", "InvalidParameterException"}:
                raise SecretNotFound(f"{name}: {selector}") from exc
            if error_code(exc) == "InvalidRequestException":  # marked for deletion
                raise SecretNotFound(f"{name} is scheduled for deletion") from exc
            raise

    def _set(self, name: str, value: str) -> Secret:
        secret_id = self.prefix + name
        try:
            with map_boto_errors(SecretStoreError, not_found=SecretNotFound, what=name):
                answer = self.sm.put_secret_value(SecretId=secret_id, SecretString=value)
        except SecretNotFound:
            # first version: create the secret (a concurrent creator makes this raise
            # ResourceExistsException; the base's retry of _set then takes the put path)
            with map_boto_errors(SecretStoreError, what=name):
                try:
                    answer = self.sm.create_secret(Name=secret_id, SecretString=value)
                except Exception as exc:
                    if error_code(exc) == "ResourceExistsException":
                        raise TransientError(f"{name} was created concurrently") from exc
                    raise
        secret = Secret(name, answer["VersionId"], value, time.time())
        self._remember(secret, current=True)
        return secret

    def _delete(self, name: str) -> None:
        request: dict[str, Any] = {"SecretId": self.prefix + name}
        if self.recovery_days:
            request["RecoveryWindowInDays"] = self.recovery_days
        else:
            request["ForceDeleteWithoutRecovery"] = True
        with self._lock:
            self._current.pop(name, None)
            for pinned in [k for k in self._pinned if k[0] == name]:
                del self._pinned[pinned]
        with map_boto_errors(SecretStoreError, not_found=SecretNotFound, what=name):
            # a forced delete of a missing secret succeeds silently on AWS, but the port
            # promises SecretNotFound: ask first
            self.sm.describe_secret(SecretId=self.prefix + name)
            self.sm.delete_secret(**request)

    def _versions(self, name: str) -> list[SecretVersion]:
        found: list[SecretVersion] = []
        request: dict[str, Any] = {"SecretId": self.prefix + name, "IncludeDeprecated": True}
        while True:
            with map_boto_errors(SecretStoreError, not_found=SecretNotFound, what=name):
                answer = self.sm.list_secret_version_ids(**request)
            for version in answer.get("Versions", ()):
                found.append(
                    SecretVersion(
                        name,
                        version["VersionId"],
                        _epoch(version.get("CreatedDate")),
                        _CURRENT in version.get("VersionStages", ()),
                    )
                )
            if not answer.get("NextToken"):
                break
            request["NextToken"] = answer["NextToken"]
        # versions created in the same second tie on CreatedDate; the current one is the
        # newest unless promote() moved the label back, so it breaks ties last
        found.sort(key=lambda v: (v.created_at, v.current))
        return found

    def _names(self) -> list[str]:
        request: dict[str, Any] = {"MaxResults": _LIST_PAGE_SIZE}
        if self.prefix:
            request["Filters"] = [{"Key": "name", "Values": [self.prefix]}]
        found: list[str] = []
        while True:
            with map_boto_errors(SecretStoreError, what="ListSecrets"):
                answer = self.sm.list_secrets(**request)
            found.extend(
                entry["Name"][len(self.prefix) :]
                for entry in answer.get("SecretList", ())
                if entry.get("Name", "").startswith(self.prefix)
            )
            if not answer.get("NextToken"):
                return found
            request["NextToken"] = answer["NextToken"]

    # -- extras --------------------------------------------------------------------
    def promote(self, name: str, version: str) -> None:
        """Make ``version`` current again (rollback): moves the ``AWSCURRENT`` label."""
        self._check(name)
        current = next((v for v in self.versions(name) if v.current), None)
        request: dict[str, Any] = {
            "SecretId": self.prefix + name,
            "VersionStage": _CURRENT,
            "MoveToVersionId": version,
        }
        if current is not None:
            request["RemoveFromVersionId"] = current.version
        with map_boto_errors(SecretStoreError, not_found=SecretNotFound, what=name):
            self._call(lambda: self.sm.update_secret_version_stage(**request))
        with self._lock:
            self._current.pop(name, None)

    def _remember(self, secret: Secret, *, current: bool) -> None:
        if self.cache_ttl <= 0:
            return
        with self._lock:
            self._pinned[(secret.name, secret.version)] = secret
            if current:
                self._current[secret.name] = (time.monotonic() + self.cache_ttl, secret)

    def close(self) -> None:
        """Drop the cache and close the client's connection pool."""
        with self._lock:
            self._current.clear()
            self._pinned.clear()
        self.sm.close()


def _epoch(value: Any) -> float:
    return float(value.timestamp()) if hasattr(value, "timestamp") else 0.0


__all__ = ["SecretsManagerStore"]
