"""Fast tweet tokenisation with negation scope marking.

One compiled regex per post instead of NLTK's TweetTokenizer: ``analyze`` must handle more
than 10,000 posts/s on one core, and NLTK data (``word_tokenize``) is not available offline.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise
from typing import Any

# Order matters: URLs and mentions before words, emoticons before punctuation.
_TOKEN = re.compile(
    r"""
    https?://\S+ | www\.\S+                     # URLs
    | @\w+                                      # mentions
    | \#\w+                                     # hashtags
    | [$€£]\s?\d+(?:[.,]\d+)*[kmb]?             # money
    | \d+(?:[.,:/]\d+)*(?:st|nd|rd|th|%)?       # numbers, times, dates
    | [a-z]+(?:['\u2019][a-z]+)*                     # words with contractions
    | [<>]?[:;=8][\-o*']?[)\](\[dpP/\\|@3o]+    # western emoticons
    | [)\](\[dp/\\|@3]+[\-o*']?[:;=8]           # reversed emoticons
    | <3
    | [!?.]+                                    # runs of sentence punctuation
    | [^\s\w]                                   # any other symbol (emoji, comma, ...)
    """,
    re.VERBOSE,  # applied to lower-cased text: IGNORECASE would only slow the scan
)
_ELONGATED = re.compile(r"(.)\1{2,}")

NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "nowhere",
        "cannot",
        "hardly",
        "barely",
        "scarcely",
        "without",
        "dont",
        "cant",
        "wont",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "aint",
        "didnt",
        "doesnt",
        "couldnt",
        "shouldnt",
        "wouldnt",
        "hasnt",
        "havent",
        "hadnt",
        "nope",
    ]
)
# Tokens that end a negation scope ("not bad, great" must leave "great" positive).
_SCOPE_END = frozenset(".,!?;:") | frozenset(["but", "however", "although", "though"])
NEG_SUFFIX = "_NEG"


def normalize(text: str) -> str:
    """Lower-case and squash character elongation ("soooo" → "sooo")."""
    return _ELONGATED.sub(r"\1\1\1", text.lower())


def _canonical(tok: str) -> str:
    # Map open classes to one symbol each so the vocabulary stays small and general.
    c = tok[0]
    if c == "@" and len(tok) > 1:
        return "<user>"
    if c in "hw" and (tok.startswith("http") or tok.startswith("www.")):
        return "<url>"
    if c in "$€£":
        return "<money>"
    if c.isdigit():
        return "<num>"
    if c in "!?." and len(tok) > 1:
        return tok[:3]
    return tok.replace("\u2019", "'")


_CANON: dict[str, str] = {}


def raw_tokens(text: str) -> list[str]:
    """Tokens of ``text`` (lower-cased), URLs/mentions/numbers mapped to placeholders."""
    cache = _CANON
    out = []
    for t in _TOKEN.findall(normalize(text)):
        c = cache.get(t)
        if c is None:
            c = _canonical(t)
            if len(cache) < 500_000:
                cache[t] = c
        out.append(c)
    return out


def is_negator(tok: str) -> bool:
    """True for "not", "never", "no", "don't", "isn't", ... ."""
    return tok in NEGATORS or tok.endswith("n't")


def mark_negation(tokens: list[str]) -> list[str]:
    """Append ``_NEG`` to every word after a negator until punctuation or "but".

    This is the classic scope rule (Das & Chen 2001; Pang et al. 2002): "not bad" becomes
    ``not bad_NEG``, so the model learns that negated "bad" is not negative.
    """
    out: list[str] = []
    neg = False
    for t in tokens:
        if t in _SCOPE_END or t[0] in "!?.":
            neg = False
            out.append(t)
        elif neg:
            out.append(t + NEG_SUFFIX)
        else:
            out.append(t)
            if t in NEGATORS or t.endswith("n't"):
                neg = True
    return out


def sentiment_tokens(text: str) -> list[str]:
    """Tokens used by the sentiment model: canonical tokens with negation marking."""
    return mark_negation(raw_tokens(text))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    # Imported on first use: ``import nltk`` alone takes ~2 s, too slow for import time.
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball stem, cached: the same few thousand words repeat across posts."""
    return str(_stemmer().stem(word))


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def stemmed_words(text: str) -> list[str]:
    """Lower-cased, stemmed alphanumeric words (used by intent and product matching)."""
    return [stem(w) for w in _WORD.findall(text.lower().replace("\u2019", "'"))]


def with_bigrams(tokens: list[str]) -> list[str]:
    """Unigrams followed by adjacent bigrams ("a b")."""
    return tokens + [a + " " + b for a, b in pairwise(tokens)]


def gate_words(tokens: list[str]) -> set[str]:
    """Words of a token list without ``_NEG`` marks, contractions also split ("today's")."""
    out = {t[:-4] if t.endswith(NEG_SUFFIX) else t for t in tokens}
    out.update([w.split("'")[0] for w in out if "'" in w])
    return out
