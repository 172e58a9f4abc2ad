"""Request and response bodies of the care queue's REST API (they are its OpenAPI schemas).

Requests are bounded (lengths, list sizes) and forbid unknown fields, so a typo is a 400
naming the field rather than a silently ignored option. Responses are built from the
service's records with ``of()`` class methods; they carry what the agent console needs:
each item's factor explanation and SLA timer, the conversation and its whole thread, the
replies sent and which kinds of reply the channel allows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool

from socialreferral.care.records import CareItem, CarePostRecord, ProposalRecord, ReplyRecord
from socialreferral.care.workflow import SlaState
from socialreferral.service.care import Cluster, ItemDetail, MassOutcome, QueueCounts

_ID = r"^[^\x00-\x1f\x7f]+$"  # printable ids (network ids hold ':', '_', '-')
_CLIENT_KEY = r"^[!-~]+$"  # idempotency keys chosen by the caller: visible ASCII
_TEXT = r"\S"  # something besides white space


class _Body(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# -- requests ---------------------------------------------------------------------------
class AgentAction(_Body):
    """Who takes (or is given) the item; ``force`` overrides the agent's cap."""

    agent_id: str = Field(min_length=1, max_length=128, pattern=_ID)
    force: StrictBool = False


class ReplyRequest(_Body):
    """An answer: public (in the post's thread) or private (a message about the post).

    ``reply_id`` makes a retry safe (the same id is sent once); without it the id derives
    from the item, the post, the visibility and the text. ``post_id`` picks the post
    answered (default: the conversation's latest customer post).
    """

    text: str = Field(min_length=1, max_length=8_000, pattern=_TEXT)
    private: StrictBool = False
    agent_id: str | None = Field(default=None, min_length=1, max_length=128, pattern=_ID)
    reply_id: str | None = Field(default=None, min_length=1, max_length=120,
                                 pattern=_CLIENT_KEY)
    post_id: str | None = Field(default=None, min_length=1, max_length=200, pattern=_ID)


class SnoozeRequest(_Body):
    """Snooze until this (timezone-aware) time; the item wakes up open."""

    until: AwareDatetime


class CorrectionRequest(_Body):
    """An agent's correction of the item's business function and/or intent (at least
    one of them)."""

    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra={"anyOf": [
        {"required": [name], "properties": {name: {"not": {"type": "null"}}}}
        for name in ("function", "intent")]})

    function: str | None = Field(default=None, min_length=1, max_length=64)
    intent: Literal["question", "complaint", "sharing", "spam"] | None = None
    agent_id: str | None = Field(default=None, min_length=1, max_length=128, pattern=_ID)


class MassResponseRequest(_Body):
    """One text for many items (a cluster's ``ticket_ids``), each answered once.

    ``response_id`` (returned by the first call) makes a retry continue where it stopped.
    """

    ticket_ids: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=1_000)
    text: str = Field(min_length=1, max_length=8_000, pattern=_TEXT)
    private: StrictBool = False
    agent_id: str | None = Field(default=None, min_length=1, max_length=128, pattern=_ID)
    response_id: str | None = Field(default=None, min_length=1, max_length=60,
                                    pattern=_CLIENT_KEY)


class DecisionRequest(_Body):
    """Who decided about a proposed term (optional)."""

    agent_id: str | None = Field(default=None, min_length=1, max_length=128, pattern=_ID)


class ProfileRequest(_Body):
    """The weight profile to switch to."""

    name: str = Field(min_length=1, max_length=64)
    agent_id: str | None = Field(default=None, min_length=1, max_length=128, pattern=_ID)


class RoundRobinRequest(_Body):
    """Assign one queue's open items (all queues when omitted)."""

    queue: str | None = Field(default=None, min_length=1, max_length=64)


class AvailabilityRequest(_Body):
    """Whether the agent takes round-robin assignments."""

    available: StrictBool


# -- responses --------------------------------------------------------------------------
class FactorOut(_Body):
    """One term of the score (see docs/care-queue.md, "Explanations")."""

    part: Literal["ascore", "author_score", "bfi"]
    name: str
    value: float
    weight: float
    contribution: float
    rank_contribution: float
    explanation: str


class ExplanationOut(_Body):
    """Why the item ranks where it does: Eq. 1-4 with every factor and the evidence."""

    rank_score: float
    ascore: float
    author_score: float
    bfi: float
    bfi_source: str
    profile: str
    reasons: list[str]
    factors: list[FactorOut]
    evidence: list[str] = Field(description="Entities, opinion phrases and question "
                                            "patterns found in the post")
    tone: float


class SlaOut(_Body):
    """The first-response timer."""

    due_at: datetime
    remaining_seconds: float
    warning: bool
    breached: bool
    met: bool

    @classmethod
    def of(cls, sla: SlaState) -> SlaOut:
        """From the core's SLA state."""
        return cls(due_at=sla.due_at, remaining_seconds=round(sla.remaining_seconds, 3),
                   warning=sla.warning, breached=sla.breached, met=sla.met)


class ItemOut(_Body):
    """One conversation in the queue."""

    ticket_id: str
    queue: str
    business_function: str | None
    candidates: list[str]
    function_source: str
    intent: str
    intent_source: str
    actionable: bool
    suggestion: str
    rank_score: float
    status: str
    assignee: str | None
    network: str
    lead_post_id: str
    root_id: str
    posts: int
    created_at: datetime
    first_response_at: datetime | None
    snoozed_until: datetime | None
    resolved_at: datetime | None
    sla: SlaOut
    explanation: ExplanationOut | None = Field(
        description="None once the author was erased (the explanation quoted the post)")

    @classmethod
    def of(cls, item: CareItem, sla: SlaState) -> ItemOut:
        """From a stored item and its SLA state."""
        explanation = None
        if item.score is not None:
            score, features = item.score, item.score.features
            explanation = ExplanationOut(
                rank_score=score.rank_score, ascore=score.ascore,
                author_score=score.author_score, bfi=score.bfi, bfi_source=score.bfi_source,
                profile=score.profile, reasons=list(score.reasons),
                factors=[FactorOut(**f.model_dump()) for f in score.factors],
                evidence=[*features.entities, *features.negative_phrases,
                          *features.positive_phrases, *features.info_seeking][:100],
                tone=features.tone)
        return cls(
            ticket_id=item.ticket_id, queue=item.queue,
            business_function=item.business_function, candidates=list(item.candidates),
            function_source=item.function_source, intent=item.intent,
            intent_source=item.intent_source, actionable=item.actionable,
            suggestion=item.suggestion, rank_score=item.rank_score, status=item.status,
            assignee=item.assignee, network=item.network, lead_post_id=item.lead_post_id,
            root_id=item.root_id, posts=item.posts, created_at=item.created_at,
            first_response_at=item.first_response_at, snoozed_until=item.snoozed_until,
            resolved_at=item.resolved_at, sla=SlaOut.of(sla), explanation=explanation)


class QueuePageOut(_Body):
    """A page of a queue, best RankScore first; ``next_cursor`` fetches the next page."""

    queue: str | None
    profile: str
    items: list[ItemOut]
    next_cursor: str | None


class PostOut(_Body):
    """A post of a conversation or thread."""

    post_id: str
    network: str
    author_id: str
    text: str
    created_at: datetime
    parent_id: str | None
    root_id: str
    conversation_id: str
    is_brand: bool
    provisional: bool
    erased: bool

    @classmethod
    def of(cls, post: CarePostRecord) -> PostOut:
        """From a stored post."""
        return cls(**post.model_dump(include=set(cls.model_fields)))


class ReplyOut(_Body):
    """A reply sent (or being sent) through the channel."""

    reply_id: str
    ticket_id: str
    text: str
    private: bool
    in_reply_to: str
    recipient_id: str
    agent_id: str | None
    mass_response_id: str | None
    status: str
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, reply: ReplyRecord) -> ReplyOut:
        """From a stored reply."""
        return cls(**reply.model_dump(include=set(cls.model_fields)))


MAX_THREAD_POSTS = 500
"""Posts of a thread listed in an item's detail (the conversation is listed whole)."""


class ItemDetailOut(_Body):
    """An item with its conversation, its thread (up to :data:`MAX_THREAD_POSTS`), the
    replies sent and the reply kinds the channel allows (``public``, ``private``)."""

    item: ItemOut
    conversation: list[PostOut]
    thread: list[PostOut]
    replies: list[ReplyOut]
    reply_kinds: list[str]

    @classmethod
    def of(cls, detail: ItemDetail) -> ItemDetailOut:
        """From the service's detail view."""
        return cls(item=ItemOut.of(detail.item, detail.sla),
                   conversation=[PostOut.of(p) for p in detail.conversation],
                   thread=[PostOut.of(p) for p in detail.thread[:MAX_THREAD_POSTS]],
                   replies=[ReplyOut.of(r) for r in detail.replies],
                   reply_kinds=list(detail.reply_kinds))


class QueueCountsOut(_Body):
    """How many actionable items one queue holds per status."""

    queue: str
    open: int
    pending: int
    snoozed: int
    breached: int
    unassigned: int

    @classmethod
    def of(cls, counts: QueueCounts) -> QueueCountsOut:
        """From the service's counts."""
        return cls(queue=counts.queue, open=counts.open, pending=counts.pending,
                   snoozed=counts.snoozed, breached=counts.breached,
                   unassigned=counts.unassigned)


class QueueSummaryOut(_Body):
    """Every queue in priority order, and the active weight profile."""

    profile: str
    queues: list[QueueCountsOut]


class AssignmentOut(_Body):
    """One round-robin round: item → agent, and the items no agent had room for."""

    assigned: dict[str, str]
    unassigned: list[str]


class ReplyResultOut(_Body):
    """A reply and the item after it; ``sent_now`` is False when it had gone out before."""

    reply: ReplyOut
    item: ItemOut
    sent_now: bool


class ClusterOut(_Body):
    """Similar open items that one response can answer."""

    cluster_id: str
    ticket_ids: list[str]
    representative: str
    top_terms: list[str]
    mean_similarity: float

    @classmethod
    def of(cls, cluster: Cluster) -> ClusterOut:
        """From the service's cluster."""
        return cls(cluster_id=cluster.cluster_id, ticket_ids=list(cluster.ticket_ids),
                   representative=cluster.representative, top_terms=list(cluster.top_terms),
                   mean_similarity=cluster.mean_similarity)


class ClustersOut(_Body):
    """Clusters of one queue (or all), largest first."""

    clusters: list[ClusterOut]


class MassOutcomeOut(_Body):
    """One item's part of a mass response: ``sent``, ``already_sent`` or ``refused``."""

    ticket_id: str
    status: str
    detail: str
    reply_id: str | None

    @classmethod
    def of(cls, outcome: MassOutcome) -> MassOutcomeOut:
        """From the service's outcome."""
        return cls(ticket_id=outcome.ticket_id, status=outcome.status,
                   detail=outcome.detail[:300], reply_id=outcome.reply_id)


class MassResponseOut(_Body):
    """The response id (send it again to retry) and each item's outcome."""

    response_id: str
    outcomes: list[MassOutcomeOut]


class ProposalOut(_Body):
    """A dictionary term the categorizer proposed, and its fate."""

    proposal_id: str
    function: str
    term: str
    cluster: str
    score: float
    status: str
    proposed_at: datetime
    decided_at: datetime | None
    decided_by: str | None

    @classmethod
    def of(cls, proposal: ProposalRecord) -> ProposalOut:
        """From a stored proposal."""
        return cls(**proposal.model_dump())


class ProposalsOut(_Body):
    """Proposals, best first."""

    proposals: list[ProposalOut]


class ProfileInfo(_Body):
    """A weight profile."""

    name: str
    description: str


class ProfileOut(_Body):
    """The active weight profile and those one can switch to; ``changed_queue`` counts
    the items a switch moved to another queue."""

    active: str
    profiles: list[ProfileInfo]
    changed_queue: int = 0


class RecategorizeOut(_Body):
    """How many open items moved to another queue."""

    changed_queue: int


class AgentOut(_Body):
    """An agent, the queues they serve, their cap and load."""

    agent_id: str
    functions: list[str]
    cap: int
    available: bool
    holding: int


class AgentsOut(_Body):
    """Every configured agent."""

    agents: list[AgentOut]


__all__ = [
    "AgentAction", "AgentOut", "AgentsOut", "AssignmentOut", "AvailabilityRequest",
    "ClusterOut", "ClustersOut", "CorrectionRequest", "DecisionRequest", "ExplanationOut",
    "FactorOut", "ItemDetailOut", "ItemOut", "MassOutcomeOut", "MassResponseOut",
    "MassResponseRequest", "PostOut", "ProfileInfo", "ProfileOut", "ProfileRequest",
    "ProposalOut", "ProposalsOut", "QueueCountsOut", "QueuePageOut", "QueueSummaryOut",
    "RecategorizeOut", "ReplyOut", "ReplyRequest", "ReplyResultOut", "RoundRobinRequest",
    "SlaOut", "SnoozeRequest",
]
