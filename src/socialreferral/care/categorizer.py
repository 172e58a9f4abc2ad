"""Real-time business-function identification (seed 003, Figure 4, right-hand side).

Rule matching on the (enhanced) seed dictionaries: the function whose dictionary matches
the most *distinct* terms of a post wins; a tie presents every tied function to an agent
(``function is None``, ``candidates`` in priority order); a post that matches nothing is
*miscellaneous*. Words are compared by their Snowball stems, so "refunds" matches
"refund"; multi-word terms match consecutive stems.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from socialreferral.care.lexicon import normalize
from socialreferral.care.settings import MISCELLANEOUS, BusinessFunction
from socialreferral.domain._base import DomainModel
from socialreferral.text.words import snowball_stemmer

__all__ = ["NOTHING", "Categorization", "Categorizer", "Hits"]

_WORD = re.compile(r"[a-z0-9]+")
_STEM_CACHE_LIMIT = 200_000


class Categorization(DomainModel):
    """The routing decision for one post."""

    function: str | None  # None on a tie: an agent decides among ``candidates``
    candidates: tuple[str, ...]  # tied functions in priority order, or (function,)
    matched: dict[str, tuple[str, ...]]  # function -> its terms found in the post

    @property
    def needs_agent(self) -> bool:
        """True when several functions tie."""
        return self.function is None


_Info = tuple[tuple[tuple[int, str], ...], tuple[tuple[tuple[str, ...], int, str], ...]]
_NOTHING: _Info = ((), ())
Hits = dict[int, set[str]]  # function index -> terms found


class Categorizer:
    """Matches posts against business-function dictionaries (immutable once built).

    Holds per-instance caches (token -> stem and dictionary entries, bounded); share one
    instance across calls.
    """

    def __init__(self, functions: Sequence[BusinessFunction]) -> None:
        self.functions = tuple(functions)
        self._stem_word = snowball_stemmer("english")  # nltk's stems, without importing nltk
        self._stems: dict[str, str] = {}
        words: dict[str, list[tuple[int, str]]] = {}
        phrases: dict[str, list[tuple[tuple[str, ...], int, str]]] = {}
        for index, function in enumerate(self.functions):
            for term in function.terms:
                stems = tuple(self._stem(w) for w in _WORD.findall(normalize(term)))
                if not stems:
                    continue
                if len(stems) == 1:
                    words.setdefault(stems[0], []).append((index, term))
                else:
                    phrases.setdefault(stems[0], []).append((stems, index, term))
        self._words = {k: tuple(v) for k, v in words.items()}
        self._phrases = {k: tuple(v) for k, v in phrases.items()}
        self.terms = frozenset(t for f in self.functions for t in f.terms)
        self._info: dict[str, _Info] = {}

    def _stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            if len(self._stems) >= _STEM_CACHE_LIMIT:
                self._stems.clear()
            stem = self._stems[word] = self._stem_word(word) if len(word) > 3 else word
        return stem

    def categorize(self, text: str) -> Categorization:
        """Route ``text`` (see the module docstring)."""
        return self.categorize_tokens(_WORD.findall(normalize(text)))

    def categorize_tokens(self, tokens: Sequence[str]) -> Categorization:
        """Route a post given as lower-cased word tokens."""
        function, candidates, matched = self.route(tokens)
        return Categorization(function=function, candidates=candidates, matched=matched)

    def route(
        self, tokens: Sequence[str]
    ) -> tuple[str | None, tuple[str, ...], dict[str, tuple[str, ...]]]:
        """(function, candidates, matched terms) for tokens: the ranker's fast path.

        One cached lookup per token: most tokens start no dictionary term.
        """
        info = self._info
        hits: dict[int, set[str]] = {}
        for i, tok in enumerate(tokens):
            found = info.get(tok)
            if found is None:
                found = self.info(tok)
            if found is not _NOTHING:
                self.collect(found, tokens, i, hits)
        return self.decide(hits)

    def collect(self, found: _Info, tokens: Sequence[str], i: int, hits: Hits) -> None:
        """Add the terms that ``found`` (:meth:`info` of ``tokens[i]``) matches at ``i``."""
        entries, starts = found
        for index, term in entries:
            hits.setdefault(index, set()).add(term)
        for seq, index, term in starts:
            following = tokens[i : i + len(seq)]
            if len(following) == len(seq) and all(
                self._stem(t) == s for t, s in zip(following, seq, strict=True)
            ):
                hits.setdefault(index, set()).add(term)

    def info(self, tok: str, *, cache: bool = True) -> _Info:
        """What a token can match: (single-word entries, phrase starts).

        Cached unless ``cache=False`` (for a caller that keeps its own cache).
        """
        cached = self._info.get(tok)
        if cached is not None:
            return cached
        if len(self._info) >= _STEM_CACHE_LIMIT:
            self._info.clear()
        found: _Info = _NOTHING
        if tok.isalnum():
            stem = self._stem(tok)
            entries, starts = self._words.get(stem, ()), self._phrases.get(stem, ())
            if entries or starts:
                found = (entries, starts)
        if cache:
            self._info[tok] = found
        return found

    def decide(self, hits: Hits) -> tuple[str | None, tuple[str, ...], dict[str, tuple[str, ...]]]:
        """(function, candidates, matched terms) from the terms found per function."""
        if not hits:
            return MISCELLANEOUS, _MISC, {}
        best = max(len(terms) for terms in hits.values())
        tied = sorted(i for i, terms in hits.items() if len(terms) == best)
        names = tuple(self.functions[i].name for i in tied)
        matched = {self.functions[i].name: tuple(sorted(t)) for i, t in hits.items()}
        return (names[0] if len(names) == 1 else None), names, matched


_MISC = (MISCELLANEOUS,)
NOTHING = _NOTHING  # Categorizer.info of a token that matches no term
