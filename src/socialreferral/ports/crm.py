"""The CRM port: catalog, promotions, de-duplicated leads, opportunities, tasks."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from datetime import datetime

from socialreferral.domain.crm import (
    CrmTask,
    Lead,
    LeadInput,
    LeadResult,
    Opportunity,
    Product,
    Promotion,
)
from socialreferral.ports._base import Adapter, RetryPolicy


# ======================================================================================
# CRM
# ======================================================================================
class CRM(Adapter):
    """The enterprise CRM: catalog, promotions, leads, opportunities, tasks.

    Every create is idempotent on the record's id, and leads are de-duplicated on the
    normalised e-mail or phone (normalised by :class:`~socialreferral.domain.crm.LeadInput`).
    """

    def __init__(self, *, retry: RetryPolicy | None = None) -> None:
        if retry is not None:
            self.retry = retry

    @abstractmethod
    def upsert_product(self, product: Product) -> Product:
        """Create or replace a catalog entry."""

    @abstractmethod
    def list_products(self, *, active_only: bool = True) -> list[Product]:
        """The catalog, ordered by product id."""

    @abstractmethod
    def upsert_promotion(self, promotion: Promotion) -> Promotion:
        """Create or replace a promotion."""

    @abstractmethod
    def list_promotions(self, *, updated_since: datetime | None = None) -> list[Promotion]:
        """Promotions updated strictly after ``updated_since``, oldest update first."""

    @abstractmethod
    def create_lead(self, lead: LeadInput, *, lead_id: str) -> LeadResult:
        """Create a lead, or return the existing one with the same e-mail or phone."""

    @abstractmethod
    def get_lead(self, lead_id: str) -> Lead:
        """Raise ``CRMRecordNotFound`` when absent."""

    @abstractmethod
    def list_leads(self) -> list[Lead]:
        """All leads, oldest first."""

    @abstractmethod
    def save_opportunity(self, opportunity: Opportunity) -> Opportunity:
        """Create (idempotent on id) or update a manual-offer opportunity."""

    @abstractmethod
    def get_opportunity(self, opportunity_id: str) -> Opportunity:
        """Raise ``CRMRecordNotFound`` when absent."""

    @abstractmethod
    def list_opportunities(self, *, status: str | None = None) -> list[Opportunity]:
        """Opportunities, oldest first, optionally of one status."""

    @abstractmethod
    def save_task(self, task: CrmTask) -> CrmTask:
        """Create (idempotent on id) or update a task."""

    @abstractmethod
    def list_tasks(self, *, open_only: bool = False) -> list[CrmTask]:
        """Tasks, oldest first."""

    @abstractmethod
    def erase_contact(
        self, *, email: str | None, phone: str | None, lead_ids: Sequence[str] = ()
    ) -> int:
        """Right to erasure: delete (or irreversibly anonymise) every lead whose e-mail or
        phone equals ``email``/``phone`` once normalised (``normalise_email``,
        ``normalise_phone`` of :mod:`socialreferral.domain.crm`) and every lead in
        ``lead_ids``; return how many leads were erased. Nothing of an erased lead may stay
        readable in the CRM's storage. Idempotent: a second call returns 0."""
