"""Entity extraction with one compiled regex: hashtags, mentions, URLs, money and dates.

SCION (seed 003) extracts currencies, dates and platform patterns (#hashtags) with AQL rules;
person/organisation names need a tagger whose data is not available offline, so product
terms come from the catalog instead (see :func:`socialreferral.text.analyze`).
"""

from __future__ import annotations

import re

from socialreferral.text._fastre import digit_first, word_first
from socialreferral.text.annotations import Entity, EntityKind, new_entity
from socialreferral.text.patterns import gate_bit, words_mask

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


_NUMERIC_DATE = r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b"
_MONTH_DATE = (
    rf"\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b(?:\s+\d{{4}})?"
)
_RELATIVE_DATE = (
    r"\b(?:today|tomorrow|yesterday|tonight|this\s+(?:morning|evening|weekend)"
    r"|next\s+(?:week|month|year)|last\s+(?:week|month|year|night))\b"
    rf"|\b{_DAY}\b"
)
_WORD_DATE = _MONTH_DATE + "|" + _RELATIVE_DATE
# The fast path scans lower-cased text without IGNORECASE (several times faster in `re`)
# and with literal-first patterns, which `re` finds with a quick prefix search.
_URL = re.compile(r"https?://\S+|www\.\S+")
# The look-behinds equal ENTITY's: a match never contains a later "#"/"@", so testing the
# preceding character in the pattern finds the same spans as filtering matches afterwards.
# The look-behind comes after the literal "#"/"@" (same spans), so `re` can search for the
# literal first instead of trying the look-behind at every character.
_HASHTAG = re.compile(r"#(?<![\w&]#)\w*[a-z_]\w*")
_MENTION = re.compile(r"@(?<!\w@)\w{1,30}")
_MONEY = re.compile(ENTITY.pattern.split("(?P<money>")[1].split("| (?P<date>")[0][:-6], re.VERBOSE)
# _NUMERIC_DATE with the leading digit factored out and matched before its boundary test
# (same matches, faster scan; see text._fastre).
_NUM_DATE = re.compile(digit_first(r"\d{3}-\d{2}-\d{2}\b|\d?/\d{1,2}(?:/\d{2,4})?\b"))
_TEXT_DATE = re.compile(_WORD_DATE)
# _WORD_DATE's two halves never match at the same place nor overlap (month names and digits
# vs. relative-day words), so scanning them separately finds the same spans.
_MONTH_DATE_RE = re.compile(_MONTH_DATE)
# _RELATIVE_DATE literal-first: one alternation of the same words, each behind the same
# boundaries (the two halves never match at the same place), so the same spans.
_RELATIVE_DATE_RE = re.compile(
    word_first(
        [
            "today",
            "tomorrow",
            "yesterday",
            "tonight",
            r"this\s+(?:morning|evening|weekend)",
            r"next\s+(?:week|month|year)",
            r"last\s+(?:week|month|year|night)",
            *(f"{day}day" for day in ("mon", "tues", "wednes", "thurs", "fri", "satur", "sun")),
        ]
    )
    + r"\b"
)
_URL_SCAN = (_URL, "url")
_HASHTAG_SCAN = (_HASHTAG, "hashtag")
_MENTION_SCAN = (_MENTION, "mention")
_MONEY_SCAN = (_MONEY, "money")
_NUM_DATE_SCAN = (_NUM_DATE, "date")
_MONTH_DATE_SCAN = (_MONTH_DATE_RE, "date")
_RELATIVE_DATE_SCAN = (_RELATIVE_DATE_RE, "date")
_MONEY_WORDS = frozenset(
    [
        "dollars",
        "bucks",
        "euro",
        "euros",
        "pounds",
        "usd",
        "eur",
        "gbp",
        "rupees",
        "cents",
        "rs",
        "inr",
    ]
)


def gated_entities(text: str, words: frozenset[str] | set[str]) -> list[Entity]:
    """:func:`extract_entities`, fast: each kind's regex runs only when the post can hold it.

    ``words`` are the post's lower-cased word tokens (used to skip regexes).
    """
    return entities_masked(text, text.lower(), words_mask(words))


def entities_masked(text: str, low: str, mask: int) -> list[Entity]:
    """:func:`gated_entities` with the post's gate bits (see ``patterns.gate_bit``)."""
    if len(low) != len(text):  # rare Unicode whose lower-casing changes length: slow path
        return extract_entities(text)
    scans = []  # (regex, kind) of each family the post can hold
    if "http" in low or "www." in low:
        scans.append(_URL_SCAN)
    if "#" in text:
        scans.append(_HASHTAG_SCAN)
    if "@" in text:
        scans.append(_MENTION_SCAN)
    # Every money, numeric-date and month-date match holds a digit; the cheap tests first,
    # the digit search (a regex call) only for the posts that pass one of them.
    money = mask & MONEY_BIT or _has_currency(text)
    numeric = "/" in text or "-" in text
    month = mask & MONTH_BIT  # a month name
    if (money or numeric or month) and _ASCII_DIGIT(text) is not None:
        if money:
            scans.append(_MONEY_SCAN)
        if numeric:
            scans.append(_NUM_DATE_SCAN)
    else:  # \d also matches non-ASCII digits
        month = month and not text.isascii()
    # Every match holds a month name and a digit, or a relative-day word (a word inside a
    # URL, mention or hashtag is no token, but there the enclosing entity, which starts
    # earlier, wins anyway).
    if month:
        scans.append(_MONTH_DATE_SCAN)
    if mask & RELATIVE_DAY_BIT or (mask & RELATIVE_FIRST_BIT and mask & RELATIVE_UNIT_BIT):
        scans.append(_RELATIVE_DATE_SCAN)
    found: list[tuple[int, int, str]] = []
    families = 0  # scans that matched: with one, no merge (finditer spans are in order)
    for rx, kind in scans:
        if hits := [(*m.span(), kind) for m in rx.finditer(low)]:
            found += hits
            families += 1
    if families <= 1:
        return [new_entity(kind, text[a:b].strip(), a, b) for a, b, kind in found]  # type: ignore[arg-type]
    found.sort()
    out: list[Entity] = []
    end = -1
    for a, b, kind in found:  # leftmost wins, like one combined regex
        if a < end:
            continue
        out.append(new_entity(kind, text[a:b].strip(), a, b))  # type: ignore[arg-type]
        end = b
    return out


def _has_currency(text: str) -> bool:
    # Four substring tests: far cheaper than iterating the text into a set test.
    return "$" in text or "\u20ac" in text or "\xa3" in text or "\xa5" in text


_ASCII_DIGIT = re.compile("[0-9]").search  # as the old `frozenset("0123456789")` test
MONEY_BIT = gate_bit(_MONEY_WORDS)
# Finer date gates: a month name; a relative-day word that matches alone; "this"/"next"/
# "last" and the words that must follow them.
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RELATIVE_DAYS = frozenset(["today", "tomorrow", "yesterday", "tonight", *_DAYS])
MONTH_BIT = gate_bit(_DATE_WORDS - _RELATIVE_DAYS - {"this", "next", "last"})
RELATIVE_DAY_BIT = gate_bit(_RELATIVE_DAYS)
RELATIVE_FIRST_BIT = gate_bit(frozenset(["this", "next", "last"]))
RELATIVE_UNIT_BIT = gate_bit(
    frozenset(["morning", "evening", "weekend", "week", "month", "year", "night"])
)
