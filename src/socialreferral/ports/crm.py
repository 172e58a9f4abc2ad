"""The CRM port: catalog, promotions, de-duplicated leads, opportunities, tasks, contacts.

An adapter implements five primitives (six with contacts), shaped after what a real CRM's API offers
(Dynamics 365's Web API: one entity set per record kind, duplicate detection on leads,
``modifiedon`` watermarks; HubSpot's objects API maps the same way):

* ``_put_record(kind, record_id, record)``: create or replace one record of a kind;
* ``_get_record(kind, record_id)``: one record or None;
* ``_find_records(kind, where, updated_after)``: the records matching simple conditions
  (a superset is allowed: the base applies the exact conditions and the order);
* ``_create_lead(lead)``: create a lead unless one with its id, e-mail or phone exists,
  atomically;
* ``_erase_leads(email, phone, lead_ids)``: delete a person's leads for good;
* ``_delete_record(kind, record_id)``: delete one record for good — needed only by
  adapters that declare ``contacts`` (the right to erasure reaches the CRM's contacts).

The public API below is implemented once, here: argument validation (a typed
:class:`~socialreferral.errors.InvalidInput` naming the field), contact normalisation for
de-duplication and erasure, capability checks for the optional record kinds
(``promotions``, ``opportunities``, ``tasks``, ``contacts``), retries of
:class:`~socialreferral.errors.TransientError` with backoff around every primitive, exact
filtering and ordering of listings.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from socialreferral.domain.crm import (
    CrmContact,
    CrmTask,
    Lead,
    LeadInput,
    LeadResult,
    Opportunity,
    OpportunityStatus,
    Product,
    Promotion,
    normalise_email,
    normalise_phone,
)
from socialreferral.errors import CRMError, CRMRecordNotFound, InvalidInput, Unsupported
from socialreferral.ports._base import Adapter, RetryPolicy
from socialreferral.records import Capability, CrmRecordKind

CrmRecord = Product | Promotion | Lead | Opportunity | CrmTask | CrmContact
"""Any record the CRM port stores."""

R = TypeVar("R", Product, Promotion, Lead, Opportunity, CrmTask, CrmContact)

#: The domain's id rule (letters, digits, ``_.:-``; 1-128 characters, no leading symbol).
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
#: Most lead ids one erasure request may name (a person has a handful of leads).
MAX_ERASE_IDS = 1000


def as_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime; a naive one is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class RecordKindSpec:
    """What the port knows about one record kind, shared by the base and the adapters.

    ``filters`` are the fields ``_find_records`` may be asked to match (an adapter keeps
    them queryable: columns, indexed properties); ``watermark`` is the field that
    ``updated_after`` compares; ``order`` the fields a listing is sorted by;
    ``capability`` the one an adapter must declare to store the kind (None: mandatory).
    """

    model: type[BaseModel]
    id_field: str
    filters: frozenset[str] = frozenset()
    watermark: str | None = None
    order: tuple[str, ...] = ()
    capability: Capability | None = None

    def record_id(self, record: BaseModel) -> str:
        """The record's id (the value of ``id_field``)."""
        return str(getattr(record, self.id_field))

    def sort_key(self, record: BaseModel) -> tuple[Any, ...]:
        """The listing order: ``order`` fields (datetimes compared in UTC), then the id."""
        values = [getattr(record, name) for name in self.order]
        return (
            *(as_utc(v) if isinstance(v, datetime) else v for v in values),
            self.record_id(record),
        )


RECORD_KINDS: Mapping[CrmRecordKind, RecordKindSpec] = {
    CrmRecordKind.PRODUCT: RecordKindSpec(Product, "product_id", frozenset({"active"})),
    CrmRecordKind.PROMOTION: RecordKindSpec(
        Promotion,
        "promotion_id",
        watermark="updated_at",
        order=("updated_at",),
        capability=Capability.PROMOTIONS,
    ),
    CrmRecordKind.LEAD: RecordKindSpec(Lead, "lead_id", order=("created_at",)),
    CrmRecordKind.OPPORTUNITY: RecordKindSpec(
        Opportunity,
        "opportunity_id",
        frozenset({"status"}),
        order=("created_at",),
        capability=Capability.OPPORTUNITIES,
    ),
    CrmRecordKind.TASK: RecordKindSpec(
        CrmTask, "task_id", frozenset({"done"}), order=("created_at",), capability=Capability.TASKS
    ),
    CrmRecordKind.CONTACT: RecordKindSpec(
        CrmContact,
        "contact_id",
        frozenset({"email", "phone", "account_id"}),
        watermark="updated_at",
        order=("updated_at",),
        capability=Capability.CONTACTS,
    ),
}
"""Per record kind: model, id field, queryable fields, watermark, order, capability."""


# ======================================================================================
# CRM
# ======================================================================================
class CRM(Adapter):
    """The enterprise CRM: catalog, promotions, leads, opportunities, tasks.

    Contract (every adapter, certified by :class:`~socialreferral.testing.contracts.
    CRMContract`):

    * **Idempotent on ids.** Saving a product, promotion, opportunity or task creates it or
      replaces the record with the same id; saving the same record twice leaves one.
      Creating a lead with an id that exists returns that lead with ``created=False``.
    * **Leads are de-duplicated** on the e-mail and the phone, normalised by
      :func:`~socialreferral.domain.crm.normalise_email` (trimmed, lower case) and
      :func:`~socialreferral.domain.crm.normalise_phone` (digits with a leading ``+``):
      a lead whose normalised e-mail or phone is already held is not created; the held one
      is returned with ``created=False`` (a match on the id wins, then the e-mail, then the
      phone). This holds for concurrent creates too: of two callers creating the same
      person at once, one gets ``created=True`` and both get the same lead.
    * **Watermarks are strictly after.** ``list_promotions(updated_since=t)`` returns the
      promotions whose ``updated_at`` is later than ``t`` (microsecond precision; a naive
      datetime is UTC), oldest update first, so a job that stores the newest ``updated_at``
      it saw never sees a promotion twice nor misses a later one.
    * **Listings are ordered**: products by id; promotions by ``updated_at``; leads,
      opportunities and tasks oldest ``created_at`` first; ties by id.
    * **Erasure erases.** :meth:`erase_contact` deletes the matching leads so that nothing
      of them stays readable through the CRM or in its storage, and is idempotent.
    * **Optional kinds.** Promotions, opportunities, tasks and contacts need the
      capabilities ``promotions``, ``opportunities``, ``tasks`` and ``contacts``; without
      them the methods raise :class:`~socialreferral.errors.Unsupported` naming the adapter.
    * **Contacts** are listed by ``updated_at`` strictly after a watermark, like
      promotions, and :meth:`erase_contacts` deletes a person's contacts (matched by
      normalised e-mail or phone, or by id) so that nothing of them stays readable.
    """

    def __init__(self, *, retry: RetryPolicy | None = None) -> None:
        if retry is not None:
            self.retry = retry

    # -- primitives ----------------------------------------------------------------
    @abstractmethod
    def _put_record(self, kind: CrmRecordKind, record_id: str, record: CrmRecord) -> None:
        """Create the record of ``kind`` with id ``record_id``, or replace the one held.

        ``record`` is a validated model of the kind's type (:data:`RECORD_KINDS`); keep
        every field, and keep the kind's ``filters`` and ``watermark`` fields queryable.
        Never called for leads (they are created by :meth:`_create_lead`). Dynamics 365:
        ``PATCH /<entityset>(<alternate key>)``, an upsert.
        """

    @abstractmethod
    def _get_record(self, kind: CrmRecordKind, record_id: str) -> CrmRecord | None:
        """The record of ``kind`` with id ``record_id``, or None (also for erased leads)."""

    @abstractmethod
    def _find_records(
        self, kind: CrmRecordKind, where: Mapping[str, Any], updated_after: datetime | None
    ) -> list[CrmRecord]:
        """The records of ``kind`` whose fields equal ``where`` and, when ``updated_after``
        is given, whose watermark field (promotions: ``updated_at``) is strictly after it.

        ``where`` names only fields in the kind's ``filters`` (products ``active``,
        opportunities ``status``, tasks ``done``), with bool or str values;
        ``updated_after`` is an aware UTC datetime. The answer must include every matching
        record and may include others (a backend that keeps the watermark to the second
        can ask for ``ge`` the truncated time): the base applies the exact conditions and
        sorts. Dynamics 365: ``GET /<entityset>?$filter=...``, following ``@odata.nextLink``.
        """

    @abstractmethod
    def _create_lead(self, lead: Lead) -> LeadResult:
        """Create ``lead`` unless the CRM already holds a lead with its id, e-mail or phone.

        ``lead.email``/``lead.phone`` are normalised and at least one is set. Atomically
        (also against other processes and other clients of the same CRM): if a lead with
        ``lead.lead_id`` exists return it; else the oldest with the same e-mail; else the
        oldest with the same phone; each with ``created=False``. Otherwise store ``lead``
        and return it with ``created=True``. Dynamics 365: alternate keys on the normalised
        e-mail and phone columns make the create atomic (duplicate detection rules alone
        are checked, not locked); a conflict answers with the key, whose lead is returned.
        """

    @abstractmethod
    def _erase_leads(self, email: str | None, phone: str | None, lead_ids: Sequence[str]) -> int:
        """Delete every lead whose e-mail equals ``email``, whose phone equals ``phone``
        (both normalised, None matches nothing) or whose id is in ``lead_ids``; return
        how many were deleted (0 when none matched, so a repeated erasure returns 0).

        Nothing of a deleted lead may stay readable: not through the primitives, not in
        the adapter's files, caches or indexes (a later lead with the same e-mail must be
        created anew), and the adapter's documentation says what the backend keeps
        (Dynamics 365: audit history of lead fields must be purged or not recorded).
        """

    def _delete_record(self, kind: CrmRecordKind, record_id: str) -> bool:
        """Delete the record of ``kind`` with id ``record_id`` for good; True if one was
        held. Only erasure calls it, and only for contacts: an adapter that declares
        ``contacts`` must implement it (nothing of the record may stay readable, as for
        :meth:`_erase_leads`). Dynamics 365: ``DELETE /contacts(<id>)``."""
        raise Unsupported(self.adapter_name, Capability.CONTACTS.value,
                          "_delete_record is not implemented")

    # -- catalog -------------------------------------------------------------------
    def upsert_product(self, product: Product) -> Product:
        """Create or replace the catalog entry ``product.product_id``; return it as stored."""
        return self._save(CrmRecordKind.PRODUCT, product, "product")

    def list_products(self, *, active_only: bool = True) -> list[Product]:
        """The catalog ordered by product id; only active products unless ``active_only``
        is False."""
        where = {"active": True} if active_only else {}
        return self._list(CrmRecordKind.PRODUCT, Product, where)

    # -- promotions (capability ``promotions``) ------------------------------------
    def upsert_promotion(self, promotion: Promotion) -> Promotion:
        """Create or replace a promotion; return it as stored. Its ``updated_at`` is what
        :meth:`list_promotions` compares; it is stored in UTC (a naive value is UTC)."""
        self.require(Capability.PROMOTIONS)
        checked = self._validated(CrmRecordKind.PROMOTION, promotion, "promotion")
        checked = checked.model_copy(update={"updated_at": as_utc(checked.updated_at)})
        self._call(self._put_record, CrmRecordKind.PROMOTION, checked.promotion_id, checked)
        return checked

    def list_promotions(self, *, updated_since: datetime | None = None) -> list[Promotion]:
        """Promotions whose ``updated_at`` is strictly after ``updated_since`` (all when
        None; a naive datetime is UTC), oldest update first, ties by id."""
        self.require(Capability.PROMOTIONS)
        if updated_since is not None and not isinstance(updated_since, datetime):
            raise InvalidInput("must be a datetime or None", field="updated_since")
        since = None if updated_since is None else as_utc(updated_since)
        return self._list(CrmRecordKind.PROMOTION, Promotion, {}, since)

    # -- leads ---------------------------------------------------------------------
    def create_lead(self, lead: LeadInput, *, lead_id: str) -> LeadResult:
        """Create a lead with id ``lead_id``, or return the lead already held with that id,
        the same normalised e-mail or the same normalised phone (``created=False``).

        ``created`` tells whether this call stored the lead; after a retried call whose
        first attempt reached the CRM it may be False for the caller's own lead.
        """
        self._check_id(lead_id, "lead_id")
        if not isinstance(lead, LeadInput):
            raise InvalidInput("must be a LeadInput", field="lead")
        # Normalised again: model_construct/model_copy bypass LeadInput's validators.
        email, phone = _email(lead.email), _phone(lead.phone)
        if email is None and phone is None:
            raise InvalidInput("a lead needs an email or a phone number", field="lead")
        record = Lead(
            lead_id=lead_id,
            name=lead.name,
            email=email,
            phone=phone,
            product_id=lead.product_id,
            source=lead.source,
            referral_id=lead.referral_id,
            created_at=datetime.now(UTC),
        )
        result = self._call(self._create_lead, record)
        if not isinstance(result, LeadResult):
            raise CRMError(f"{self.adapter_name}: _create_lead returned {type(result).__name__}")
        return result

    def get_lead(self, lead_id: str) -> Lead:
        """The lead with this id; raise :class:`~socialreferral.errors.CRMRecordNotFound`
        (a ``KeyError``) when absent or erased."""
        return self._get(CrmRecordKind.LEAD, Lead, lead_id, "lead_id")

    def list_leads(self) -> list[Lead]:
        """All leads, oldest ``created_at`` first."""
        return self._list(CrmRecordKind.LEAD, Lead, {})

    def erase_contact(
        self, *, email: str | None, phone: str | None, lead_ids: Sequence[str] = ()
    ) -> int:
        """Right to erasure: delete every lead whose e-mail or phone equals ``email`` or
        ``phone`` once normalised, and every lead in ``lead_ids``; return how many leads
        were erased.

        Nothing of an erased lead stays readable (``get_lead`` raises, ``list_leads`` omits
        it, a new lead with the same contact is created anew, the adapter's storage keeps
        no copy). Idempotent: a second call returns 0. A malformed e-mail or phone raises
        :class:`~socialreferral.errors.InvalidInput` whose message does not repeat it.
        """
        wanted_email, wanted_phone = _email(email), _phone(phone)
        if isinstance(lead_ids, str):
            raise InvalidInput("must be a sequence of lead ids, not a string", field="lead_ids")
        ids = sorted({str(i) for i in lead_ids})
        if len(ids) > MAX_ERASE_IDS:
            raise InvalidInput(f"at most {MAX_ERASE_IDS} ids per call", field="lead_ids")
        if wanted_email is None and wanted_phone is None and not ids:
            return 0
        return int(self._call(self._erase_leads, wanted_email, wanted_phone, ids))

    # -- opportunities (capability ``opportunities``) ------------------------------
    def save_opportunity(self, opportunity: Opportunity) -> Opportunity:
        """Create (idempotent on id) or update a manual-offer opportunity."""
        return self._save(CrmRecordKind.OPPORTUNITY, opportunity, "opportunity")

    def get_opportunity(self, opportunity_id: str) -> Opportunity:
        """The opportunity with this id; raise ``CRMRecordNotFound`` when absent."""
        self.require(Capability.OPPORTUNITIES)
        return self._get(CrmRecordKind.OPPORTUNITY, Opportunity, opportunity_id, "opportunity_id")

    def list_opportunities(self, *, status: str | None = None) -> list[Opportunity]:
        """Opportunities, oldest first, only those of ``status`` (an
        :class:`~socialreferral.domain.crm.OpportunityStatus` or its value) when given."""
        self.require(Capability.OPPORTUNITIES)
        where: dict[str, Any] = {}
        if status is not None:
            try:
                where["status"] = OpportunityStatus(status).value
            except ValueError:
                allowed = ", ".join(s.value for s in OpportunityStatus)
                raise InvalidInput(f"must be one of {allowed}", field="status") from None
        return self._list(CrmRecordKind.OPPORTUNITY, Opportunity, where)

    # -- tasks (capability ``tasks``) ----------------------------------------------
    def save_task(self, task: CrmTask) -> CrmTask:
        """Create (idempotent on id) or update a task."""
        return self._save(CrmRecordKind.TASK, task, "task")

    def get_task(self, task_id: str) -> CrmTask:
        """The task with this id; raise ``CRMRecordNotFound`` when absent."""
        self.require(Capability.TASKS)
        return self._get(CrmRecordKind.TASK, CrmTask, task_id, "task_id")

    def list_tasks(self, *, open_only: bool = False) -> list[CrmTask]:
        """Tasks, oldest first; only those not done when ``open_only``."""
        self.require(Capability.TASKS)
        return self._list(CrmRecordKind.TASK, CrmTask, {"done": False} if open_only else {})

    # -- contacts (capability ``contacts``) ----------------------------------------
    def save_contact(self, contact: CrmContact) -> CrmContact:
        """Create or replace the contact ``contact.contact_id``; return it as stored (its
        ``updated_at`` in UTC, the value :meth:`list_contacts` compares)."""
        self.require(Capability.CONTACTS)
        checked = self._validated(CrmRecordKind.CONTACT, contact, "contact")
        checked = checked.model_copy(update={"updated_at": as_utc(checked.updated_at)})
        self._call(self._put_record, CrmRecordKind.CONTACT, checked.contact_id, checked)
        return checked

    def get_contact(self, contact_id: str) -> CrmContact:
        """The contact with this id; raise ``CRMRecordNotFound`` when absent or erased."""
        self.require(Capability.CONTACTS)
        return self._get(CrmRecordKind.CONTACT, CrmContact, contact_id, "contact_id")

    def list_contacts(self, *, updated_since: datetime | None = None,
                      account_id: str | None = None) -> list[CrmContact]:
        """Contacts whose ``updated_at`` is strictly after ``updated_since`` (all when
        None), of one account when ``account_id`` is given; oldest update first."""
        self.require(Capability.CONTACTS)
        if updated_since is not None and not isinstance(updated_since, datetime):
            raise InvalidInput("must be a datetime or None", field="updated_since")
        where: dict[str, Any] = {}
        if account_id is not None:
            self._check_id(account_id, "account_id")
            where["account_id"] = account_id
        since = None if updated_since is None else as_utc(updated_since)
        return self._list(CrmRecordKind.CONTACT, CrmContact, where, since)

    def erase_contacts(self, *, email: str | None, phone: str | None,
                       contact_ids: Sequence[str] = ()) -> int:
        """Right to erasure for contacts: delete every contact whose e-mail or phone
        equals ``email`` or ``phone`` once normalised, and every contact in
        ``contact_ids``; return how many were deleted (0 without the ``contacts``
        capability: such a CRM holds none). Idempotent."""
        if not self.supports(Capability.CONTACTS):
            return 0
        wanted_email, wanted_phone = _email(email), _phone(phone)
        if isinstance(contact_ids, str):
            raise InvalidInput("must be a sequence of contact ids, not a string",
                               field="contact_ids")
        ids = {str(i) for i in contact_ids}
        if len(ids) > MAX_ERASE_IDS:
            raise InvalidInput(f"at most {MAX_ERASE_IDS} ids per call", field="contact_ids")
        for name, value in (("email", wanted_email), ("phone", wanted_phone)):
            if value is not None:
                found = self._call(self._find_records, CrmRecordKind.CONTACT, {name: value},
                                   None)
                ids.update(str(c.contact_id) for c in found
                           if isinstance(c, CrmContact) and getattr(c, name) == value)
        deleted = 0
        for contact_id in sorted(ids):
            if _ID.match(contact_id):
                deleted += bool(self._call(self._delete_record, CrmRecordKind.CONTACT,
                                           contact_id))
        return deleted

    # -- shared machinery ------------------------------------------------------------
    def _save(self, kind: CrmRecordKind, record: R, field: str) -> R:
        spec = RECORD_KINDS[kind]
        if spec.capability is not None:
            self.require(spec.capability)
        checked = self._validated(kind, record, field)
        self._call(self._put_record, kind, spec.record_id(checked), checked)
        return checked

    def _validated(self, kind: CrmRecordKind, record: R, field: str) -> R:
        """The record re-validated: ``model_copy(update=...)`` skips pydantic's checks."""
        model = RECORD_KINDS[kind].model
        if not isinstance(record, model):
            raise InvalidInput(f"must be a {model.__name__}", field=field)
        try:
            # warnings=False: a plain str where an enum belongs is what re-validation fixes.
            checked = type(record).model_validate(record.model_dump(warnings=False))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            # The message names the field and the rule, never the rejected value.
            raise InvalidInput(first["msg"], field=f"{field}.{where}" if where else field) from None
        return checked

    def _get(self, kind: CrmRecordKind, model: type[R], record_id: str, field: str) -> R:
        self._check_id(record_id, field)
        found = self._call(self._get_record, kind, record_id)
        if found is None:
            raise CRMRecordNotFound(f"no {kind.value} {record_id!r}")
        return self._typed(model, found)

    def _list(
        self,
        kind: CrmRecordKind,
        model: type[R],
        where: Mapping[str, Any],
        updated_after: datetime | None = None,
    ) -> list[R]:
        spec = RECORD_KINDS[kind]
        found = self._call(self._find_records, kind, dict(where), updated_after)
        keep: Callable[[BaseModel], bool] = _matcher(spec, where, updated_after)
        records = [self._typed(model, r) for r in found if keep(r)]
        records.sort(key=spec.sort_key)
        return records

    def _typed(self, model: type[R], record: object) -> R:
        if not isinstance(record, model):
            raise CRMError(
                f"{self.adapter_name} returned a {type(record).__name__} "
                f"where a {model.__name__} was expected"
            )
        return record

    @staticmethod
    def _check_id(value: object, field: str) -> None:
        if not isinstance(value, str) or not _ID.match(value):
            raise InvalidInput(
                "must be 1-128 letters, digits or '_.:-', starting with a letter or digit",
                field=field,
            )


def _matcher(
    spec: RecordKindSpec, where: Mapping[str, Any], updated_after: datetime | None
) -> Callable[[BaseModel], bool]:
    """The exact conditions of a listing (adapters may return a superset)."""

    def keep(record: BaseModel) -> bool:
        if any(getattr(record, name) != value for name, value in where.items()):
            return False
        if updated_after is not None and spec.watermark is not None:
            return as_utc(getattr(record, spec.watermark)) > updated_after
        return True

    return keep


def _email(value: str | None) -> str | None:
    try:
        return normalise_email(value)
    except (ValueError, AttributeError):
        # No value in the message: an erasure request's data must not reach the logs.
        raise InvalidInput("not an e-mail address", field="email") from None


def _phone(value: str | None) -> str | None:
    try:
        return normalise_phone(value)
    except (ValueError, AttributeError):
        raise InvalidInput("not a phone number", field="phone") from None


__all__ = ["CRM", "RECORD_KINDS", "CrmRecord", "RecordKindSpec", "as_utc"]
