"""Replay company register and contact network: B2B data from one JSON document.

Features
    Serves :class:`~socialreferral.ports.directory.CompanyDirectory` and
    :class:`~socialreferral.ports.directory.ContactNetwork` from recorded data — tests,
    the B2B demo (``socialreferral.people.demo_b2b`` generates a document), or an export
    of a register or partner API the bank is licensed to use. Nothing is fetched.

Format (every list optional)::

    {"companies": [{"company_id", "name", "industry", "employees", "region"}],
     "employees": [{"company_id", "id", "network", "handle", "first_name", "last_name",
                    "email", "phone", "city", "title", "updated_at"}],
     "staff":     [{"person_id", "display_name", "is_sales", "title"}],
     "people":    [{"person_id", "display_name"}],
     "ties":      [{"a", "b", "strength"}]}

Employees become captures of the source ``source`` (``register`` by default) with the
company's name as their ``company`` attribute; ``updated_at`` (ISO) is the capture time.

Configuration
    ``[people.b2b] directory_file``; the file is read once, at most 20 MB, nesting 32.

Credentials
    None.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from socialreferral.domain.json_input import check_depth, parse_json_object
from socialreferral.errors import InvalidInput
from socialreferral.people.b2b import Company
from socialreferral.people.graph import Person, Tie
from socialreferral.people.profiles import CapturedProfile, from_mapping
from socialreferral.ports.directory import CompanyDirectory, ContactNetwork

MAX_FILE_BYTES = 20_000_000
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _items(data: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    items = data.get(name) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InvalidInput("expected a list of objects", field=name)
    return items


def _models(data: Mapping[str, Any], name: str, model: type[Any]) -> list[Any]:
    out = []
    for i, item in enumerate(_items(data, name)):
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InvalidInput(first["msg"], field=f"{name}[{i}].{where}") from None
    return out


class ReplayDirectory(CompanyDirectory, ContactNetwork):
    """Companies, employees, staff and ties from a recorded document (module docstring)."""

    def __init__(self, data: Mapping[str, Any], *, source: str = "register") -> None:
        check_depth(data, field="directory")
        self.source = source
        self._companies: list[Company] = _models(data, "companies", Company)
        self._staff: list[Person] = [
            p.model_copy(update={"is_employee": True})
            for p in _models(data, "staff", Person)
        ]
        self._people: list[Person] = _models(data, "people", Person)
        self._ties: list[Tie] = _models(data, "ties", Tie)
        self._employees: dict[str, list[dict[str, Any]]] = {}
        for row in _items(data, "employees"):
            self._employees.setdefault(str(row.get("company_id", "")), []).append(row)

    @classmethod
    def from_file(cls, path: str | Path, *, source: str = "register") -> ReplayDirectory:
        """Read the document from ``path`` (bounded; errors name the file's field)."""
        file = Path(path)
        try:
            if file.stat().st_size > MAX_FILE_BYTES:
                raise InvalidInput(f"larger than {MAX_FILE_BYTES} bytes", field=str(file))
            raw = file.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"cannot read: {exc.strerror}", field=str(file)) from None
        return cls(parse_json_object(raw, field=str(file), max_bytes=MAX_FILE_BYTES),
                   source=source)

    def companies(self) -> list[Company]:
        """Every recorded company."""
        return list(self._companies)

    def employees(self, company: Company) -> list[CapturedProfile]:
        """The recorded employees of ``company`` as captures of :attr:`source`."""
        out = []
        for i, row in enumerate(self._employees.get(company.company_id, [])):
            where = f"employees[{company.company_id}][{i}]"
            at = row.get("updated_at")
            try:
                when = datetime.fromisoformat(at) if isinstance(at, str) and at else _EPOCH
            except ValueError:
                raise InvalidInput("not an ISO time", field=f"{where}.updated_at") from None
            record = {**row, "company": company.name, "captured_at": None}
            out.append(from_mapping(record, source=self.source, captured_at=when, where=where))
        return out

    def staff(self) -> list[Person]:
        """Our employees."""
        return list(self._staff)

    def ties(self) -> list[Tie]:
        """Every recorded tie."""
        return list(self._ties)

    def people(self) -> list[Person]:
        """Intermediaries known by name."""
        return list(self._people)


__all__ = ["MAX_FILE_BYTES", "ReplayDirectory"]
