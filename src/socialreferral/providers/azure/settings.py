"""Settings of the Azure provider (section ``[azure]`` of the settings file).

One model covers every Azure adapter; each adapter reads only its own fields and checks at
build time that they are present (so a deployment that puts only the queue on Azure does
not need a Cosmos key). Secrets are :class:`~pydantic.SecretStr`: give them through the
environment (``SOCIALREFERRAL__AZURE__COSMOS_KEY``) rather than a committed file.

Credentials, in order of preference:

* Storage (queue, claim-check blobs, tables): ``storage_connection_string``, or
  ``queue_account_url``/``blob_account_url``/``table_account_url`` with
  ``storage_account_key`` (shared key) or, without a key, a token credential.
* Cosmos: ``cosmos_key``, or a token credential (Entra ID / RBAC).
* Key Vault: always a token credential.
* Batch: ``batch_account_name`` + ``batch_account_key`` (shared key), or a token credential.

The token credential is taken from ``BuildContext.extra["azure_credential"]`` when the
application injects one (any ``azure.core.credentials.TokenCredential``), otherwise
``azure.identity.DefaultAzureCredential()`` is created; adapters never read ``os.environ``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator

from socialreferral.errors import ConfigurationError
from socialreferral.providers import ProviderSettings

_NAME = r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])?$"  # queue and container names


class AzureSettings(ProviderSettings):
    """Everything the Azure adapters need, validated once when the settings load."""

    # -- storage account (queue, blob claim check, tables) -----------------------------
    storage_connection_string: SecretStr | None = None
    queue_account_url: str | None = None
    blob_account_url: str | None = None
    table_account_url: str | None = None
    storage_account_key: SecretStr | None = None
    #: Pin the storage REST API version (Azurite without ``--skipApiVersionCheck``).
    storage_api_version: str | None = None

    # -- queue ------------------------------------------------------------------------
    queue_name: str = Field(default="events", pattern=_NAME)
    #: Azure Functions moves poison messages to ``<queue>-poison``; same default here.
    poison_suffix: str = Field(default="-poison", pattern=r"^[a-z0-9-]{1,20}$")
    #: Deliveries before a message moves to the poison queue (Functions' maxDequeueCount).
    max_dequeue: int = Field(default=5, ge=1, le=1000)
    visibility_timeout: int = Field(default=30, ge=1, le=7 * 24 * 3600)
    #: Functions' default is base64; "none" sends the text as is (must be XML-safe).
    message_encoding: Literal["base64", "none"] = "base64"
    claim_check_container: str = Field(default="socialreferral-claims", pattern=_NAME)
    create_queues: bool = True
    #: Sends or deletes of one batch in flight at once (Queue Storage has no batch call).
    queue_concurrency: int = Field(default=8, ge=1, le=32)

    # -- Cosmos DB (NoSQL API) ---------------------------------------------------------
    cosmos_endpoint: str | None = None
    cosmos_key: SecretStr | None = None
    cosmos_database: str = Field(default="socialreferral", min_length=1, max_length=255)
    cosmos_container: str = Field(default="documents", min_length=1, max_length=255)
    enable_endpoint_discovery: bool = True
    #: Work around @vercel/cosmosdb-server: it answers 500 for a missing item and fails
    #: transactional batches. Never set it against the real service.
    cosmos_emulator_compat: bool = False
    #: Throttled (429) requests the Cosmos SDK retries itself, waiting x-ms-retry-after-ms.
    cosmos_throttle_retries: int = Field(default=9, ge=0, le=100)

    # -- Table storage / Cosmos Table API ---------------------------------------------
    table_prefix: str = Field(default="sr", pattern=r"^[A-Za-z][A-Za-z0-9]{0,30}$")

    # -- Key Vault --------------------------------------------------------------------
    key_vault_url: str | None = None
    #: Purge on delete (vaults with purge protection refuse; leave False there).
    key_vault_purge_on_delete: bool = False
    #: Only for fakes on 127.0.0.1: skip the check that the challenge's resource matches.
    key_vault_verify_challenge_resource: bool = True

    # -- Batch ------------------------------------------------------------------------
    batch_account_url: str | None = None
    batch_account_name: str | None = None
    batch_account_key: SecretStr | None = None
    pool_id: str = Field(default="socialreferral-workers", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    vm_size: str = "Standard_A8_v2"  # the paper's node size (Section 7.3)
    image_publisher: str = "canonical"
    image_offer: str = "ubuntu-24_04-lts"
    image_sku: str = "server"
    node_agent_sku_id: str = "batch.node.ubuntu 24.04"
    create_pool: bool = True
    # The pool's autoscale formula comes from the application's [scaling] table (one
    # policy for every provider), checked against Batch's 5-minute minimum at build time.

    # -- transport --------------------------------------------------------------------
    #: CA bundle path (or False) for endpoints with a private CA; True = system store.
    connection_verify: bool | str = True

    @model_validator(mode="after")
    def _consistent(self) -> AzureSettings:
        if (self.batch_account_key is None) != (self.batch_account_name is None):
            raise ValueError("batch_account_name and batch_account_key go together")
        return self

    # -- helpers used by the adapters ----------------------------------------------------
    def require(self, adapter: str, *fields: str) -> None:
        """Raise :class:`ConfigurationError` naming the missing fields for ``adapter``."""
        missing = [name for name in fields if getattr(self, name) in (None, "")]
        if missing:
            raise ConfigurationError(
                f"{adapter} needs [azure] {', '.join(missing)} in the settings"
            )

    def has_storage(self, kind: Literal["queue", "blob", "table"]) -> bool:
        """True if a connection string or the account URL of ``kind`` is configured."""
        return self.storage_connection_string is not None or bool(
            getattr(self, f"{kind}_account_url")
        )

    @property
    def poison_queue_name(self) -> str:
        return f"{self.queue_name}{self.poison_suffix}"


__all__ = ["AzureSettings"]
