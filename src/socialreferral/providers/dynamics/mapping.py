"""Records to Dataverse rows and back, one :class:`KindMap` per CRM record kind.

Each row keeps the record's id in the alternate-key column ``<prefix>externalid`` and the
whole record as JSON in ``<prefix>payload`` (a multiline text column), so every field
survives the round trip at full precision (Dataverse keeps date-times to the second).
Standard columns are written too, for the people who work in Dynamics: a lead's
``lastname``/``emailaddress1``/``telephone1``, a campaign's ``name``, a task's
``subject``. Where those people *answer* — an opportunity's ``<prefix>status`` and
``<prefix>offertext``, a task's ``statecode`` (completed), a product's ``statecode``
(retired) — the column wins over the payload. A campaign created in Dynamics without a
payload is read from its columns (``<prefix>productid`` names the product,
``modifiedon`` is its watermark).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from socialreferral.domain.crm import CrmTask, Lead, Opportunity, Product, Promotion
from socialreferral.ports.crm import RECORD_KINDS, CrmRecord, as_utc
from socialreferral.providers.dynamics.client import odata_string
from socialreferral.providers.dynamics.settings import DynamicsSettings
from socialreferral.records import CrmRecordKind

ACTIVE, INACTIVE = 0, 1  # statecode of products (Active/Retired) and tasks (Open/Completed)
TASK_OPEN_STATUS, TASK_DONE_STATUS = 2, 5  # statuscode: Not Started / Completed


def odata_datetime(moment: datetime) -> str:
    """A Dataverse date-time literal: UTC, whole seconds (what the column keeps)."""
    return as_utc(moment).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: object) -> datetime | None:
    """A Dataverse date-time value as an aware UTC datetime (None when absent)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return as_utc(moment)


@dataclass(frozen=True)
class KindMap:
    """How one record kind is stored: entity set, primary key, columns, filters."""

    kind: CrmRecordKind
    entity_set: str
    primary_key: str
    prefix: str
    columns: Callable[[Any, str], dict[str, Any]]
    overlay: Callable[[Mapping[str, Any], str], dict[str, Any]]

    @property
    def external_id(self) -> str:
        return f"{self.prefix}externalid"

    @property
    def payload(self) -> str:
        return f"{self.prefix}payload"

    def to_row(self, record: CrmRecord) -> dict[str, Any]:
        """The columns to write for ``record`` (its id, payload and standard columns)."""
        spec = RECORD_KINDS[self.kind]
        return {
            self.external_id: spec.record_id(record),
            self.payload: record.model_dump_json(),
            **self.columns(record, self.prefix),
        }

    def from_row(self, row: Mapping[str, Any]) -> CrmRecord | None:
        """The record a row holds (None for a row that is not one of ours)."""
        model = RECORD_KINDS[self.kind].model
        raw = row.get(self.payload)
        try:
            data: dict[str, Any] = json.loads(raw) if isinstance(raw, str) and raw else {}
        except ValueError:
            data = {}
        if not data and self.kind is CrmRecordKind.PROMOTION:
            data = _promotion_from_columns(row, self.prefix)
        if not data:
            return None
        data.update(self.overlay(row, self.prefix))
        try:
            record = model.model_validate(data)
        except ValidationError:
            return None  # a row edited into something that is not a record is skipped
        return record  # type: ignore[return-value]

    def condition(self, where: Mapping[str, Any], updated_after: datetime | None) -> str | None:
        """An OData ``$filter`` selecting (a superset of) the matching rows."""
        parts = [f"{self.external_id} ne null"]
        for name, value in where.items():
            parts.append(_FILTERS[(self.kind, name)](value, self.prefix))
        if updated_after is not None and self.kind is CrmRecordKind.PROMOTION:
            since = odata_datetime(updated_after)  # ge the truncated second: a superset
            column = f"{self.prefix}updatedat"
            parts.append(f"({column} ge {since} or ({column} eq null and modifiedon ge {since}))")
        return " and ".join(parts)


def _promotion_from_columns(row: Mapping[str, Any], p: str) -> dict[str, Any]:
    """A campaign authored in Dynamics: no payload, so its standard columns."""
    product = row.get(f"{p}productid")
    updated = parse_datetime(row.get(f"{p}updatedat")) or parse_datetime(row.get("modifiedon"))
    if not product or updated is None:
        return {}
    return {
        "promotion_id": row.get(f"{p}externalid") or row.get("campaignid"),
        "product_id": product, "title": row.get("name") or "promotion",
        "text": row.get("description") or "",
        "starts_at": parse_datetime(row.get("actualstart")) or updated,
        "ends_at": parse_datetime(row.get("actualend")), "updated_at": updated,
    }


def _product_columns(product: Product, p: str) -> dict[str, Any]:
    return {"name": product.name, "productnumber": product.product_id,
            "description": product.description,
            "statecode": ACTIVE if product.active else INACTIVE}


def _promotion_columns(promotion: Promotion, p: str) -> dict[str, Any]:
    return {"name": promotion.title, "description": promotion.text,
            f"{p}productid": promotion.product_id,
            f"{p}updatedat": odata_datetime(promotion.updated_at),
            "actualstart": odata_datetime(promotion.starts_at),
            "actualend": None if promotion.ends_at is None else odata_datetime(promotion.ends_at)}


def lead_columns(lead: Lead, p: str) -> dict[str, Any]:
    """A lead's standard and de-duplication columns (the alternate keys)."""
    return {"subject": f"Referral: {lead.product_id}"[:300], "lastname": lead.name[:50],
            "emailaddress1": lead.email, "telephone1": lead.phone,
            f"{p}normalisedemail": lead.email, f"{p}normalisedphone": lead.phone,
            f"{p}productid": lead.product_id, f"{p}referralid": lead.referral_id,
            f"{p}source": lead.source}


def _opportunity_columns(opportunity: Opportunity, p: str) -> dict[str, Any]:
    return {"name": f"Manual offer: {opportunity.product_id}"[:300],
            "description": opportunity.context, f"{p}status": opportunity.status.value,
            f"{p}offertext": opportunity.offer_text,
            f"{p}answeredat": None if opportunity.answered_at is None
            else odata_datetime(opportunity.answered_at)}


def _task_columns(task: CrmTask, p: str) -> dict[str, Any]:
    return {"subject": task.subject[:200], "description": json.dumps(task.details)[:2000],
            "statecode": INACTIVE if task.done else ACTIVE,
            "statuscode": TASK_DONE_STATUS if task.done else TASK_OPEN_STATUS}


def _no_overlay(row: Mapping[str, Any], p: str) -> dict[str, Any]:
    return {}


def _product_overlay(row: Mapping[str, Any], p: str) -> dict[str, Any]:
    state = row.get("statecode")
    return {} if state is None else {"active": state == ACTIVE}


def _opportunity_overlay(row: Mapping[str, Any], p: str) -> dict[str, Any]:
    # An agent answers in Dynamics: the status, the offer text and when.
    found: dict[str, Any] = {}
    if row.get(f"{p}status"):
        found["status"] = row[f"{p}status"]
    if f"{p}offertext" in row:
        found["offer_text"] = row[f"{p}offertext"]
    answered = parse_datetime(row.get(f"{p}answeredat"))
    if answered is not None:
        found["answered_at"] = answered
    return found


def _task_overlay(row: Mapping[str, Any], p: str) -> dict[str, Any]:
    state = row.get("statecode")
    return {} if state is None else {"done": state == INACTIVE}


def _bool_state(value: Any, p: str) -> str:
    return f"statecode eq {ACTIVE if value else INACTIVE}"


_FILTERS: dict[tuple[CrmRecordKind, str], Callable[[Any, str], str]] = {
    (CrmRecordKind.PRODUCT, "active"): _bool_state,
    (CrmRecordKind.OPPORTUNITY, "status"): lambda v, p: f"{p}status eq {odata_string(str(v))}",
    (CrmRecordKind.TASK, "done"): lambda v, p: f"statecode eq {INACTIVE if v else ACTIVE}",
}


def kind_maps(settings: DynamicsSettings) -> dict[CrmRecordKind, KindMap]:
    """The map of every record kind for these settings."""
    p = settings.column_prefix
    return {
        CrmRecordKind.PRODUCT: KindMap(CrmRecordKind.PRODUCT, settings.products_set,
                                       "productid", p, _product_columns, _product_overlay),
        CrmRecordKind.PROMOTION: KindMap(CrmRecordKind.PROMOTION, settings.promotions_set,
                                         "campaignid", p, _promotion_columns, _no_overlay),
        CrmRecordKind.LEAD: KindMap(CrmRecordKind.LEAD, settings.leads_set, "leadid", p,
                                    lead_columns, _no_overlay),
        CrmRecordKind.OPPORTUNITY: KindMap(CrmRecordKind.OPPORTUNITY,
                                           settings.opportunities_set, "opportunityid", p,
                                           _opportunity_columns, _opportunity_overlay),
        CrmRecordKind.TASK: KindMap(CrmRecordKind.TASK, settings.tasks_set, "activityid", p,
                                    _task_columns, _task_overlay),
    }


__all__ = ["KindMap", "kind_maps", "lead_columns", "odata_datetime", "parse_datetime"]
