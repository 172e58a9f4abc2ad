"""Purchase-intent cue phrases with strengths (English), for phrase-level intent scoring.

Seed 000, Section 7 ("I am looking for a car loan", "can anyone suggest the best house
loan"). Strong cues state a need (1.0); weak ones only hint at shopping around ("best",
"compare"). Plain phrases: a user of the list tokenises and stems them exactly as it does
posts. ``analyze``'s yes/no purchase cue is the regex family ``patterns.PURCHASE``; this
list grades cues for :class:`~socialreferral.text.keyword_analyzer.KeywordAnalyzer`.
"""

from __future__ import annotations

PURCHASE_CUES: tuple[tuple[str, float], ...] = (
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

__all__ = ["PURCHASE_CUES"]
