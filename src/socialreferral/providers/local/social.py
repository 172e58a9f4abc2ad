"""Local social channel: a network stand-in for development, demos and replayed traffic.

Features
    ``send`` records outbound messages in SQLite instead of delivering them, idempotent on
    ``message_id`` (a second send of the same id records nothing and returns the same id);
    replies to posts, public and private (capabilities ``public_replies`` and
    ``private_replies``), are recorded the same way with their ``in_reply_to``;
    :meth:`LocalSocialChannel.sent_messages` reads them back. Profiles and connections
    (capabilities ``profiles`` and ``connections``) are served from what was stored with
    ``add_profile``/``add_connections``, the stand-in for what a network already holds.
    ``forget`` erases a person: profile, connections both ways and messages sent to them,
    with SQLite's ``secure_delete`` and a write-ahead-log checkpoint so nothing lingers
    in the files. :func:`replay` reads recorded webhook deliveries from a folder so real
    traffic can be fed into ingestion again. Validation, capability checks and retries
    come from the :class:`~socialreferral.ports.SocialChannel` base.

Configuration (section ``[local]``)
    ``data_dir``: everything lives in ``data_dir/social.sqlite3``.

Credentials
    None: nothing leaves the machine.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Self

from socialreferral.domain.social import Connection, OutboundMessage, Profile
from socialreferral.errors import InvalidInput
from socialreferral.ports import SocialChannel
from socialreferral.providers import BuildContext
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.providers.local.sqlite_file import SQLiteFile, ensure_dir
from socialreferral.records import Capability

_SCHEMA = """
CREATE TABLE IF NOT EXISTS profiles (person_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS connections (
    person_id TEXT NOT NULL, other_id TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (person_id, other_id));
CREATE INDEX IF NOT EXISTS connections_other ON connections (other_id);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL UNIQUE,
    recipient_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS messages_recipient ON messages (recipient_id)
"""


@dataclass(frozen=True)
class WebhookDelivery:
    """One recorded webhook delivery: the HTTP headers and the raw body, byte for byte
    (signatures are computed over the raw body). ``source`` names where it came from."""

    headers: dict[str, str]
    body: bytes = field(repr=False)
    source: str


def replay(path: Path) -> Iterator[WebhookDelivery]:
    """Recorded deliveries in ``path``, in file-name order.

    A ``*.json`` file holds ``{"headers": {...}, "body": "<raw JSON body as a string>"}``;
    a ``*.body`` file holds a raw body (no headers). Other files are ignored. The body
    must be a string, not parsed JSON: re-serialising would change the bytes and break
    the signature.
    """
    if not path.is_dir():
        raise InvalidInput(f"{path} is not a directory", field="path")
    for file in sorted(p for p in path.iterdir() if p.suffix in (".json", ".body")):
        if file.suffix == ".body":
            yield WebhookDelivery(headers={}, body=file.read_bytes(), source=file.name)
            continue
        try:
            record = json.loads(file.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise InvalidInput(f"{file.name}: not JSON ({exc})", field="path") from exc
        if not isinstance(record, dict) or not isinstance(record.get("body"), str):
            raise InvalidInput(
                f"{file.name}: expected an object with 'body' as the raw body string",
                field="body",
            )
        headers = record.get("headers") or {}
        if not isinstance(headers, dict):
            raise InvalidInput(f"{file.name}: 'headers' must be an object", field="headers")
        yield WebhookDelivery(
            headers={str(k): str(v) for k, v in headers.items()},
            body=record["body"].encode("utf-8"),
            source=file.name,
        )


class LocalSocialChannel(SocialChannel):
    """Records outbound messages and serves locally stored profiles and connections."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PROFILES, Capability.CONNECTIONS, Capability.PUBLIC_REPLIES,
         Capability.PRIVATE_REPLIES}
    )
    provider: ClassVar[str] = "local"
    network: ClassVar[str] = "local"

    def __init__(self, path: Path | str) -> None:
        """Keep everything in the SQLite file ``path`` (or ``":memory:"``)."""
        super().__init__()
        self._db = SQLiteFile(path, _SCHEMA)

    @classmethod
    def from_settings(cls, settings: LocalSettings, context: BuildContext) -> Self:
        """Build from ``[local]`` settings: ``data_dir/social.sqlite3``."""
        return cls(ensure_dir(settings.data_dir) / "social.sqlite3")

    replay = staticmethod(replay)

    @property
    def path(self) -> Path:
        """The SQLite file holding the channel's data."""
        return self._db.path

    # -- primitives ----------------------------------------------------------------
    def _send(self, message: OutboundMessage) -> str:
        with self._db.transaction() as conn:
            # INSERT OR IGNORE on the UNIQUE message_id: a redelivered job re-sending the
            # same offer records it once, and the first text wins.
            conn.execute(
                "INSERT OR IGNORE INTO messages (message_id, recipient_id, data) VALUES (?, ?, ?)",
                (message.message_id, message.recipient_id, message.model_dump_json()),
            )
        return message.message_id

    def _get_profile(self, person_id: str) -> Profile | None:
        rows = self._db.query("SELECT data FROM profiles WHERE person_id = ?", (person_id,))
        return Profile.model_validate_json(rows[0]["data"]) if rows else None

    def _get_connections(self, person_id: str) -> list[Connection]:
        rows = self._db.query("SELECT data FROM connections WHERE person_id = ?", (person_id,))
        return [Connection.model_validate_json(row["data"]) for row in rows]

    def _forget(self, person_id: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM profiles WHERE person_id = ?", (person_id,))
            conn.execute(
                "DELETE FROM connections WHERE person_id = ? OR other_id = ?",
                (person_id, person_id),
            )
            conn.execute("DELETE FROM messages WHERE recipient_id = ?", (person_id,))
        self._db.checkpoint()

    # -- local extras: what a real network holds already, and what it delivered ------
    def add_profile(self, profile: Profile) -> None:
        """Store (or replace) a profile."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO profiles (person_id, data) VALUES (?, ?)",
                (profile.person_id, profile.model_dump_json()),
            )

    def add_connections(self, connections: Iterable[Connection]) -> None:
        """Store (or replace) connections, each as seen from its ``person_id``."""
        rows = [(c.person_id, c.other_id, c.model_dump_json()) for c in connections]
        with self._db.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO connections (person_id, other_id, data) VALUES (?, ?, ?)",
                rows,
            )

    def sent_messages(self, recipient_id: str | None = None) -> list[OutboundMessage]:
        """Messages recorded by ``send``, oldest first, optionally to one recipient."""
        if recipient_id is None:
            rows = self._db.query("SELECT data FROM messages ORDER BY seq")
        else:
            rows = self._db.query(
                "SELECT data FROM messages WHERE recipient_id = ? ORDER BY seq", (recipient_id,)
            )
        return [OutboundMessage.model_validate_json(row["data"]) for row in rows]

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()
