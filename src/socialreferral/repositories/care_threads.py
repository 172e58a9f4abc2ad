"""Brand-page posts and their threads: root tracing and conversations over the store.

Collection ``care_posts``: one :class:`~socialreferral.care.records.CarePostRecord` per
post (key: the care post id ``<network>:<native id>``), holding its thread node (root,
provisional flag), its conversation and its text, plus ``_created`` (epoch seconds) for
range reads.

:meth:`CareThreadRepository.add` runs :func:`socialreferral.care.threads.link` on the
records it needs (the parent: one get; the posts waiting for this one: one query on
``root_id``) and writes the results. Posts arrive out of order and from several workers at
once, so every write is idempotent and each side re-checks after writing (store, then
check): the new post is created create-only (a redelivery is a no-op), the posts waiting
for it are re-rooted under their etag, and a post written with a provisional root re-reads
that root afterwards and re-links if it has arrived in the meantime. Whichever of two
racing workers writes last sees the other's record, so no post stays provisional while its
ancestor is stored.

Conversations (the queue's unit) follow the same pattern: a post joins its parent's
conversation, a comment under a brand root starts its own, and a post whose parent is
missing anchors its own until the parent arrives, when the two conversations merge
(:attr:`Arrival.merged` tells the service which queue items to merge).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from socialreferral.care.records import CarePostRecord, IncomingPost
from socialreferral.care.threads import link
from socialreferral.records import Filter
from socialreferral.repositories._base import Repository, bookkeeping, dump, load, safe_key
from socialreferral.repositories.erasure import ERASED_TEXT, Erasure

CARE_POSTS = "care_posts"
_SETTLE_ROUNDS = 32  # re-link rounds after a write; a chain of late ancestors is short


@dataclass(frozen=True, slots=True)
class Arrival:
    """What adding one post did.

    ``record`` is the post as stored now; ``created`` is False when it was known already
    (a redelivery); ``merged`` lists conversations folded into another, as
    ``(old conversation id, new conversation id)``.
    """

    record: CarePostRecord
    created: bool
    merged: tuple[tuple[str, str], ...] = ()


class CareThreadRepository(Repository):
    """Brand-page posts with their thread roots and conversations."""

    collections = (CARE_POSTS,)

    # -- reads -----------------------------------------------------------------------
    def get(self, post_id: str) -> CarePostRecord | None:
        """The stored post, or None."""
        return self._get(CARE_POSTS, safe_key(post_id), CarePostRecord)

    def conversation(self, conversation_id: str) -> list[CarePostRecord]:
        """The posts of one conversation, oldest first."""
        return _ordered(self._models(CARE_POSTS, CarePostRecord,
                                     {"conversation_id": conversation_id}))

    def thread(self, root_id: str) -> list[CarePostRecord]:
        """The posts of one thread (traced to ``root_id``), oldest first."""
        posts = _ordered(self._models(CARE_POSTS, CarePostRecord, {"root_id": root_id}))
        root = self.get(root_id)
        if root is not None and all(p.post_id != root_id for p in posts):
            posts.insert(0, root)  # a root in a cycle broken elsewhere
        return posts

    def customer_posts_since(self, since: float, limit: int) -> list[CarePostRecord]:
        """Up to ``limit`` customers' posts created at or after ``since`` (epoch seconds),
        newest first: the periodic categorizer's corpus."""
        found = [p for p in self._models(CARE_POSTS, CarePostRecord,
                                         [Filter("_created", "ge", since),
                                          Filter("is_brand", "eq", False),
                                          Filter("erased", "eq", False)])]
        found.sort(key=lambda p: (p.created_at, p.post_id), reverse=True)
        return found[:limit]

    # -- arrival ---------------------------------------------------------------------
    def add(self, post: IncomingPost, *, is_brand: bool) -> Arrival:
        """Store ``post`` in its thread and conversation (see the module docstring).

        Idempotent: a post already stored is returned as it is (``created`` False).
        """
        post_id, parent_id = post.post_id, post.parent_id
        existing = self.get(post_id)
        if existing is not None:
            return Arrival(existing, False)
        parent = self.get(parent_id) if parent_id else None
        waiting = [w.node() for w in self._where(root_id=post_id) if w.post_id != post_id]
        node = link(post_id=post_id, parent_id=parent_id,
                    parent=parent.node() if parent else None, waiting=waiting,
                    root_hint=post.root_hint, author_id=post.author_id, is_brand=is_brand,
                    created_at=post.created_at)[0]
        record = CarePostRecord.of(post, node, _conversation_of(post_id, parent))
        if not self._create(CARE_POSTS, safe_key(post_id), record,
                            created=post.created_at.timestamp()):
            return Arrival(self.get(post_id) or record, False)
        self._relink_waiting(post_id)
        merged = self._adopt_children(record)
        if parent_id and parent is None:
            late = self.get(parent_id)  # the parent arrived while we were writing
            if late is not None:
                self._relink_waiting(parent_id)
                merged += self._adopt_children(late)
        self._settle(post_id)
        if parent is not None and not parent.brand_root:
            # the parent's conversation may have merged into another while we wrote
            now = self.get(parent.post_id)
            if now is not None and now.conversation_id != record.conversation_id:
                conversation = now.conversation_id

                def follow(current: CarePostRecord) -> CarePostRecord:
                    return current.model_copy(update={"conversation_id": conversation})

                self._edit(post_id, follow)
        return Arrival(self.get(post_id) or record, True, tuple(merged))

    def _where(self, **equal: str) -> Iterator[CarePostRecord]:
        return self._models(CARE_POSTS, CarePostRecord, equal)

    def _edit(self, post_id: str, edit: Callable[[CarePostRecord], CarePostRecord]) -> None:
        """Rewrite one post under its etag (``edit`` gets the current record)."""

        def change(current: dict[str, Any]) -> dict[str, Any]:
            record = load(CarePostRecord, current)
            return {**dump(edit(record)), **bookkeeping(current)}

        self._change(CARE_POSTS, safe_key(post_id), change)

    def _relink_waiting(self, post_id: str) -> None:
        """Give the posts whose provisional root is ``post_id`` that post's root."""
        anchor = self.get(post_id)
        if anchor is None:
            return
        for waiter in self._where(root_id=post_id):
            if waiter.post_id == post_id:
                continue

            def reroot(current: CarePostRecord, anchor: CarePostRecord = anchor) -> CarePostRecord:
                if current.root_id != anchor.post_id:
                    return current  # moved by someone else meanwhile
                if anchor.root_id == current.post_id:  # a reply cycle: break it here
                    return current.model_copy(update={"root_id": current.post_id,
                                                      "provisional": False})
                return current.model_copy(update={"root_id": anchor.root_id,
                                                  "provisional": anchor.provisional})

            self._edit(waiter.post_id, reroot)

    def _settle(self, post_id: str) -> None:
        """Store-then-check: while the post's provisional root has arrived, re-link."""
        for _ in range(_SETTLE_ROUNDS):
            record = self.get(post_id)
            if record is None or not record.provisional or self.get(record.root_id) is None:
                return
            self._relink_waiting(record.root_id)
            again = self.get(post_id)
            if again is None or again.root_id == record.root_id:
                return

    def _adopt_children(self, record: CarePostRecord) -> list[tuple[str, str]]:
        """Merge the conversations that children of ``record`` anchored while it was
        missing into ``record``'s (unless it is a brand root: its comments stay apart)."""
        if record.brand_root:
            return []
        merged = []
        for child in self._where(parent_id=record.post_id):
            if child.conversation_id == child.post_id != record.conversation_id:
                self._move_conversation(child.post_id, record.conversation_id)
                merged.append((child.post_id, record.conversation_id))
        return merged

    def _move_conversation(self, old: str, new: str) -> None:
        for member in self._where(conversation_id=old):
            def move(current: CarePostRecord) -> CarePostRecord:
                if current.conversation_id != old:
                    return current
                return current.model_copy(update={"conversation_id": new})

            self._edit(member.post_id, move)

    # -- erasure ---------------------------------------------------------------------
    def erase(self, erasure: Erasure) -> None:
        """The person's posts keep their place in the thread (other people's replies hang
        on them) with the author tombstoned and the text gone; other posts that mention
        the person are scrubbed. Every post is scanned for mentions (erasure is rare)."""
        subject, tomb = erasure.subject, erasure.tombstone
        for document in list(self._store.iter_query(CARE_POSTS, page_size=1000)):
            record = load(CarePostRecord, document.value)
            if record.author_id in subject.person_ids and not record.erased:
                def forget(current: CarePostRecord) -> CarePostRecord:
                    return current.model_copy(update={
                        "author_id": tomb(current.author_id), "text": "", "erased": True})

                self._edit(record.post_id, forget)
                erasure.count("care_posts_erased")
            elif record.text and tomb.scrub(record.text) != record.text:
                def scrub(current: CarePostRecord) -> CarePostRecord:
                    return current.model_copy(update={"text": tomb.scrub(current.text)})

                self._edit(record.post_id, scrub)
                erasure.count("care_posts_scrubbed")


def _conversation_of(post_id: str, parent: CarePostRecord | None) -> str:
    if parent is None or parent.brand_root:
        return post_id
    return parent.conversation_id


def _ordered(posts: Iterator[CarePostRecord]) -> list[CarePostRecord]:
    return sorted(posts, key=lambda p: (p.created_at, p.post_id))


__all__ = ["CARE_POSTS", "ERASED_TEXT", "Arrival", "CareThreadRepository"]
