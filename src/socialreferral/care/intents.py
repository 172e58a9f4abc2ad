"""Intent of a post (seed 003): question, complaint, sharing or spam, from its features.

The seed's rules, in our order (a question asked in anger is a complaint):

1. *spam*: a spam cue ("click here", "free followers", "promo code");
2. *complaint*: at least one relevant entity and negative opinion outweighs positive:
   ``N_ns - N_ps + TONE_GAIN * tone > COMPLAINT_MARGIN`` (the seed compares phrase counts,
   ``N_ns > N_ps``; the tone model's post-level ``tone`` in [-1, 1] moves that by up to one
   phrase, as the seed suggests "a regression function" for the post-level decision: one
   net negative phrase is a complaint unless the tone is clearly positive, and a post with
   no net phrase is one only when its tone is clearly negative);
3. *question*: at least one information-seeking pattern and one relevant entity;
4. *sharing*: at least one opinion phrase and one relevant entity;
5. *spam* (spam and other irrelevant posts): everything else.
"""

from __future__ import annotations

from socialreferral.care.features import RawFeatures
from socialreferral.care.models import IntentType

__all__ = ["COMPLAINT_MARGIN", "TONE_GAIN", "classify_intent", "polarity"]

# Chosen on the dev half of the hand-labelled TWCS complaints (benchmarks/care_ranking.py).
TONE_GAIN = 1.0  # one unit of tone (P(neg) - P(pos)) weighs like one opinion phrase
COMPLAINT_MARGIN = 0.5


def polarity(raw: RawFeatures, tone: float) -> float:
    """Negative-minus-positive opinion, phrase counts plus the model's tone."""
    return len(raw.negative) - len(raw.positive) + TONE_GAIN * tone


def classify_intent(raw: RawFeatures, tone: float) -> tuple[IntentType, str]:
    """The intent and a one-line reason."""
    if raw.spam:
        return "spam", "spam cue"
    if not raw.relevant:
        return "spam", "no relevant entity or care concept (irrelevant)"
    p = polarity(raw, tone)
    if p > COMPLAINT_MARGIN:
        return "complaint", f"negative opinion outweighs positive ({p:+.2f})"
    if raw.info_seeking:
        return "question", "information-seeking pattern: " + ", ".join(raw.info_seeking)
    if raw.negative or raw.positive:
        return "sharing", "opinion without a request"
    return "spam", "no opinion and no request"
