"""``DynamicsCRM``: the CRM port on Dynamics 365 / Dataverse (Web API, OData v4).

Features: products, campaigns as promotions (read strictly after a watermark; campaigns
authored in Dynamics are read too), leads created with duplicate detection on
(``MSCRM.SuppressDuplicateDetection: false``) and alternate keys on the normalised
e-mail and phone, so two workers creating the same person get one lead and a duplicate
answer *links to the held lead* instead of failing; opportunities for manual offers
(agents answer them in Dynamics), tasks (fraud reviews, B2B performers, care follow-ups),
and, beyond the port, campaign responses and ``QualifyLead``.

Configuration: ``[dynamics]`` (:class:`~socialreferral.providers.dynamics.settings.
DynamicsSettings`). Credentials: client credentials through ``azure-identity``
(``ClientSecretCredential``), or any ``TokenCredential`` the application injects as
``BuildContext.extra["azure_credential"]``. Errors: :mod:`.errors` (429 and
``Retry-After`` → ``TransientError`` with the advised wait).

Erasure deletes the lead rows; with ``purge_audit_history`` also their audit history
(``DeleteRecordChangeHistory``). Dynamics keeps what the adapter cannot see: rows other
integrations copied, e-mails already sent from Dynamics, backups (kept 7-28 days by the
service) — docs/providers/dynamics.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Self

import httpx

from socialreferral.domain.crm import Lead, LeadResult
from socialreferral.errors import ConfigurationError, CRMRecordNotFound, TransientError
from socialreferral.ports import CRM, RetryPolicy
from socialreferral.ports.crm import CrmRecord
from socialreferral.providers import BuildContext, import_sdk
from socialreferral.providers.dynamics.client import DataverseClient, key_segment, odata_string
from socialreferral.providers.dynamics.errors import DuplicateRecord
from socialreferral.providers.dynamics.mapping import KindMap, kind_maps
from socialreferral.providers.dynamics.settings import DynamicsSettings
from socialreferral.records import Capability, CrmRecordKind

#: Conditions per ``$filter`` when erasing by many lead ids (URLs stay short).
_IDS_PER_QUERY = 40


class DynamicsCRM(CRM):
    """The CRM port on a Dataverse environment (see the module docstring)."""

    provider: ClassVar[str] = "dynamics"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PROMOTIONS, Capability.OPPORTUNITIES, Capability.TASKS})

    def __init__(self, settings: DynamicsSettings, credential: Any, *,
                 transport: httpx.BaseTransport | None = None,
                 retry: RetryPolicy | None = None) -> None:
        super().__init__(retry=retry)
        self.settings = settings
        self._client = DataverseClient(settings, credential, transport=transport)
        self._maps = kind_maps(settings)

    @classmethod
    def from_settings(cls, settings: Any, context: Any) -> Self:
        """Build from ``[dynamics]``; the credential is the injected one or, from the
        settings, an ``azure-identity`` ``ClientSecretCredential``."""
        if not isinstance(settings, DynamicsSettings):
            raise ConfigurationError("DynamicsCRM needs DynamicsSettings")
        extra = context.extra if isinstance(context, BuildContext) else {}
        credential = extra.get("azure_credential") or client_credential(settings)
        return cls(settings, credential)

    def close(self) -> None:
        self._client.close()

    # -- primitives ----------------------------------------------------------------
    def _put_record(self, kind: CrmRecordKind, record_id: str, record: CrmRecord) -> None:
        table = self._maps[kind]
        # PATCH on the alternate key is an upsert: creates the row or replaces its columns.
        self._client.request("PATCH", table.entity_set + key_segment(table.external_id,
                                                                   record_id),
                             f"upsert {kind.value}", json=table.to_row(record))

    def _get_record(self, kind: CrmRecordKind, record_id: str) -> CrmRecord | None:
        table = self._maps[kind]
        row = self._client.get_one(table.entity_set + key_segment(table.external_id, record_id),
                                   f"read {kind.value}")
        return None if row is None else table.from_row(row)

    def _find_records(self, kind: CrmRecordKind, where: Mapping[str, Any],
                      updated_after: datetime | None) -> list[CrmRecord]:
        table = self._maps[kind]
        found = (table.from_row(row) for row in self._client.rows(
            table.entity_set, f"list {kind.value}", filter=table.condition(where, updated_after)))
        return [record for record in found if record is not None]

    def _create_lead(self, lead: Lead) -> LeadResult:
        table = self._maps[CrmRecordKind.LEAD]
        try:
            self._client.request(
                "POST", table.entity_set, "create lead", json=table.to_row(lead),
                headers={"MSCRM.SuppressDuplicateDetection": "false",
                         "Prefer": "return=representation"})
        except DuplicateRecord:
            held = self._held_lead(lead)
            if held is None:
                # The duplicate went away between the answer and the read (erased, or a
                # racing create that failed): try again.
                raise TransientError("Dataverse create lead: duplicate no longer held") from None
            return LeadResult(lead=held, created=False)
        return LeadResult(lead=lead, created=True)

    def _erase_leads(self, email: str | None, phone: str | None,
                     lead_ids: Sequence[str]) -> int:
        table = self._maps[CrmRecordKind.LEAD]
        p = self.settings.column_prefix
        conditions = [f"{p}normalisedemail eq {odata_string(email)}"] if email else []
        conditions += [f"{p}normalisedphone eq {odata_string(phone)}"] if phone else []
        groups = [conditions] + [
            [f"{table.external_id} eq {odata_string(i)}" for i in lead_ids[n:n + _IDS_PER_QUERY]]
            for n in range(0, len(lead_ids), _IDS_PER_QUERY)]
        keys: set[str] = set()
        for group in groups:
            if group:
                keys.update(str(row[table.primary_key]) for row in self._client.rows(
                    table.entity_set, "find leads to erase", filter=" or ".join(group),
                    select=table.primary_key) if row.get(table.primary_key))
        erased = 0
        for key in sorted(keys):
            try:
                self._client.request("DELETE", f"{table.entity_set}({key})", "erase lead")
            except CRMRecordNotFound:
                continue  # erased meanwhile: idempotent
            erased += 1
            if self.settings.purge_audit_history:
                self._client.request("POST", "DeleteRecordChangeHistory", "purge lead audit",
                                     json={"Target": {"@odata.type": "Microsoft.Dynamics.CRM.lead",
                                                      "leadid": key}})
        return erased

    # -- beyond the port: Dynamics 365 actions -------------------------------------
    def qualify_lead(self, lead_id: str, *, create_opportunity: bool = True,
                     create_contact: bool = True) -> list[str]:
        """Run ``QualifyLead`` on the lead ``lead_id`` (our id); return the ids of the
        records Dynamics created (contact, opportunity). Raises ``CRMRecordNotFound``."""
        key = self._row_key(CrmRecordKind.LEAD, lead_id)
        answer = self._call(self._client.request, "POST",
                            f"{self.settings.leads_set}({key})/Microsoft.Dynamics.CRM.QualifyLead",
                            "qualify lead", json={
                                "CreateAccount": False, "CreateContact": create_contact,
                                "CreateOpportunity": create_opportunity, "Status": 3})
        created = answer.json().get("value", []) if answer.content else []
        return [str(next((v for k, v in item.items() if k.endswith("id") and
                          not k.startswith("@")), "")) for item in created
                if isinstance(item, dict)]

    def record_campaign_response(self, promotion_id: str, lead_id: str, *,
                                 response_id: str, subject: str) -> None:
        """Record that the lead ``lead_id`` answered the campaign ``promotion_id`` (a
        ``campaignresponse`` activity regarding the campaign), idempotent on
        ``response_id``."""
        self._check_id(response_id, "response_id")
        campaign = self._row_key(CrmRecordKind.PROMOTION, promotion_id)
        p = self.settings.column_prefix
        self._call(self._client.request, "PATCH",
                   self.settings.campaign_responses_set
                   + key_segment(f"{p}externalid", response_id),
                   "record campaign response", json={
                       "subject": subject[:200], f"{p}externalid": response_id,
                       f"{p}leadid": lead_id, "responsecode": 1,
                       "regardingobjectid_campaign@odata.bind":
                           f"/{self.settings.promotions_set}({campaign})"})

    def _row_key(self, kind: CrmRecordKind, record_id: str) -> str:
        self._check_id(record_id, f"{kind.value}_id")
        table = self._maps[kind]
        row = self._call(self._client.get_one,
                         table.entity_set + key_segment(table.external_id, record_id),
                         f"read {kind.value}", table.primary_key)
        if row is None or not row.get(table.primary_key):
            raise CRMRecordNotFound(f"no {kind.value} {record_id!r}")
        return str(row[table.primary_key])

    def _held_lead(self, lead: Lead) -> Lead | None:
        """The lead held with ``lead``'s id, else e-mail, else phone (oldest first)."""
        table: KindMap = self._maps[CrmRecordKind.LEAD]
        held = self._get_record(CrmRecordKind.LEAD, lead.lead_id)
        if isinstance(held, Lead):
            return held
        p = self.settings.column_prefix
        for column, value in ((f"{p}normalisedemail", lead.email),
                              (f"{p}normalisedphone", lead.phone)):
            if value is None:
                continue
            rows = list(self._client.rows(table.entity_set, "find duplicate lead",
                                          filter=f"{column} eq {odata_string(value)}",
                                          orderby="createdon asc"))
            leads = [r for r in map(table.from_row, rows) if isinstance(r, Lead)]
            if leads:
                return min(leads, key=lambda held_lead: held_lead.created_at)
        return None


def client_credential(settings: DynamicsSettings) -> Any:
    """An ``azure-identity`` ``ClientSecretCredential`` from the settings."""
    if settings.client_secret is None or settings.tenant_id is None or settings.client_id is None:
        raise ConfigurationError(
            "[dynamics] needs tenant_id, client_id and client_secret (give the secret as "
            "SOCIALREFERRAL__DYNAMICS__CLIENT_SECRET), or inject a credential")
    identity = import_sdk("azure.identity", provider="dynamics", extra="dynamics")
    options: dict[str, Any] = {"authority": settings.authority,
                               "disable_instance_discovery": settings.disable_instance_discovery}
    if settings.ca_bundle:
        options["connection_verify"] = settings.ca_bundle
    return identity.ClientSecretCredential(settings.tenant_id, settings.client_id,
                                           settings.client_secret.get_secret_value(), **options)


__all__ = ["DynamicsCRM", "client_credential"]
