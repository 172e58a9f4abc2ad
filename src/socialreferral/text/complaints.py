"""Complaint evidence for ``analyze``: the care ranker's cue set over the sentiment tokens.

A post is a complaint when its negative evidence outweighs its positive evidence
(SCION's rule ``N_ns > N_ps``, seed 003, as the care ranker applies it):

``score = N_neg - N_pos + TONE_GAIN * tone > COMPLAINT_MARGIN``

* ``N_neg``: negative opinion words (VADER's lexicon with |valence| >= 1.5 plus domain
  failure words: "broken", "outage", "overcharged", ...), negated positive words ("not
  happy", "never helpful"), negated expected actions ("doesn't work", "never arrived", "no
  response"), an inability followed by any verb ("can't login"), negative emoji and
  hashtags (``#fail``), and every match of the complaint phrase rules: waiting ("still
  waiting", "on hold", "for 3 hours"), silence ("no one answers"), money taken ("charged
  twice", "refund"), failure ("keeps crashing", "stopped working"), expectation-reality
  contrast ("supposed to", "was told", "paid for", "why is ...", "how hard is it"),
  impatience ("??"), threats to leave ("never again", "switching to") and sarcasm ("thanks
  for nothing");
* ``N_pos``: positive opinion words not negated (words that are functional in service
  language, "help", "please", "like", are neither), positive emoji and hashtags;
* ``tone``: P(negative) - P(positive) of the sentiment model (softmax of its scores, as
  :meth:`~socialreferral.text.SentimentModel.predict_proba`), so a post with no cue at
  all is a complaint only when the model finds it clearly negative, and one net negative
  cue is a complaint unless the post reads as clearly positive.

The words and rules are :mod:`socialreferral.text.opinion_lexicon` (shared with the care
ranker). Negation scopes are the sentiment tokens' ``_NEG`` marks (to the next punctuation
or contrast word). ``TONE_GAIN`` and ``COMPLAINT_MARGIN`` were chosen on the dev half of
the hand-labelled TWCS complaints (``benchmarks/complaints.py``); the test half is only
reported.

:func:`complaint_evidence` is the per-post definition; :class:`ComplaintCues` computes the
same scores for a batch of token ids (``tests/text/test_complaints.py`` checks both agree).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from socialreferral.text._token_ids import TokenArrays, TokenBatch, TokenTable
from socialreferral.text._tokenize import NEG_SUFFIX
from socialreferral.text.opinion_lexicon import (
    INABILITY,
    NEGATIVE_EMOJI,
    NEGATIVE_HASHTAG_ENDINGS,
    NOT_FAILURES,
    POSITIVE_EMOJI,
    RULE_SPEC,
    Lexicon,
    default_lexicon,
)
from socialreferral.text.tokenpatterns import TokenPatterns, _parse

__all__ = [
    "COMPLAINT_MARGIN",
    "TONE_GAIN",
    "ComplaintCues",
    "Evidence",
    "complaint_evidence",
    "cue_key",
]

TONE_GAIN = 1.0
COMPLAINT_MARGIN = 0.5
# The complaint shapes only (the other families are SCION's question/purchase/spam rules,
# which analyze has in patterns.py).
COMPLAINT_RULES = TokenPatterns({"neg": RULE_SPEC["neg"]})

# Per-token bits of the batch path.
_INABILITY, _FAILURE_VERB, _RULE_ONE = 1, 2, 4


def _rule_gates() -> tuple[frozenset[str], tuple[str, ...], frozenset[tuple[str, str]]]:
    """Where a complaint rule can start: single words (rules of one token, or whose next
    token is any word), and exact first-two-token pairs (optional slots expanded). A
    superset of where :data:`COMPLAINT_RULES` matches; ``#`` stands for any number."""
    one: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for patterns in RULE_SPEC["neg"].values():
        for pattern in patterns:
            _, slots = _parse(pattern)
            seconds: set[str] = set()
            open_ended = True
            for words, optional in slots[1:]:
                seconds |= words
                if not optional:
                    open_ended = False
                    break
            if open_ended or "*" in seconds:
                one |= slots[0][0]
            else:
                pairs |= {(a, b) for a in slots[0][0] for b in seconds}
    ordered = tuple(sorted({w for pair in pairs for w in pair}))
    return frozenset(one), ordered, frozenset(pairs)


_GATE_ONE, _GATE_WORDS, _GATE_PAIRS = _rule_gates()
_GATE_INDEX = {w: i for i, w in enumerate(_GATE_WORDS)}
_NO_WORD = len(_GATE_WORDS)
# valid[a, b]: rule words a, b (indices in _GATE_WORDS; _NO_WORD = another token) start a rule.
_GATE_VALID = np.zeros((_NO_WORD + 1, _NO_WORD + 1), dtype=bool)
for _a, _b in _GATE_PAIRS:
    _GATE_VALID[_GATE_INDEX[_a], _GATE_INDEX[_b]] = True


def _gate_key(key: str) -> str:
    return "#" if key[:1].isdigit() else key


def cue_key(token: str) -> str:
    """A canonical sentiment token (``_NEG`` mark removed) as the cue lists spell it:
    apostrophes dropped ("don't" → "dont"), placeholders as the rules expect them."""
    if token.endswith(NEG_SUFFIX):
        token = token[: -len(NEG_SUFFIX)]
    if token[:1] == "<":
        if token == "<num>":
            return "1"  # a number: what the rules' "#" slot matches
        if token == "<user>":
            return "@user"
        return token
    return token.replace("'", "") or token  # a lone apostrophe stays one


def _unit_value(key: str, negated: bool, lex: Lexicon) -> int:
    # +1 a negative phrase, -1 a positive one, 0 none (see the module docstring).
    if not key:  # a lone apostrophe
        return 0
    first = key[0]
    if first == "#" and len(key) > 1:
        inner = key[1:]
        if key.endswith(NEGATIVE_HASHTAG_ENDINGS) or inner in lex.negative:
            return 1
        return -1 if inner in lex.positive else 0
    if key in NEGATIVE_EMOJI:
        return 1
    if key in POSITIVE_EMOJI:
        return -1
    if negated:
        # "not happy", "doesn't work"; a negated negative ("not bad") is no phrase.
        return 1 if key in lex.positive or key in lex.expected_actions else 0
    if key in lex.negative:
        return 1
    return -1 if key in lex.positive else 0


def _failure_verb(key: str, lex: Lexicon) -> bool:
    # After "can't"/"unable": any word is a failure ("can't login") except these, and words
    # that already count as a negated positive or action.
    return (
        key.isalpha()
        and key not in NOT_FAILURES
        and key not in lex.positive
        and key not in lex.expected_actions
    )


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a post is (not) a complaint: its cue count and the cues themselves."""

    cues: int
    terms: tuple[str, ...]

    def score(self, tone: float) -> float:
        """``cues + TONE_GAIN * tone`` (a complaint above ``COMPLAINT_MARGIN``)."""
        return self.cues + TONE_GAIN * tone


def complaint_evidence(tokens: Sequence[str], lexicon: Lexicon | None = None) -> Evidence:
    """Net negative cues of one post given its sentiment tokens (``sentiment_tokens``)."""
    lex = lexicon or default_lexicon()
    keys = [cue_key(t) for t in tokens]
    values: list[int] = []
    terms: list[str] = []
    for i, (tok, key) in enumerate(zip(tokens, keys, strict=True)):
        negated = tok.endswith(NEG_SUFFIX)
        value = _unit_value(key, negated, lex)
        if value == 0 and negated and i and keys[i - 1] in INABILITY and _failure_verb(key, lex):
            value = 1
        values.append(value)
        if value > 0:
            terms.append(f"{keys[i - 1]} {key}" if negated and i else key)
    cues = sum(values)
    for m in COMPLAINT_RULES.find(keys):
        # A rule reads its words as one negative phrase: a positive word inside it
        # ("thanks for nothing", "love how ...") no longer counts as positive.
        cues += 1 - sum(v for v in values[m.start : m.end] if v < 0)
        terms.append(" ".join(keys[m.start : m.end]))
    return Evidence(cues, tuple(terms))


class ComplaintCues:
    """:func:`complaint_evidence` for a batch of token ids, with per-token data cached in
    the caller's :class:`~socialreferral.text._token_ids.TokenTable` generation.

    Read and call with ``table.lock`` held (as the annotator does).
    """

    def __init__(self, table: TokenTable, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or default_lexicon()
        self.table = table
        self.units = TokenArrays(self._unit_values, per_token=2, table=table)
        self.bits = TokenArrays(self._bits, table=table)
        self.gate_words = TokenArrays(self._gate_words, table=table)
        self.keys = TokenArrays(self._keys, table=table)

    def _unit_values(self, strings: list[str]) -> npt.NDArray[np.int8]:
        lex = self.lexicon
        out: list[int] = []
        for s in strings:
            key = cue_key(s)
            out += (_unit_value(key, False, lex), _unit_value(key, True, lex))
        return np.array(out, dtype=np.int8)

    def _bits(self, strings: list[str]) -> npt.NDArray[np.int8]:
        lex = self.lexicon
        out = []
        for s in strings:
            key = cue_key(s)
            bits = _INABILITY if key in INABILITY else 0
            if _unit_value(key, True, lex) == 0 and _failure_verb(key, lex):
                bits |= _FAILURE_VERB
            if _gate_key(key) in _GATE_ONE:
                bits |= _RULE_ONE
            out.append(bits)
        return np.array(out, dtype=np.int8)

    @staticmethod
    def _gate_words(strings: list[str]) -> npt.NDArray[np.int16]:
        get = _GATE_INDEX.get
        return np.array([get(_gate_key(cue_key(s)), _NO_WORD) for s in strings], np.int16)

    @staticmethod
    def _keys(strings: list[str]) -> npt.NDArray[np.object_]:
        return np.array([cue_key(s) for s in strings], dtype=object)

    def scores(self, batch: TokenBatch) -> CueScores:
        """Per post the cue count of :func:`complaint_evidence` (and what it needs to name
        the cues, see :meth:`CueScores.terms`)."""
        n_posts = len(batch)
        n = len(batch.base)
        if n == 0:
            empty = np.zeros(0, dtype=np.intp)
            return CueScores(np.zeros(n_posts, np.int64), {}, empty, empty, self.keys.get())
        values = self.units.get()[batch.units].astype(np.int64)
        bits = self.bits.get()[batch.base]
        # "can't <verb>": the token after an inability word in the same post.
        same_prev = np.zeros(n, dtype=bool)
        same_prev[1:] = batch.owner[1:] == batch.owner[:-1]
        prev_inability = np.zeros(n, dtype=bool)
        prev_inability[1:] = (bits[:-1] & _INABILITY) != 0
        negated = (batch.units & 1) == 1
        failure = same_prev & prev_inability & ((bits & _FAILURE_VERB) != 0) & negated
        values += failure
        cues = np.bincount(batch.owner, weights=values, minlength=n_posts).astype(np.int64)
        # Rules: only in posts where one can start (a single-start word, or an exact pair).
        words = self.gate_words.get()[batch.base]
        start = (bits & _RULE_ONE) != 0
        start[:-1] |= _GATE_VALID[words[:-1], words[1:]] & same_prev[1:]
        rule_terms: dict[int, list[str]] = {}
        candidates = np.flatnonzero(start)
        keys = self.keys.get()
        if len(candidates):
            starts = batch.ends - np.diff(batch.ends, prepend=0)
            for post in np.unique(batch.owner[candidates]).tolist():
                a, b = int(starts[post]), int(batch.ends[post])
                toks = keys[batch.base[a:b]].tolist()
                for m in COMPLAINT_RULES.find(toks):
                    span = values[a + m.start : a + m.end]
                    cues[post] += 1 - int(span[span < 0].sum())  # see complaint_evidence
                    rule_terms.setdefault(post, []).append(" ".join(toks[m.start : m.end]))
        hits = np.flatnonzero(values > 0)
        return CueScores(cues, rule_terms, hits, batch.units[hits], keys)


@dataclass(frozen=True, slots=True)
class CueScores:
    """A batch's complaint cue counts, and the positions of its negative cue words."""

    cues: npt.NDArray[np.int64]
    rule_terms: dict[int, list[str]]
    hits: npt.NDArray[np.intp]
    hit_units: npt.NDArray[np.int64]
    keys: npt.NDArray[np.object_]

    def terms(self, batch: TokenBatch, post: int, limit: int = 4) -> list[str]:
        """Up to ``limit`` cues of one post, cue words first, then rule matches."""
        return self.terms_of(batch, [post], limit)[0]

    def terms_of(self, batch: TokenBatch, posts: list[int], limit: int = 4) -> list[list[str]]:
        """:meth:`terms` of several posts (their cue ranges found in one numpy call)."""
        if not posts:
            return []
        ends = batch.ends[posts]
        starts = ends - np.diff(batch.ends, prepend=0)[posts]
        los = np.searchsorted(self.hits, starts).tolist()
        his = np.searchsorted(self.hits, ends).tolist()
        hits, units, keys = self.hits.tolist(), self.hit_units.tolist(), self.keys
        result = []
        for post, a, lo, hi in zip(posts, starts.tolist(), los, his, strict=True):
            out = []
            for i, u in zip(hits[lo : min(hi, lo + limit)], units[lo:hi], strict=False):
                key = str(keys[u >> 1])
                if u & 1 and i > a:
                    key = f"{keys[int(batch.base[i - 1])]} {key}"
                out.append(key)
            result.append(out + self.rule_terms.get(post, [])[: max(0, limit - len(out))])
        return result
