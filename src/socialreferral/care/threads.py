"""Conversation threads: every post traced to its root (seed 003, data ingestion).

Meta feed comments name their parent (and the post they belong to); X replies name only
the previous tweet. SCION "traces all parent ids back to the root post". Posts also arrive
out of order (a reply fetched before the tweet it answers), so a post whose parent is not
known yet gets a *provisional* root, the missing ancestor's id, and is re-linked when that
ancestor arrives.

The state is small records (:class:`ThreadNode`, one per post) so a repository can store
them as they are. :func:`link` is the whole algorithm as a pure function over the records
it needs: the parent (one get by id) and the posts waiting for the new one (one query on
``root_id``), returning the records to write. :class:`ThreadIndex` runs it over an
in-memory dict for batch jobs, benchmarks and tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from pydantic import AwareDatetime, Field

from socialreferral.domain._base import DomainModel
from socialreferral.errors import InvalidInput

__all__ = [
    "MAX_ID",
    "ThreadIndex",
    "ThreadNode",
    "ThreadSummary",
    "is_brand_author",
    "link",
    "summarize",
]

MAX_ID = 128  # characters of a post or author id


class ThreadNode(DomainModel):
    """One post's place in its thread.

    ``root_id`` is the traced root (``post_id`` itself for a root). When an ancestor has
    not arrived yet, ``root_id`` is that ancestor's id and ``provisional`` is true.
    """

    post_id: str = Field(min_length=1, max_length=MAX_ID)
    parent_id: str | None = Field(default=None, min_length=1, max_length=MAX_ID)
    root_id: str = Field(min_length=1, max_length=MAX_ID)
    provisional: bool = False
    author_id: str = Field(default="", max_length=MAX_ID)
    is_brand: bool = False  # an agent response: written by one of the brand's accounts
    created_at: AwareDatetime | None = None


def is_brand_author(author_id: str, brand_ids: frozenset[str]) -> bool:
    """True if ``author_id`` (an id or a handle, any case, with or without ``@``) is ours."""
    return bool(author_id) and author_id.lower().lstrip("@") in brand_ids


def link(
    *,
    post_id: str,
    parent_id: str | None,
    parent: ThreadNode | None,
    waiting: Sequence[ThreadNode],
    root_hint: str | None = None,
    author_id: str = "",
    is_brand: bool = False,
    created_at: datetime | None = None,
) -> list[ThreadNode]:
    """The records to write when ``post_id`` arrives: its node, then re-rooted waiters.

    Args:
        parent: the stored node of ``parent_id``, or None if it has not arrived.
        waiting: stored nodes whose ``root_id`` is ``post_id`` (they wait for this post).
        root_hint: the thread root when the channel states it (Meta's post id of a comment).
    """
    if parent_id == post_id:
        raise InvalidInput("a post cannot reply to itself", field="parent_id")
    if root_hint:
        # the channel states the root (Meta): final, whatever has arrived so far
        root, provisional = root_hint, False
    elif parent_id is None:
        root, provisional = post_id, False
    elif parent is None:
        root, provisional = parent_id, True
    elif parent.root_id == post_id:
        # the parent is waiting for us: a reply cycle in the data. Break it here.
        root, provisional = post_id, False
    else:
        root, provisional = parent.root_id, parent.provisional
    node = ThreadNode(
        post_id=post_id,
        parent_id=parent_id,
        root_id=root,
        provisional=provisional,
        author_id=author_id,
        is_brand=is_brand,
        created_at=created_at,
    )
    moved = [
        w.model_copy(update={"root_id": root, "provisional": provisional})
        for w in waiting
        if w.post_id != post_id and (w.root_id != root or w.provisional != provisional)
    ]
    return [node, *moved]


class ThreadIndex:
    """An in-memory thread index built incrementally with :func:`link`.

    ``ThreadIndex(nodes)`` restores a saved state; :meth:`nodes` returns it. Adding a post
    costs O(size of the subtree that was waiting for it).
    """

    def __init__(self, nodes: Iterable[ThreadNode] = (), *, max_nodes: int = 10_000_000):
        self.max_nodes = max_nodes
        self._nodes: dict[str, ThreadNode] = {}
        self._members: dict[str, set[str]] = {}
        for node in nodes:
            self._put(node)

    def _put(self, node: ThreadNode) -> None:
        old = self._nodes.get(node.post_id)
        if old is not None:
            self._members[old.root_id].discard(node.post_id)
            if not self._members[old.root_id]:
                del self._members[old.root_id]
        self._nodes[node.post_id] = node
        self._members.setdefault(node.root_id, set()).add(node.post_id)

    def add(
        self,
        post_id: str,
        parent_id: str | None = None,
        *,
        root_hint: str | None = None,
        author_id: str = "",
        is_brand: bool = False,
        created_at: datetime | None = None,
    ) -> list[ThreadNode]:
        """Add a post; returns the records that changed (none if it was already known)."""
        if post_id in self._nodes:
            return []
        if len(self._nodes) >= self.max_nodes:
            raise InvalidInput(f"more than {self.max_nodes} posts", field="post_id")
        parent = self._nodes.get(parent_id) if parent_id else None
        waiting = [self._nodes[p] for p in self._members.get(post_id, ())]
        changed = link(
            post_id=post_id,
            parent_id=parent_id,
            parent=parent,
            waiting=waiting,
            root_hint=root_hint,
            author_id=author_id,
            is_brand=is_brand,
            created_at=created_at,
        )
        for node in changed:
            self._put(node)
        return changed

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, post_id: object) -> bool:
        return post_id in self._nodes

    def get(self, post_id: str) -> ThreadNode | None:
        """The node of ``post_id``, if known."""
        return self._nodes.get(post_id)

    def root_of(self, post_id: str) -> str:
        """The traced (possibly provisional) root of a known post."""
        node = self._nodes.get(post_id)
        if node is None:
            raise KeyError(post_id)
        return node.root_id

    def thread(self, root_id: str) -> list[ThreadNode]:
        """The posts of one thread, oldest first when timestamps are known."""
        members = [self._nodes[p] for p in self._members.get(root_id, ())]
        return sorted(members, key=_order)

    def threads(self) -> dict[str, list[ThreadNode]]:
        """Every thread by root id."""
        return {root: self.thread(root) for root in self._members}

    def nodes(self) -> list[ThreadNode]:
        """The whole state, for saving."""
        return list(self._nodes.values())


def _order(node: ThreadNode) -> tuple[float, str]:
    ts = node.created_at.timestamp() if node.created_at else float("inf")
    return ts, node.post_id


class ThreadSummary(DomainModel):
    """What the care queue needs to know about a thread."""

    root_id: str
    size: int
    provisional: bool  # the root itself has not arrived
    customer_started: bool  # the earliest known post is not the brand's
    brand_replied: bool
    first_post_at: AwareDatetime | None = None
    first_brand_reply_at: AwareDatetime | None = None

    @property
    def first_response_minutes(self) -> float | None:
        """Minutes from the first post to the brand's first reply, if both are known."""
        if self.first_post_at is None or self.first_brand_reply_at is None:
            return None
        return (self.first_brand_reply_at - self.first_post_at).total_seconds() / 60.0


def summarize(nodes: Sequence[ThreadNode]) -> ThreadSummary:
    """Summarise one thread's nodes (as returned by :meth:`ThreadIndex.thread`)."""
    if not nodes:
        raise InvalidInput("a thread has at least one post", field="nodes")
    ordered = sorted(nodes, key=_order)
    root_id = ordered[0].root_id
    first = ordered[0]
    brand_times = [n.created_at for n in ordered if n.is_brand and n.created_at is not None]
    first_reply = None
    if first.created_at is not None:
        later = [t for t in brand_times if t >= first.created_at]
        first_reply = min(later) if later else None
    return ThreadSummary(
        root_id=root_id,
        size=len(ordered),
        provisional=any(n.provisional for n in ordered),
        customer_started=not first.is_brand,
        brand_replied=any(n.is_brand for n in ordered[1:]),
        first_post_at=first.created_at,
        first_brand_reply_at=first_reply,
    )
