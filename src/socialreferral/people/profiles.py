"""Captured profiles: what a person consented to share, as one source gave it.

Seed 001: a social login is the moment to ask for the person's profile, and "the entire
user profile data ... is persisted"; seed 004 adds B2B profiles retrieved from company
registers and professional networks, and the CRM's own contacts are a source too. A
:class:`CapturedProfile` is one such capture — which source, which account on which
network, which person fields and B2B attributes, under which consent scopes, when — and
:meth:`CapturedProfile.to_record` is the :class:`~socialreferral.people.records.
ProfileRecord` fusion links.

Only the fields fusion and B2B ranking use are kept (minimisation): the person fields of
:data:`~socialreferral.people.records.PERSON_FIELDS` and a few bounded attributes
(company, title, ...). Everything is bounded here, once, so a hostile import file or a
broken upstream cannot store unbounded data.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, Field, ValidationError, field_validator

from socialreferral.domain._base import DomainModel
from socialreferral.domain.crm import CrmContact
from socialreferral.domain.social import Profile
from socialreferral.errors import InvalidInput
from socialreferral.people.records import MAX_FIELD_CHARS, PERSON_FIELDS, ProfileRecord

#: Person fields a capture may carry (``network`` and ``handle`` are the capture's own).
CAPTURE_FIELDS: tuple[str, ...] = tuple(f for f in PERSON_FIELDS if f not in ("network", "handle"))
#: B2B attributes a capture may carry beside the person fields.
ATTRIBUTES: tuple[str, ...] = ("display_name", "company", "title", "industry", "account_id")
MAX_SCOPES = 32
_RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$")
_SOURCE = r"^[a-z][a-z0-9_-]{0,31}$"


def record_id_for(source: str, external_id: str) -> str:
    """The stable record id of ``external_id`` at ``source``: ``source:id`` when that is
    a valid record id, else a digest (so the same capture always gets the same id)."""
    candidate = f"{source}:{external_id}"
    if _RECORD_ID.match(candidate):
        return candidate
    digest = hashlib.sha256(f"{source}\x1f{external_id}".encode()).hexdigest()[:32]
    return f"{source[:20]}:h{digest}"


def _bounded(values: Mapping[str, str], allowed: tuple[str, ...], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in values.items():
        if key not in allowed:
            raise ValueError(f"{what} {key!r} is not one of {', '.join(allowed)}")
        if len(value) > MAX_FIELD_CHARS:
            raise ValueError(f"{what} {key!r} is longer than {MAX_FIELD_CHARS} characters")
        if value.strip():
            out[key] = value.strip()
    return out


class CapturedProfile(DomainModel):
    """One source's capture of a person's profile (see the module docstring)."""

    record_id: str = Field(pattern=_RECORD_ID.pattern)
    source: str = Field(pattern=_SOURCE, description="facebook-login, crm, register, import")
    external_id: str = Field(min_length=1, max_length=256, description="the id at the source")
    network: str | None = Field(default=None, max_length=32)
    handle: str | None = Field(default=None, max_length=MAX_FIELD_CHARS)
    fields: dict[str, str] = Field(default_factory=dict)
    attributes: dict[str, str] = Field(default_factory=dict)
    scopes: tuple[str, ...] = Field(default=(), description="the consent the capture rests on")
    customer_id: str | None = Field(default=None, max_length=128)
    email_verified: bool = False
    captured_at: AwareDatetime

    @field_validator("fields")
    @classmethod
    def _person_fields(cls, value: dict[str, str]) -> dict[str, str]:
        return _bounded(value, CAPTURE_FIELDS, "field")

    @field_validator("attributes")
    @classmethod
    def _attributes(cls, value: dict[str, str]) -> dict[str, str]:
        return _bounded(value, ATTRIBUTES, "attribute")

    @field_validator("scopes")
    @classmethod
    def _scopes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(value) > MAX_SCOPES or any(len(s) > 128 for s in value):
            raise ValueError(f"at most {MAX_SCOPES} scopes of 128 characters")
        return value

    def to_record(self) -> ProfileRecord:
        """The record fusion links (its id, source and time are the capture's)."""
        return ProfileRecord(
            record_id=self.record_id,
            source=self.source,
            observed_at=self.captured_at,
            network=self.network,
            handle=self.handle,
            email_verified=self.email_verified,
            **{f: self.fields.get(f) for f in CAPTURE_FIELDS},
        )

    @property
    def display_name(self) -> str:
        """The name to show: the attribute, or first and last name."""
        named = self.attributes.get("display_name")
        if named:
            return named
        return " ".join(filter(None, (self.fields.get("first_name"),
                                      self.fields.get("last_name"))))


def split_display_name(display_name: str) -> dict[str, str]:
    """``first_name``/``last_name`` from a network's display name: the first word is the
    given name, the last word the family name (a network shares one display string;
    fusion's swapped-name comparison absorbs the cultures that write it the other way)."""
    words = display_name.split()
    if not words:
        return {}
    if len(words) == 1:
        return {"first_name": words[0]}
    return {"first_name": words[0], "last_name": words[-1]}


def from_social_profile(
    profile: Profile,
    *,
    captured_at: datetime,
    scopes: tuple[str, ...] = (),
    customer_id: str | None = None,
    source: str | None = None,
    email_verified: bool = False,
) -> CapturedProfile:
    """The capture of a profile a network returned at a social login or connection.

    ``email_verified`` only when the network says the address is verified (LinkedIn's
    OpenID ``email_verified`` claim); it makes a shared address a certain link.
    """
    fields = split_display_name(profile.display_name)
    if profile.email:
        fields["email"] = profile.email
    if profile.date_of_birth:
        fields["date_of_birth"] = profile.date_of_birth
    name = source or _source_name(f"{profile.network}-login")
    attributes = {"display_name": profile.display_name} if profile.display_name else {}
    return CapturedProfile(
        record_id=record_id_for(name, f"{profile.network}:{profile.person_id}"),
        source=name,
        external_id=profile.person_id,
        network=profile.network,
        handle=profile.person_id,
        fields=fields,
        attributes=attributes,
        scopes=scopes,
        customer_id=customer_id,
        email_verified=email_verified,
        captured_at=captured_at,
    )


def from_crm_contact(
    contact: CrmContact, *, captured_at: datetime | None = None
) -> CapturedProfile:
    """The capture of a CRM contact (source ``crm``; time: the contact's last update)."""
    fields = {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "email": contact.email or "",
        "phone": contact.phone or "",
        "date_of_birth": contact.date_of_birth or "",
        "city": contact.city or "",
        "postcode": contact.postcode or "",
        "street": contact.street or "",
    }
    attributes = {"company": contact.company, "title": contact.title,
                  "account_id": contact.account_id or ""}
    return CapturedProfile(
        record_id=record_id_for("crm", contact.contact_id),
        source="crm",
        external_id=contact.contact_id,
        fields=fields,
        attributes=attributes,
        captured_at=captured_at or contact.updated_at,
    )


def _source_name(text: str) -> str:
    cleaned = re.sub(r"[^a-z0-9_-]", "-", text.lower()).strip("-_")[:32]
    return cleaned if cleaned and cleaned[0].isalpha() else f"s{cleaned}"[:32]


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidInput(f"expected text, got {type(value).__name__}", field=where)
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if len(text) > MAX_FIELD_CHARS:
        raise InvalidInput(f"longer than {MAX_FIELD_CHARS} characters", field=where)
    return text


def from_mapping(
    row: Mapping[str, Any], *, source: str, captured_at: datetime, where: str = "profile"
) -> CapturedProfile:
    """A capture from one row of an import file (CSV or JSON lines).

    Keys: ``id`` (required: the id at the source), ``network``, ``handle``, the person
    fields, the attributes, ``scopes`` (comma-separated or a list), ``email_verified``
    (true/false), ``captured_at`` (ISO time; default ``captured_at``). Unknown keys are
    ignored; bad values raise :class:`InvalidInput` naming ``<where>.<key>``.
    """
    if not isinstance(row, Mapping):
        raise InvalidInput("expected an object", field=where)
    external = _text(row.get("id"), f"{where}.id")
    if not external:
        raise InvalidInput("every profile needs an id", field=f"{where}.id")
    source_name = _source_name(_text(row.get("source"), f"{where}.source") or source)
    scopes_value = row.get("scopes") or ()
    if isinstance(scopes_value, str):
        scopes_value = [s.strip() for s in scopes_value.split(",") if s.strip()]
    if not isinstance(scopes_value, list | tuple):
        raise InvalidInput("expected a list or comma-separated text", field=f"{where}.scopes")
    verified = row.get("email_verified", False)
    if isinstance(verified, str):
        verified = verified.strip().lower() in ("1", "true", "yes")
    at = row.get("captured_at")
    try:
        when = datetime.fromisoformat(at) if isinstance(at, str) and at else captured_at
    except ValueError:
        raise InvalidInput("not an ISO time", field=f"{where}.captured_at") from None
    network = _text(row.get("network"), f"{where}.network") or None
    values: dict[str, Any] = {
        "record_id": record_id_for(source_name, f"{network}:{external}" if network
                                   else external),
        "source": source_name,
        "external_id": external,
        "network": network,
        "handle": _text(row.get("handle"), f"{where}.handle") or None,
        "fields": {f: _text(row.get(f), f"{where}.{f}") for f in CAPTURE_FIELDS},
        "attributes": {a: _text(row.get(a), f"{where}.{a}") for a in ATTRIBUTES},
        "scopes": tuple(_text(s, f"{where}.scopes") for s in scopes_value),
        "email_verified": bool(verified),
        "captured_at": when,
    }
    try:
        return CapturedProfile.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(first["msg"], field=f"{where}.{loc}" if loc else where) from None

__all__ = [
    "ATTRIBUTES",
    "CAPTURE_FIELDS",
    "CapturedProfile",
    "from_crm_contact",
    "from_mapping",
    "from_social_profile",
    "record_id_for",
    "split_display_name",
]
