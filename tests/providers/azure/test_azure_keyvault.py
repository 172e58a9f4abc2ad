"""KeyVaultSecretStore with the real ``SecretClient`` against the HTTPS fake of Key Vault
(``keyvault_fake.py``: pytest-httpserver + trustme, challenge authentication included).

Not covered: the real service's RBAC decisions, throttling, purge protection, replication
delay between a delete and a recover, Entra ID token acquisition (a test double hands out
the token).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from keyvault_fake import TENANT, RecordingCredential

from socialreferral.errors import SecretNotFound
from socialreferral.providers import BuildContext
from socialreferral.providers.azure.keyvault import KeyVaultSecretStore
from socialreferral.providers.azure.settings import AzureSettings
from socialreferral.testing.contracts.secrets import SecretStoreContract

pytestmark = pytest.mark.azure


def build_store(key_vault: tuple[str, str, Any], **settings: Any) -> KeyVaultSecretStore:
    url, ca_file, _ = key_vault
    config = AzureSettings(
        key_vault_url=url,
        key_vault_verify_challenge_resource=False,  # the fake's resource is not *.vault.azure.net
        connection_verify=ca_file,
        **settings,
    )
    credential = RecordingCredential()
    return KeyVaultSecretStore.from_settings(
        config, BuildContext(extra={"azure_credential": credential})
    )


class TestKeyVaultContract(SecretStoreContract):
    """The conformance kit through the real SecretClient against the HTTPS fake."""

    @pytest.fixture
    def backend(self) -> str:
        return "HTTPS fake of Key Vault (real SecretClient)"

    @pytest.fixture
    def secret_store(self, key_vault: tuple[str, str, Any]) -> Iterator[KeyVaultSecretStore]:
        store = build_store(key_vault)
        yield store
        store.close()


def test_challenge_auth_asks_the_injected_credential(key_vault: tuple[str, str, Any]) -> None:
    """Against the fake: the first request goes out without a token, gets the 401
    challenge, and the injected credential is asked for the vault scope in the challenge's
    tenant; the retried request carries the token. Not covered: a real Entra ID token."""
    url, ca_file, fake = key_vault
    credential = RecordingCredential()
    config = AzureSettings(
        key_vault_url=url, key_vault_verify_challenge_resource=False, connection_verify=ca_file
    )
    store = KeyVaultSecretStore.from_settings(
        config, BuildContext(extra={"azure_credential": credential})
    )
    start = len(fake.requests)
    name = f"auth-{uuid.uuid4().hex[:8]}"
    store.set(name, "v")
    assert credential.calls == [(("https://vault.azure.net/.default",), TENANT)]
    # The SDK caches a vault's challenge per process, so only the very first request to
    # the fake goes out unauthenticated; every request for this secret carries the token.
    assert fake.requests[0][2] is False
    mine = [r for r in fake.requests[start:] if r[1] == f"/secrets/{name}"]
    assert mine and all(authorised for _, _, authorised in mine)
    store.close()


def test_set_after_soft_delete_recovers_then_writes(key_vault: tuple[str, str, Any]) -> None:
    """Against the fake: after delete, the name is deleted-but-recoverable (the service
    refuses writes with 409 ObjectIsDeletedButRecoverable); set() recovers it and writes a
    new current version, keeping the history. Not covered: the service's recovery delay."""
    store = build_store(key_vault)
    name = f"soft-{uuid.uuid4().hex[:8]}"
    first = store.set(name, "one")
    store.delete(name)
    with pytest.raises(SecretNotFound):
        store.get(name)
    again = store.set(name, "two")
    assert store.get_value(name) == "two"
    assert [v.version for v in store.versions(name)] == [first.version, again.version]
    store.close()


def test_purge_on_delete_frees_the_name(key_vault: tuple[str, str, Any]) -> None:
    """Against the fake: with key_vault_purge_on_delete the deleted secret is purged, so a
    new set starts a fresh history. Not covered: vaults with purge protection (they refuse)."""
    store = build_store(key_vault, key_vault_purge_on_delete=True)
    _, _, fake = key_vault
    name = f"purge-{uuid.uuid4().hex[:8]}"
    store.set(name, "one")
    store.delete(name)
    assert name not in fake.deleted
    store.set(name, "two")
    assert [v.current for v in store.versions(name)] == [True]
    store.close()


def test_names_follow_pages_and_skip_certificate_secrets(
    key_vault: tuple[str, str, Any],
) -> None:
    """Against the fake: more secrets than one page (the fake, like the service, pages by
    25) are all listed by following nextLink; a secret Key Vault manages for a certificate
    is left out. Not covered: the service's own page sizes and ordering."""
    store = build_store(key_vault)
    _, _, fake = key_vault
    tag = uuid.uuid4().hex[:8]
    mine = [f"page-{tag}-{i:02d}" for i in range(30)]
    for name in mine:
        store.set(name, "v")
    certificate = f"cert-{tag}"
    store.set(certificate, "-----BEGIN CERTIFICATE-----")
    fake.managed.add(certificate)
    start = len(fake.requests)
    listed = store.names()
    assert set(mine) <= set(listed)
    assert certificate not in listed
    assert sum(1 for _, path, ok in fake.requests[start:] if path == "/secrets" and ok) >= 2
    fake.managed.discard(certificate)
    store.close()
