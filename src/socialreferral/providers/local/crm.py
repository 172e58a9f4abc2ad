"""Local CRM: products, promotions, leads, opportunities, tasks and contacts in SQLite.

Features
    One table per record kind (the entity sets of a real CRM); every record is stored as
    its pydantic JSON next to the few columns queries need. Leads are de-duplicated on
    the normalised e-mail and phone inside one ``BEGIN IMMEDIATE`` transaction backed by
    UNIQUE indexes, so two processes creating the same lead at once get one lead:
    ``created=True`` for one of them, ``False`` for the other. Promotion watermarks are
    kept as integer microseconds, so "strictly after" is exact. Erasure deletes the leads
    with SQLite's ``secure_delete`` on, so the deleted rows are overwritten in the file,
    and checkpoints the write-ahead log so their old page images do not linger there
    either. Validation, normalisation, retries, filtering and ordering come from the
    :class:`~socialreferral.ports.CRM` base; this module implements its primitives.
    Contacts are deleted the same way (``_delete_record``, for erasure).
    Capabilities: ``promotions``, ``opportunities``, ``tasks``, ``contacts``.

Configuration (section ``[local]``)
    ``data_dir``: the tables live in ``data_dir/crm.sqlite3``. ``":memory:"`` as the path
    gives a private in-memory CRM (used by :mod:`socialreferral.testing.fakes`).

Credentials
    None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Self, cast

from socialreferral.domain.crm import Lead, LeadResult
from socialreferral.ports import CRM
from socialreferral.ports.crm import RECORD_KINDS, CrmRecord, as_utc
from socialreferral.providers import BuildContext
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.providers.local.sqlite_file import SQLiteFile, ensure_dir
from socialreferral.records import Capability, CrmRecordKind

_SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    product_id TEXT PRIMARY KEY, active INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS promotions (
    promotion_id TEXT PRIMARY KEY, updated_us INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS promotions_updated ON promotions (updated_us);
CREATE TABLE IF NOT EXISTS leads (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, lead_id TEXT NOT NULL UNIQUE,
    email TEXT, phone TEXT, data TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS leads_email ON leads (email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS leads_phone ON leads (phone) WHERE phone IS NOT NULL;
CREATE TABLE IF NOT EXISTS opportunities (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, opportunity_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, task_id TEXT NOT NULL UNIQUE,
    done INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contacts (
    contact_id TEXT PRIMARY KEY, email TEXT, phone TEXT, account_id TEXT,
    updated_us INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS contacts_updated ON contacts (updated_us);
CREATE INDEX IF NOT EXISTS contacts_email ON contacts (email);
CREATE INDEX IF NOT EXISTS contacts_phone ON contacts (phone)
"""

_EPOCH = as_utc(datetime(1970, 1, 1))


def _micros(moment: datetime) -> int:
    # Integer microseconds compare exactly; float timestamps would blur "strictly after".
    return (as_utc(moment) - _EPOCH) // timedelta(microseconds=1)


def _column_value(value: Any) -> Any:
    # bool -> 0/1 as stored; StrEnum -> its plain value (model_copy may hold either).
    return int(value) if isinstance(value, bool) else str(value)


@dataclass(frozen=True)
class _Table:
    """Where one record kind lives: table, id column, and derived query columns."""

    name: str
    id_column: str
    columns: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)


_TABLES: Mapping[CrmRecordKind, _Table] = {
    CrmRecordKind.PRODUCT: _Table("products", "product_id", {"active": lambda p: int(p.active)}),
    CrmRecordKind.PROMOTION: _Table(
        "promotions", "promotion_id", {"updated_us": lambda p: _micros(p.updated_at)}
    ),
    CrmRecordKind.LEAD: _Table("leads", "lead_id"),
    CrmRecordKind.OPPORTUNITY: _Table(
        "opportunities", "opportunity_id", {"status": lambda o: str(o.status)}
    ),
    CrmRecordKind.TASK: _Table("tasks", "task_id", {"done": lambda t: int(t.done)}),
    CrmRecordKind.CONTACT: _Table(
        "contacts",
        "contact_id",
        {
            "email": lambda c: c.email,
            "phone": lambda c: c.phone,
            "account_id": lambda c: c.account_id,
            "updated_us": lambda c: _micros(c.updated_at),
        },
    ),
}


class LocalCRM(CRM):
    """A small CRM in SQLite, the reference for what a CRM adapter must do."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PROMOTIONS, Capability.OPPORTUNITIES, Capability.TASKS, Capability.CONTACTS}
    )
    provider: ClassVar[str] = "local"

    def __init__(self, path: Path | str) -> None:
        """Keep the CRM in the SQLite file ``path`` (or ``":memory:"``)."""
        super().__init__()
        self._db = SQLiteFile(path, _SCHEMA)

    @classmethod
    def from_settings(cls, settings: LocalSettings, context: BuildContext) -> Self:
        """Build from ``[local]`` settings: ``data_dir/crm.sqlite3``."""
        return cls(ensure_dir(settings.data_dir) / "crm.sqlite3")

    @property
    def path(self) -> Path:
        """The SQLite file holding the CRM (``:memory:`` for an in-memory one)."""
        return self._db.path

    # -- primitives ----------------------------------------------------------------
    def _put_record(self, kind: CrmRecordKind, record_id: str, record: CrmRecord) -> None:
        table = _TABLES[kind]
        names = [table.id_column, *table.columns, "data"]
        values = [record_id, *(derive(record) for derive in table.columns.values())]
        updates = ", ".join(f"{name} = excluded.{name}" for name in names[1:])
        with self._db.transaction() as conn:
            # An upsert keeps the row (and its seq), so a replaced record keeps its place.
            conn.execute(
                f"INSERT INTO {table.name} ({', '.join(names)}) "
                f"VALUES ({', '.join('?' for _ in names)}) "
                f"ON CONFLICT ({table.id_column}) DO UPDATE SET {updates}",
                (*values, record.model_dump_json()),
            )

    def _get_record(self, kind: CrmRecordKind, record_id: str) -> CrmRecord | None:
        table = _TABLES[kind]
        rows = self._db.query(
            f"SELECT data FROM {table.name} WHERE {table.id_column} = ?", (record_id,)
        )
        return _parse(kind, rows[0]["data"]) if rows else None

    def _find_records(
        self, kind: CrmRecordKind, where: Mapping[str, Any], updated_after: datetime | None
    ) -> list[CrmRecord]:
        table = _TABLES[kind]
        # Field names come from RECORD_KINDS[kind].filters, never from callers' strings.
        conditions = [f"{name} = ?" for name in where]
        params = [_column_value(value) for value in where.values()]
        if updated_after is not None and "updated_us" in table.columns:
            conditions.append("updated_us > ?")
            params.append(_micros(updated_after))
        sql = f"SELECT data FROM {table.name}"
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        return [_parse(kind, row["data"]) for row in self._db.query(sql, tuple(params))]

    def _create_lead(self, lead: Lead) -> LeadResult:
        with self._db.transaction() as conn:
            # The write lock is held from BEGIN IMMEDIATE, so nobody can insert between
            # this lookup and our insert; the UNIQUE indexes are the backstop.
            row = conn.execute(
                "SELECT data FROM leads WHERE lead_id = ? OR email = ? OR phone = ? "
                "ORDER BY lead_id = ? DESC, email = ? DESC, seq LIMIT 1",
                (lead.lead_id, lead.email, lead.phone, lead.lead_id, lead.email),
            ).fetchone()
            if row is not None:
                return LeadResult(lead=Lead.model_validate_json(row[0]), created=False)
            conn.execute(
                "INSERT INTO leads (lead_id, email, phone, data) VALUES (?, ?, ?, ?)",
                (lead.lead_id, lead.email, lead.phone, lead.model_dump_json()),
            )
        return LeadResult(lead=lead, created=True)

    def _erase_leads(self, email: str | None, phone: str | None, lead_ids: Sequence[str]) -> int:
        marks = ", ".join("?" for _ in lead_ids) or "NULL"
        with self._db.transaction() as conn:
            erased = conn.execute(
                f"DELETE FROM leads WHERE email = ? OR phone = ? OR lead_id IN ({marks})",
                (email, phone, *lead_ids),
            ).rowcount
        if erased:
            self._db.checkpoint()
        return int(erased)

    def _delete_record(self, kind: CrmRecordKind, record_id: str) -> bool:
        table = _TABLES[kind]
        with self._db.transaction() as conn:
            deleted = conn.execute(
                f"DELETE FROM {table.name} WHERE {table.id_column} = ?", (record_id,)
            ).rowcount
        if deleted:
            self._db.checkpoint()
        return bool(deleted)

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()


def _parse(kind: CrmRecordKind, data: str) -> CrmRecord:
    return cast(CrmRecord, RECORD_KINDS[kind].model.model_validate_json(data))


__all__ = ["LocalCRM"]
