"""Console operators and their sessions.

Collections: ``operators`` (one account per lower-case name: roles, the argon2 password
*hash*, failed-login count, lockout) and ``operator_sessions`` (open sessions, keyed by a
SHA-256 digest of the session id, so the stored keys cannot be replayed as cookies; a
TTL as long as the longest allowed session lets the store purge what nobody closed, on
stores with the ``ttl`` capability).

Operators are the bank's employees, not the people the right to erasure in
``erase_person`` is about: their accounts are erased by name
(:meth:`OperatorRepository.erase_operator`, ``socialreferral console remove-user``),
which removes the account and every session. A reviewer's name stays on the decisions
they took (an audit record of money approved), see the referral repository.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from socialreferral.domain.operators import Operator, OperatorSession
from socialreferral.errors import NotFound
from socialreferral.repositories._base import Repository, dump, load
from socialreferral.repositories.erasure import Erasure

OPERATORS = "operators"
SESSIONS = "operator_sessions"


def session_key(session_id: str) -> str:
    """The store key of a session: a digest, never the id a cookie carries."""
    return "s:" + hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class OperatorRepository(Repository):
    """Operator accounts and sessions (see the module docstring)."""

    collections = (OPERATORS, SESSIONS)

    # -- accounts --------------------------------------------------------------------
    def create(self, operator: Operator) -> bool:
        """Create the account; False if the name is taken."""
        return self._create(OPERATORS, operator.name, operator)

    def get(self, name: str) -> Operator | None:
        """The account called ``name`` (lower-cased), or None."""
        return self._get(OPERATORS, name.strip().lower(), Operator)

    def all(self) -> list[Operator]:
        """Every account, by name."""
        return sorted(self._models(OPERATORS, Operator), key=lambda o: o.name)

    def change(self, name: str, edit: Callable[[Operator], Operator]) -> Operator:
        """Apply ``edit`` to the account under optimistic concurrency (re-run on a
        conflict, so it must have no side effects); ``NotFound`` if there is none."""
        result: dict[str, Operator] = {}

        def apply(current: dict[str, object] | None) -> dict[str, object]:
            if current is None:
                raise NotFound(f"no operator {name!r}")
            edited = edit(load(Operator, current))
            result["operator"] = edited
            return dump(edited)

        self._store.update(OPERATORS, name, apply)
        return result["operator"]

    def erase_operator(self, name: str) -> int:
        """Delete the account and its sessions; return how many records went."""
        key = name.strip().lower()
        removed = int(self._store.delete(OPERATORS, key))
        for document in list(self._store.iter_query(SESSIONS, {"_operator": key},
                                                    page_size=500)):
            removed += int(self._store.delete(SESSIONS, document.key))
        return removed

    # -- sessions --------------------------------------------------------------------
    def open_session(self, session_id: str, session: OperatorSession, *,
                     ttl_seconds: float) -> None:
        """Store a new session (create-only: a random id never collides)."""
        self._store.put(SESSIONS, session_key(session_id),
                        dump(session, operator=session.principal.name), create_only=True,
                        ttl=ttl_seconds if self._store.supports("ttl") else None)

    def session(self, session_id: str) -> OperatorSession | None:
        """The session behind ``session_id``, or None."""
        return self._get(SESSIONS, session_key(session_id), OperatorSession)

    def save_session(self, session_id: str, session: OperatorSession, *,
                     ttl_seconds: float) -> None:
        """Replace a session (its ``last_seen`` moved)."""
        self._store.put(SESSIONS, session_key(session_id),
                        dump(session, operator=session.principal.name),
                        ttl=ttl_seconds if self._store.supports("ttl") else None)

    def close_session(self, session_id: str) -> bool:
        """End a session; True if there was one."""
        return self._store.delete(SESSIONS, session_key(session_id))

    # -- erasure ---------------------------------------------------------------------
    def erase(self, erasure: Erasure) -> None:
        """Nothing: operators are erased by name, not as customers or prospects (module
        docstring)."""


__all__ = ["OPERATORS", "SESSIONS", "OperatorRepository", "session_key"]
