"""The worker's default :class:`~socialreferral.domain.analysis.ActivityAnalyzer`, built on
:mod:`socialreferral.text` (issue 6): ``analyze`` for sentiment, intent type and purchase
cues, and an :class:`~socialreferral.text.IntentClassifier` bootstrapped from the catalog's
seed phrases for the product.

Per batch of events:

1. the classifier for the catalog is taken from a process-wide cache keyed by the active
   products' ids, names and seed phrases (bootstrapping one fits a model on a few thousand
   generated sentences: seconds, so once per catalog and process, not per batch);
2. ``analyze`` runs once over the whole batch (its models are batch-first);
3. each annotation becomes an :class:`ActivitySignal`: the best product counts when its
   probability reaches ``min_product_score`` (the classifier has already dropped products
   below its own out-of-scope threshold); purchase intent is ``analyze``'s (a purchase cue
   that is not negated, not spam, about a matched product) or, as in the paper's "what are
   the procedure for applying for a student loan", an information-seeking question about
   applying for the matched product. ``score = relevance_weight * product probability +
   intent_weight * intent strength`` (normalised weights), and the explanation cites the
   words that matched the product and the cue that made it a purchase.

Pure: no I/O beyond the text package's lazy load of its shipped sentiment model.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence

from socialreferral.domain.analysis import ActivitySignal, AnalyzerSettings
from socialreferral.domain.crm import Product
from socialreferral.domain.explain import Explanation, Factor
from socialreferral.domain.social import SocialEvent
from socialreferral.text import Annotation, IntentClassifier, SentimentModel, analyze

CatalogKey = tuple[tuple[str, tuple[str, ...]], ...]

# "procedure for applying for", "how do I apply for", "application for": a question about
# applying for a product is purchase intent even without a shopping cue.
_APPLY = re.compile(
    r"\b(?:appl(?:y|ying|ication)|procedure|eligib(?:le|ility)|how\s+(?:do|can)\s+i\s+"
    r"(?:get|open|take\s+out))\b",
    re.IGNORECASE,
)
_NEGATED_APPLY = re.compile(
    r"\b(?:not|never|don't|dont|won't|wont|didn't|no\s+longer)\s+(?:\w+\s+)?"
    r"(?:appl(?:y|ying)|get|open|need)\b",
    re.IGNORECASE,
)
_APPLY_STRENGTH = 0.8
_CACHE_SIZE = 8
_NOTE = 400

_classifiers: OrderedDict[CatalogKey, IntentClassifier | None] = OrderedDict()
_lock = threading.Lock()


def catalog_key(catalog: Sequence[Product]) -> CatalogKey:
    """What the product classifier depends on: active products' ids and phrases, sorted."""
    return tuple(
        sorted(
            (p.product_id, tuple(dict.fromkeys((p.name, *p.seed_phrases))))
            for p in catalog
            if p.active
        )
    )


def catalog_classifier(catalog: Sequence[Product]) -> IntentClassifier | None:
    """The bootstrapped classifier for ``catalog`` (None when no product is active).

    Built once per distinct catalog and process, and shared by every analyzer; the last
    few catalogs are kept, so a catalog that changes rebuilds once per change.
    """
    key = catalog_key(catalog)
    with _lock:  # one build per catalog, even with several threads asking at once
        if key in _classifiers:
            _classifiers.move_to_end(key)
            return _classifiers[key]
        classifier = (
            IntentClassifier.from_catalog({pid: list(phrases) for pid, phrases in key})
            if key
            else None
        )
        _classifiers[key] = classifier
        while len(_classifiers) > _CACHE_SIZE:
            _classifiers.popitem(last=False)
        return classifier


def _clip(text: str) -> str:
    return text if len(text) <= _NOTE else text[: _NOTE - 1] + "\u2026"


class TextAnalyticsAnalyzer:
    """:class:`ActivityAnalyzer` over :func:`socialreferral.text.analyze` (module docstring).

    ``sentiment_model`` defaults to the text package's shipped model.
    """

    def __init__(
        self,
        settings: AnalyzerSettings | None = None,
        *,
        sentiment_model: SentimentModel | None = None,
    ) -> None:
        self.settings = settings or AnalyzerSettings()
        self._sentiment_model = sentiment_model

    def prepare(self, catalog: Sequence[Product]) -> None:
        """Build (or find cached) the classifier for ``catalog`` and load the models, so
        that the first :meth:`analyze` does not pay for it (the worker times analysis)."""
        catalog_classifier(catalog)
        if self._sentiment_model is None:
            self._sentiment_model = SentimentModel.default()

    def analyze(
        self, events: Sequence[SocialEvent], catalog: Sequence[Product]
    ) -> list[ActivitySignal]:
        """One signal per event (same order); inactive products are never matched."""
        if not events:
            return []
        classifier = catalog_classifier(catalog)
        annotations = analyze(
            [e.text for e in events], catalog=classifier, sentiment_model=self._sentiment_model
        )
        return [self._signal(e, a) for e, a in zip(events, annotations, strict=True)]

    def _signal(self, event: SocialEvent, annotation: Annotation) -> ActivitySignal:
        s = self.settings
        top = annotation.products[0] if annotation.products else None
        product = top.product if top is not None and top.score >= s.min_product_score else None
        intent, intent_note = 0.0, annotation.explanation.purchase_intent
        if product is not None and annotation.purchase_intent:
            intent = 1.0
        elif product is not None and self._asks_how_to_apply(annotation):
            intent = _APPLY_STRENGTH
            intent_note = f"question about applying ({annotation.explanation.intent})"
        relevance = top.score if top is not None else 0.0
        if top is None:
            relevance_note = annotation.explanation.products
        else:
            terms = ", ".join(repr(t) for t in top.terms if len(t) > 1) or "phrasing"
            relevance_note = f"{top.product} (p={top.score:.2f}) on {terms}"
            if product is None:
                relevance_note += f"; below min_product_score {s.min_product_score:g}"
        total = s.relevance_weight + s.intent_weight or 1.0
        factors = (
            Factor(
                name="relevance",
                value=relevance,
                weight=s.relevance_weight / total,
                contribution=relevance * s.relevance_weight / total,
                note=_clip(relevance_note),
            ),
            Factor(
                name="intent",
                value=intent,
                weight=s.intent_weight / total,
                contribution=intent * s.intent_weight / total,
                note=_clip(intent_note),
            ),
            Factor(
                name="sentiment",
                value=annotation.sentiment_confidence,
                weight=0.0,
                contribution=0.0,
                note=_clip(annotation.explanation.sentiment),
            ),
        )
        purchase_intent = product is not None and intent > 0.0
        if purchase_intent:
            summary = f"purchase intent for {product}"
        elif product is not None:
            summary = f"mentions {product} without purchase intent"
        else:
            summary = "no catalog product matched"
        return ActivitySignal(
            event_id=event.event_id,
            purchase_intent=purchase_intent,
            product_id=product,
            score=min(1.0, max(0.0, sum(f.contribution for f in factors))),
            sentiment=annotation.sentiment,
            explanation=Explanation(summary=summary, factors=factors),
        )

    @staticmethod
    def _asks_how_to_apply(annotation: Annotation) -> bool:
        text = annotation.text
        return (
            annotation.intent == "question"
            and _APPLY.search(text) is not None
            and _NEGATED_APPLY.search(text) is None
        )


__all__ = ["CatalogKey", "TextAnalyticsAnalyzer", "catalog_classifier", "catalog_key"]
