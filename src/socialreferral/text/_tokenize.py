"""The text package's one tokenizer: tweet tokens with negation scopes, words and stems.

One compiled regex per post instead of NLTK's TweetTokenizer: ``analyze`` must handle more
than 10,000 posts/s on one core, and NLTK data (``word_tokenize``) is not available offline.
Two views of a post come from here and nowhere else:

* :func:`sentiment_tokens` (:func:`raw_tokens` + :func:`mark_negation`): canonical tweet
  tokens (URLs, mentions, numbers and money as placeholders, emoticons kept) with ``_NEG``
  marks, what the sentiment model and the lexicon see;
* :func:`words` and :class:`Stemmer`: lower-cased alphanumeric words (contractions kept whole,
  so "don't" is one negating word) and their Snowball stems, what intent, product and
  keyword matching see.

Nothing here keeps process-wide state: the only cache is a :class:`Stemmer`'s, owned by
whoever builds it. Integer token ids (the batch fast path) live in
:mod:`socialreferral.text._token_ids`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from socialreferral.text._snowball_english import english_stem

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


def raw_tokens(text: str) -> list[str]:
    """Tokens of ``text`` (lower-cased), URLs/mentions/numbers mapped to placeholders."""
    return list(map(_canonical, _TOKEN.findall(normalize(text))))


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


# Words of the word view: alphanumerics with an optional contraction ("don't", "today's").
# No match spans whitespace, which lets ``_token_ids`` stem whitespace chunks independently.
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """Lower-cased words of ``text``, curly apostrophes straightened ("Don\u2019t" → "don't")."""
    return WORD.findall(text.lower().replace("\u2019", "'"))


class _StemCache(dict[str, str]):
    # A dict with __missing__: a hit costs one C-level lookup (no wrapper call), which is
    # what keeps stemming off the profile of ``analyze``.
    def __init__(self, language: str, max_size: int) -> None:
        super().__init__()
        self.language = language
        self.max_size = max_size
        self._snowball: Callable[[str], str] | None = None

    def __missing__(self, word: str) -> str:
        stem = self._snowball
        if stem is None:
            # Two threads racing here build two equal stemmers; either is fine.
            stem = self._snowball = snowball_stemmer(self.language)
        out = str(stem(word))
        if len(self) >= self.max_size:  # bound memory on adversarial streams
            self.clear()
        self[word] = out
        return out


def snowball_stemmer(language: str = "english") -> Callable[[str], str]:
    """NLTK's Snowball stemmer of ``language`` as a function (works offline).

    English, the language of every shipped model, is nltk's stemmer copied into
    :mod:`socialreferral.text._snowball_english` (the same stems without importing nltk,
    whose import takes ~1 s CPU and ~96 MB with the scipy and scikit-learn it pulls in); the
    other languages import nltk on this call.
    """
    if language == "english":
        return english_stem
    from nltk.stem.snowball import SnowballStemmer

    stem: Callable[[str], str] = SnowballStemmer(language).stem
    return stem


class Stemmer:
    """NLTK's Snowball stemmer (works offline) with a bounded cache owned by this object.

    The same few thousand words repeat across posts, so stems are cached: at most
    ``max_size`` words, the cache starts over when full. Safe to share between threads:
    each lookup or insertion is one dict operation, and a race only stems a word twice.
    ``language`` is any of nltk's Snowball languages (:func:`snowball_stemmer`; English never
    imports nltk, the others import it on the first stem).
    """

    def __init__(self, language: str = "english", *, max_size: int = 200_000) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self.language = language
        self._cache = _StemCache(language, max_size)
        # Bound once: the hot loops call ``stemmer.stem`` without attribute lookups.
        self.stem: Callable[[str], str] = self._cache.__getitem__

    def __call__(self, word: str) -> str:
        """The stem of one lower-cased word."""
        return self.stem(word)

    def words(self, text: str) -> list[str]:
        """Stems of :func:`words` of ``text`` (used by intent, product and keyword matching)."""
        return list(map(self.stem, words(text)))

    def __len__(self) -> int:
        return len(self._cache)


def stemmed_words(text: str, stemmer: Stemmer | None = None) -> list[str]:
    """:meth:`Stemmer.words` of ``text``; without ``stemmer`` a throwaway one (no cache kept)."""
    return (stemmer if stemmer is not None else Stemmer()).words(text)


def with_bigrams(tokens: list[str]) -> list[str]:
    """Unigrams followed by adjacent bigrams ("a b")."""
    return [*tokens, *map(" ".join, pairwise(tokens))]


def gate_words(tokens: list[str]) -> set[str]:
    """Words of a token list without ``_NEG`` marks, contractions also split ("today's")."""
    out = {t[:-4] if t.endswith(NEG_SUFFIX) else t for t in tokens}
    out.update([w.split("'")[0] for w in out if "'" in w])
    return out
