"""The care features' word lists and phrase rules (re-exported).

They live in :mod:`socialreferral.text.opinion_lexicon`, one cue set shared by the care
ranker and ``socialreferral.text.analyze``'s complaint intent; this module keeps their
former import path.
"""

from __future__ import annotations

from socialreferral.text.opinion_lexicon import (
    ACTION,
    CARE_NOUNS,
    EXPECTED_ACTIONS,
    EXTRA_NEGATIVE,
    EXTRA_POSITIVE,
    FUNCTIONAL,
    INABILITY,
    NEG,
    NEGATION_SCOPE,
    NEGATIVE_EMOJI,
    NEGATIVE_HASHTAG_ENDINGS,
    NEGATOR,
    NEGATORS,
    NOT_FAILURES,
    NOUN,
    POS,
    POSITIVE_EMOJI,
    RULE_SPEC,
    RULES,
    SCOPE_END,
    STOP,
    WEAK,
    WEAK_NEGATIVE,
    Lexicon,
    default_lexicon,
    normalize,
)

# Private helpers the care features also use (explicit re-exports).
from socialreferral.text.opinion_lexicon import _vader_words as _vader_words
from socialreferral.text.opinion_lexicon import _words as _words

__all__ = [
    "ACTION",
    "CARE_NOUNS",
    "EXPECTED_ACTIONS",
    "EXTRA_NEGATIVE",
    "EXTRA_POSITIVE",
    "FUNCTIONAL",
    "INABILITY",
    "NEG",
    "NEGATION_SCOPE",
    "NEGATIVE_EMOJI",
    "NEGATIVE_HASHTAG_ENDINGS",
    "NEGATOR",
    "NEGATORS",
    "NOT_FAILURES",
    "NOUN",
    "POS",
    "POSITIVE_EMOJI",
    "RULES",
    "RULE_SPEC",
    "SCOPE_END",
    "STOP",
    "WEAK",
    "WEAK_NEGATIVE",
    "Lexicon",
    "default_lexicon",
    "normalize",
]
