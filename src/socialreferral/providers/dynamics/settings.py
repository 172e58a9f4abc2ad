"""Settings of the Dynamics 365 CRM adapter (section ``[dynamics]`` of the settings file).

The adapter signs in as an *application user* (a Microsoft Entra app registration added to
the Dataverse environment with a security role; docs/providers/dynamics.md lists the
privileges) with the OAuth 2.0 client-credentials grant of ``azure-identity``. Give the
secret through the environment (``SOCIALREFERRAL__DYNAMICS__CLIENT_SECRET``), never a
committed file; or inject a ``TokenCredential`` as ``BuildContext.extra["azure_credential"]``
(a managed identity, a certificate credential) and leave ``client_secret`` unset.

Tables and columns: one entity set per record kind (standard tables by default) with the
custom columns of the solution in docs/providers/dynamics.md, whose publisher prefix is
``column_prefix``.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator, model_validator

from socialreferral.providers import ProviderSettings

_URL = r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?/?$"
_SET = r"^[a-z][a-z0-9_]{0,63}$"
_GUID = r"^[0-9a-fA-F-]{36}$|^[A-Za-z0-9.\-]{1,64}$"


class DynamicsSettings(ProviderSettings):
    """Where the Dataverse environment is, how to sign in, and the table names."""

    #: The environment's URL, e.g. https://contoso.crm4.dynamics.com (no path).
    environment_url: str = Field(pattern=_URL)
    api_version: str = Field(default="v9.2", pattern=r"^v9\.[0-9]$")
    tenant_id: str | None = Field(default=None, pattern=_GUID)
    client_id: str | None = Field(default=None, pattern=_GUID)
    client_secret: SecretStr | None = None
    #: Microsoft Entra authority (sovereign clouds: login.microsoftonline.us, ...).
    authority: str = Field(default="https://login.microsoftonline.com", pattern=_URL)
    #: Skip MSAL's instance discovery: for private authorities and loopback fakes.
    disable_instance_discovery: bool = False
    #: CA bundle for endpoints with a private CA (a fake's trustme CA); None = system store.
    ca_bundle: str | None = None
    timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    #: Rows per page asked with ``Prefer: odata.maxpagesize`` (Dataverse allows 5,000).
    page_size: int = Field(default=500, ge=1, le=5000)
    #: Pages followed through ``@odata.nextLink`` before a listing is refused as too big.
    max_pages: int = Field(default=200, ge=1, le=10_000)
    #: Publisher prefix of the solution's custom columns (``sr_externalid`` ...).
    column_prefix: str = Field(default="sr_", pattern=r"^[a-z][a-z0-9]{1,7}_$")
    products_set: str = Field(default="products", pattern=_SET)
    promotions_set: str = Field(default="campaigns", pattern=_SET)
    leads_set: str = Field(default="leads", pattern=_SET)
    opportunities_set: str = Field(default="opportunities", pattern=_SET)
    tasks_set: str = Field(default="tasks", pattern=_SET)
    campaign_responses_set: str = Field(default="campaignresponses", pattern=_SET)
    #: After deleting a lead, also delete its audit history (DeleteRecordChangeHistory;
    #: needs the "Delete Audit Partitions"/audit-delete privilege). Leave False when lead
    #: columns are not audited (the recommended set-up).
    purge_audit_history: bool = False

    @field_validator("environment_url", "authority")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _credentials_go_together(self) -> DynamicsSettings:
        given = [self.tenant_id is not None, self.client_id is not None,
                 self.client_secret is not None]
        if any(given) and not all(given):
            raise ValueError("tenant_id, client_id and client_secret go together")
        return self

    @property
    def api_root(self) -> str:
        """The Web API's service root: ``<environment>/api/data/<version>``."""
        return f"{self.environment_url}/api/data/{self.api_version}"

    @property
    def scope(self) -> str:
        """The OAuth scope of the environment for client credentials (``/.default``)."""
        return f"{self.environment_url}/.default"


__all__ = ["DynamicsSettings"]
