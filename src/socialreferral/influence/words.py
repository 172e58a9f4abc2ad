"""Content words of a post for the per-sentiment word clouds.

Tokens come from :func:`socialreferral.text.word_tokens` (URLs, mentions and numbers are
placeholders there, so they drop out) and function words from
:data:`socialreferral.text.STOP_WORDS`. That list was written for intent matching and so
also drops opinion words ("good", "best", "like", "thanks"); a word cloud is read for
exactly those ("Which words have a positive or negative connotation?", seed 002), so they
are put back, and Twitter's own noise ("rt", "amp", "via") is added.

Each word counts once per post: a post repeating "delayed" ten times is one voice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from socialreferral.influence.keywords import fold
from socialreferral.influence.records import MAX_WORDS
from socialreferral.text import STOP_WORDS, word_tokens

_KEEP = frozenset(
    ["good", "best", "like", "need", "want", "thank", "thanks", "please", "pleas", "ok", "okay"]
)
_EXTRA = frozenset(
    [
        "rt",
        "amp",
        "via",
        "gt",
        "lt",
        "im",
        "ive",
        "id",
        "ill",
        "youre",
        "theyre",
        "thats",
        "whats",
        "dont",
        "cant",
        "wont",
        "doesnt",
        "didnt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "u",
        "ur",
        "ya",
        "yall",
        "gonna",
        "wanna",
        "gotta",
        "lol",
        "omg",
        "just",
        "really",
        "still",
        "even",
        "much",
        "many",
        "lot",
        "lots",
        "today",
        "tonight",
        "tomorrow",
        "yesterday",
        "now",
        "got",
        "get",
        "gets",
        "getting",
        "go",
        "going",
        "went",
        "say",
        "said",
        "says",
        "see",
        "seen",
        "make",
        "made",
        "take",
        "one",
        "two",
        "new",
        "day",
        "days",
        "time",
        "week",
        "let",
        "lets",
        "would",
    ]
)
#: Words never shown in a word cloud.
CLOUD_STOP_WORDS: frozenset[str] = (STOP_WORDS - _KEEP) | _EXTRA
_WORD = re.compile(r"^[^\W\d_][^\W_]*(?:'[^\W_]+)?$", re.UNICODE)


def cloud_words(text: str, exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """Distinct content words of ``text`` in first-seen order, at most ``MAX_WORDS``.

    ``exclude``: the keyword's forms (:meth:`KeywordMatcher.forms`); a word whose folded
    form is among them is dropped, so the cloud for "United Airlines" does not shout
    "united". Hashtags count as their word ("#delayed" → "delayed").
    """
    skip = frozenset(exclude)
    seen: dict[str, None] = {}
    for tok in word_tokens(text):
        if tok[0] == "#":
            tok = tok[1:].lower()
        tok = tok.replace("\u2019", "'")
        if len(tok) < 2 or tok in seen or tok in CLOUD_STOP_WORDS or not _WORD.match(tok):
            continue
        if tok in skip or fold(tok) in skip:
            continue
        seen[tok] = None
        if len(seen) >= MAX_WORDS:
            break
    return tuple(seen)


__all__ = ["CLOUD_STOP_WORDS", "cloud_words"]
