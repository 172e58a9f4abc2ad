"""Customers (potential referrers) and their consent to be listened to.

A customer links social accounts (network → person id) after granting consent; only
customers with an active consent on a network are listened to there (DESIGN.md, platform
reality). ``customer_value`` is normalised to 0..1 by whoever loads customers (for example
a percentile of lifetime value) so that incentive weights mean the same in every bank.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, Field

from socialreferral.domain._base import DomainModel, utcnow
from socialreferral.domain.crm import ContactEmail, ContactPhone

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"


class Customer(DomainModel):
    """A customer of the enterprise who may act as a referrer (conduit)."""

    customer_id: str = Field(pattern=_ID)
    display_name: str = Field(default="", max_length=200)
    social_accounts: dict[str, str] = Field(
        default_factory=dict, description="network -> person id on that network"
    )
    customer_value: float = Field(default=0.0, ge=0.0, le=1.0)
    segments: tuple[str, ...] = ()
    is_customer: bool = True
    opted_out: bool = False
    email: ContactEmail = Field(default=None, max_length=254)
    phone: ContactPhone = Field(default=None, max_length=32)
    created_at: AwareDatetime = Field(default_factory=utcnow)

    def person_id(self, network: str) -> str | None:
        """This customer's person id on ``network``, if an account is linked."""
        return self.social_accounts.get(network)

    def owns(self, network: str, person_id: str) -> bool:
        """True if ``person_id`` on ``network`` is one of this customer's own accounts."""
        return self.social_accounts.get(network) == person_id


class Consent(DomainModel):
    """A customer's permission for one network account, with the scopes granted."""

    customer_id: str = Field(pattern=_ID)
    network: str = Field(min_length=1, max_length=32)
    person_id: str = Field(min_length=1, max_length=128)
    scopes: tuple[str, ...] = ()
    granted_at: AwareDatetime
    revoked_at: AwareDatetime | None = None
    #: Set when the network refused the account's token (expired, revoked, a permission
    #: removed): the customer must connect again; cleared by the next connection.
    reconsent_required_at: AwareDatetime | None = None

    @property
    def active(self) -> bool:
        """True until the consent is revoked."""
        return self.revoked_at is None

    def active_at(self, when: datetime) -> bool:
        """True if the consent covered the instant ``when`` (granted, not yet revoked)."""
        if when < self.granted_at:
            return False
        return self.revoked_at is None or when < self.revoked_at

    def allows(self, scope: str) -> bool:
        """True if the consent is active and includes ``scope``."""
        return self.active and scope in self.scopes

    @property
    def needs_reconsent(self) -> bool:
        """True when the network refused the token and the customer must log in again."""
        return self.reconsent_required_at is not None

    def revoke(self, at: datetime) -> Consent:
        """A copy revoked at ``at`` (a revoked consent stays revoked at its first time)."""
        if self.revoked_at is not None:
            return self
        return self.model_copy(update={"revoked_at": at})


__all__ = ["Consent", "Customer"]
