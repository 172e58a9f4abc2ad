"""Word lists for :mod:`socialreferral.domain.analysis` (English).

Kept apart from the algorithm so that the lists can grow (or be localised) without touching
the logic. Cues are plain phrases; the analyzer stems them with the same stemmer as posts.
"""

from __future__ import annotations

STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "for",
        "of",
        "to",
        "i",
        "my",
        "me",
        "is",
        "am",
        "are",
        "be",
        "on",
        "in",
        "and",
        "or",
        "with",
        "at",
        "by",
        "from",
        "this",
        "that",
        "it",
    }
)
NEGATORS = frozenset({"not", "no", "never", "without", "nor", "neither", "nobody", "none"})
NEGATION_REACH = 3
# (cue, strength): strong cues state a need, weak ones only hint at shopping around.
INTENT_CUES: tuple[tuple[str, float], ...] = (
    ("looking for", 1.0),
    ("look for", 0.9),
    ("in the market for", 1.0),
    ("need a", 1.0),
    ("need an", 1.0),
    ("need", 0.8),
    ("want to buy", 1.0),
    ("want to get", 1.0),
    ("want a", 0.9),
    ("planning to", 0.8),
    ("plan to get", 0.8),
    ("apply for", 0.9),
    ("applying for", 0.9),
    ("procedure for", 0.7),
    ("suggest", 0.9),
    ("recommend", 0.9),
    ("recommendation", 0.9),
    ("advice", 0.7),
    ("any good", 0.7),
    ("best", 0.6),
    ("where can i", 0.8),
    ("how do i get", 0.8),
    ("how can i get", 0.8),
    ("anyone know", 0.6),
    ("interested in", 0.8),
    ("compare", 0.6),
    ("quote", 0.6),
)
POSITIVE = frozenset(
    {
        "love",
        "great",
        "good",
        "happy",
        "excellent",
        "thank",
        "thanks",
        "awesome",
        "nice",
        "amazing",
        "glad",
        "helpful",
        "fantastic",
        "pleased",
        "wonderful",
        "easy",
        "fast",
    }
)
NEGATIVE = frozenset(
    {
        "bad",
        "terrible",
        "awful",
        "hate",
        "worst",
        "angry",
        "disappointed",
        "poor",
        "problem",
        "issue",
        "scam",
        "slow",
        "useless",
        "broken",
        "fraud",
        "complaint",
        "rude",
        "horrible",
        "annoyed",
        "unhappy",
        "fail",
        "failed",
        "waiting",
    }
)
