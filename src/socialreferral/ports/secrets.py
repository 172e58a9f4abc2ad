"""The SecretStore port: versioned secrets whose values never reach logs."""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Iterable

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

MAX_SECRET_BYTES = 25_000
"""Largest value accepted (UTF-8 bytes): Key Vault's limit, the smallest of the backends
(Secrets Manager takes 65,536), so a value that works locally works everywhere."""


# ======================================================================================
# SecretStore
# ======================================================================================
class SecretStore(Adapter):
    """Named secrets (OAuth tokens, app secrets, signing keys) with versions.

    Names are 1-127 letters, digits or dashes (Key Vault's rule, so a name works on every
    backend); values are non-empty text of at most :data:`MAX_SECRET_BYTES`. Values never
    appear in ``repr``/``str`` of a :class:`Secret`. Adapters that can enumerate their
    secrets declare the ``list`` capability and implement :meth:`_names`.
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

    def _names(self) -> Iterable[str]:
        """Every secret name this store holds (any order; values are never read)."""
        raise Unsupported(self.adapter_name, Capability.LIST)

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
        if len(value.encode("utf-8", "surrogatepass")) > MAX_SECRET_BYTES:
            raise InvalidInput(f"longer than {MAX_SECRET_BYTES} bytes", field="value")
        return self._call(self._set, name, value)

    def versions(self, name: str) -> list[SecretVersion]:
        """Every version's metadata, oldest first."""
        self._check(name)
        self.require(Capability.VERSIONS)
        return self._call(self._versions, name)

    def names(self) -> list[str]:
        """The names of every stored secret, sorted (capability ``list``).

        Only names a port can address are returned: a backend entry outside the name
        rule (created by other tools in the same account or vault) is left out.
        """
        self.require(Capability.LIST)
        found = self._call(lambda: list(self._names()))
        return sorted({n for n in found if isinstance(n, str) and _SECRET_NAME.match(n)})

    def delete(self, name: str) -> None:
        """Delete the secret and all its versions."""
        self._check(name)
        self._call(self._delete, name)

    @staticmethod
    def _check(name: str) -> None:
        check_secret_name(name)


def check_secret_name(name: str) -> None:
    """``InvalidInput(field="name")`` unless ``name`` follows the port's name rule (so a
    caller can reject a name before it asks anyone for the value)."""
    if not isinstance(name, str) or not _SECRET_NAME.match(name):
        raise InvalidInput("must be 1-127 letters, digits or '-'", field="name")
