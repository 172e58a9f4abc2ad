"""Author histories for Eq. 2 (AuthorScore): personal data, erasable with the person.

Collection ``care_authors``: one document per (network, author id) with the author's
conversations as *set* values — per conversation its AScore, its relevant comments and
whether a representative answered — so recording the same conversation again (a
redelivery, a re-score after a new comment) overwrites instead of adding up. The most
recent :data:`MAX_CONVERSATIONS` are kept one by one; older ones are folded into running
totals, which keeps the document bounded. Every write is under the document's etag.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from socialreferral.care.models import AuthorHistory
from socialreferral.repositories._base import Repository, safe_key
from socialreferral.repositories.erasure import Erasure

CARE_AUTHORS = "care_authors"
MAX_CONVERSATIONS = 200
"""Conversations kept one by one per author (older ones live on in the totals)."""


class CareAuthorRepository(Repository):
    """Per-author running facts for AuthorScore."""

    collections = (CARE_AUTHORS,)

    def history(self, network: str, author_id: str, *,
                excluding: str | None = None) -> AuthorHistory:
        """The author's history (an empty one for a new author), without the
        conversation ``excluding`` (the one being scored: "their posts so far")."""
        document = self._store.find(CARE_AUTHORS, safe_key(network, author_id))
        return _history(author_id, None if document is None else document.value, excluding)

    def record(self, network: str, author_id: str, conversation_id: str, *, at: datetime,
               ascore: float | None = None, relevant_comments: int | None = None,
               answered: bool | None = None) -> None:
        """Set the facts of one of the author's conversations (None leaves one as it is)."""
        key = safe_key(network, author_id)

        def change(current: dict[str, Any] | None) -> dict[str, Any]:
            value = current or {"key": key, "author_id": author_id, "network": network,
                                "conversations": {}, "folded": _EMPTY}
            conversations = dict(value.get("conversations") or {})
            entry = dict(conversations.get(conversation_id) or
                         {"ascore": 0.0, "comments": 0, "answered": False})
            if ascore is not None:
                entry["ascore"] = float(ascore)
            if relevant_comments is not None:
                entry["comments"] = int(relevant_comments)
            if answered is not None:
                entry["answered"] = bool(answered) or bool(entry["answered"])
            entry["at"] = entry.get("at") or at.isoformat()
            conversations[conversation_id] = entry
            folded = dict(value.get("folded") or _EMPTY)
            if len(conversations) > MAX_CONVERSATIONS:
                oldest = sorted(conversations, key=lambda c: str(conversations[c]["at"]))
                for old in oldest[: len(conversations) - MAX_CONVERSATIONS]:
                    gone = conversations.pop(old)
                    folded = {"posts": folded["posts"] + 1,
                              "ascore": folded["ascore"] + float(gone["ascore"]),
                              "comments": folded["comments"] + int(gone["comments"]),
                              "answered": folded["answered"] + int(bool(gone["answered"]))}
            return {**value, "conversations": conversations, "folded": folded}

        self._store.update(CARE_AUTHORS, key, change)

    def erase(self, erasure: Erasure) -> None:
        """The person's histories (every network) are deleted."""
        self._delete_where_in(CARE_AUTHORS, "author_id", erasure.subject.person_ids,
                              "care_author_histories", erasure)


_EMPTY = {"posts": 0, "ascore": 0.0, "comments": 0, "answered": 0}


def _history(author_id: str, value: dict[str, Any] | None,
             excluding: str | None = None) -> AuthorHistory:
    if value is None:
        return AuthorHistory(author_id=author_id)
    folded = value.get("folded") or _EMPTY
    entries = [e for c, e in (value.get("conversations") or {}).items() if c != excluding]
    return AuthorHistory(
        author_id=author_id,
        main_posts=int(folded["posts"]) + len(entries),
        ascore_total=float(folded["ascore"]) + sum(float(e["ascore"]) for e in entries),
        relevant_comments_received=int(folded["comments"])
        + sum(int(e["comments"]) for e in entries),
        representative_interactions=int(folded["answered"])
        + sum(1 for e in entries if e["answered"]),
    )


__all__ = ["CARE_AUTHORS", "MAX_CONVERSATIONS", "CareAuthorRepository"]
