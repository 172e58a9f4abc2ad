"""Profile records (the input of fusion) and their normalised linkage rows.

A :class:`ProfileRecord` is one observation of a person by one source (the bank's CRM, a
social login, a crawled B2B profile) at one time. Fusion links records into people; the
golden record then says, field by field, which source said what and when.

Input is bounded here, once: at most :data:`MAX_FIELD_CHARS` characters per value and a
record count chosen by :class:`~socialreferral.people.settings.LinkageSettings`, so a
hostile or broken upstream cannot make the linkage engine allocate without limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, Field, ValidationError

from socialreferral.domain._base import DomainModel
from socialreferral.errors import InvalidInput
from socialreferral.people import normalise

MAX_FIELD_CHARS = 256
RECORD_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$"

#: The person attributes fusion understands, in the order the golden record lists them.
PERSON_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone",
    "city",
    "postcode",
    "street",
    "network",
    "handle",
)

_Value = Field(default=None, max_length=MAX_FIELD_CHARS)


class ProfileRecord(DomainModel):
    """One source's view of one person. Unknown attributes are ``None``.

    ``email_verified`` is set by sources that proved control of the mailbox (a confirmed
    sign-up, a social login that returns a verified address); two records sharing a
    verified address are linked deterministically.
    """

    record_id: str = Field(pattern=RECORD_ID_PATTERN)
    source: str = Field(default="input", min_length=1, max_length=64)
    observed_at: AwareDatetime | None = None
    first_name: str | None = _Value
    last_name: str | None = _Value
    date_of_birth: str | None = _Value
    email: str | None = _Value
    phone: str | None = _Value
    city: str | None = _Value
    postcode: str | None = _Value
    street: str | None = _Value
    network: str | None = _Value
    handle: str | None = _Value
    email_verified: bool = False

    def value(self, field: str) -> str | None:
        """The raw value of one of :data:`PERSON_FIELDS`."""
        if field not in PERSON_FIELDS:
            raise KeyError(field)
        result: str | None = getattr(self, field)
        return result


def _coerce(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):  # bool is an int; "True" is never a name or a date
        raise InvalidInput("expected text, got a boolean", field=where)
    if isinstance(value, int | float):
        # Spreadsheets turn postcodes and phone numbers into numbers; the digits still count.
        if isinstance(value, float) and value != value:  # NaN from a data frame: unknown
            return None
        return str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str):
        raise InvalidInput(f"expected text, got {type(value).__name__}", field=where)
    if len(value) > MAX_FIELD_CHARS:
        raise InvalidInput(f"longer than {MAX_FIELD_CHARS} characters", field=where)
    return value


def records_from_mappings(
    rows: Sequence[Mapping[str, Any]],
    *,
    max_records: int,
    source: str = "input",
    observed_at: datetime | None = None,
) -> list[ProfileRecord]:
    """Records ``r0``, ``r1``, ... from plain mappings (the shape :func:`resolve` accepts).

    Keys outside :data:`PERSON_FIELDS` are ignored and missing keys are unknown. Values
    must be text (numbers are accepted and written as digits) of at most
    :data:`MAX_FIELD_CHARS` characters; anything else raises :class:`InvalidInput` naming
    ``records[i].field``.
    """
    if isinstance(rows, str | bytes) or not isinstance(rows, Sequence):
        raise InvalidInput("expected a sequence of mappings", field="records")
    if len(rows) > max_records:
        raise InvalidInput(
            f"{len(rows)} records exceed the limit of {max_records}", field="records"
        )
    out: list[ProfileRecord] = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InvalidInput(
                f"expected a mapping, got {type(row).__name__}", field=f"records[{i}]"
            )
        values: dict[str, Any] = {
            f: _coerce(row.get(f), f"records[{i}].{f}") for f in PERSON_FIELDS
        }
        values.update(record_id=f"r{i}", source=source, observed_at=observed_at)
        try:
            out.append(ProfileRecord.model_validate(values))
        except ValidationError as exc:  # pragma: no cover - _coerce already bounds values
            raise InvalidInput(str(exc), field=f"records[{i}]") from exc
    return out


def check_unique_ids(records: Sequence[ProfileRecord]) -> None:
    """Raise :class:`InvalidInput` if two records share a ``record_id``."""
    seen: set[str] = set()
    for i, record in enumerate(records):
        if record.record_id in seen:
            raise InvalidInput(
                f"duplicate record_id {record.record_id!r}", field=f"records[{i}].record_id"
            )
        seen.add(record.record_id)


#: Columns of a linkage row (the table the linkage engine compares), beside ``unique_id``.
LINKAGE_COLUMNS: tuple[str, ...] = (
    "first_name",
    "first_name_key",
    "last_name",
    "dob",
    "email",
    "email_user",
    "email_verified",
    "phone",
    "city",
    "postcode",
    "street",
    "street_tokens",
    "handle",
    "handle_key",
)


def linkage_row(
    record: ProfileRecord, *, day_first: bool = True, phone_digits: int = 9
) -> dict[str, Any]:
    """The normalised columns the linkage model compares, for one record.

    ``handle_key`` is ``network:handle`` when the network is known (unique on its network,
    so equal keys are the same account); ``handle`` alone is compared too, because people
    reuse a handle
    across networks. ``email_verified`` holds the canonical address only when verified.
    """
    first = normalise.name(record.first_name)
    canonical_email = normalise.email(record.email)
    street = normalise.place(record.street)
    net = normalise.network(record.network)
    user_handle = normalise.handle(record.handle)
    return {
        "unique_id": record.record_id,
        "first_name": first,
        "first_name_key": normalise.first_name_key(first),
        "last_name": normalise.name(record.last_name),
        "dob": normalise.date_of_birth(record.date_of_birth, day_first=day_first),
        "email": canonical_email,
        "email_user": normalise.email_user(canonical_email),
        "email_verified": canonical_email if record.email_verified else None,
        "phone": normalise.phone(record.phone, significant_digits=phone_digits),
        "city": normalise.place(record.city),
        "postcode": normalise.postcode(record.postcode),
        "street": street,
        "street_tokens": normalise.tokens(street),
        "handle": user_handle,
        "handle_key": f"{net}:{user_handle}" if user_handle and net else None,
    }


__all__ = [
    "LINKAGE_COLUMNS",
    "MAX_FIELD_CHARS",
    "PERSON_FIELDS",
    "ProfileRecord",
    "check_unique_ids",
    "linkage_row",
    "records_from_mappings",
]
