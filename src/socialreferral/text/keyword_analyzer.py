"""Keyword and cue based :class:`~socialreferral.text.activity.ActivityAnalyzer`.

A dependency-light analyzer with no trained model (seed 000, Section 7: posts like "I am
looking for a car loan", "can anyone suggest the best house loan"). It uses the text
package's tokenizer, stop words, negators and lexicon, so it reads a post as
:func:`~socialreferral.text.analyze` does:

1. tokens are the text package's words (lower-cased; a contraction stays one word, so
   "don't" is a negator) stemmed with the Snowball stemmer, so "loans", "loan" and "Loan"
   are one token;
2. each product is described by its name and ``seed_phrases``, less stop words; a phrase
   found contiguously scores 1.0, all its content words found in any order 0.85, a partial
   match ``0.6 * share of words``, so "car loan" does not match "home loan" on "loan" alone;
3. purchase-intent cues (``_cues.PURCHASE_CUES``: "looking for", "suggest", "recommend",
   "need a", "any good", "best", "where can I", ...) score by strength; a question mark
   adds 0.2 to a cue, or counts 0.4 on its own;
4. a cue preceded within three words by a negator ("not looking for", "don't need") counts
   against intent instead of for it;
5. sentiment is the sign of the summed VADER valence of the post's sentiment tokens, with
   the text package's negation scopes ("not bad" counts as mildly positive).

``score = relevance_weight * relevance + intent_weight * intent`` (weights normalised) and
``purchase_intent`` needs a product at ``min_relevance`` *and* intent at ``min_intent`` from
cues that are not negated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from socialreferral.domain.crm import Product
from socialreferral.domain.explain import Explanation, Factor
from socialreferral.domain.social import SocialEvent
from socialreferral.text._cues import PURCHASE_CUES
from socialreferral.text._lexicon import valence
from socialreferral.text._stopwords import STOPWORDS
from socialreferral.text._tokenize import Stemmer, is_negator, sentiment_tokens, words
from socialreferral.text.activity import ActivitySignal, KeywordAnalyzerSettings

# A cue is negated by a negator among the three words before it.
NEGATION_REACH = 3
_QUESTION_BONUS = 0.2
_QUESTION_ALONE = 0.4

_Phrases = list[tuple[Product, list[tuple[str, tuple[str, ...]]]]]
_CatalogKey = tuple[tuple[str, str, tuple[str, ...]], ...]


def _find(seq: Sequence[str], phrase: Sequence[str]) -> list[int]:
    n = len(phrase)
    return [i for i in range(len(seq) - n + 1) if tuple(seq[i : i + n]) == tuple(phrase)]


def _catalog_key(catalog: Sequence[Product]) -> _CatalogKey:
    return tuple((p.product_id, p.name, tuple(p.seed_phrases)) for p in catalog if p.active)


class KeywordAnalyzer:
    """Keyword and cue based analyzer (see the module docstring).

    ``stem`` may be injected (any ``str -> str``); by default a
    :class:`~socialreferral.text._tokenize.Stemmer` for ``settings.language`` (works
    offline; its bounded cache belongs to this analyzer). The stemmed phrases of the last
    catalog are kept (one catalog: the worker analyses against one at a time).
    """

    def __init__(
        self,
        settings: KeywordAnalyzerSettings | None = None,
        stem: Callable[[str], str] | None = None,
    ) -> None:
        self.settings = settings or KeywordAnalyzerSettings()
        self._stem = stem or Stemmer(self.settings.language).stem
        self._cues = [(tuple(self._stems(c)), c, s) for c, s in PURCHASE_CUES]
        # (catalog key, its stemmed phrases), replaced as a whole: safe across threads.
        self._prepared: tuple[_CatalogKey, _Phrases] | None = None

    def _stems(self, text: str) -> list[str]:
        return [self._stem(t) for t in words(text)]

    def _phrases(self, product: Product) -> list[tuple[str, tuple[str, ...]]]:
        out = []
        for phrase in (product.name, *product.seed_phrases):
            content = tuple(t for t in self._stems(phrase) if t not in STOPWORDS)
            if content:
                out.append((phrase, content))
        return out

    def _catalog_phrases(self, catalog: Sequence[Product]) -> _Phrases:
        key = _catalog_key(catalog)
        prepared = self._prepared
        if prepared is not None and prepared[0] == key:
            return prepared[1]
        phrases = [(p, self._phrases(p)) for p in catalog if p.active]
        self._prepared = (key, phrases)
        return phrases

    def prepare(self, catalog: Sequence[Product]) -> None:
        """Stem ``catalog``'s phrases once (idempotent; cheap when already prepared)."""
        self._catalog_phrases(catalog)

    def analyze(
        self, events: Sequence[SocialEvent], catalog: Sequence[Product]
    ) -> list[ActivitySignal]:
        """One signal per event; inactive products are never matched."""
        phrases = self._catalog_phrases(catalog)
        return [self._one(event, phrases) for event in events]

    def _match(
        self, content: Sequence[str], phrases: _Phrases
    ) -> tuple[Product | None, float, str]:
        present = set(content)
        best: tuple[float, int, str] | None = None
        chosen: tuple[Product | None, float, str] = (None, 0.0, "")
        for product, product_phrases in phrases:
            for text, phrase_words in product_phrases:
                found = sum(1 for w in phrase_words if w in present)
                if not found:
                    continue
                if _find(content, phrase_words):
                    relevance = 1.0
                elif found == len(phrase_words):
                    relevance = 0.85
                else:
                    relevance = 0.6 * found / len(phrase_words)
                # Higher relevance wins, then the more specific phrase, then the smaller id.
                key = (relevance, found, product.product_id)
                if (
                    best is None
                    or (key[0], key[1]) > (best[0], best[1])
                    or ((key[0], key[1]) == (best[0], best[1]) and key[2] < best[2])
                ):
                    best, chosen = key, (product, relevance, text)
        return chosen

    def _intent(
        self, tokens: Sequence[str], negators: Sequence[bool], text: str
    ) -> tuple[float, list[str], list[str]]:
        strength, cues, negated = 0.0, [], []
        for cue_words, label, weight in self._cues:
            for start in _find(tokens, cue_words):
                if any(negators[max(0, start - NEGATION_REACH) : start]):
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
    def _sentiment(text: str) -> str:
        lex = valence()
        score = sum(lex.get(t, 0.0) for t in sentiment_tokens(text))
        return "positive" if score > 0 else "negative" if score < 0 else "neutral"

    def _one(self, event: SocialEvent, phrases: _Phrases) -> ActivitySignal:
        s = self.settings
        raw = words(event.text)
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
        intent, cues, negated = self._intent(tokens, list(map(is_negator, raw)), event.text)
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
            sentiment=self._sentiment(event.text),
            explanation=Explanation(summary=summary, factors=factors),
        )


__all__ = ["NEGATION_REACH", "KeywordAnalyzer"]
