"""SCION's per-post features (seed 003): entities, opinion phrases with negation,
information-seeking patterns, purchase intent, and relevant comments (Ncomm).

:func:`extract` is the hot path of :class:`~socialreferral.care.CareRanker` (tens of
thousands of posts per second on one core): one tokenising regex, one dictionary lookup
per token for the polarity words, and one more for the rule starts
(:data:`~socialreferral.care.lexicon.RULES`).

Opinion phrases (Nns, Nps):
- a polarity word (VADER's lexicon with |valence| >= 1.5 plus our domain words, minus
  words that are functional in care language such as "help" and "please") is one phrase;
  a negated positive ("not happy", "never helpful") is a *negative* phrase; a negated
  negative ("not bad") is no phrase (SCION's negation/blocking words);
- a negated expected action ("doesnt work", "never arrived", "no response", "cant log")
  is a negative phrase of kind ``failure``;
- multi-word complaint shapes (waiting, silence, money taken, failure,
  expectation-reality contrast, impatience, threat to leave, sarcasm) are negative
  phrases of their kind, and so are negative hashtags (``#fail``, ``#disappointed``);
- emoji count as phrases of their polarity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from socialreferral.care.lexicon import (
    ACTION,
    INABILITY,
    NEG,
    NEGATION_SCOPE,
    NEGATIVE_EMOJI,
    NEGATIVE_HASHTAG_ENDINGS,
    NEGATOR,
    NOT_FAILURES,
    NOUN,
    POS,
    POSITIVE_EMOJI,
    RULES,
    STOP,
    Lexicon,
    _words,
    normalize,
)
from socialreferral.care.tokenpatterns import Match, TokenPatterns

__all__ = [
    "RawFeatures",
    "content_words",
    "extract",
    "finish",
    "relevant_comment_count",
    "tokenize",
]

# Mentions and hashtags are single tokens (so "@acme can you ..." starts a sentence and a
# brand handle is no opinion word); URLs are removed first.
_TOKEN = re.compile(
    r"[@#][^\s\W]\w*|[a-z0-9]+|[.,!?;:]"
    r"|[\u2600-\u27bf\U0001f300-\U0001faff]"  # emoji (single code points)
)
_WH = frozenset(_words("what when where which who whom whose why how"))
_URL = re.compile(r"https?://\S+|www\.\S+")
_MONEY = re.compile(
    r"[$\u00a3\u20ac]\s?\d[\d,.]*|\b\d[\d,.]*\s?(?:dollars|bucks|pounds|euros|usd|gbp|eur)\b"
)
_STOPWORDS = frozenset(
    _words(
        """a an the and or but if then so to of in on at by for with from up out about into
        over after before again i me my we our you your he she it its they them their
        this that these those is are was were be been being am do does did have has had
        will would can could should may might must just not no very too also only than
        as there here what when where which who why how all any some more most other
        such own same s t dont im ive ill its get got go going one please thanks thank
        hi hello hey yes ok okay"""
    )
)


def tokenize(low: str) -> list[str]:
    """Tokens of a normalised text: words, numbers, @mentions, #hashtags, ``.,!?;:``,
    emoji; URLs dropped."""
    if "http" in low or "www." in low:
        low = _URL.sub(" ", low)
    return _TOKEN.findall(low)


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
    tokens: list[str]


def extract(
    text: str,
    codes: dict[str, int],
    *,
    low: str | None = None,
    rules: TokenPatterns = RULES,
) -> RawFeatures:
    """The features of ``text``; ``codes`` is :meth:`Lexicon.codes` (built once)."""
    if low is None:
        low = normalize(text)
    toks = tokenize(low)
    negative: list[str] = []
    positive: list[str] = []
    found: list[str] = []
    scope = 0
    negator = ""
    get = codes.get
    for tok in toks:
        code = get(tok, 0)
        if not code:
            if scope:
                if (
                    scope == NEGATION_SCOPE
                    and negator in INABILITY
                    and tok.isalpha()
                    and tok not in NOT_FAILURES
                ):
                    negative.append(f"failure:{negator} {tok}")
                    scope = 0
                    continue
                scope -= 1
            first = tok[0]
            if first == "@":
                found.append("mention:" + tok)
            elif first == "#":
                found.append("hashtag:" + tok)
                if tok.endswith(NEGATIVE_HASHTAG_ENDINGS) or get(tok[1:], 0) & NEG:
                    negative.append("hashtag:" + tok)
                elif get(tok[1:], 0) & POS:
                    positive.append("hashtag:" + tok)
            elif tok in NEGATIVE_EMOJI:
                negative.append("emoji:" + tok)
            elif tok in POSITIVE_EMOJI:
                positive.append("emoji:" + tok)
            elif first.isdigit() and len(tok) >= 4:
                found.append("number:" + tok)
            continue
        if code & STOP:
            scope = 0
            continue
        if code & NEGATOR:
            scope = NEGATION_SCOPE
            negator = tok
            continue
        if code & NOUN:
            found.append("concept:" + tok)
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
    return finish(low, toks, negative, positive, found, rules.find(toks))


def finish(
    low: str,
    toks: list[str],
    negative: list[str],
    positive: list[str],
    found: list[str],
    matches: Sequence[Match],
) -> RawFeatures:
    """Complete the features from the token walk and the rule matches (shared with the
    ranker's single-pass annotator)."""
    info: list[str] = []
    rhetorical = purchase = spam = False
    cues = False
    for m in matches:
        family = m.family
        if family == "neg":
            negative.append(m.kind + ":" + " ".join(toks[m.start : m.end]))
            cues = True
        elif family == "info":
            info.append(m.kind)
        elif family == "buy":
            purchase = True
        elif family == "spam":
            spam = True
        elif family == "rhetorical":
            rhetorical = True
    if not info and "?" in toks and not _WH.isdisjoint(toks):
        info.append("wh_question")  # a wh-question the 11 rules miss ("which x works?")
    if "$" in low or "\u00a3" in low or "\u20ac" in low or "dollar" in low or "bucks" in low:
        found.extend("money:" + m.strip() for m in _MONEY.findall(low))
    if "http" in low or "www." in low:
        found.append("url")
    entities = tuple(dict.fromkeys(found))
    if not cues:
        cues = any(p.startswith(("failure:", "negated_positive:")) for p in negative)
    return RawFeatures(
        entities=entities,
        negative=tuple(negative),
        positive=tuple(positive),
        info_seeking=() if rhetorical else tuple(dict.fromkeys(info)),
        purchase=purchase and not spam,
        spam=spam,
        relevant=bool(entities) or cues,
        tokens=toks,
    )


def content_words(text: str) -> frozenset[str]:
    """Lower-cased content words of ``text`` (no stop words, no 1-2 letter tokens)."""
    return frozenset(
        t for t in tokenize(normalize(text)) if len(t) > 2 and t.isalnum() and t not in _STOPWORDS
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
