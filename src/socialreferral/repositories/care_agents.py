"""Agents' assignment state: the items each holds, availability, the round-robin cursor.

Collections: ``care_agents`` (per agent: ``holding``, item id → when it was reserved, and
an ``available`` override of the settings) and ``care_assignment`` (the round-robin
cursor per queue).

Caps hold under races because a claim is *reserved* on the agent's document first, under
its etag (:meth:`CareAgentRepository.reserve` counts the holdings and refuses at the cap),
and only then written on the item. Two claims by one agent on two items serialise on the
agent's document; two agents claiming one item serialise on the item's (the loser gives
its reservation back). A crash between the two writes leaves a reservation without an
item, which only makes the cap stricter; :meth:`~CareAgentRepository.prune` drops such
reservations once they are older than a grace period.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from socialreferral.repositories._base import Repository, safe_key
from socialreferral.repositories.erasure import Erasure

CARE_AGENTS = "care_agents"
CARE_ASSIGNMENT = "care_assignment"
_CURSOR_KEY = "round_robin"


class CareAgentRepository(Repository):
    """Holdings and availability of agents; the round-robin cursor."""

    collections = (CARE_AGENTS, CARE_ASSIGNMENT)

    def holding(self, agent_id: str) -> dict[str, datetime]:
        """The items ``agent_id`` holds, with when each was reserved."""
        document = self._store.find(CARE_AGENTS, safe_key(agent_id))
        held = {} if document is None else document.value.get("holding") or {}
        return {k: datetime.fromisoformat(v) for k, v in held.items()}

    def reserve(self, agent_id: str, ticket_id: str, *, cap: int, force: bool,
                at: datetime) -> bool:
        """Reserve a slot of ``agent_id`` for ``ticket_id``; False at the cap (unless
        ``force``). Idempotent: a slot already held for the item is kept."""
        outcome = {"ok": False}

        def change(current: dict[str, Any] | None) -> dict[str, Any]:
            value = current or {"agent_id": agent_id, "holding": {}}
            held = dict(value.get("holding") or {})
            if ticket_id in held:
                outcome["ok"] = True
                return value
            if not force and len(held) >= cap:
                outcome["ok"] = False
                return value
            held[ticket_id] = at.isoformat()
            outcome["ok"] = True
            return {**value, "holding": held}

        self._store.update(CARE_AGENTS, safe_key(agent_id), change)
        return outcome["ok"]

    def release(self, agent_id: str, ticket_id: str) -> None:
        """Give back ``agent_id``'s slot for ``ticket_id`` (no-op if not held)."""
        self._change(CARE_AGENTS, safe_key(agent_id), lambda value: {
            **value, "holding": {k: v for k, v in (value.get("holding") or {}).items()
                                 if k != ticket_id}})

    def prune(self, agent_id: str, still_held: Callable[[str], bool], *, older_than: datetime,
              ) -> int:
        """Drop reservations older than ``older_than`` whose item is not the agent's
        (``still_held(ticket_id)`` is False): what a crash between the two writes of a
        claim leaves. Returns how many were dropped."""
        stale = {t for t, at in self.holding(agent_id).items()
                 if at < older_than and not still_held(t)}
        if stale:
            self._change(CARE_AGENTS, safe_key(agent_id), lambda value: {
                **value, "holding": {k: v for k, v in (value.get("holding") or {}).items()
                                     if k not in stale}})
        return len(stale)

    def availability(self) -> dict[str, bool]:
        """Agents whose availability was switched at run time (agent id → available)."""
        return {str(d.value["agent_id"]): bool(d.value["available"])
                for d in self._store.iter_query(CARE_AGENTS, page_size=500)
                if isinstance(d.value.get("available"), bool)}

    def set_available(self, agent_id: str, available: bool) -> None:
        """Switch an agent on or off for round-robin assignment."""

        def change(current: dict[str, Any] | None) -> dict[str, Any]:
            value = current or {"agent_id": agent_id, "holding": {}}
            return {**value, "available": available}

        self._store.update(CARE_AGENTS, safe_key(agent_id), change)

    def cursor(self) -> dict[str, int]:
        """The round-robin position per queue."""
        document = self._store.find(CARE_ASSIGNMENT, _CURSOR_KEY)
        positions = {} if document is None else document.value.get("positions") or {}
        return {str(k): int(v) for k, v in positions.items()}

    def save_cursor(self, positions: Mapping[str, int]) -> None:
        """Store the positions of the queues a round touched (others are kept)."""

        def change(current: dict[str, Any] | None) -> dict[str, Any]:
            merged = dict((current or {}).get("positions") or {})
            merged.update({k: int(v) for k, v in positions.items()})
            return {"positions": merged}

        self._store.update(CARE_ASSIGNMENT, _CURSOR_KEY, change)

    def erase(self, erasure: Erasure) -> None:
        """Nothing to erase: agents are staff and holdings name items only."""


GRACE = timedelta(minutes=2)
"""How old a reservation without its item must be before :meth:`prune` drops it."""

__all__ = ["CARE_AGENTS", "CARE_ASSIGNMENT", "GRACE", "CareAgentRepository"]
