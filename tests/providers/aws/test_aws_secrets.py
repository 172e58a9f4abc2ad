"""SecretsManagerStore behaviour beyond the conformance kit: the TTL cache, staging-label
versions and rollback, the name prefix (also for listing), retried throttling. Backends:
moto in-process and the moto_server subprocess (see each class's ``backend``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from aws_moto import InProcess, OnServer, fail_first, record_operations, settings, unique

from socialreferral.errors import SecretNotFound
from socialreferral.ports import RetryPolicy
from socialreferral.providers import BuildContext
from socialreferral.providers.aws import secrets as aws_secrets
from socialreferral.providers.aws.secrets import SecretsManagerStore

pytestmark = pytest.mark.aws

Make = Callable[..., SecretsManagerStore]


class _SecretsTests:
    @pytest.fixture
    def make(self, endpoint: str | None) -> Iterator[Make]:
        prefix = f"{unique('app')}/"
        made: list[SecretsManagerStore] = []

        def make(cache_ttl: float = 60.0) -> SecretsManagerStore:
            store = SecretsManagerStore.from_settings(
                settings(endpoint, secret_prefix=prefix, secrets_cache_ttl=cache_ttl),
                BuildContext(),
            )
            store.retry = RetryPolicy(attempts=5, initial_wait=0.01, max_wait=0.05)
            made.append(store)
            return store

        yield make
        for store in made:
            store.close()

    def test_cache_serves_reads_until_ttl(self, make: Make, backend: str) -> None:
        writer, reader = make(), make(cache_ttl=0.5)
        writer.set("oauth-token", "v1")
        calls = record_operations(reader.sm)
        assert reader.get_value("oauth-token") == "v1"
        assert reader.get_value("oauth-token") == "v1"
        assert calls.count("GetSecretValue") == 1, f"[{backend}] second read not cached"
        writer.set("oauth-token", "v2")
        assert reader.get_value("oauth-token") == "v1"  # stale until the TTL passes
        time.sleep(0.6)
        assert reader.get_value("oauth-token") == "v2"
        assert calls.count("GetSecretValue") == 2

    def test_own_writes_refresh_the_cache(self, make: Make) -> None:
        store = make()
        store.set("key", "a")
        store.get("key")
        store.set("key", "b")
        assert store.get_value("key") == "b"

    def test_zero_ttl_disables_the_cache(self, make: Make) -> None:
        store = make(cache_ttl=0)
        store.set("key", "a")
        calls = record_operations(store.sm)
        store.get("key")
        store.get("key")
        assert calls.count("GetSecretValue") == 2

    def test_versions_by_staging_label_and_rollback(self, make: Make, backend: str) -> None:
        store = make(cache_ttl=0)
        first = store.set("signing-key", "k1")
        second = store.set("signing-key", "k2")
        raw = store.sm.describe_secret(SecretId=store.prefix + "signing-key")
        stages = raw["VersionIdsToStages"]
        assert "AWSCURRENT" in stages[second.version], backend
        assert "AWSPREVIOUS" in stages[first.version]
        store.promote("signing-key", first.version)
        assert store.get("signing-key").version == first.version
        assert store.get_value("signing-key") == "k1"
        current = [v.version for v in store.versions("signing-key") if v.current]
        assert current == [first.version]

    def test_names_live_under_the_prefix(self, make: Make) -> None:
        store = make()
        store.set("app-secret", "s")
        raw = store.sm.get_secret_value(SecretId=store.prefix + "app-secret")
        assert raw["SecretString"] == "s"
        store.delete("app-secret")
        with pytest.raises(SecretNotFound):
            store.get("app-secret")

    def test_names_are_this_prefix_only_and_paged(
        self, make: Make, backend: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(aws_secrets, "_LIST_PAGE_SIZE", 2)  # force several pages
        store = make()
        for name in ("alpha", "beta", "gamma"):
            store.set(name, "value")
        store.set("beta", "value-2")  # a second version is still one name
        store.sm.create_secret(Name=f"other-{store.prefix}delta", SecretString="x")
        store.sm.create_secret(Name=f"{store.prefix}nested/path", SecretString="x")
        calls = record_operations(store.sm)
        assert store.names() == ["alpha", "beta", "gamma"], backend
        assert calls.count("ListSecrets") >= 2, "pagination not followed"
        store.delete("gamma")
        assert store.names() == ["alpha", "beta"]

    def test_throttling_is_retried(self, make: Make, backend: str) -> None:
        store = make(cache_ttl=0)
        puts = fail_first(store.sm, "PutSecretValue", 2)
        gets = fail_first(store.sm, "GetSecretValue", 2, code="InternalServiceError")
        store.set("t", "value")
        assert store.get_value("t") == "value", backend
        assert len(gets) == 3 and len(puts) >= 3


class TestSecretsInProcess(InProcess, _SecretsTests):
    pass


class TestSecretsOnServer(OnServer, _SecretsTests):
    pass
