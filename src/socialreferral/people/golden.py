"""Golden records: one merged profile per person, with per-field provenance.

Survivorship, field by field: among the cluster's records that know the field, the value
most records agree on (compared in normalised form, so ``J.Smith@GMail.com`` and
``jsmith@gmail.com`` are one value) wins; ties go to the most recently observed record,
then to the source listed first in ``source_priority``, then to the smallest record id.
A verified e-mail beats any unverified one. The winning value is shown as its source
wrote it, and the provenance says which record and source said it, when, how many records
agree, and how many other values were seen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import AwareDatetime, Field

from socialreferral.domain._base import DomainModel
from socialreferral.people import normalise
from socialreferral.people.records import PERSON_FIELDS, ProfileRecord


class FieldProvenance(DomainModel):
    """Where a golden field's value came from."""

    value: str
    record_id: str
    source: str
    observed_at: AwareDatetime | None = None
    support: int = Field(ge=1, description="records that agree on this value")
    alternatives: int = Field(ge=0, description="other distinct values seen for the field")
    verified: bool = False


class GoldenRecord(DomainModel):
    """The merged profile of one person (cluster); ``fields`` holds only known fields."""

    cluster_id: str
    record_ids: tuple[str, ...]
    sources: tuple[str, ...]
    fields: dict[str, FieldProvenance]

    def value(self, field: str) -> str | None:
        """The golden value of ``field``, or ``None`` if no record knows it."""
        prov = self.fields.get(field)
        return prov.value if prov else None


def _comparable(field: str) -> Callable[[str | None], str | None]:
    simple: dict[str, Callable[[str | None], str | None]] = {
        "first_name": normalise.name,
        "last_name": normalise.name,
        "date_of_birth": normalise.date_of_birth,
        "email": normalise.email,
        "phone": normalise.phone,
        "city": normalise.place,
        "postcode": normalise.postcode,
        "street": normalise.place,
        "network": normalise.network,
        "handle": normalise.handle,
    }
    return simple[field]


def _recency(record: ProfileRecord) -> float:
    return record.observed_at.timestamp() if record.observed_at else float("-inf")


def _best_record(group: list[ProfileRecord], rank: dict[str, int]) -> ProfileRecord:
    return min(group, key=lambda r: (-_recency(r), rank.get(r.source, len(rank)), r.record_id))


def _group_key(
    field: str, group: list[ProfileRecord], rank: dict[str, int]
) -> tuple[int, int, float, int, str]:
    top = _best_record(group, rank)
    verified = field == "email" and any(r.email_verified for r in group)
    return (
        -int(verified),
        -len(group),
        -_recency(top),
        rank.get(top.source, len(rank)),
        top.record_id,
    )


def golden_record(
    cluster_id: str,
    records: Sequence[ProfileRecord],
    *,
    source_priority: Sequence[str] = (),
) -> GoldenRecord:
    """The golden record of the cluster made of ``records`` (see the module docstring)."""
    rank = {s: i for i, s in enumerate(source_priority)}
    fields: dict[str, FieldProvenance] = {}
    for field in PERSON_FIELDS:
        norm = _comparable(field)
        groups: dict[str, list[ProfileRecord]] = {}
        for record in records:
            key = norm(record.value(field))
            if key is not None:
                groups.setdefault(key, []).append(record)
        if not groups:
            continue

        _, winners = min(groups.items(), key=lambda item: _group_key(field, item[1], rank))
        top = _best_record(winners, rank)
        raw = top.value(field)
        assert raw is not None
        fields[field] = FieldProvenance(
            value=raw.strip(),
            record_id=top.record_id,
            source=top.source,
            observed_at=top.observed_at,
            support=len(winners),
            alternatives=len(groups) - 1,
            verified=field == "email" and any(r.email_verified for r in winners),
        )
    return GoldenRecord(
        cluster_id=cluster_id,
        record_ids=tuple(sorted(r.record_id for r in records)),
        sources=tuple(sorted({r.source for r in records})),
        fields=fields,
    )


__all__ = ["FieldProvenance", "GoldenRecord", "golden_record"]
