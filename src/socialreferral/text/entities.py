"""Entity extraction with one compiled regex: hashtags, mentions, URLs, money and dates.

SCION (seed 003) extracts currencies, dates and platform patterns (#hashtags) with AQL rules;
person/organisation names need a tagger whose data is not available offline, so product
terms come from the catalog instead (see :func:`socialreferral.text.analyze`).
"""

from __future__ import annotations

import re

from socialreferral.text.annotations import Entity, EntityKind

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"

ENTITY = re.compile(
    rf"""
    (?P<url>https?://\S+|www\.\S+)
    | (?P<hashtag>(?<![\w&])\#\w*[a-z_]\w*)
    | (?P<mention>(?<![\w])@\w{{1,30}})
    | (?P<money>(?:[$€£¥]|\b(?:usd|eur|gbp|rs\.?|inr)\s?)\d{{1,3}}(?:[,\s]\d{{3}})*(?:\.\d+)?
        (?:\s?(?:k|m|bn|million|billion|thousand)\b)?
      | \b\d+(?:[.,]\d+)*\s?(?:k\s)?(?:dollars|bucks|euros?|pounds|usd|eur|gbp|rupees|cents)\b)
    | (?P<date>\b\d{{4}}-\d{{2}}-\d{{2}}\b | \b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b
      | \b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b
      | \b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b(?:\s+\d{{4}})?
      | \b(?:today|tomorrow|yesterday|tonight|this\s+(?:morning|evening|weekend)
          |next\s+(?:week|month|year)|last\s+(?:week|month|year|night))\b
      | \b{_DAY}\b)
    """,
    re.IGNORECASE | re.VERBOSE,
)


def extract_entities(text: str) -> list[Entity]:
    """Hashtags, mentions, URLs, money amounts and dates in ``text``, in order."""
    out: list[Entity] = []
    for m in ENTITY.finditer(text):
        kind: EntityKind = m.lastgroup  # type: ignore[assignment]
        out.append(Entity(kind, m.group(0).strip(), m.start(), m.end()))
    return out


_DATE_WORDS = frozenset(
    [
        "today",
        "tomorrow",
        "yesterday",
        "tonight",
        "this",
        "next",
        "last",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "jan",
        "january",
        "feb",
        "february",
        "mar",
        "march",
        "apr",
        "april",
        "may",
        "jun",
        "june",
        "jul",
        "july",
        "aug",
        "august",
        "sep",
        "sept",
        "september",
        "oct",
        "october",
        "nov",
        "november",
        "dec",
        "december",
    ]
)
_TRIGGER_CHARS = frozenset("#@$€£¥0123456789")


def gated_entities(text: str, words: frozenset[str] | set[str]) -> list[Entity]:
    """:func:`extract_entities`, skipped for posts with no digit, symbol, URL or date word."""
    if _TRIGGER_CHARS.isdisjoint(text) and words.isdisjoint(_DATE_WORDS) and "www" not in text:
        return []
    return extract_entities(text)
