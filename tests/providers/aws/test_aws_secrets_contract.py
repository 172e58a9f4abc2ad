"""The shipped SecretStore conformance kit on SecretsManagerStore, on moto in-process
(``mock_aws``) and on a moto_server subprocess over HTTP (each class's ``backend``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aws_moto import InProcess, OnServer, settings, unique

from socialreferral.providers import BuildContext
from socialreferral.providers.aws.secrets import SecretsManagerStore
from socialreferral.testing.contracts import SecretStoreContract

pytestmark = pytest.mark.aws


class _SecretsFixtures:
    @pytest.fixture
    def secret_store(self, endpoint: str | None) -> Iterator[SecretsManagerStore]:
        # a prefix per test keeps tests independent on the shared server
        store = SecretsManagerStore.from_settings(
            settings(endpoint, secret_prefix=f"{unique('contract')}/"), BuildContext()
        )
        yield store
        store.close()


class TestSecretsManagerStoreInProcess(InProcess, _SecretsFixtures, SecretStoreContract):
    pass


class TestSecretsManagerStoreOnServer(OnServer, _SecretsFixtures, SecretStoreContract):
    pass
