"""Recording fakes of the CRM and SocialChannel ports for service-level tests.

They behave like the local reference adapters (in memory, nothing on disk) and record
what the code under test asked of them::

    social = RecordingSocialChannel(profiles={"p1": Profile(...)},
                                    connections={"p1": [Connection(...)]})
    ...run the use case...
    assert [m.recipient_id for m in social.sent] == ["p2"]

    crm = RecordingCRM()
    ...
    assert crm.calls[0][0] == "create_lead"
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from socialreferral.domain.crm import (
    CrmTask,
    Lead,
    LeadInput,
    LeadResult,
    Opportunity,
    Product,
    Promotion,
)
from socialreferral.domain.social import Connection, OutboundMessage, Profile
from socialreferral.ports import NO_RETRY, SocialChannel
from socialreferral.providers.local.crm import LocalCRM
from socialreferral.records import Capability


class RecordingSocialChannel(SocialChannel):
    """A social channel in memory: ``sent`` lists delivered messages (once per
    ``message_id``, like a real idempotent channel) and ``send_attempts`` counts the
    calls that reached the channel; profiles and connections come from the dicts given
    (``profiles``/``connections`` stay editable). ``fail_sends`` makes the next n sends
    raise ``error``; no retries, so failures reach the test as they happen."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PROFILES, Capability.CONNECTIONS, Capability.PUBLIC_REPLIES,
         Capability.PRIVATE_REPLIES}
    )
    provider: ClassVar[str] = "fake"
    network: ClassVar[str] = "fake"

    def __init__(
        self,
        profiles: Mapping[str, Profile] | None = None,
        connections: Mapping[str, Iterable[Connection]] | None = None,
    ) -> None:
        super().__init__(retry=NO_RETRY)  # failures reach the test as they happen
        self.profiles: dict[str, Profile] = dict(profiles or {})
        self.connections: dict[str, list[Connection]] = {
            k: list(v) for k, v in (connections or {}).items()
        }
        self.sent: list[OutboundMessage] = []
        self.send_attempts = 0
        self.fail_sends = 0
        self.error: Exception = RuntimeError("simulated send failure")

    def _send(self, message: OutboundMessage) -> str:
        self.send_attempts += 1
        if self.fail_sends > 0:
            self.fail_sends -= 1
            raise self.error
        if all(m.message_id != message.message_id for m in self.sent):
            self.sent.append(message)
        return message.message_id

    def _get_profile(self, person_id: str) -> Profile | None:
        return self.profiles.get(person_id)

    def _get_connections(self, person_id: str) -> list[Connection]:
        return list(self.connections.get(person_id, []))

    def _forget(self, person_id: str) -> None:
        self.profiles.pop(person_id, None)
        self.connections.pop(person_id, None)
        for owner, items in self.connections.items():
            self.connections[owner] = [c for c in items if c.other_id != person_id]
        self.sent = [m for m in self.sent if m.recipient_id != person_id]


class RecordingCRM(LocalCRM):
    """The local CRM in memory; ``calls`` records ``(method, args, kwargs)`` of every
    public call in order, then the call runs through the CRM base and LocalCRM's
    primitives like any adapter's (same validation, de-duplication and errors)."""

    provider: ClassVar[str] = "fake"

    def __init__(self) -> None:
        super().__init__(":memory:")
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def _record(self, method: str, *args: Any, **kwargs: Any) -> None:
        self.calls.append((method, args, kwargs))

    def upsert_product(self, product: Product) -> Product:
        """Record, then create or replace a catalog entry."""
        self._record("upsert_product", product)
        return super().upsert_product(product)

    def list_products(self, *, active_only: bool = True) -> list[Product]:
        """Record, then list the catalog."""
        self._record("list_products", active_only=active_only)
        return super().list_products(active_only=active_only)

    def upsert_promotion(self, promotion: Promotion) -> Promotion:
        """Record, then create or replace a promotion."""
        self._record("upsert_promotion", promotion)
        return super().upsert_promotion(promotion)

    def list_promotions(self, *, updated_since: datetime | None = None) -> list[Promotion]:
        """Record, then list promotions updated strictly after ``updated_since``."""
        self._record("list_promotions", updated_since=updated_since)
        return super().list_promotions(updated_since=updated_since)

    def create_lead(self, lead: LeadInput, *, lead_id: str) -> LeadResult:
        """Record, then create or match a lead."""
        self._record("create_lead", lead, lead_id=lead_id)
        return super().create_lead(lead, lead_id=lead_id)

    def get_lead(self, lead_id: str) -> Lead:
        """Record, then read a lead."""
        self._record("get_lead", lead_id)
        return super().get_lead(lead_id)

    def list_leads(self) -> list[Lead]:
        """Record, then list leads."""
        self._record("list_leads")
        return super().list_leads()

    def save_opportunity(self, opportunity: Opportunity) -> Opportunity:
        """Record, then create or update an opportunity."""
        self._record("save_opportunity", opportunity)
        return super().save_opportunity(opportunity)

    def get_opportunity(self, opportunity_id: str) -> Opportunity:
        """Record, then read an opportunity."""
        self._record("get_opportunity", opportunity_id)
        return super().get_opportunity(opportunity_id)

    def list_opportunities(self, *, status: str | None = None) -> list[Opportunity]:
        """Record, then list opportunities."""
        self._record("list_opportunities", status=status)
        return super().list_opportunities(status=status)

    def save_task(self, task: CrmTask) -> CrmTask:
        """Record, then create or update a task."""
        self._record("save_task", task)
        return super().save_task(task)

    def list_tasks(self, *, open_only: bool = False) -> list[CrmTask]:
        """Record, then list tasks."""
        self._record("list_tasks", open_only=open_only)
        return super().list_tasks(open_only=open_only)

    def erase_contact(
        self, *, email: str | None, phone: str | None, lead_ids: Sequence[str] = ()
    ) -> int:
        """Record, then erase the matching leads."""
        # Recorded by kind only: the call log must not keep the erased person's details.
        self._record("erase_contact", lead_ids=len(tuple(lead_ids)))
        return super().erase_contact(email=email, phone=phone, lead_ids=lead_ids)

    def names(self) -> list[str]:
        """The method names called so far, in order (handy for assertions)."""
        return [call[0] for call in self.calls]


__all__ = ["RecordingCRM", "RecordingSocialChannel"]
