"""The SecretStore port: versioned secrets whose values never reach logs."""

from __future__ import annotations

import re
from abc import abstractmethod

from socialreferral.errors import (
    InvalidInput,
    Unsupported,
)
from socialreferral.ports._base import Adapter, RetryPolicy
from socialreferral.records import (
    Capability,
    Secret,
    SecretVersion,
)

_SECRET_NAME = re.compile(r"^[A-Za-z0-9-]{1,127}$")  # Key Vault's rule, the strictest of all


# ======================================================================================
# SecretStore
# ======================================================================================
class SecretStore(Adapter):
    """Named secrets (OAuth tokens, app secrets, signing keys) with versions.

    Names are 1-127 letters, digits or dashes (Key Vault's rule, so a name works on every
    backend). Values never appear in ``repr``/``str`` of a :class:`Secret`.
    """

    def __init__(self, *, retry: RetryPolicy | None = None) -> None:
        if retry is not None:
            self.retry = retry

    @abstractmethod
    def _get(self, name: str, version: str | None) -> Secret:
        """Return the current (or the given) version; raise ``SecretNotFound``."""

    @abstractmethod
    def _set(self, name: str, value: str) -> Secret:
        """Store ``value`` as the new current version."""

    @abstractmethod
    def _delete(self, name: str) -> None:
        """Delete every version; raise ``SecretNotFound`` if there is none."""

    def _versions(self, name: str) -> list[SecretVersion]:
        raise Unsupported(self.adapter_name, Capability.VERSIONS)

    def get(self, name: str, *, version: str | None = None) -> Secret:
        """The secret (current version unless ``version`` is given)."""
        self._check(name)
        if version is not None:
            self.require(Capability.VERSIONS)
        return self._call(self._get, name, version)

    def get_value(self, name: str) -> str:
        """Shortcut for ``get(name).value``."""
        return self.get(name).value

    def set(self, name: str, value: str) -> Secret:
        """Store a new version and make it current."""
        self._check(name)
        if not isinstance(value, str) or not value:
            raise InvalidInput("must be a non-empty string", field="value")
        return self._call(self._set, name, value)

    def versions(self, name: str) -> list[SecretVersion]:
        """Every version's metadata, oldest first."""
        self._check(name)
        self.require(Capability.VERSIONS)
        return self._call(self._versions, name)

    def delete(self, name: str) -> None:
        """Delete the secret and all its versions."""
        self._check(name)
        self._call(self._delete, name)

    @staticmethod
    def _check(name: str) -> None:
        if not isinstance(name, str) or not _SECRET_NAME.match(name):
            raise InvalidInput("must be 1-127 letters, digits or '-'", field="name")
