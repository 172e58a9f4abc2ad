"""Text analysis of social activity: purchase intent and the product it is about.

The worker depends only on :class:`ActivityAnalyzer`; :class:`KeywordAnalyzer` is a solid,
dependency-light first version (seed 000, Section 7: posts like "I am looking for a car
loan", "can anyone suggest the best house loan"):

1. tokens are lower-cased words, contractions split ("don't" → "do not") and stemmed with
   nltk's Snowball stemmer, so "loans", "loan" and "Loan" are one token;
2. each product is described by its name and ``seed_phrases``; a phrase found contiguously
   scores 1.0, all its content words found in any order 0.85, a partial match
   ``0.6 * share of words`` — so "car loan" does not match "home loan" on "loan" alone;
3. purchase-intent cues ("looking for", "suggest", "recommend", "need a", "any good",
   "best", "where can I", ...) score by strength, a question mark adds a little;
4. a cue preceded within three words by a negation ("not looking for", "don't need")
   counts against intent instead of for it.

``score = relevance_weight * relevance + intent_weight * intent`` and ``purchase_intent``
needs a product at ``min_relevance`` *and* intent at ``min_intent`` with no negation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Literal, Protocol, runtime_checkable

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain._keywords import (
    INTENT_CUES,
    NEGATION_REACH,
    NEGATIVE,
    NEGATORS,
    POSITIVE,
    STOPWORDS,
)
from socialreferral.domain.crm import Product
from socialreferral.domain.explain import Explanation, Factor
from socialreferral.domain.social import SocialEvent

_WORD = re.compile(r"[a-z0-9]+")
_Phrases = list[tuple[Product, list[tuple[str, tuple[str, ...]]]]]
_QUESTION_BONUS = 0.2
_QUESTION_ALONE = 0.4


class ActivitySignal(DomainModel):
    """What the analyzer found in one event."""

    event_id: str
    purchase_intent: bool
    product_id: str | None = None
    score: float = Field(ge=0.0, le=1.0)
    sentiment: str = Field(pattern=r"^(positive|negative|neutral)$")
    explanation: Explanation


@runtime_checkable
class ActivityAnalyzer(Protocol):
    """Turns social events into signals, one per event, in the same order."""

    def analyze(
        self, events: Sequence[SocialEvent], catalog: Sequence[Product]
    ) -> list[ActivitySignal]:
        """One :class:`ActivitySignal` per event (same order) against ``catalog``."""
        ...


class KeywordAnalyzerSettings(DomainModel):
    """Thresholds and weights of :class:`KeywordAnalyzer`."""

    min_relevance: float = Field(default=0.6, ge=0.0, le=1.0)
    min_intent: float = Field(default=0.4, ge=0.0, le=1.0)
    relevance_weight: float = Field(default=0.5, ge=0.0)
    intent_weight: float = Field(default=0.5, ge=0.0)
    language: str = "english"


class AnalyzerSettings(KeywordAnalyzerSettings):
    """``[referral.analyzer]``: which analyzer the worker uses, and its thresholds.

    ``kind = "text"`` (default): :class:`~socialreferral.domain.text_analysis.
    TextAnalyticsAnalyzer` (the ``socialreferral.text`` models); ``kind = "keyword"``:
    :class:`KeywordAnalyzer`, the dependency-light fallback. ``relevance_weight`` and
    ``intent_weight`` weigh the score of both; ``min_relevance``, ``min_intent`` and
    ``language`` are the keyword analyzer's; ``min_product_score`` is the text
    analyzer's floor on the product classifier's probability, on top of the classifier's
    own out-of-scope threshold.
    """

    kind: Literal["text", "keyword"] = "text"
    min_product_score: float = Field(default=0.5, ge=0.0, le=1.0)


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens; "n't" becomes a separate "not" so negation is visible."""
    text = text.lower().replace("\u2019", "'")
    text = text.replace("can't", "can not").replace("won't", "will not")
    text = re.sub(r"n't\b", " not", text).replace("cannot", "can not")
    return _WORD.findall(text)


def _snowball(language: str) -> Callable[[str], str]:
    # nltk takes seconds to import; pay for it only when an analyzer is built.
    from nltk.stem.snowball import SnowballStemmer

    stemmer = SnowballStemmer(language)

    @lru_cache(maxsize=65_536)
    def stem(word: str) -> str:
        return str(stemmer.stem(word))

    return stem


def _find(seq: Sequence[str], phrase: Sequence[str]) -> list[int]:
    n = len(phrase)
    return [i for i in range(len(seq) - n + 1) if tuple(seq[i : i + n]) == tuple(phrase)]


class KeywordAnalyzer:
    """Keyword and cue based :class:`ActivityAnalyzer` (see the module docstring).

    ``stem`` may be injected (any ``str -> str``); by default nltk's Snowball stemmer for
    ``settings.language`` is used, which works offline.
    """

    def __init__(
        self,
        settings: KeywordAnalyzerSettings | None = None,
        stem: Callable[[str], str] | None = None,
    ) -> None:
        self.settings = settings or KeywordAnalyzerSettings()
        self._stem = stem or _snowball(self.settings.language)
        self._cues = [(tuple(self._stems(c)), c, s) for c, s in INTENT_CUES]

    def _stems(self, text: str) -> list[str]:
        return [self._stem(t) for t in tokenize(text)]

    def _phrases(self, product: Product) -> list[tuple[str, tuple[str, ...]]]:
        out = []
        for phrase in (product.name, *product.seed_phrases):
            content = tuple(t for t in self._stems(phrase) if t not in STOPWORDS)
            if content:
                out.append((phrase, content))
        return out

    def analyze(
        self, events: Sequence[SocialEvent], catalog: Sequence[Product]
    ) -> list[ActivitySignal]:
        """One signal per event; inactive products are never matched."""
        phrases = [(p, self._phrases(p)) for p in catalog if p.active]
        return [self._one(event, phrases) for event in events]

    def _match(
        self, content: Sequence[str], phrases: _Phrases
    ) -> tuple[Product | None, float, str]:
        present = set(content)
        best: tuple[float, int, str] | None = None
        chosen: tuple[Product | None, float, str] = (None, 0.0, "")
        for product, product_phrases in phrases:
            for text, words in product_phrases:
                found = sum(1 for w in words if w in present)
                if not found:
                    continue
                if _find(content, words):
                    relevance = 1.0
                elif found == len(words):
                    relevance = 0.85
                else:
                    relevance = 0.6 * found / len(words)
                # Higher relevance wins, then the more specific phrase, then the smaller id.
                key = (relevance, found, product.product_id)
                if (
                    best is None
                    or (key[0], key[1]) > (best[0], best[1])
                    or ((key[0], key[1]) == (best[0], best[1]) and key[2] < best[2])
                ):
                    best, chosen = key, (product, relevance, text)
        return chosen

    def _intent(self, tokens: Sequence[str], text: str) -> tuple[float, list[str], list[str]]:
        strength, cues, negated = 0.0, [], []
        for words, label, weight in self._cues:
            for start in _find(tokens, words):
                before = tokens[max(0, start - NEGATION_REACH) : start]
                if any(w in NEGATORS for w in before):
                    negated.append(label)
                else:
                    cues.append(label)
                    strength = max(strength, weight)
        if "?" in text:
            strength = (
                min(1.0, strength + _QUESTION_BONUS) if cues else max(strength, _QUESTION_ALONE)
            )
            cues.append("?")
        return strength, cues, negated

    @staticmethod
    def _sentiment(raw: Sequence[str]) -> str:
        score = 0
        for i, word in enumerate(raw):
            polarity = (word in POSITIVE) - (word in NEGATIVE)
            if polarity and any(w in NEGATORS for w in raw[max(0, i - 2) : i]):
                polarity = -polarity
            score += polarity
        return "positive" if score > 0 else "negative" if score < 0 else "neutral"

    def _one(
        self,
        event: SocialEvent,
        phrases: _Phrases,
    ) -> ActivitySignal:
        s = self.settings
        raw = tokenize(event.text)
        if not raw:
            return ActivitySignal(
                event_id=event.event_id,
                purchase_intent=False,
                score=0.0,
                sentiment="neutral",
                explanation=Explanation(summary="no text to analyse"),
            )
        tokens = [self._stem(t) for t in raw]
        content = [t for t in tokens if t not in STOPWORDS]
        product, relevance, phrase = self._match(content, phrases)
        intent, cues, negated = self._intent(tokens, event.text)
        if negated and not [c for c in cues if c != "?"]:
            intent = 0.0
        total = s.relevance_weight + s.intent_weight or 1.0
        matched = product is not None and relevance >= s.min_relevance
        factors = (
            Factor(
                name="relevance",
                value=relevance,
                weight=s.relevance_weight / total,
                contribution=relevance * s.relevance_weight / total,
                note=f"phrase {phrase!r} of {product.product_id}" if product else "no product",
            ),
            Factor(
                name="intent",
                value=intent,
                weight=s.intent_weight / total,
                contribution=intent * s.intent_weight / total,
                note=("cues: " + ", ".join(cues)) if cues else "no intent cue",
            ),
            Factor(
                name="negation",
                value=float(bool(negated)),
                weight=0.0,
                contribution=0.0,
                note=("negated: " + ", ".join(negated)) if negated else "",
            ),
        )
        score = min(1.0, sum(f.contribution for f in factors))
        # Intent comes from un-negated cues only (see _intent), so "not looking for a loan,
        # but I need a credit card" still counts; a negation with no other cue zeroed it above.
        purchase_intent = matched and intent >= s.min_intent
        if purchase_intent and product is not None:
            summary = f"purchase intent for {product.product_id}"
        elif matched and product is not None:
            summary = f"mentions {product.product_id} without purchase intent"
        else:
            summary = "no catalog product matched"
        return ActivitySignal(
            event_id=event.event_id,
            purchase_intent=purchase_intent,
            product_id=product.product_id if matched and product is not None else None,
            score=score,
            sentiment=self._sentiment(raw),
            explanation=Explanation(summary=summary, factors=factors),
        )


__all__ = [
    "ActivityAnalyzer",
    "ActivitySignal",
    "AnalyzerSettings",
    "KeywordAnalyzer",
    "KeywordAnalyzerSettings",
    "tokenize",
]
