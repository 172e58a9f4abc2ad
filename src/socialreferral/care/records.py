"""The records of the live care queue: stored posts, queue items, replies, proposals.

Pure pydantic models (no I/O) that the care repositories store as they are and the
service layer builds from the core's results:

- :class:`IncomingPost` — what ingestion takes (from a webhook event or a replay line);
- :class:`CarePostRecord` — one stored post with its place in the thread
  (:class:`~socialreferral.care.threads.ThreadNode`'s fields plus the text);
- :class:`CareItem` — one thread in the queue: a :class:`~socialreferral.care.workflow.
  CareTicket` (status, assignee, SLA stamps) plus the score with its explanation;
- :class:`ReplyRecord` — an answer sent (or being sent) through the SocialChannel;
- :class:`ProposalRecord` — a dictionary term proposed by the categorizer job, awaiting
  or carrying an agent's decision;
- :class:`RunRecord` — what one periodic categorizer run found.

Post ids are namespaced by network (``"x:1592"``, ``"facebook:12_34"``): two networks may
use the same native id, and a reply must go back to the network it came from with the
native id (:attr:`CarePostRecord.native_id`).
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import AwareDatetime, Field, model_validator

from socialreferral.care.models import MAX_TEXT, CareScore
from socialreferral.care.settings import UNDECIDED
from socialreferral.care.threads import MAX_ID, ThreadNode
from socialreferral.care.workflow import CareTicket
from socialreferral.domain._base import DomainModel

__all__ = [
    "MAX_NATIVE_ID",
    "CareItem",
    "CarePostRecord",
    "ClusterRecord",
    "IncomingPost",
    "ProposalRecord",
    "ProposalStatus",
    "ReplyRecord",
    "RunRecord",
    "Source",
    "care_post_id",
    "proposal_id",
]

MAX_NATIVE_ID = 256  # characters of a network's own post id
Source = Literal["categorizer", "agent"]
ProposalStatus = Literal["pending", "approved", "rejected"]


def care_post_id(network: str, native_id: str) -> str:
    """The care id of a network's post: ``<network>:<native id>``, or a digest when that
    would exceed the thread node's id limit (a long URN)."""
    joined = f"{network}:{native_id}"
    if len(joined) <= MAX_ID:
        return joined
    return f"{network[:16]}:h:" + hashlib.sha256(joined.encode("utf-8")).hexdigest()[:40]


def proposal_id(function: str, term: str) -> str:
    """The stable id of a proposed (function, term) pair (terms hold spaces)."""
    return hashlib.sha256(f"{function}\x1f{term}".encode()).hexdigest()[:24]


class IncomingPost(DomainModel):
    """A post or comment of a brand page, as ingestion takes it.

    ``parent_native_id`` is what the network says the post answers (X gives only this);
    ``root_native_id`` the thread's root when the network states it (Meta comments).
    ``is_brand`` marks a post known to be the brand's own; authors in the configured
    ``brand_ids`` are recognised as the brand anyway.
    """

    network: str = Field(default="other", min_length=1, max_length=32, pattern=r"^[a-z0-9_-]+$")
    native_id: str = Field(min_length=1, max_length=MAX_NATIVE_ID)
    author_id: str = Field(min_length=1, max_length=MAX_ID)
    text: str = Field(default="", max_length=MAX_TEXT)
    created_at: AwareDatetime
    parent_native_id: str | None = Field(default=None, min_length=1, max_length=MAX_NATIVE_ID)
    root_native_id: str | None = Field(default=None, min_length=1, max_length=MAX_NATIVE_ID)
    page_id: str | None = Field(default=None, max_length=MAX_ID)
    author_handle: str | None = Field(default=None, max_length=MAX_ID)  # X screen name
    is_brand: bool = False

    @property
    def post_id(self) -> str:
        """The care id of this post."""
        return care_post_id(self.network, self.native_id)

    @property
    def parent_id(self) -> str | None:
        """The care id of the post this one answers."""
        return care_post_id(self.network, self.parent_native_id) if self.parent_native_id \
            else None

    @property
    def root_hint(self) -> str | None:
        """The care id of the thread root the network states (never the post itself)."""
        if not self.root_native_id or self.root_native_id == self.native_id:
            return None
        return care_post_id(self.network, self.root_native_id)


class CarePostRecord(DomainModel):
    """One stored post: its thread node's fields, its text and where it came from.

    ``conversation_id`` is the post that started its conversation, the queue item's key:
    the thread root when a customer started the thread; when the root is the brand's own
    post (a page's announcement), each top-level comment under it starts a conversation of
    its own. A post whose parent has not arrived anchors its conversation itself until the
    parent comes (then the repository merges the two).

    ``erased`` posts keep their place in the thread (the structure other people's posts
    hang on) with the author tombstoned and the text gone.
    """

    post_id: str = Field(min_length=1, max_length=MAX_ID)
    network: str = Field(min_length=1, max_length=32)
    native_id: str = Field(min_length=1, max_length=MAX_NATIVE_ID)
    page_id: str | None = None
    author_id: str = Field(default="", max_length=MAX_ID)
    text: str = Field(default="", max_length=MAX_TEXT)
    created_at: AwareDatetime
    parent_id: str | None = None
    root_id: str = Field(min_length=1, max_length=MAX_ID)
    provisional: bool = False
    conversation_id: str = Field(min_length=1, max_length=MAX_ID)
    is_brand: bool = False
    erased: bool = False

    def node(self) -> ThreadNode:
        """The post's thread node (what :func:`~socialreferral.care.threads.link` takes)."""
        return ThreadNode(post_id=self.post_id, parent_id=self.parent_id, root_id=self.root_id,
                          provisional=self.provisional, author_id=self.author_id,
                          is_brand=self.is_brand, created_at=self.created_at)

    @property
    def brand_root(self) -> bool:
        """True for a brand post that starts a thread (its comments are conversations)."""
        return self.is_brand and self.parent_id is None

    @classmethod
    def of(cls, post: IncomingPost, node: ThreadNode, conversation_id: str) -> CarePostRecord:
        """The record of a newly arrived ``post`` placed at ``node``."""
        return cls(post_id=node.post_id, network=post.network, native_id=post.native_id,
                   page_id=post.page_id, author_id=post.author_id, text=post.text,
                   created_at=post.created_at, parent_id=node.parent_id, root_id=node.root_id,
                   provisional=node.provisional, conversation_id=conversation_id,
                   is_brand=node.is_brand)


class CareItem(CareTicket):
    """One thread in the queue, keyed by its root post id (``ticket_id``).

    The workflow fields come from :class:`CareTicket`; ``queue`` is the business function
    or ``"undecided"`` (stored, so a queue is one query); ``score`` is the root post's
    verdict with every factor (None once the author was erased). ``function_source`` and
    ``intent_source`` say whether an agent corrected them: a corrected value survives
    re-ranking and recategorisation.
    """

    queue: str = Field(default=UNDECIDED, min_length=1, max_length=64)
    network: str = Field(default="other", max_length=32)
    lead_post_id: str = Field(default="", max_length=MAX_ID)  # the post scored
    root_id: str = Field(default="", max_length=MAX_ID)  # the thread's (traced) root
    author_id: str = Field(default="", max_length=MAX_ID)
    candidates: tuple[str, ...] = ()
    actionable: bool = False
    suggestion: str = "none"
    profile: str = "default"
    score: CareScore | None = None
    function_source: Source = "categorizer"
    intent_source: Source = "categorizer"
    posts: int = Field(default=1, ge=1)
    last_customer_at: AwareDatetime | None = None
    last_brand_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    erased: bool = False
    # When the first-response SLA was found breached (its due time); set once, so the
    # breach is counted once whoever detects it and however often (service/care/sla.py).
    sla_breached_at: AwareDatetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _queue_of_function(cls, data: Any) -> Any:
        if isinstance(data, dict) and "business_function" in data:
            data = {**data, "queue": data["business_function"] or UNDECIDED}
        return data

    def with_function(self, function: str | None, source: Source) -> CareItem:
        """The item routed to ``function`` (None: undecided) by ``source``."""
        return self.model_copy(update={"business_function": function,
                                       "queue": function or UNDECIDED,
                                       "function_source": source})


class ReplyRecord(DomainModel):
    """An answer to a thread through the SocialChannel, keyed by ``reply_id``.

    Written ``sending`` before the channel is called and ``sent`` after, so a retry after a
    crash finds it and sends again under the same ``message_id`` (the channel delivers a
    message id once).
    """

    reply_id: str = Field(min_length=1, max_length=200)
    ticket_id: str = Field(min_length=1, max_length=MAX_ID)
    message_id: str = Field(min_length=1, max_length=256)
    network: str
    in_reply_to: str  # the native id of the post answered
    recipient_id: str = Field(max_length=MAX_ID)
    text: str = Field(min_length=1, max_length=8_000)
    private: bool
    agent_id: str | None = Field(default=None, max_length=128)
    mass_response_id: str | None = Field(default=None, max_length=200)
    status: Literal["sending", "sent"] = "sending"
    network_message_id: str | None = None
    created_at: AwareDatetime
    sent_at: AwareDatetime | None = None


class ProposalRecord(DomainModel):
    """A term the categorizer job proposed for a function's dictionary, and its fate."""

    proposal_id: str
    function: str
    term: str
    cluster: str
    score: float
    status: ProposalStatus = "pending"
    proposed_at: AwareDatetime
    decided_at: AwareDatetime | None = None
    decided_by: str | None = Field(default=None, max_length=128)


class ClusterRecord(DomainModel):
    """One cluster of a run, without its posts (the posts are personal data)."""

    name: str
    size: int
    top_terms: tuple[str, ...]
    function: str | None
    candidates: tuple[str, ...]


class RunRecord(DomainModel):
    """One periodic categorizer run (keyed by its period, so a period runs once)."""

    run_id: str
    started_at: AwareDatetime
    finished_at: AwareDatetime | None = None
    posts: int = 0
    corrections: int = 0
    clusters: tuple[ClusterRecord, ...] = ()
    proposals: int = 0
    rerouted: int = 0

