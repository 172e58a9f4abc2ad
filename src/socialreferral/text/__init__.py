"""Text analytics for social posts: one pipeline from tokens to the referral worker's signals.

* :func:`analyze` / :class:`Annotator`: per-post sentiment, SCION intent type, purchase
  intent, products, entities and information-seeking patterns, batch-first;
* :class:`SentimentModel`, :class:`IntentClassifier`, :class:`SentenceEncoder`: the models;
* :class:`ActivityAnalyzer` (the worker's port-like protocol), :func:`make_analyzer`,
  :class:`AnalyzerSettings`, and the two analyzers :class:`TextAnalyticsAnalyzer` (models)
  and :class:`KeywordAnalyzer` (keyword phrases and cues), both on the same tokenizer, stop
  words, negators and lexicon.

All models are pure in-memory code; the only I/O is explicit ``save``/``load`` and the lazy
load of shipped read-only data (the default sentiment model, VADER's lexicon). Caches belong
to objects (an :class:`Annotator`, an analyzer, a classifier), never to a module.

Names are imported on first access, so that ``import socialreferral.text.activity`` (what
settings validation needs) does not load numpy, scipy and the models. (No submodule is
named like an exported function: importing it would shadow the function.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialreferral._lazy import lazy_names

if TYPE_CHECKING:
    from socialreferral.text.activity import (
        ActivityAnalyzer,
        ActivitySignal,
        AnalyzerSettings,
        KeywordAnalyzerSettings,
        make_analyzer,
    )
    from socialreferral.text.annotations import (
        Annotation,
        Entity,
        Explanation,
        IntentType,
        PatternMatch,
        ProductMatch,
        Sentiment,
    )
    from socialreferral.text.annotator import Annotator, Catalog, analyze
    from socialreferral.text.catalog_analyzer import CatalogClassifiers, TextAnalyticsAnalyzer
    from socialreferral.text.complaint_classifier import ComplaintClassifier
    from socialreferral.text.embeddings import SentenceEncoder
    from socialreferral.text.entities import extract_entities
    from socialreferral.text.intent import IntentClassifier
    from socialreferral.text.keyword_analyzer import KeywordAnalyzer
    from socialreferral.text.patterns import info_seeking, is_rhetorical
    from socialreferral.text.sentiment import SentimentModel
    from socialreferral.text.words import STOP_WORDS, word_tokens

_HOME = {
    "ActivityAnalyzer": ".activity",
    "ActivitySignal": ".activity",
    "AnalyzerSettings": ".activity",
    "KeywordAnalyzerSettings": ".activity",
    "make_analyzer": ".activity",
    "Annotator": ".annotator",
    "Catalog": ".annotator",
    "analyze": ".annotator",
    "Annotation": ".annotations",
    "Entity": ".annotations",
    "Explanation": ".annotations",
    "IntentType": ".annotations",
    "PatternMatch": ".annotations",
    "ProductMatch": ".annotations",
    "Sentiment": ".annotations",
    "CatalogClassifiers": ".catalog_analyzer",
    "TextAnalyticsAnalyzer": ".catalog_analyzer",
    "ComplaintClassifier": ".complaint_classifier",
    "SentenceEncoder": ".embeddings",
    "extract_entities": ".entities",
    "IntentClassifier": ".intent",
    "KeywordAnalyzer": ".keyword_analyzer",
    "info_seeking": ".patterns",
    "is_rhetorical": ".patterns",
    "SentimentModel": ".sentiment",
    "STOP_WORDS": ".words",
    "word_tokens": ".words",
}


__getattr__, __dir__ = lazy_names(__name__, _HOME)


__all__ = [
    "STOP_WORDS",
    "ActivityAnalyzer",
    "ActivitySignal",
    "AnalyzerSettings",
    "Annotation",
    "Annotator",
    "Catalog",
    "CatalogClassifiers",
    "ComplaintClassifier",
    "Entity",
    "Explanation",
    "IntentClassifier",
    "IntentType",
    "KeywordAnalyzer",
    "KeywordAnalyzerSettings",
    "PatternMatch",
    "ProductMatch",
    "SentenceEncoder",
    "Sentiment",
    "SentimentModel",
    "TextAnalyticsAnalyzer",
    "analyze",
    "extract_entities",
    "info_seeking",
    "is_rhetorical",
    "make_analyzer",
    "word_tokens",
]
