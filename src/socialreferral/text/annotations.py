"""Result types of :func:`socialreferral.text.analyze` (frozen, slotted dataclasses).

Dataclasses rather than pydantic models: ``analyze`` builds one per post at >10k posts/s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

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


# Fast constructors for the hot loop of ``analyze``. A frozen dataclass's ``__init__`` sets
# each field through ``object.__setattr__`` (about 0.3 µs a field); writing the slots
# through their descriptors builds the same object (equal, same hash, still frozen) in
# about half the time, which is several µs per post. ``tests/text/test_text_analyze.py``
# checks that they equal the normal constructors.
_new = object.__new__


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(cls.__dict__[n].__set__ for n in names)


_ENTITY_SET = _slot_setters(Entity, ("kind", "text", "start", "end"))
_PATTERN_SET = _slot_setters(PatternMatch, ("pattern", "text"))
_EXPLANATION_SET = _slot_setters(
    Explanation, ("sentiment", "intent", "purchase_intent", "products")
)
_ANNOTATION_SET = _slot_setters(
    Annotation,
    (
        "text",
        "sentiment",
        "sentiment_confidence",
        "intent",
        "purchase_intent",
        "products",
        "entities",
        "info_seeking",
        "explanation",
    ),
)


def new_entity(kind: EntityKind, text: str, start: int, end: int) -> Entity:
    """``Entity(kind, text, start, end)``, built faster."""
    k, t, s, e = _ENTITY_SET
    obj: Entity = _new(Entity)
    k(obj, kind)
    t(obj, text)
    s(obj, start)
    e(obj, end)
    return obj


def new_pattern(pattern: str, text: str) -> PatternMatch:
    """``PatternMatch(pattern, text)``, built faster."""
    p, t = _PATTERN_SET
    obj: PatternMatch = _new(PatternMatch)
    p(obj, pattern)
    t(obj, text)
    return obj


def new_explanation(
    sentiment: str, intent: str, purchase_intent: str, products: str
) -> Explanation:
    """``Explanation(...)``, built faster."""
    a, b, c, d = _EXPLANATION_SET
    obj: Explanation = _new(Explanation)
    a(obj, sentiment)
    b(obj, intent)
    c(obj, purchase_intent)
    d(obj, products)
    return obj


def new_annotation(
    text: str,
    sentiment: Sentiment,
    sentiment_confidence: float,
    intent: IntentType,
    purchase_intent: bool,
    products: tuple[ProductMatch, ...],
    entities: tuple[Entity, ...],
    info_seeking: tuple[PatternMatch, ...],
    explanation: Explanation,
) -> Annotation:
    """``Annotation(...)``, built faster."""
    s0, s1, s2, s3, s4, s5, s6, s7, s8 = _ANNOTATION_SET
    obj: Annotation = _new(Annotation)
    s0(obj, text)
    s1(obj, sentiment)
    s2(obj, sentiment_confidence)
    s3(obj, intent)
    s4(obj, purchase_intent)
    s5(obj, products)
    s6(obj, entities)
    s7(obj, info_seeking)
    s8(obj, explanation)
    return obj
