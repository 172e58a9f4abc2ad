"""CRM records: the product and promotion catalog, leads, opportunities and tasks.

Contact normalisation lives here because lead de-duplication must give the same answer
in every CRM adapter.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from socialreferral.domain._base import DomainModel, utcnow

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def normalise_email(email: str | None) -> str | None:
    """Lower-case, trimmed; Gmail-style dots and +tags are kept (they may be different people)."""
    if email is None:
        return None
    email = email.strip().lower()
    if not email:
        return None
    if not _EMAIL.match(email):
        raise ValueError(f"not an e-mail address: {email!r}")
    return email


def normalise_phone(phone: str | None, default_country_code: str = "") -> str | None:
    """Digits only with a leading '+'; a national number gets ``default_country_code``."""
    if phone is None:
        return None
    raw = phone.strip()
    if not raw:
        return None
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("00"):
        digits = digits[2:]
    elif not raw.startswith("+") and default_country_code:
        digits = default_country_code.lstrip("+") + digits.lstrip("0")
    if not 7 <= len(digits) <= 15:
        raise ValueError(f"not a phone number: {phone!r}")
    return "+" + digits


ContactEmail = Annotated[str | None, AfterValidator(normalise_email)]
"""An optional e-mail address, normalised (and validated) by :func:`normalise_email`."""
ContactPhone = Annotated[str | None, AfterValidator(normalise_phone)]
"""An optional phone number, normalised (and validated) by :func:`normalise_phone`."""


class Product(DomainModel):
    """A product or offer in the catalog (the paper's ten offers are products).

    ``manual_offer`` products are not offered automatically: the worker opens a CRM
    opportunity and waits for the CRM's answer (seed 000, Section 2).
    """

    product_id: str = Field(pattern=_ID)
    name: str = Field(min_length=1, max_length=200)
    category: str = Field(default="general", max_length=64)
    description: str = Field(default="", max_length=2000)
    seed_phrases: tuple[str, ...] = ()
    manual_offer: bool = False
    offer_template: str = Field(
        default="Hi {prospect}, {referrer} thought you might like our {product}.",
        max_length=2000,
    )
    active: bool = True


class Promotion(DomainModel):
    """A time-boxed campaign on a product; the promotion workflow publishes new ones."""

    promotion_id: str = Field(pattern=_ID)
    product_id: str = Field(pattern=_ID)
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(default="", max_length=2000)
    starts_at: datetime = Field(default_factory=utcnow)
    ends_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)
    target_segments: tuple[str, ...] = ()


class LeadStatus(StrEnum):
    NEW = "new"
    QUALIFIED = "qualified"
    CONVERTED = "converted"
    REJECTED = "rejected"


class LeadInput(DomainModel):
    """What a prospect submits (validated at the lead-form boundary)."""

    name: str = Field(min_length=1, max_length=200)
    email: ContactEmail = Field(default=None, max_length=254)
    phone: ContactPhone = Field(default=None, max_length=32)
    product_id: str = Field(pattern=_ID)
    source: str = Field(default="referral", max_length=64)
    referral_id: str | None = Field(default=None, pattern=_ID)
    consent_marketing: bool = False
    notes: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _contactable(self) -> LeadInput:
        if not self.email and not self.phone:
            raise ValueError("a lead needs an email or a phone number")
        return self


class Lead(DomainModel):
    """A lead as stored in the CRM. ``email``/``phone`` are already normalised."""

    lead_id: str
    name: str
    email: str | None
    phone: str | None
    product_id: str
    source: str
    referral_id: str | None = None
    status: LeadStatus = LeadStatus.NEW
    created_at: datetime = Field(default_factory=utcnow)


class LeadResult(DomainModel):
    """``created`` is False when the lead matched an existing one (same e-mail or phone)."""

    lead: Lead
    created: bool


class OpportunityStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    DECLINED = "declined"


class Opportunity(DomainModel):
    """A manual-offer request routed to the CRM; an agent answers it with an offer text."""

    opportunity_id: str = Field(pattern=_ID)
    product_id: str = Field(pattern=_ID)
    prospect_id: str
    referrer_id: str | None = None
    context: str = Field(default="", max_length=4000)
    status: OpportunityStatus = OpportunityStatus.OPEN
    offer_text: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    answered_at: datetime | None = None


class CrmTask(DomainModel):
    """A to-do for a person in the enterprise (e.g. review a flagged reward)."""

    task_id: str = Field(pattern=_ID)
    subject: str = Field(min_length=1, max_length=400)
    assignee: str | None = None
    related_id: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    done: bool = False
    created_at: datetime = Field(default_factory=utcnow)


_MAX_ENRICHMENT = 32


class CrmContact(DomainModel):
    """A person the CRM knows (a customer, a prospect's contact person at a company).

    Contacts are a **source** of profiles for people fusion (read since a watermark on
    ``updated_at``) and the **target** of enrichment: the People service writes the
    consolidated (golden) values into ``enrichment`` and the person id into ``people_id``,
    never over the CRM's own fields, which stay the CRM's system of record.
    """

    contact_id: str = Field(pattern=_ID)
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    email: ContactEmail = Field(default=None, max_length=254)
    phone: ContactPhone = Field(default=None, max_length=32)
    date_of_birth: str | None = Field(default=None, max_length=32)
    city: str | None = Field(default=None, max_length=100)
    postcode: str | None = Field(default=None, max_length=32)
    street: str | None = Field(default=None, max_length=200)
    company: str = Field(default="", max_length=200)
    account_id: str | None = Field(default=None, pattern=_ID)
    title: str = Field(default="", max_length=200)
    people_id: str | None = Field(default=None, max_length=128)
    enrichment: dict[str, str] = Field(default_factory=dict)
    enriched_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)

    @model_validator(mode="after")
    def _bounded_enrichment(self) -> CrmContact:
        if len(self.enrichment) > _MAX_ENRICHMENT:
            raise ValueError(f"enrichment holds more than {_MAX_ENRICHMENT} fields")
        if any(len(k) > 64 or len(v) > 256 for k, v in self.enrichment.items()):
            raise ValueError("enrichment keys are at most 64, values 256 characters")
        return self
