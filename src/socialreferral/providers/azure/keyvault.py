"""Azure Key Vault adapter: :class:`KeyVaultSecretStore`.

Features
    * get (current or a given version), set (a new current version), delete;
    * versions, oldest first, with the current one flagged (Key Vault's current version is
      the newest; ties within one second of ``created`` are broken by asking for it);
    * soft-delete aware: ``set`` on a name that is deleted but recoverable recovers it
      first (Key Vault refuses the write with 409 otherwise) and then writes the new
      version; ``delete`` waits for the deletion and, with
      ``key_vault_purge_on_delete``, purges it so the name is free at once;
    * names (capability ``list``): every secret of the vault, read from the secrets'
      properties (no value is fetched); secrets Key Vault manages for certificates are
      left out, as are deleted ones.

Configuration (``[azure]``): ``key_vault_url``; ``key_vault_purge_on_delete``;
``key_vault_verify_challenge_resource`` (False only for test fakes on 127.0.0.1);
``connection_verify`` for a private CA.

Credentials: a token credential only (Key Vault has no keys of its own), injected as
``BuildContext.extra["azure_credential"]`` or ``DefaultAzureCredential``. RBAC role:
*Key Vault Secrets Officer* (get/set/list/delete/recover); add *purge* rights (Key Vault
Contributor / access policy "purge") for ``key_vault_purge_on_delete``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from socialreferral.errors import SecretNotFound, SecretStoreError
from socialreferral.ports import RetryPolicy, SecretStore
from socialreferral.providers.azure.errors import error_code, map_azure_errors
from socialreferral.records import Capability, Secret, SecretVersion

if TYPE_CHECKING:
    from socialreferral.providers import BuildContext
    from socialreferral.providers.azure.settings import AzureSettings

_DELETED_BUT_RECOVERABLE = "ObjectIsDeletedButRecoverable"
_POLL_SECONDS = 1  # the SDK's default of 2 s is slow for deletes that finish at once


class KeyVaultSecretStore(SecretStore):
    """Secrets in one Azure Key Vault."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.VERSIONS, Capability.LIST}
    )
    provider: ClassVar[str] = "azure"

    def __init__(
        self, secret_client: Any, *, purge_on_delete: bool = False, retry: RetryPolicy | None = None
    ) -> None:
        """Wrap an ``azure.keyvault.secrets.SecretClient``."""
        super().__init__(retry=retry)
        self._client = secret_client
        self._purge = purge_on_delete

    @classmethod
    def from_settings(cls, settings: AzureSettings, context: BuildContext) -> Self:
        """Build a ``SecretClient`` on ``key_vault_url`` with the token credential."""
        from socialreferral.providers.azure._clients import sdk, token_credential

        settings.require("KeyVaultSecretStore", "key_vault_url")
        client = sdk("azure.keyvault.secrets").SecretClient(
            settings.key_vault_url,
            token_credential(context),
            verify_challenge_resource=settings.key_vault_verify_challenge_resource,
            connection_verify=settings.connection_verify,
        )
        return cls(client, purge_on_delete=settings.key_vault_purge_on_delete)

    # -- primitives ----------------------------------------------------------------
    def _get(self, name: str, version: str | None) -> Secret:
        subject = name if version is None else f"{name} version {version}"
        with map_azure_errors("secrets", subject):
            return _secret(self._client.get_secret(name, version))

    def _set(self, name: str, value: str) -> Secret:
        try:
            with map_azure_errors("secrets", name):
                return _secret(self._client.set_secret(name, value))
        except SecretStoreError as exc:
            if error_code(exc.__cause__ or exc) != _DELETED_BUT_RECOVERABLE:
                raise
        # Deleted but recoverable: bring the name back (its history too), then write.
        with map_azure_errors("secrets", name):
            self._client.begin_recover_deleted_secret(name, _polling_interval=_POLL_SECONDS).wait()
            return _secret(self._client.set_secret(name, value))

    def _delete(self, name: str) -> None:
        with map_azure_errors("secrets", name):
            self._client.begin_delete_secret(name, _polling_interval=_POLL_SECONDS).wait()
        if self._purge:
            with map_azure_errors("secrets", name):
                self._client.purge_deleted_secret(name)

    def _versions(self, name: str) -> list[SecretVersion]:
        with map_azure_errors("secrets", name):
            listed = list(self._client.list_properties_of_secret_versions(name))
        if not listed:
            raise SecretNotFound(name)
        with map_azure_errors("secrets", name):
            current = str(self._client.get_secret(name).properties.version)

        def order(properties: Any) -> tuple[float, bool]:
            # ``created`` has one-second resolution: put the current version last among
            # versions created in the same second.
            return _timestamp(properties.created_on), properties.version == current

        return [
            SecretVersion(
                name=name,
                version=str(p.version),
                created_at=_timestamp(p.created_on),
                current=p.version == current,
            )
            for p in sorted(listed, key=order)
        ]

    def _names(self) -> list[str]:
        # The SDK's pager follows nextLink; one vault belongs to one deployment, so there
        # is no prefix to filter by (unlike Secrets Manager).
        with map_azure_errors("secrets", "list"):
            return [
                str(p.name)
                for p in self._client.list_properties_of_secrets()
                if not getattr(p, "managed", False)
            ]

    def close(self) -> None:
        """Close the client's HTTP session."""
        self._client.close()


def _timestamp(moment: Any) -> float:
    return float(moment.timestamp()) if moment is not None else 0.0


def _secret(bundle: Any) -> Secret:
    properties = bundle.properties
    return Secret(
        name=str(properties.name),
        version=str(properties.version),
        value=str(bundle.value),
        created_at=_timestamp(properties.created_on),
    )


__all__ = ["KeyVaultSecretStore"]
