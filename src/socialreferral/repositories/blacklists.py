"""Per-user blacklists of the B2B introductions (seed 004: "the user could create a
blacklist, which specifies that some of his or her contacts should not be considered").

Collection ``people_blacklists`` (key: the user's id): the contacts and ties that user's
introductions never go through. The requesting user's list applies to every path of a
run; an employee's own list to the paths that employee would perform.
"""

from __future__ import annotations

from collections.abc import Iterable

from socialreferral.errors import InvalidInput
from socialreferral.people.paths import Blacklist
from socialreferral.repositories._base import Repository, dump, load, safe_key
from socialreferral.repositories.erasure import Erasure

BLACKLISTS = "people_blacklists"
MAX_ENTRIES = 10_000


class BlacklistRepository(Repository):
    """Each user's blacklist of contacts and ties."""

    collections = (BLACKLISTS,)

    def get(self, user_id: str) -> Blacklist:
        """The user's blacklist (empty when none is stored)."""
        document = self._store.find(BLACKLISTS, safe_key(user_id))
        return Blacklist() if document is None else load(Blacklist, document.value)

    def of(self, user_ids: Iterable[str]) -> dict[str, Blacklist]:
        """The non-empty blacklists of ``user_ids``."""
        found = {}
        for document in self._where_in(BLACKLISTS, "_user_id", user_ids):
            blacklist = load(Blacklist, document.value)
            if blacklist.contacts or blacklist.ties:
                found[str(document.value["_user_id"])] = blacklist
        return found

    def add(self, user_id: str, contacts: Iterable[str] = (),
            ties: Iterable[tuple[str, str]] = ()) -> Blacklist:
        """Add contacts and ties to the user's blacklist (etag-guarded); return it."""
        key = safe_key(user_id)

        def change(current: dict[str, object] | None) -> dict[str, object]:
            held = Blacklist() if current is None else load(Blacklist, current)
            merged = Blacklist(contacts=held.contacts | frozenset(contacts),
                               ties=held.ties | frozenset(ties))
            if len(merged.contacts) + len(merged.ties) > MAX_ENTRIES:
                raise InvalidInput(f"at most {MAX_ENTRIES} entries", field="blacklist")
            return dump(merged, user_id=user_id)

        self._store.update(BLACKLISTS, key, change)
        return self.get(user_id)

    def remove(self, user_id: str, contacts: Iterable[str] = (),
               ties: Iterable[tuple[str, str]] = ()) -> Blacklist:
        """Take contacts and ties off the user's blacklist; return what is left."""
        gone_contacts, gone_ties = set(contacts), set(ties)
        gone_ties |= {(b, a) for a, b in gone_ties}

        def change(current: dict[str, object] | None) -> dict[str, object]:
            held = Blacklist() if current is None else load(Blacklist, current)
            return dump(Blacklist(contacts=held.contacts - gone_contacts,
                                  ties=frozenset(t for t in held.ties if t not in gone_ties)),
                        user_id=user_id)

        if self._store.find(BLACKLISTS, safe_key(user_id)) is not None:
            self._store.update(BLACKLISTS, safe_key(user_id), change)
        return self.get(user_id)

    def erase(self, erasure: Erasure) -> None:
        """The person's own blacklist, and the person on everyone's (they are gone from
        the graph too, so the entry protects nothing and would keep their id)."""
        ids = erasure.subject.ids
        for document in self._store.iter_query(BLACKLISTS, page_size=500):
            owner = str(document.value.get("_user_id", ""))
            if owner in ids:
                erasure.count("people_blacklists", int(self._store.delete(BLACKLISTS,
                                                                          document.key)))
                continue
            held = load(Blacklist, document.value)
            kept = Blacklist(contacts=frozenset(c for c in held.contacts if c not in ids),
                             ties=frozenset(t for t in held.ties if not set(t) & ids))
            if kept != held:
                self._store.put(BLACKLISTS, document.key, dump(kept, user_id=owner))
                erasure.count("people_blacklist_entries", 1)


__all__ = ["BLACKLISTS", "BlacklistRepository"]
