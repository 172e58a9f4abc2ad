"""CRM enrichment (seed 001: "combine this social media user data with in-house CRM data,
to produce consolidated profiles"): push each person's golden values to their CRM
contacts.

The values go into the contact's ``enrichment`` (``[people] enrich_fields``) and the
person id into ``people_id``; the CRM's own fields stay the CRM's. A contact whose
enrichment is already what the person's golden record says is not written (idempotent:
running it twice writes nothing the second time). After a full run every person is
swept; after an incremental run only the people it changed. A contact the CRM no longer
holds is counted and skipped. Each write is audited as the ``enrich`` action of the
caller ``system:people.enrich``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.errors import CRMRecordNotFound
from socialreferral.people.access import Caller
from socialreferral.people.settings import PeopleSettings
from socialreferral.ports import CRM
from socialreferral.records import Capability
from socialreferral.repositories import Repositories
from socialreferral.service.people.queries import audit

ENRICHER = Caller(caller_id="system:people.enrich", name="people enrichment")


class EnrichmentRun(DomainModel):
    """Contacts written, already up to date, and gone from the CRM."""

    updated: int = Field(default=0, ge=0)
    unchanged: int = Field(default=0, ge=0)
    missing: int = Field(default=0, ge=0)


def enrich_crm(repositories: Repositories, crm: CRM, settings: PeopleSettings, *,
               now: datetime, people: Iterable[str] | None = None) -> EnrichmentRun:
    """Push golden values to the CRM contacts that are sources of fused people: of every
    person, or only of ``people`` (those a fusion run changed: one CRM read per contact
    is what a sweep costs, so incremental runs touch only what moved)."""
    if not crm.supports(Capability.CONTACTS):
        return EnrichmentRun()
    crm_records = repositories.profiles.by_source("crm")
    owners = repositories.people.clusters_of(crm_records)
    if people is not None:
        wanted = set(people)
        owners = {rid: pid for rid, pid in owners.items() if pid in wanted}
    counts = {"updated": 0, "unchanged": 0, "missing": 0}
    written: list[str] = []
    for record_id, person_id in sorted(owners.items()):
        cluster = repositories.people.cluster(person_id)
        if cluster is None:
            continue
        golden = cluster.golden
        values = {f: golden.fields[f].value for f in settings.enrich_fields
                  if f in golden.fields}
        try:
            contact = crm.get_contact(crm_records[record_id])
        except CRMRecordNotFound:
            counts["missing"] += 1
            continue
        if contact.enrichment == values and contact.people_id == person_id:
            counts["unchanged"] += 1
            continue
        crm.save_contact(contact.model_copy(update={
            "enrichment": values, "people_id": person_id, "enriched_at": now,
            "updated_at": now}))
        counts["updated"] += 1
        written.append(person_id)
    if written:
        audit(repositories, settings, ENRICHER, "enrich", written, now, results=len(written))
    return EnrichmentRun(**counts)


__all__ = ["ENRICHER", "EnrichmentRun", "enrich_crm"]
