"""Local CRM: products, promotions, leads, opportunities and tasks in SQLite tables.

Features
    Every record is stored as its pydantic JSON next to the few columns queries need.
    Leads are de-duplicated on the normalised e-mail and phone (normalised by
    :class:`~socialreferral.domain.crm.LeadInput`) inside one ``BEGIN IMMEDIATE``
    transaction backed by UNIQUE indexes, so two processes creating the same lead at once
    get one lead: ``created=True`` for one of them, ``False`` for the other. Creates are
    idempotent on their ids. ``list_promotions(updated_since=...)`` is strictly-after,
    oldest update first (a naive datetime is taken as UTC). ``erase_contact`` deletes the
    leads of a person (right to erasure) with SQLite's ``secure_delete`` on, so the deleted
    rows are overwritten in the file, and checkpoints the write-ahead log so their old page
    images do not linger there either.

Configuration (section ``[local]``)
    ``data_dir``: the tables live in ``data_dir/crm.sqlite3``. ``":memory:"`` as the path
    gives a private in-memory CRM (used by :mod:`socialreferral.testing.fakes`).

Credentials
    None.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar, Self

from socialreferral.domain.crm import (
    CrmTask,
    Lead,
    LeadInput,
    LeadResult,
    Opportunity,
    Product,
    Promotion,
    normalise_email,
    normalise_phone,
)
from socialreferral.errors import CRMRecordNotFound, InvalidInput
from socialreferral.ports import CRM
from socialreferral.providers import BuildContext
from socialreferral.providers.local._db import Database, ensure_dir
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.records import Capability

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
    done INTEGER NOT NULL, data TEXT NOT NULL)
"""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(moment: datetime) -> int:
    # Integer microseconds compare exactly; float timestamps would blur "strictly after".
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1)


class LocalCRM(CRM):
    """A small CRM in SQLite, the reference for what a CRM adapter must do."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    provider: ClassVar[str] = "local"

    def __init__(self, path: Path | str) -> None:
        """Keep the CRM in the SQLite file ``path`` (or ``":memory:"``)."""
        super().__init__()
        self._db = Database(path, _SCHEMA)

    @classmethod
    def from_settings(cls, settings: LocalSettings, context: BuildContext) -> Self:
        """Build from ``[local]`` settings: ``data_dir/crm.sqlite3``."""
        return cls(ensure_dir(settings.data_dir) / "crm.sqlite3")

    # -- catalog -----------------------------------------------------------------------
    def upsert_product(self, product: Product) -> Product:
        """Create or replace a catalog entry."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO products (product_id, active, data) VALUES (?, ?, ?) "
                "ON CONFLICT (product_id) DO UPDATE SET active = excluded.active, "
                "data = excluded.data",
                (product.product_id, int(product.active), product.model_dump_json()),
            )
        return product

    def list_products(self, *, active_only: bool = True) -> list[Product]:
        """The catalog ordered by product id; only active products unless asked."""
        where = " WHERE active = 1" if active_only else ""
        rows = self._db.query(f"SELECT data FROM products{where} ORDER BY product_id")
        return [Product.model_validate_json(row["data"]) for row in rows]

    def upsert_promotion(self, promotion: Promotion) -> Promotion:
        """Create or replace a promotion (its ``updated_at`` drives the watermark)."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO promotions (promotion_id, updated_us, data) VALUES (?, ?, ?) "
                "ON CONFLICT (promotion_id) DO UPDATE SET updated_us = excluded.updated_us, "
                "data = excluded.data",
                (
                    promotion.promotion_id,
                    _micros(promotion.updated_at),
                    promotion.model_dump_json(),
                ),
            )
        return promotion

    def list_promotions(self, *, updated_since: datetime | None = None) -> list[Promotion]:
        """Promotions updated strictly after ``updated_since``, oldest update first."""
        since = -(2**62) if updated_since is None else _micros(updated_since)
        rows = self._db.query(
            "SELECT data FROM promotions WHERE updated_us > ? ORDER BY updated_us, promotion_id",
            (since,),
        )
        return [Promotion.model_validate_json(row["data"]) for row in rows]

    # -- leads -------------------------------------------------------------------------
    def create_lead(self, lead: LeadInput, *, lead_id: str) -> LeadResult:
        """Create a lead, or return the one with the same id, e-mail or phone."""
        return self._call(self._create_lead, lead, lead_id)

    def _create_lead(self, lead: LeadInput, lead_id: str) -> LeadResult:
        record = Lead(
            lead_id=lead_id,
            name=lead.name,
            email=lead.email,
            phone=lead.phone,
            product_id=lead.product_id,
            source=lead.source,
            referral_id=lead.referral_id,
        )
        with self._db.transaction() as conn:
            # The write lock is held from BEGIN IMMEDIATE, so nobody can insert between
            # this lookup and our insert; the UNIQUE indexes are the backstop.
            row = conn.execute(
                "SELECT data FROM leads WHERE lead_id = ? OR email = ? OR phone = ? "
                "ORDER BY lead_id = ? DESC, email = ? DESC, seq LIMIT 1",
                (lead_id, lead.email, lead.phone, lead_id, lead.email),
            ).fetchone()
            if row is not None:
                return LeadResult(lead=Lead.model_validate_json(row["data"]), created=False)
            conn.execute(
                "INSERT INTO leads (lead_id, email, phone, data) VALUES (?, ?, ?, ?)",
                (lead_id, record.email, record.phone, record.model_dump_json()),
            )
        return LeadResult(lead=record, created=True)

    def get_lead(self, lead_id: str) -> Lead:
        """The lead with this id; raise ``CRMRecordNotFound`` when absent."""
        rows = self._db.query("SELECT data FROM leads WHERE lead_id = ?", (lead_id,))
        if not rows:
            raise CRMRecordNotFound(f"no lead {lead_id!r}")
        return Lead.model_validate_json(rows[0]["data"])

    def list_leads(self) -> list[Lead]:
        """All leads, oldest first."""
        rows = self._db.query("SELECT data FROM leads ORDER BY seq")
        return [Lead.model_validate_json(row["data"]) for row in rows]

    def erase_contact(
        self, *, email: str | None, phone: str | None, lead_ids: Sequence[str] = ()
    ) -> int:
        """Delete the leads with this normalised e-mail or phone, and those in ``lead_ids``;
        return how many. Idempotent (a second call returns 0)."""
        # The messages name no value: an erasure request's data must not reach the logs.
        try:
            wanted_email = normalise_email(email)
        except ValueError:
            raise InvalidInput("not an e-mail address", field="email") from None
        try:
            wanted_phone = normalise_phone(phone)
        except ValueError:
            raise InvalidInput("not a phone number", field="phone") from None
        ids = sorted({str(i) for i in lead_ids})
        if wanted_email is None and wanted_phone is None and not ids:
            return 0
        return self._call(self._erase_contact, wanted_email, wanted_phone, ids)

    def _erase_contact(self, email: str | None, phone: str | None, ids: list[str]) -> int:
        marks = ", ".join("?" for _ in ids) or "NULL"
        with self._db.transaction() as conn:
            erased = conn.execute(
                f"DELETE FROM leads WHERE email = ? OR phone = ? OR lead_id IN ({marks})",
                (email, phone, *ids),
            ).rowcount
        if erased:
            # Old page images stay in the write-ahead log until a checkpoint copies it back.
            self._db.query("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(erased)

    # -- opportunities and tasks ----------------------------------------------------
    def save_opportunity(self, opportunity: Opportunity) -> Opportunity:
        """Create (idempotent on id) or update; the original creation order is kept."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO opportunities (opportunity_id, status, data) VALUES (?, ?, ?) "
                "ON CONFLICT (opportunity_id) DO UPDATE SET status = excluded.status, "
                "data = excluded.data",
                (
                    opportunity.opportunity_id,
                    str(opportunity.status),  # str(): model_copy may hold a plain str
                    opportunity.model_dump_json(),
                ),
            )
        return opportunity

    def get_opportunity(self, opportunity_id: str) -> Opportunity:
        """The opportunity with this id; raise ``CRMRecordNotFound`` when absent."""
        rows = self._db.query(
            "SELECT data FROM opportunities WHERE opportunity_id = ?", (opportunity_id,)
        )
        if not rows:
            raise CRMRecordNotFound(f"no opportunity {opportunity_id!r}")
        return Opportunity.model_validate_json(rows[0]["data"])

    def list_opportunities(self, *, status: str | None = None) -> list[Opportunity]:
        """Opportunities, oldest first, optionally only those of one status."""
        if status is None:
            rows = self._db.query("SELECT data FROM opportunities ORDER BY seq")
        else:
            rows = self._db.query(
                "SELECT data FROM opportunities WHERE status = ? ORDER BY seq", (str(status),)
            )
        return [Opportunity.model_validate_json(row["data"]) for row in rows]

    def save_task(self, task: CrmTask) -> CrmTask:
        """Create (idempotent on id) or update a task."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO tasks (task_id, done, data) VALUES (?, ?, ?) "
                "ON CONFLICT (task_id) DO UPDATE SET done = excluded.done, data = excluded.data",
                (task.task_id, int(task.done), task.model_dump_json()),
            )
        return task

    def list_tasks(self, *, open_only: bool = False) -> list[CrmTask]:
        """Tasks, oldest first; only those not done when ``open_only``."""
        where = " WHERE done = 0" if open_only else ""
        rows = self._db.query(f"SELECT data FROM tasks{where} ORDER BY seq")
        return [CrmTask.model_validate_json(row["data"]) for row in rows]

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()
