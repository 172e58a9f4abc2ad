"""Actionability refinements (seed 003): when an actionable intent still needs no agent.

- the post is the brand's own (an agent response), so there is nothing to answer;
- the brand already replied in the thread after the post;
- a question was already answered by another community member ("the problem/query may
  already be resolved by a fellow customer");
- a complaint is about a configured competitor and not about us ("a post expressing
  negative sentiments about a competitor should not be tagged as actionable"), unless it
  also names our brand;
- and a suggestion: let the community answer a question when a helpful member is active.

Every decision carries its reason, for the agent console.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from socialreferral.care.features import content_words, tokenize
from socialreferral.care.lexicon import RULES, normalize
from socialreferral.care.models import CareComment, IntentType, Suggestion

__all__ = ["Refinement", "is_answer", "mentions_any", "refine"]

_ANSWER_CUES = re.compile(
    r"\b(?:you\s+(?:can|could|need|should|have\s+to|must|just)|try|tried\s+that|go\s+to"
    r"|call|check|click|tap|open|select|settings|under|menu|restart|reinstall|log\s+out"
    r"|it\s*s|it\s+is|they\s+(?:are|will)|here\s+is|heres|same\s+here|worked\s+for\s+me"
    r"|answer|because|means)\b|https?://|\d"
)
_RESOLVED = re.compile(
    r"\b(?:thanks?|thank\s+you|thx|that\s+worked|worked|solved|fixed|sorted|got\s+it)\b"
)
_STILL = re.compile(r"\b(?:still|didnt\s+work|doesnt\s+work|not\s+working|no\s+luck)\b")


@dataclass(frozen=True, slots=True)
class Refinement:
    """The refined verdict: actionable or not, why, and what to suggest to the agent."""

    actionable: bool
    reasons: tuple[str, ...]
    suggestion: Suggestion


def is_answer(comment: str, question: str) -> bool:
    """Heuristic: does ``comment`` read as an answer to ``question``?

    Not itself a question; and either an answer cue ("you can", "go to", a link, a
    number, "worked for me") or at least four words sharing a concept with the question.
    """
    low = normalize(comment)
    if "?" in low or any(m.family == "info" for m in RULES.find(tokenize(low))):
        return False
    if _ANSWER_CUES.search(low):
        return True
    words = content_words(comment)
    return len(low.split()) >= 4 and bool(words & content_words(question))


def mentions_any(low_text: str, names: Sequence[str]) -> str | None:
    """The first of ``names`` (lower-case handles or names) mentioned in the text."""
    for name in names:
        if re.search(r"(?<![\w])@?" + re.escape(name) + r"(?!\w)", low_text):
            return name
    return None


def _after(comment: CareComment, at: datetime | None) -> bool:
    return at is None or comment.created_at is None or comment.created_at >= at


def refine(
    *,
    text: str,
    intent: IntentType,
    author_id: str,
    is_brand: bool,
    created_at: datetime | None,
    comments: Sequence[CareComment],
    brand_ids: frozenset[str],
    competitors: Sequence[str],
    actionable_intents: frozenset[str],
    helpful_members: frozenset[str] = frozenset(),
) -> Refinement:
    """Apply the refinements to one post; see the module docstring."""
    if is_brand or (author_id and author_id.lower() in brand_ids):
        return Refinement(False, ("written by the brand (agent response)",), "none")
    if intent not in actionable_intents:
        return Refinement(False, (f"intent {intent} is not actionable",), "none")
    later = [c for c in comments if _after(c, created_at) and c.author_id != author_id]
    brand = [c for c in later if c.is_brand or c.author_id.lower() in brand_ids]
    if brand:
        return Refinement(False, ("the brand already replied in this thread",), "none")
    low = normalize(text)
    if intent == "complaint" and competitors:
        rival = mentions_any(low, competitors)
        ours = mentions_any(low, sorted(brand_ids)) if brand_ids else None
        if rival is not None and ours is None:
            return Refinement(False, (f"complaint about a competitor ({rival})",), "none")
    if intent == "question":
        answers = [c for c in later if is_answer(c.text, text)]
        if answers:
            follow_ups = [
                c for c in comments if c.author_id == author_id and _after(c, answers[0].created_at)
            ]
            unresolved = any(_STILL.search(normalize(c.text)) for c in follow_ups)
            resolved = any(_RESOLVED.search(normalize(c.text)) for c in follow_ups)
            if not unresolved:
                who = answers[0].author_id or "a community member"
                why = f"answered by community member {who}"
                return Refinement(
                    False, (why + (" (author confirmed)" if resolved else ""),), "none"
                )
        helpers = sorted(
            {c.author_id for c in later if c.author_id in helpful_members}
            or (helpful_members & {c.author_id for c in comments})
        )
        if helpers:
            return Refinement(
                True,
                (f"unanswered question; helpful member {helpers[0]} is active in the thread",),
                "let_community_answer",
            )
    return Refinement(True, (f"{intent} needing a response",), "respond")
