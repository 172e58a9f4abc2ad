"""An in-memory CRM: the CRM primitives over dicts, for one process.

Validation, contact normalisation, capability checks, retries, exact filtering and
ordering come from the :class:`socialreferral.ports.CRM` base class; this module only
stores and finds records. One lock makes lead de-duplication atomic between threads.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Self

from socialreferral.domain.crm import Lead, LeadResult
from socialreferral.ports import CRM
from socialreferral.ports.crm import RECORD_KINDS, CrmRecord, as_utc
from socialreferral.providers import BuildContext
from socialreferral.records import Capability, CrmRecordKind
from socialreferral_memory.adapters import MemorySettings


class MemoryCRM(CRM):
    """Products, promotions, leads, opportunities, tasks and contacts in dicts (nothing
    persists)."""

    provider: ClassVar[str] = "memory"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PROMOTIONS, Capability.OPPORTUNITIES, Capability.TASKS, Capability.CONTACTS}
    )

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        # Records are frozen pydantic models, so storing them needs no copy.
        self._records: dict[CrmRecordKind, dict[str, CrmRecord]] = {
            kind: {} for kind in CrmRecordKind
        }

    @classmethod
    def from_settings(cls, settings: MemorySettings, context: BuildContext) -> Self:
        return cls()

    def _put_record(self, kind: CrmRecordKind, record_id: str, record: CrmRecord) -> None:
        with self._lock:
            self._records[kind][record_id] = record

    def _get_record(self, kind: CrmRecordKind, record_id: str) -> CrmRecord | None:
        with self._lock:
            return self._records[kind].get(record_id)

    def _find_records(
        self, kind: CrmRecordKind, where: Mapping[str, Any], updated_after: datetime | None
    ) -> list[CrmRecord]:
        watermark = RECORD_KINDS[kind].watermark
        with self._lock:
            records = list(self._records[kind].values())
        return [
            record
            for record in records
            if all(getattr(record, name) == value for name, value in where.items())
            and (
                updated_after is None
                or watermark is None
                or as_utc(getattr(record, watermark)) > updated_after
            )
        ]

    def _create_lead(self, lead: Lead) -> LeadResult:
        with self._lock:
            leads = self._records[CrmRecordKind.LEAD]
            held = leads.get(lead.lead_id)
            # dicts keep insertion order, so the first match is the oldest lead
            for field in ("email", "phone"):
                value = getattr(lead, field)
                if held is None and value is not None:
                    held = next((x for x in leads.values() if getattr(x, field) == value), None)
            if held is not None:
                assert isinstance(held, Lead)
                return LeadResult(lead=held, created=False)
            leads[lead.lead_id] = lead
            return LeadResult(lead=lead, created=True)

    def _delete_record(self, kind: CrmRecordKind, record_id: str) -> bool:
        with self._lock:
            return self._records[kind].pop(record_id, None) is not None

    def _erase_leads(self, email: str | None, phone: str | None, lead_ids: Sequence[str]) -> int:
        wanted = set(lead_ids)
        with self._lock:
            leads = self._records[CrmRecordKind.LEAD]
            doomed = [
                key
                for key, lead in leads.items()
                if isinstance(lead, Lead)
                and (
                    key in wanted
                    or (email is not None and lead.email == email)
                    or (phone is not None and lead.phone == phone)
                )
            ]
            for key in doomed:
                del leads[key]
            return len(doomed)


__all__ = ["MemoryCRM"]
