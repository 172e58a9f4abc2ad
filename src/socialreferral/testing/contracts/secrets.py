"""Conformance tests every :class:`~socialreferral.ports.SecretStore` adapter must pass.

Fixture API (provide both in the test class or a mixin)::

    secret_store  a fresh, empty adapter instance (function scope); closed by the fixture
    backend       a short string naming what the adapter ran against ("sqlite file",
                  "moto in-process", "https fake of Key Vault"); recorded on every test
                  with ``record_property("backend", ...)`` so reports say what was tested

Usage::

    class TestVaultSecretStore(SecretStoreContract):
        @pytest.fixture
        def backend(self) -> str:
            return "https fake of Key Vault"

        @pytest.fixture
        def secret_store(self, vault_fake):
            store = KeyVaultSecretStore(...)
            yield store
            store.close()

Tests of the ``versions`` and ``list`` capabilities check the behaviour when the adapter
declares them, and that :class:`~socialreferral.errors.Unsupported` is raised when it does
not. The listing test only looks for the names it wrote, so the store may hold others
(a shared account, a session-wide fake).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from socialreferral.errors import InvalidInput, SecretNotFound, Unsupported
from socialreferral.ports import SecretStore
from socialreferral.ports.secrets import MAX_SECRET_BYTES
from socialreferral.records import Capability


def _name() -> str:
    # Unique names keep tests independent on backends that cannot be wiped between tests.
    return f"contract-{uuid.uuid4().hex[:12]}"


class SecretStoreContract:
    """Mixin of behaviour tests; subclass it with ``secret_store`` and ``backend`` fixtures."""

    @pytest.fixture(autouse=True)
    def _record_backend(self, record_property: Any, backend: str) -> None:
        record_property("backend", backend)

    def test_set_then_get_round_trips(self, secret_store: SecretStore) -> None:
        name = _name()
        written = secret_store.set(name, "tok-ümlaut-🔑")
        read = secret_store.get(name)
        assert read.value == "tok-ümlaut-🔑"
        assert read.name == name
        assert read.version == written.version
        assert secret_store.get_value(name) == "tok-ümlaut-🔑"

    def test_value_hidden_in_repr_and_str(self, secret_store: SecretStore) -> None:
        name = _name()
        secret_store.set(name, "very-secret-value")
        secret = secret_store.get(name)
        assert "very-secret-value" not in repr(secret)
        assert "very-secret-value" not in str(secret)

    def test_get_missing_raises_secret_not_found(self, secret_store: SecretStore) -> None:
        with pytest.raises(SecretNotFound):
            secret_store.get(_name())
        with pytest.raises(KeyError):  # callers that only know builtins still catch it
            secret_store.get(_name())

    def test_set_replaces_current_value(self, secret_store: SecretStore) -> None:
        name = _name()
        secret_store.set(name, "first")
        secret_store.set(name, "second")
        assert secret_store.get_value(name) == "second"

    def test_versions_oldest_first_with_current_flag(self, secret_store: SecretStore) -> None:
        name = _name()
        if not secret_store.supports(Capability.VERSIONS):
            secret_store.set(name, "v1")
            with pytest.raises(Unsupported):
                secret_store.versions(name)
            with pytest.raises(Unsupported):
                secret_store.get(name, version="1")
            return
        first = secret_store.set(name, "v1")
        second = secret_store.set(name, "v2")
        assert first.version != second.version
        versions = secret_store.versions(name)
        assert [v.version for v in versions] == [first.version, second.version]
        assert [v.current for v in versions] == [False, True]
        assert all(v.name == name for v in versions)
        assert secret_store.get(name, version=first.version).value == "v1"
        assert secret_store.get(name, version=second.version).value == "v2"
        assert secret_store.get(name).version == second.version
        with pytest.raises(SecretNotFound):
            secret_store.get(name, version="999999")

    def test_names_lists_each_stored_secret_once(self, secret_store: SecretStore) -> None:
        first, second = _name(), _name()
        if not secret_store.supports(Capability.LIST):
            with pytest.raises(Unsupported):
                secret_store.names()
            return
        secret_store.set(first, "v1")
        secret_store.set(first, "v2")  # two versions, one name
        secret_store.set(second, "v1")
        names = secret_store.names()
        assert names.count(first) == 1 and names.count(second) == 1
        assert names == sorted(names)
        assert "v1" not in names and "v2" not in names
        secret_store.delete(first)
        after = secret_store.names()
        assert first not in after and second in after

    def test_delete_then_get_raises(self, secret_store: SecretStore) -> None:
        name = _name()
        secret_store.set(name, "v1")
        secret_store.set(name, "v2")
        secret_store.delete(name)
        with pytest.raises(SecretNotFound):
            secret_store.get(name)

    def test_delete_missing_raises(self, secret_store: SecretStore) -> None:
        with pytest.raises(SecretNotFound):
            secret_store.delete(_name())

    @pytest.mark.parametrize("bad", ["", "has space", "under_score", "x" * 128, "dot.name"])
    def test_invalid_name_rejected(self, secret_store: SecretStore, bad: str) -> None:
        with pytest.raises(InvalidInput):
            secret_store.set(bad, "value")
        with pytest.raises(InvalidInput):
            secret_store.get(bad)

    def test_empty_value_rejected(self, secret_store: SecretStore) -> None:
        with pytest.raises(InvalidInput):
            secret_store.set(_name(), "")

    def test_oversized_value_rejected_before_the_backend(self, secret_store: SecretStore) -> None:
        name = _name()
        with pytest.raises(InvalidInput):
            secret_store.set(name, "x" * (MAX_SECRET_BYTES + 1))
        with pytest.raises(SecretNotFound):
            secret_store.get(name)
        largest = "é" * (MAX_SECRET_BYTES // 2)  # the limit counts UTF-8 bytes
        secret_store.set(name, largest)
        assert secret_store.get_value(name) == largest
