"""Word-level building blocks of the text analytics, for other pure packages.

The influence word clouds need the same tokenizer and stop words that sentiment and
intent use, the care categorizer the same stems; this module is their public face, so
callers do not depend on the private modules behind it.
"""

from __future__ import annotations

from socialreferral.text._stopwords import STOPWORDS
from socialreferral.text._tokenize import raw_tokens, snowball_stemmer

#: English function words (and a few stemmed forms) the text analytics ignores.
STOP_WORDS: frozenset[str] = STOPWORDS


def word_tokens(text: str) -> list[str]:
    """Lower-cased tokens of a post, in order.

    URLs become ``"<url>"``, mentions ``"<user>"``, numbers ``"<num>"`` and amounts
    ``"<money>"``; hashtags keep their ``#``; emoticons, emoji and punctuation are tokens of
    their own; elongations are squashed ("soooo" → "sooo").
    """
    return raw_tokens(text)


__all__ = ["STOP_WORDS", "snowball_stemmer", "word_tokens"]
