"""Pydantic models of the care queue: what is scored (posts with their context) and what
comes out (scores with per-factor explanations).

Inputs are validated and bounded (text length, number of comments). Outputs are built by
:class:`~socialreferral.care.CareRanker` with ``model_construct`` on the hot path (its
inputs are already validated), and are frozen and JSON-serialisable, so a repository can
store them as they are.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, Field, computed_field, model_validator

from socialreferral.domain._base import DomainModel

__all__ = [
    "MAX_COMMENTS",
    "MAX_TEXT",
    "AuthorHistory",
    "CareComment",
    "CarePost",
    "CareScore",
    "Channel",
    "Factor",
    "IntentType",
    "PostFeatures",
    "Suggestion",
    "trusted",
]

MAX_TEXT = 10_000  # characters of one post (a Facebook post can reach 63,206; we cut)
MAX_COMMENTS = 1_000  # comments of one post taken into account

Channel = Literal["x", "meta", "other"]
IntentType = Literal["question", "complaint", "sharing", "spam"]
Suggestion = Literal["respond", "let_community_answer", "none"]


class CareComment(DomainModel):
    """A reply in the post's thread, as context for Ncomm and the actionability rules."""

    text: str = Field(max_length=MAX_TEXT)
    post_id: str = ""
    author_id: str = ""
    is_brand: bool = False  # written by the enterprise (configured page ids / handles)
    created_at: AwareDatetime | None = None


class AuthorHistory(DomainModel):
    """What Eq. 2 needs to know about an author: running totals, updated incrementally.

    Stored per author by the repository (one small record, erasable with the person).
    """

    author_id: str = ""
    main_posts: int = Field(default=0, ge=0)
    relevant_comments_received: int = Field(default=0, ge=0)
    ascore_total: float = 0.0
    representative_interactions: int = Field(default=0, ge=0)

    def record_main_post(self, ascore: float, relevant_comments: int) -> AuthorHistory:
        """The history after one more main post with this AScore and Ncomm."""
        return self.model_copy(
            update={
                "main_posts": self.main_posts + 1,
                "ascore_total": self.ascore_total + ascore,
                "relevant_comments_received": self.relevant_comments_received
                + max(0, relevant_comments),
            }
        )

    def record_interaction(self, count: int = 1) -> AuthorHistory:
        """The history after ``count`` more exchanges with a company representative."""
        return self.model_copy(
            update={"representative_interactions": self.representative_interactions + count}
        )


class CarePost(DomainModel):
    """A post to score, with its thread and author context (all optional).

    ``parent_id`` is the post it replies to (X gives only this); ``root_id`` is the thread's
    root when the channel says so (Meta comments) or when :class:`ThreadIndex` traced it.
    """

    text: str = Field(max_length=MAX_TEXT)
    post_id: str = ""
    author_id: str = ""
    channel: Channel = "other"
    created_at: AwareDatetime | None = None
    parent_id: str | None = None
    root_id: str | None = None
    is_brand: bool = False
    comments: tuple[CareComment, ...] = Field(default=(), max_length=MAX_COMMENTS)
    author: AuthorHistory | None = None


class PostFeatures(DomainModel):
    """SCION's four features of one post (plus the extensions we score), as found."""

    entities: tuple[str, ...] = ()  # relevant entities and concepts (Nent = len)
    negative_phrases: tuple[str, ...] = ()  # "kind:text" (Nns = len)
    positive_phrases: tuple[str, ...] = ()  # Nps = len
    info_seeking: tuple[str, ...] = ()  # matched pattern names (IfQ = any)
    relevant_comments: int = 0  # Ncomm
    purchase_intent: bool = False
    tone: float = 0.0  # P(negative) - P(positive) of the sentiment model, in [-1, 1]
    relevant: bool = False  # has at least one relevant entity / care concept


class Factor(DomainModel):
    """One term of a score part and what it contributed.

    ``part == "ascore"``: additive terms, ``contribution = weight * value``; they sum to
    ``ascore``, and their ``rank_contribution`` (``contribution * author_score * bfi``) sum
    to ``rank_score``. ``part in ("author_score", "bfi")``: multiplicative factors whose
    ``contribution`` values multiply to that part (``rank_contribution`` is 0).
    """

    part: Literal["ascore", "author_score", "bfi"]
    name: str
    value: float
    weight: float
    contribution: float
    rank_contribution: float
    explanation: str = ""


class CareScore(DomainModel):
    """The ranked, explained verdict on one post (Eq. 1-4 of seed 003)."""

    post_id: str = ""
    rank_score: float
    ascore: float
    author_score: float
    bfi: float
    intent: IntentType
    actionable: bool
    business_function: str | None  # None when functions tie: an agent decides
    function_candidates: tuple[str, ...] = ()
    profile: str = "default"
    reasons: tuple[str, ...] = ()
    suggestion: Suggestion = "none"
    features: PostFeatures = PostFeatures()
    ascore_terms: tuple[tuple[str, float, float], ...] = ()  # (name, value, weight)
    author_terms: tuple[tuple[str, float], ...] = ()  # (name, factor)
    bfi_source: str = "prior"

    @model_validator(mode="before")
    @classmethod
    def _drop_computed(cls, data: Any) -> Any:
        # a dump carries the computed ``factors``; they are derived, not an input
        if isinstance(data, dict) and "factors" in data:
            data = {k: v for k, v in data.items() if k != "factors"}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def factors(self) -> tuple[Factor, ...]:
        """Per-factor contributions: Eq. 1 terms sum to ``ascore`` (and, scaled, to
        ``rank_score``); Eq. 2 factors multiply to ``author_score``; then ``bfi``."""
        scale = self.author_score * self.bfi
        out = [
            Factor(
                part="ascore",
                name=name,
                value=value,
                weight=weight,
                contribution=weight * value,
                rank_contribution=weight * value * scale,
                explanation=_ASCORE_EXPLAIN.get(name, name),
            )
            for name, value, weight in self.ascore_terms
        ]
        out.extend(
            Factor(
                part="author_score",
                name=name,
                value=value,
                weight=1.0,
                contribution=value,
                rank_contribution=0.0,
                explanation=_AUTHOR_EXPLAIN.get(name, name),
            )
            for name, value in self.author_terms
        )
        out.append(
            Factor(
                part="bfi",
                name="business_function_importance",
                value=self.bfi,
                weight=1.0,
                contribution=self.bfi,
                rank_contribution=0.0,
                explanation=f"{self.business_function or 'undecided'} ({self.bfi_source})",
            )
        )
        return tuple(out)


_ASCORE_EXPLAIN = {
    "entities": "W_ent x N_ent: relevant entities and concepts",
    "sentiment": "W_sent x (N_ns - N_ps): negative minus positive opinion phrases",
    "comments": "W_cmt x N_comm: replies that mention related concepts",
    "question": "W_q x IfQ: an information-seeking pattern is present",
    "tone": "W_tone x (P(neg) - P(pos)): post-level sentiment model (our extension)",
    "purchase": "W_buy x IfBuy: purchase intent (our extension, for seasonal profiles)",
    "sharing": "W_share x IfShare: feedback / information sharing (our extension)",
}
_AUTHOR_EXPLAIN = {
    "avg_relevant_comments": "Avg(N_comm) on the author's posts, normalised, with a floor",
    "avg_ascore": "Avg(AScore) of the author's main posts, normalised, with a floor",
    "representative_interactions": "N_rep: past exchanges with representatives, normalised",
}


M = TypeVar("M", bound=BaseModel)


def trusted(cls: type[M], values: dict[str, Any]) -> M:
    """Build a model from values computed by this package, without validation.

    For the ranker's hot path only: pydantic's ``model_construct`` costs more than
    validating (about 10 µs per model in pydantic 2.13), this about 1 µs. ``values`` must
    hold every field with the right type; a test checks the results round-trip through
    ``model_validate``.
    """
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj
