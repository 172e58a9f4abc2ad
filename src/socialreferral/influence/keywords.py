"""Tracked keywords and hashtags, and which of them a post is about.

A :class:`TrackedKeyword` is a term ("United Airlines", "#FathersDay", "Friday Feeling")
with optional aliases ("@united", "#UnitedAirlines") and exclusions ("trump card"). Its
``key`` ("unitedairlines") names it in every aggregate, so "#FathersDay" and "Fathers Day"
are the same keyword.

How :class:`KeywordMatcher` decides, in order of the post's tokens:

* **case** never matters;
* **plurals and possessives** are folded on both sides ("airlines", "airline's" →
  "airline"). A full stemmer is deliberately not used: Snowball maps "United" to "unit"
  and would match "units";
* a **phrase** matches when its folded words appear contiguously; hashtags are split at
  case changes first, so "#FathersDayWeekend" contains "fathers day";
* a **hashtag or mention** matches when its whole body equals the term written without
  spaces ("#fathersday", "@UnitedAirlines"), folded or not;
* an ``@handle`` alias matches only as a mention or hashtag: a handle is an identity, not
  words ("@united" must not match "united we stand");
* an **exclusion** phrase anywhere in the post vetoes that keyword.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import Field, field_validator, model_validator

from socialreferral.domain._base import DomainModel

_TOKEN = re.compile(r"[#@]?[^\W_]+(?:['\u2019][^\W_]+)*", re.UNICODE)
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+|[^\W\d_]+")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
MAX_KEYWORDS = 200
MAX_TEXT_TOKENS = 400  # bound the work per post (a post is at most a few thousand chars)


def fold(word: str) -> str:
    """Lower-case ``word`` and fold plurals and possessives: "Airlines'" → "airline"."""
    w = word.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.rstrip("'")
    n = len(w)
    if n > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if n > 4 and w.endswith(("sses", "ches", "shes", "xes", "zzes")):
        return w[:-2]
    if n > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def split_words(token: str) -> list[str]:
    """Words of a term or hashtag body: "FathersDay" → ["Fathers", "Day"]; "nyc" → ["nyc"]."""
    return [w for w in _CAMEL.findall(token) if w] or [token]


def keyword_key(term: str) -> str:
    """The key a keyword is stored under: lower-case letters and digits of ``term``."""
    key = _NON_ALNUM.sub("", term.lower().lstrip("#@"))
    if not key:
        key = re.sub(r"\W+", "", term.lower(), flags=re.UNICODE)
    return key


class TrackedKeyword(DomainModel):
    """A keyword or hashtag to track, with its aliases and exclusions.

    ``kind`` separates the brand's own terms from competitors' hashtags (the dashboards
    show both the same way; the marketer filters on it).
    """

    term: str = Field(min_length=1, max_length=100)
    kind: Literal["brand", "competitor", "topic"] = "brand"
    aliases: tuple[str, ...] = Field(default=(), max_length=20)
    exclude: tuple[str, ...] = Field(default=(), max_length=20)

    @field_validator("term", "aliases", "exclude")
    @classmethod
    def _has_letters(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        for item in (value,) if isinstance(value, str) else value:
            if not keyword_key(item) or len(item) > 100:
                raise ValueError(f"{item!r} has no letters or digits (or is too long)")
        return value

    @property
    def key(self) -> str:
        """The storage key: ``keyword_key(term)``."""
        return keyword_key(self.term)


class TrackingConfig(DomainModel):
    """The keywords a marketer tracks (their own and their competitors')."""

    keywords: tuple[TrackedKeyword, ...] = Field(min_length=1, max_length=MAX_KEYWORDS)

    @model_validator(mode="after")
    def _unique_keys(self) -> TrackingConfig:
        keys = [k.key for k in self.keywords]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise ValueError(f"keywords with the same key: {dup}")
        return self

    def keyword(self, key: str) -> TrackedKeyword:
        """The tracked keyword stored under ``key``; ``KeyError`` if none."""
        for k in self.keywords:
            if k.key == key:
                return k
        raise KeyError(key)


def _phrase(term: str) -> tuple[str, ...]:
    words: list[str] = []
    for tok in _TOKEN.findall(term):
        body = tok.lstrip("#@")
        words.extend(fold(w) for w in (split_words(body) if tok[0] == "#" else [body]))
    return tuple(words)


def _compacts(term: str) -> set[str]:
    body = term.strip().lstrip("#@")
    words = [w.lower() for w in _TOKEN.findall(body)]
    joined = _NON_ALNUM.sub("", "".join(words)) or "".join(words)
    folded = "".join(fold(w) for w in words)
    return {c for c in (joined, folded, fold(joined)) if c}


class KeywordMatcher:
    """Finds which tracked keywords a post is about (see the module docstring).

    One pass over the post's tokens; phrases are indexed by their first folded word and
    whole-hashtag forms by their compact spelling, so the cost does not grow with the
    number of keywords.
    """

    def __init__(self, keywords: Sequence[TrackedKeyword]) -> None:
        self._order = {k.key: i for i, k in enumerate(keywords)}
        self._phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self._compact: dict[str, set[str]] = {}
        self._exclude: dict[str, list[tuple[str, ...]]] = {}
        self._forms: dict[str, frozenset[str]] = {}
        for kw in keywords:
            forms: set[str] = set()
            for term in (kw.term, *kw.aliases):
                for c in _compacts(term):
                    self._compact.setdefault(c, set()).add(kw.key)
                    forms.add(c)
                if term.strip().startswith("@"):
                    continue  # a handle matches as a mention or hashtag only
                phrase = _phrase(term)
                if phrase:
                    self._phrases.setdefault(phrase[0], []).append((phrase, kw.key))
                    forms.update(phrase)
            excl = [p for p in (_phrase(e) for e in kw.exclude) if p]
            if excl:
                self._exclude[kw.key] = excl
            self._forms[kw.key] = frozenset(forms)
        self._fold_cache: dict[str, str] = {}

    def forms(self, key: str) -> frozenset[str]:
        """Folded words and compact spellings of a keyword (removed from its word cloud)."""
        return self._forms[key]

    def _fold(self, word: str) -> str:
        out = self._fold_cache.get(word)
        if out is None:
            out = fold(word)
            if len(self._fold_cache) > 100_000:  # bounded memo: vocabularies are open
                self._fold_cache.clear()
            self._fold_cache[word] = out
        return out

    def match(self, text: str) -> list[str]:
        """Keys of the tracked keywords ``text`` is about, in configuration order."""
        found: set[str] = set()
        stream: list[str] = []
        compact = self._compact
        for tok in _TOKEN.findall(text)[:MAX_TEXT_TOKENS]:
            first = tok[0]
            if first == "#" or first == "@":
                body = tok[1:]
                low = body.lower()
                hit = compact.get(low) or compact.get(self._fold(low))
                if hit:
                    found.update(hit)
                if first == "#":
                    stream.extend(self._fold(w) for w in split_words(body))
                else:
                    stream.append("\0")  # a mention breaks a phrase
            else:
                stream.append(self._fold(tok))
        if self._phrases:
            found.update(self._phrase_hits(stream))
        if self._exclude and found:
            found = {k for k in found if not _contains_any(stream, self._exclude.get(k, ()))}
        return sorted(found, key=self._order.__getitem__)

    def _phrase_hits(self, stream: list[str]) -> Iterable[str]:
        phrases = self._phrases
        for i, word in enumerate(stream):
            cands = phrases.get(word)
            if cands:
                for phrase, key in cands:
                    if tuple(stream[i : i + len(phrase)]) == phrase:
                        yield key


def _contains_any(stream: list[str], phrases: Iterable[tuple[str, ...]]) -> bool:
    for phrase in phrases:
        n = len(phrase)
        for i, word in enumerate(stream):
            if word == phrase[0] and tuple(stream[i : i + n]) == phrase:
                return True
    return False


__all__ = [
    "KeywordMatcher",
    "TrackedKeyword",
    "TrackingConfig",
    "fold",
    "keyword_key",
    "split_words",
]
