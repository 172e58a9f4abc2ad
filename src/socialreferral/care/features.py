"""SCION's per-post features (seed 003): entities, opinion phrases with negation,
information-seeking patterns, purchase intent, and relevant comments (Ncomm).

:func:`extract` is the hot path of :class:`~socialreferral.care.CareRanker` (tens of
thousands of posts per second on one core): one tokenising regex, one dictionary lookup
per token, and phrase regexes that run only when a trigger word is present.

Opinion phrases (Nns, Nps):
- a polarity word (VADER's lexicon with |valence| >= 1.5 plus our domain words) is one
  phrase; a negated positive ("not happy", "never helpful") is a *negative* phrase; a
  negated negative ("not bad") is no phrase (SCION's negation/blocking words);
- a negated expected action ("doesnt work", "never arrived", "no response") is a negative
  phrase of kind ``failure``;
- multi-word complaint shapes (:data:`~socialreferral.care.lexicon.PHRASES`: waiting,
  silence, money taken, failure, expectation-reality contrast, threat to leave, sarcasm)
  are negative phrases of their kind;
- emoji count as phrases of their polarity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from socialreferral.care.lexicon import (
    ACTION,
    DIGITS,
    INFO_SEEKING,
    INFO_TRIGGERS,
    NEG,
    NEGATION_SCOPE,
    NEGATIVE_EMOJI,
    NEGATOR,
    NOUN,
    PHRASE_TRIGGERS,
    PHRASES,
    POS,
    POSITIVE_EMOJI,
    RHETORICAL,
    SPAM,
    SPAM_TRIGGERS,
    STOP,
    Lexicon,
    normalize,
)

__all__ = ["RawFeatures", "content_words", "extract", "relevant_comment_count"]

_TOKEN = re.compile(
    r"[a-z0-9]+|[.,!?;:]"
    r"|[\u2600-\u27bf\U0001f300-\U0001faff]"  # emoji (single code points)
)
_MENTION = re.compile(r"(?<!\w)@(\w{1,30})")
_HASHTAG = re.compile(r"(?<![\w&])#(\w*[a-z_]\w*)")
_MONEY = re.compile(
    r"[$\u00a3\u20ac]\s?\d[\d,.]*|\b\d[\d,.]*\s?(?:dollars|bucks|pounds|euros|usd|gbp|eur)\b"
)
_PURCHASE = re.compile(
    r"""\b(?:looking|shopping|searching)\s+(?:for|around\s+for)\b
    | \b(?:want|wanna|planning|going|ready|hoping)\s+(?:to\s+)?(?:buy|purchase|order|upgrade
      |get\s+(?:a|an|the|new)|sign\s+up|switch\s+to)\b
    | \bthinking\s+(?:of|about)\s+(?:buying|getting|upgrading|switching)\b
    | \bin\s+the\s+market\s+for\b | \bwhere\s+(?:can|do|should)\s+i\s+(?:buy|get|order)\b
    | \bshould\s+i\s+(?:buy|get|upgrade)\b | \bhow\s+much\s+(?:is|are|does|for)\b
    | \b(?:pre\s?order|preorder)\w*\b | \bin\s+stock\b""",
    re.VERBOSE,
)
_PURCHASE_TRIGGERS = frozenset(
    "looking shopping searching want wanna planning going ready hoping thinking market where "
    "should how preorder pre in".split()
)
_STOPWORDS = frozenset(
    """a an the and or but if then so to of in on at by for with from up out about into over
    after before again i me my we our you your he she it its they them their this that these
    those is are was were be been being am do does did have has had will would can could
    should may might must just not no very too also only than as there here what when where
    which who why how all any some more most other such own same s t dont im ive ill its
    get got go going one please thanks thank hi hello hey yes ok okay""".split()
)


@dataclass(frozen=True, slots=True)
class RawFeatures:
    """Features of one post as plain values (models are built from them by the ranker)."""

    entities: tuple[str, ...]
    negative: tuple[str, ...]
    positive: tuple[str, ...]
    info_seeking: tuple[str, ...]
    purchase: bool
    spam: bool
    relevant: bool
    words: frozenset[str]
    tokens: tuple[str, ...]


def extract(text: str, codes: dict[str, int], *, low: str | None = None) -> RawFeatures:
    """The features of ``text``; ``codes`` is :meth:`Lexicon.codes` (built once)."""
    if low is None:
        low = normalize(text)
    toks = _TOKEN.findall(low)
    words = frozenset(toks)
    negative: list[str] = []
    positive: list[str] = []
    nouns: list[str] = []
    scope = 0
    negator = ""
    get = codes.get
    for tok in toks:
        code = get(tok, 0)
        if not code:
            if scope:
                scope -= 1
            if tok in NEGATIVE_EMOJI:
                negative.append("emoji:" + tok)
            elif tok in POSITIVE_EMOJI:
                positive.append("emoji:" + tok)
            elif tok[0] in DIGITS and len(tok) >= 4:
                nouns.append("number:" + tok)
            continue
        if code & STOP:
            scope = 0
            continue
        if code & NEGATOR:
            scope = NEGATION_SCOPE
            negator = tok
            continue
        if code & NOUN:
            nouns.append("concept:" + tok)
        if scope:
            scope -= 1
            if code & POS:
                negative.append(f"negated_positive:{negator} {tok}")
                scope = 0
            elif code & ACTION:
                negative.append(f"failure:{negator} {tok}")
                scope = 0
            # a negated negative ("not bad") is no opinion phrase
        elif code & NEG:
            negative.append("negative:" + tok)
        elif code & POS:
            positive.append("positive:" + tok)
    if not words.isdisjoint(PHRASE_TRIGGERS):
        for m in PHRASES.finditer(low):
            negative.append(f"{m.lastgroup}:{m.group(0).strip()}")
    info: tuple[str, ...] = ()
    if not words.isdisjoint(INFO_TRIGGERS):
        found = [m.lastgroup or "pattern" for m in INFO_SEEKING.finditer(low)]
        if found and RHETORICAL.search(low) is None:
            info = tuple(dict.fromkeys(found))
    entities = _entities(text, low, nouns)
    purchase = not words.isdisjoint(_PURCHASE_TRIGGERS) and _PURCHASE.search(low) is not None
    spam = not words.isdisjoint(SPAM_TRIGGERS) and SPAM.search(low) is not None
    cues = any(not p.startswith(("negative:", "emoji:")) for p in negative)
    return RawFeatures(
        entities=entities,
        negative=tuple(negative),
        positive=tuple(positive),
        info_seeking=info,
        purchase=purchase,
        spam=spam,
        relevant=bool(entities) or cues,
        words=words,
        tokens=tuple(toks),
    )


def _entities(text: str, low: str, nouns: list[str]) -> tuple[str, ...]:
    found = nouns
    if "@" in text:
        found = found + ["mention:@" + m for m in _MENTION.findall(low)]
    if "#" in text:
        found = found + ["hashtag:#" + m for m in _HASHTAG.findall(low)]
    if "http" in low or "www." in low:
        found = found + ["url"]
    if "$" in text or "\u00a3" in text or "\u20ac" in text or "dollar" in low or "bucks" in low:
        found = found + ["money:" + m.strip() for m in _MONEY.findall(low)]
    return tuple(dict.fromkeys(found))


def content_words(text: str) -> frozenset[str]:
    """Lower-cased content words of ``text`` (no stop words, no 1-2 letter tokens)."""
    return frozenset(
        t for t in _TOKEN.findall(normalize(text)) if len(t) > 2 and t not in _STOPWORDS
    )


def relevant_comment_count(
    post_words: frozenset[str],
    comments: Iterable[str],
    lexicon: Lexicon,
    *,
    dictionary_terms: frozenset[str] = frozenset(),
) -> int:
    """Ncomm: comments that mention a concept related to the post.

    A comment is relevant when it shares a content word with the post, or names a care
    concept (:data:`~socialreferral.care.lexicon.CARE_NOUNS`) or a business-function term;
    greetings, emoji and "+1" replies are not (seed 003: "we only account for comments
    that also score high on relevant concept indicators").
    """
    post_content = frozenset(w for w in post_words if len(w) > 2 and w not in _STOPWORDS)
    concepts = lexicon.care_nouns | dictionary_terms
    count = 0
    for comment in comments:
        words = content_words(comment)
        if words & post_content or words & concepts:
            count += 1
    return count
