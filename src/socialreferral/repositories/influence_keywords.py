"""Keywords marketers added at run time (the ``[influence] keywords`` are configuration).

Collection ``influence_keywords``: one document per keyword key, the
:class:`~socialreferral.influence.TrackedKeyword` with when it was added. It holds no
personal data, so erasure has nothing to do here.
"""

from __future__ import annotations

from datetime import datetime

from socialreferral.influence.keywords import TrackedKeyword
from socialreferral.repositories._base import Repository, load, safe_key
from socialreferral.repositories.erasure import Erasure

KEYWORDS = "influence_keywords"


class InfluenceKeywordRepository(Repository):
    """The keywords added through the REST API or the CLI, in the order they were added."""

    collections = (KEYWORDS,)

    def added(self) -> list[TrackedKeyword]:
        """Every stored keyword, oldest first (then by key)."""
        documents = sorted(self._store.iter_query(KEYWORDS, page_size=500),
                           key=lambda d: (str(d.value.get("_added_at", "")), d.key))
        return [load(TrackedKeyword, d.value) for d in documents]

    def save(self, keyword: TrackedKeyword, at: datetime) -> bool:
        """Store ``keyword`` (replacing one of the same key); True if it is new."""
        existing = self._store.find(KEYWORDS, safe_key(keyword.key))
        added_at = existing.value.get("_added_at") if existing else at.isoformat()
        self._put(KEYWORDS, safe_key(keyword.key), keyword, added_at=added_at)
        return existing is None

    def remove(self, key: str) -> bool:
        """Stop tracking the stored keyword ``key``; False if none was stored."""
        return self._store.delete(KEYWORDS, safe_key(key))

    def erase(self, erasure: Erasure) -> None:
        """Nothing: keywords are the marketer's configuration, not anyone's data."""


__all__ = ["KEYWORDS", "InfluenceKeywordRepository"]
