"""Text analytics for social posts: sentiment, intent/product classification and ``analyze``.

All models are pure in-memory code; the only I/O is explicit ``save``/``load`` and the lazy,
cached load of the shipped default sentiment model from package data.
"""

from __future__ import annotations

from socialreferral.text.analyze import Catalog, analyze
from socialreferral.text.annotations import (
    Annotation,
    Entity,
    Explanation,
    IntentType,
    PatternMatch,
    ProductMatch,
    Sentiment,
)
from socialreferral.text.embeddings import SentenceEncoder
from socialreferral.text.entities import extract_entities
from socialreferral.text.intent import IntentClassifier
from socialreferral.text.patterns import info_seeking, is_rhetorical
from socialreferral.text.sentiment import SentimentModel
from socialreferral.text.words import STOP_WORDS, word_tokens

__all__ = [
    "STOP_WORDS",
    "Annotation",
    "Catalog",
    "Entity",
    "Explanation",
    "IntentClassifier",
    "IntentType",
    "PatternMatch",
    "ProductMatch",
    "SentenceEncoder",
    "Sentiment",
    "SentimentModel",
    "analyze",
    "extract_entities",
    "info_seeking",
    "is_rhetorical",
    "word_tokens",
]
