"""Result types of :func:`socialreferral.text.analyze` (frozen, slotted dataclasses).

Dataclasses rather than pydantic models: ``analyze`` builds one per post at >10k posts/s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Sentiment = Literal["negative", "neutral", "positive"]
IntentType = Literal["question", "complaint", "sharing", "spam"]
EntityKind = Literal["hashtag", "mention", "money", "date", "url", "product_term"]


@dataclass(frozen=True, slots=True)
class Entity:
    """A span of the post: ``text[start:end]`` of a given ``kind``."""

    kind: EntityKind
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ProductMatch:
    """A catalog product the post is about, with the classifier probability."""

    product: str
    score: float
    terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PatternMatch:
    """An information-seeking pattern (SCION) found in the post."""

    pattern: str
    text: str


@dataclass(frozen=True, slots=True)
class Explanation:
    """One short human-readable reason per decision."""

    sentiment: str
    intent: str
    purchase_intent: str
    products: str


@dataclass(frozen=True, slots=True)
class Annotation:
    """Everything ``analyze`` says about one post."""

    text: str
    sentiment: Sentiment
    sentiment_confidence: float
    intent: IntentType
    purchase_intent: bool
    products: tuple[ProductMatch, ...]
    entities: tuple[Entity, ...]
    info_seeking: tuple[PatternMatch, ...]
    explanation: Explanation

    @property
    def product(self) -> str | None:
        """The best-matching product id, if any."""
        return self.products[0].product if self.products else None

    @property
    def actionable(self) -> bool:
        """SCION's actionable set: questions and complaints."""
        return self.intent in ("question", "complaint")
