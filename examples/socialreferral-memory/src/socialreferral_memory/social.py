"""An in-memory social channel: the four SocialChannel primitives over dicts.

``send`` records messages instead of delivering them (once per ``message_id``);
``add_profile``/``add_connections`` put in place what a real network would already hold
for people who consented, and ``sent_messages`` shows what was "delivered". Validation,
capability checks and retries come from the :class:`socialreferral.ports.SocialChannel`
base class.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import ClassVar, Self

from socialreferral.domain.social import Connection, OutboundMessage, Profile
from socialreferral.ports import SocialChannel
from socialreferral.providers import BuildContext
from socialreferral.records import Capability
from socialreferral_memory.adapters import MemorySettings


class MemorySocialChannel(SocialChannel):
    """A stand-in network in dicts: profiles, connections and the messages sent."""

    provider: ClassVar[str] = "memory"
    network: ClassVar[str] = "memory"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PROFILES, Capability.CONNECTIONS}
    )

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._profiles: dict[str, Profile] = {}
        self._connections: dict[tuple[str, str], Connection] = {}
        self._messages: dict[str, OutboundMessage] = {}  # by message id, in send order

    @classmethod
    def from_settings(cls, settings: MemorySettings, context: BuildContext) -> Self:
        return cls()

    # -- primitives ----------------------------------------------------------------
    def _send(self, message: OutboundMessage) -> str:
        with self._lock:
            self._messages.setdefault(message.message_id, message)  # the first send wins
        return message.message_id

    def _get_profile(self, person_id: str) -> Profile | None:
        with self._lock:
            return self._profiles.get(person_id)

    def _get_connections(self, person_id: str) -> list[Connection]:
        with self._lock:
            return [c for (owner, _), c in self._connections.items() if owner == person_id]

    def _forget(self, person_id: str) -> None:
        with self._lock:
            self._profiles.pop(person_id, None)
            self._connections = {
                pair: c for pair, c in self._connections.items() if person_id not in pair
            }
            self._messages = {
                key: m for key, m in self._messages.items() if m.recipient_id != person_id
            }

    # -- what a real network holds already, and what it received -----------------
    def add_profile(self, profile: Profile) -> None:
        """Hold (or replace) a consenting person's profile."""
        with self._lock:
            self._profiles[profile.person_id] = profile

    def add_connections(self, connections: Iterable[Connection]) -> None:
        """Hold (or replace) connections, each as seen from its ``person_id``."""
        with self._lock:
            for connection in connections:
                self._connections[(connection.person_id, connection.other_id)] = connection

    def sent_messages(self, recipient_id: str | None = None) -> list[OutboundMessage]:
        """Messages sent, oldest first, optionally to one recipient."""
        with self._lock:
            return [m for m in self._messages.values() if recipient_id in (None, m.recipient_id)]


__all__ = ["MemorySocialChannel"]
