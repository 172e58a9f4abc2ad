"""Intent of a post (seed 003): question, complaint, sharing or spam, from its features.

The seed's rules, in our order (a question asked in anger is a complaint):

1. *spam*: a spam cue ("click here", "free followers", "promo code");
2. *complaint*: at least one relevant entity and negative opinion outweighs positive:
   ``N_ns - N_ps + TONE_GAIN * tone > 0`` (the seed compares phrase counts; the sentiment
   model's post-level ``tone`` breaks ties and catches complaints no phrase names, as the
   seed suggests "a regression function" for the post-level decision);
3. *question*: at least one information-seeking pattern and one relevant entity;
4. *sharing*: at least one opinion phrase and one relevant entity;
5. *spam* (spam and other irrelevant posts): everything else.
"""

from __future__ import annotations

from socialreferral.care.features import RawFeatures
from socialreferral.care.models import IntentType

__all__ = ["TONE_GAIN", "classify_intent", "polarity"]

TONE_GAIN = 2.0  # one unit of tone (P(neg) - P(pos)) weighs like two opinion phrases


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
    if p > 0:
        return "complaint", f"negative opinion outweighs positive ({p:+.2f})"
    if raw.info_seeking:
        return "question", "information-seeking pattern: " + ", ".join(raw.info_seeking)
    if raw.negative or raw.positive:
        return "sharing", "opinion without a request"
    return "spam", "no opinion and no request"
