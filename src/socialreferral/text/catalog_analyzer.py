"""The worker's default :class:`~socialreferral.text.activity.ActivityAnalyzer`, built on the
text package's models: an :class:`~socialreferral.text.Annotator` for sentiment, intent type
and purchase cues, and an :class:`~socialreferral.text.IntentClassifier` bootstrapped from
the catalog's seed phrases for the product.

Per batch of events:

1. the classifier for the catalog comes from the analyzer's :class:`CatalogClassifiers`
   (keyed by the active products' ids, names and seed phrases; bootstrapping one fits a
   model on a few thousand generated sentences: seconds, so once per catalog, not per
   batch);
2. the annotator runs once over the whole batch (its models are batch-first, and its
   per-token caches stay warm from batch to batch);
3. each annotation becomes an :class:`~socialreferral.text.activity.ActivitySignal`: the
   best product counts when its probability reaches ``min_product_score`` (the classifier
   has already dropped products below its own out-of-scope threshold); purchase intent is
   the annotation's (a purchase cue that is not negated, not spam, about a matched product)
   or, as in the paper's "what are the procedure for applying for a student loan", an
   information-seeking question about applying for the matched product.
   ``score = relevance_weight * product probability + intent_weight * intent strength``
   (normalised weights), and the explanation cites the words that matched the product and
   the cue that made it a purchase.

Everything cached lives in the analyzer (or in objects injected into it): no module state.
A :class:`ClassifierCache` injected by the composition root keeps bootstrapped classifiers
between processes (pickle-free ``.npz`` bytes named by a digest of what they were built
from), so a new worker loads its catalog's classifier instead of fitting it again.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol
from zipfile import BadZipFile

from socialreferral.domain.crm import Product
from socialreferral.domain.explain import Explanation, Factor
from socialreferral.domain.social import SocialEvent
from socialreferral.text.activity import ActivitySignal, AnalyzerSettings
from socialreferral.text.annotations import Annotation
from socialreferral.text.annotator import Annotator
from socialreferral.text.embeddings import SentenceEncoder
from socialreferral.text.intent import IntentClassifier
from socialreferral.text.sentiment import SentimentModel

CatalogKey = tuple[tuple[str, tuple[str, ...]], ...]

log = logging.getLogger(__name__)

#: Bump when what ``IntentClassifier.from_catalog`` fits changes in a way the package
#: version does not show, so that kept classifiers built the old way are not reused.
CLASSIFIER_RECIPE = 1


class ClassifierCache(Protocol):
    """Where bootstrapped catalog classifiers are kept between processes.

    Names are hex digests (see :func:`classifier_name`); values are the bytes of
    :meth:`IntentClassifier.save`. ``read`` answers ``None`` for a name it does not hold.
    """

    def read(self, name: str) -> bytes | None:
        """The bytes kept under ``name``, or ``None``."""
        ...

    def write(self, name: str, data: bytes) -> None:
        """Keep ``data`` under ``name`` (replacing what was there)."""
        ...

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
_NOTE = 400


def catalog_key(catalog: Sequence[Product]) -> CatalogKey:
    """What the product classifier depends on: active products' ids and phrases, sorted."""
    return tuple(
        sorted(
            (p.product_id, tuple(dict.fromkeys((p.name, *p.seed_phrases))))
            for p in catalog
            if p.active
        )
    )


def classifier_name(key: CatalogKey, features: str, sentence_model_dir: Path | None) -> str:
    """The cache name of the classifier for ``key``: a digest of everything it is built
    from (catalog phrases, features, sentence model folder, recipe and package version)."""
    from socialreferral import __version__

    basis = [CLASSIFIER_RECIPE, __version__, features, str(sentence_model_dir or ""), key]
    return hashlib.sha256(json.dumps(basis).encode("utf-8")).hexdigest()


class CatalogClassifiers:
    """Bootstrapped product classifiers, one per distinct catalog: a bounded LRU cache.

    Args:
        max_size: catalogs kept; a catalog that changes is a new key, so it rebuilds once
            per change and the least recently used one is dropped.
        features: the classifiers' features (``"tfidf"`` or ``"hybrid"``, see
            :class:`~socialreferral.text.IntentClassifier`).
        sentence_model_dir: where the sentence model's files are, for ``"hybrid"`` (``None``:
            the installed model package). One encoder is loaded on first need and shared by
            this cache's classifiers.
        cache: where built classifiers are kept between processes (``None``: nowhere); a
            kept file that cannot be read is rebuilt and replaced.

    Thread-safe: one build per catalog even when several threads ask at once (the lock is
    held while building). Share one instance between analyzers to share the classifiers.
    """

    def __init__(
        self,
        max_size: int = 8,
        *,
        features: str = "tfidf",
        sentence_model_dir: Path | None = None,
        cache: ClassifierCache | None = None,
    ) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self.max_size = max_size
        self.features = features
        self.sentence_model_dir = sentence_model_dir
        self.cache = cache
        self._encoder: SentenceEncoder | None = None
        self._classifiers: OrderedDict[CatalogKey, IntentClassifier | None] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._classifiers)

    def get(self, catalog: Sequence[Product]) -> IntentClassifier | None:
        """The classifier for ``catalog`` (``None`` when no product is active)."""
        key = catalog_key(catalog)
        with self._lock:
            if key in self._classifiers:
                self._classifiers.move_to_end(key)
                return self._classifiers[key]
            classifier = self._build(key) if key else None
            self._classifiers[key] = classifier
            while len(self._classifiers) > self.max_size:
                self._classifiers.popitem(last=False)
            return classifier

    def _build(self, key: CatalogKey) -> IntentClassifier:
        if self.cache is None:
            return self._fit(key)
        name = classifier_name(key, self.features, self.sentence_model_dir)
        kept = self.cache.read(name)
        if kept is not None:
            try:
                return IntentClassifier.load(io.BytesIO(kept), encoder=self._shared_encoder())
            except (ValueError, KeyError, OSError, EOFError, BadZipFile) as exc:  # torn or foreign
                log.warning("kept catalog classifier %s unreadable (%s); rebuilding", name, exc)
        classifier = self._fit(key)
        data = io.BytesIO()
        classifier.save(data)
        self.cache.write(name, data.getvalue())
        return classifier

    def _fit(self, key: CatalogKey) -> IntentClassifier:
        mapping = {pid: list(phrases) for pid, phrases in key}
        if self.features == "tfidf":
            return IntentClassifier.from_catalog(mapping, features="tfidf")
        return IntentClassifier.from_catalog(
            mapping, features=self.features, encoder=self._shared_encoder()
        )

    def _shared_encoder(self) -> SentenceEncoder | None:
        if self.features == "tfidf":
            return None
        if self._encoder is None:
            self._encoder = SentenceEncoder(self.sentence_model_dir)
        return self._encoder


def _clip(text: str) -> str:
    return text if len(text) <= _NOTE else text[: _NOTE - 1] + "\u2026"


class TextAnalyticsAnalyzer:
    """Analyzer over the text package's models (see the module docstring).

    Args:
        settings: thresholds, weights and cache sizes (``[referral.analyzer]``).
        sentiment_model: defaults to the shipped model ``settings.sentiment_model`` names
            (shared read-only).
        classifiers: the catalog → classifier cache; default: a new one sized and
            configured by ``settings``. Pass one to share classifiers between analyzers.
        annotator: the annotator (and so the per-token caches); default: a new one.
        classifier_cache: where the default ``classifiers`` keep what they build between
            processes (see :class:`ClassifierCache`).
    """

    def __init__(
        self,
        settings: AnalyzerSettings | None = None,
        *,
        sentiment_model: SentimentModel | None = None,
        classifiers: CatalogClassifiers | None = None,
        annotator: Annotator | None = None,
        classifier_cache: ClassifierCache | None = None,
    ) -> None:
        self.settings = s = settings or AnalyzerSettings()
        if annotator is not None and sentiment_model is not None:
            raise ValueError("pass sentiment_model or annotator, not both")
        if annotator is None:
            if sentiment_model is None and s.sentiment_model != "fast":
                sentiment_model = SentimentModel.default(s.sentiment_model)
            annotator = Annotator(sentiment_model, max_tokens=s.max_tokens)
        if classifiers is None:  # not `or`: an empty cache is falsy
            classifiers = CatalogClassifiers(
                s.catalog_cache_size,
                features=s.product_features,
                sentence_model_dir=s.sentence_model_dir,
                cache=classifier_cache,
            )
        self.annotator = annotator
        self.classifiers = classifiers

    def prepare(self, catalog: Sequence[Product]) -> None:
        """Build (or find) the classifier for ``catalog`` and load the sentiment model, so
        that the first :meth:`analyze` does not pay for it (the worker times analysis).

        The annotator's per-token caches are left to fill as posts arrive: warming them
        for the model's whole vocabulary (:meth:`Annotator.prepare`) took 1.0-1.2 s of
        every worker's start, while the first batch of 10 posts pays ~10 ms more without
        it (issue 14, ``benchmarks/worker_footprint.py``). Results do not depend on what
        is cached.
        """
        self.classifiers.get(catalog)
        self.annotator.sentiment_model  # noqa: B018  # loads the model and its scorer

    def analyze(
        self, events: Sequence[SocialEvent], catalog: Sequence[Product]
    ) -> list[ActivitySignal]:
        """One signal per event (same order); inactive products are never matched."""
        if not events:
            return []
        classifier = self.classifiers.get(catalog)
        annotations = self.annotator.annotate([e.text for e in events], classifier)
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


__all__ = [
    "CLASSIFIER_RECIPE",
    "CatalogClassifiers",
    "CatalogKey",
    "ClassifierCache",
    "TextAnalyticsAnalyzer",
    "catalog_key",
    "classifier_name",
]
