"""The ranker's single-pass annotator: features, tone and business function in one walk.

:func:`~socialreferral.care.features.extract`, :class:`~socialreferral.care.tone.ToneModel`
and :class:`~socialreferral.care.categorizer.Categorizer` each walk a post's tokens. Here one
per-token record (cached per instance, bounded) carries what all three need (polarity and
cue bits, the tone key id, the categorizer's dictionary entries, whether a rule can start),
so each token costs one dictionary lookup; the tone model then runs over the whole batch
in numpy (:class:`~socialreferral.care.tone_batch.BatchTone`). Output equals the three
separate passes (``tests/care/test_care_annotate.py`` checks it on generated posts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

from socialreferral.care.categorizer import NOTHING, Categorizer, Hits
from socialreferral.care.features import RawFeatures, finish, tokenize
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
    normalize,
)
from socialreferral.care.tokenpatterns import TokenPatterns
from socialreferral.care.tone import NEGATORS as TONE_NEGATORS
from socialreferral.care.tone import SCOPE_BREAK as TONE_BREAK
from socialreferral.care.tone import ToneModel
from socialreferral.care.tone_batch import BatchTone

__all__ = ["Annotated", "Annotator"]

_CACHE_LIMIT = 300_000
# token kinds
_MENTION, _HASHTAG, _NEG_EMOJI, _POS_EMOJI, _NUMBER, _WORD, _OTHER = range(7)  # boring last

# A token's record is one int, so the (large) record cache holds no container the garbage
# collector must visit: bit 0 a rule can start here, bit 1 the categorizer has entries for
# it, bits 2-4 kind, bits 5-11 lexicon code bits, bits 12+ tone key id * 4 + tone scope
# effect (1 break, 2 negator).
_CAN_START, _HAS_CAT = 1, 2
_MATTERS_BITS = _CAN_START | _HAS_CAT | 127 << 5  # a rule start, a dictionary entry, a code
_KIND_BITS = 7 << 2


@dataclass(frozen=True, slots=True)
class Annotated:
    """One post: its features and routing."""

    raw: RawFeatures
    function: str | None
    candidates: tuple[str, ...]
    matched: dict[str, tuple[str, ...]]


class Annotator:
    """Features + tone + business function for batches of texts (see module docstring)."""

    def __init__(
        self,
        codes: dict[str, int],
        categorizer: Categorizer,
        tone: ToneModel | None,
        rules: TokenPatterns = RULES,
    ) -> None:
        self.codes = codes
        self.categorizer = categorizer
        self.tone = tone
        self.rules = rules
        self._records: dict[str, int] = {}
        self._cat: dict[str, tuple[object, object]] = {}  # tokens with dictionary entries
        self._batch_tone = BatchTone(tone)

    def _record(self, tok: str) -> int:
        if len(self._records) >= _CACHE_LIMIT:
            self._records.clear()
            self._cat.clear()
        first = tok[0]
        if first == "@":
            kind, key = _MENTION, "@user"
        elif first == "#":
            kind, key = _HASHTAG, tok
        elif tok in NEGATIVE_EMOJI:
            kind, key = _NEG_EMOJI, tok
        elif tok in POSITIVE_EMOJI:
            kind, key = _POS_EMOJI, tok
        elif first.isdigit():
            kind, key = (_NUMBER if len(tok) >= 4 else _OTHER), "<num>"
        elif tok.isalnum():
            kind, key = _WORD, tok
        else:
            kind, key = _OTHER, tok
        effect = 1 if key in TONE_BREAK else 2 if key in TONE_NEGATORS else 0
        record = (self._batch_tone.key(key) * 4 + effect) << 12
        record |= self.codes.get(tok, 0) << 5 | kind << 2
        if self.rules.can_start(tok):
            record |= _CAN_START
        cat = self.categorizer.info(tok, cache=False)
        if cat is not NOTHING:
            self._cat[tok] = cat
            record |= _HAS_CAT
        self._records[tok] = record
        return record

    def annotate(self, texts: Sequence[str]) -> tuple[list[Annotated], npt.NDArray[np.float64]]:
        """Annotations and tone (``P(neg) - P(pos)``, zeros without a tone model).

        Three phases: each post is tokenised and its tokens' records looked up (one list
        comprehension); numpy then marks, over the whole batch at once, the tokens that
        can matter (a lexicon code, a non-word kind, a rule start, a dictionary entry) —
        about 40% of tweet tokens; the per-token state machine runs over those only,
        stepping through the plain words in between only while a negation scope is open
        (they count it down, or complete an inability failure). The result equals the
        token-by-token walk (``tests/care/test_care_annotate.py``).
        """
        records = self._records
        get = records.get
        learn = self._record
        posts: list[tuple[str, list[str]]] = []
        flat: list[int] = []
        extend = flat.extend
        counts: list[int] = []
        for text in texts:
            low = normalize(text)
            toks = tokenize(low)
            recs = [get(tok) for tok in toks]
            if None in recs:  # new tokens: learn their records
                extend([learn(t) if r is None else r for r, t in zip(recs, toks, strict=True)])
            else:
                extend(cast("list[int]", recs))
            counts.append(len(toks))
            posts.append((low, toks))
        values = np.asarray(flat, dtype=np.int64)
        keep = (values & _MATTERS_BITS) != 0
        keep |= (values & _KIND_BITS) < (_WORD << 2)
        marked: list[int] = np.flatnonzero(keep).tolist()
        out: list[Annotated] = []
        offset = 0
        cursor = 0
        total = len(marked)
        for (low, toks), n in zip(posts, counts, strict=True):
            end = offset + n
            stop = cursor
            while stop < total and marked[stop] < end:
                stop += 1
            out.append(self._one(low, toks, flat, offset, marked[cursor:stop]))
            cursor, offset = stop, end
        return out, self._batch_tone.tones(values >> 12, counts)

    def _one(self, low: str, toks: list[str], flat: list[int], offset: int,
             marked: list[int]) -> Annotated:
        """One post: the state machine over its marked tokens (``annotate``'s docstring)."""
        collect = self.categorizer.collect
        codes = self.codes
        cats = self._cat
        negative: list[str] = []
        positive: list[str] = []
        found: list[str] = []
        starts: list[int] = []
        hits: Hits = {}
        scope = 0
        negator = ""
        pos = 0  # the next token not yet walked
        end = offset + len(toks)
        for g in (*marked, end):  # the end: walk the words after the last marked token
            i = g - offset
            while scope and pos < i:  # plain words inside an open negation scope
                if (
                    scope == NEGATION_SCOPE
                    and negator in INABILITY
                    and flat[offset + pos] >> 2 & 7 == _WORD
                    and toks[pos].isalpha()
                    and toks[pos] not in NOT_FAILURES
                ):
                    negative.append(f"failure:{negator} {toks[pos]}")
                    scope = 0
                else:
                    scope -= 1
                pos += 1
            if g == end:
                break
            pos = i + 1
            tok = toks[i]
            rec = flat[g]
            if rec & _CAN_START:
                starts.append(i)
            if rec & _HAS_CAT:
                # .get: another thread may have just reset the caches
                cat = cats.get(tok) or self.categorizer.info(tok, cache=False)
                collect(cat, toks, i, hits)  # type: ignore[arg-type]
            code = rec >> 5 & 127
            kind = rec >> 2 & 7
            # opinion phrases and entities, exactly as features.extract
            if not code:
                if scope:
                    if (
                        scope == NEGATION_SCOPE
                        and negator in INABILITY
                        and kind == _WORD
                        and tok.isalpha()
                        and tok not in NOT_FAILURES
                    ):
                        negative.append(f"failure:{negator} {tok}")
                        scope = 0
                        continue
                    scope -= 1
                if kind >= _WORD:  # plain words and punctuation: nothing more
                    continue
                if kind == _MENTION:
                    found.append("mention:" + tok)
                elif kind == _HASHTAG:
                    found.append("hashtag:" + tok)
                    inner = codes.get(tok[1:], 0)
                    if tok.endswith(NEGATIVE_HASHTAG_ENDINGS) or inner & NEG:
                        negative.append("hashtag:" + tok)
                    elif inner & POS:
                        positive.append("hashtag:" + tok)
                elif kind == _NEG_EMOJI:
                    negative.append("emoji:" + tok)
                elif kind == _POS_EMOJI:
                    positive.append("emoji:" + tok)
                else:
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
            elif code & NEG:
                negative.append("negative:" + tok)
            elif code & POS:
                positive.append("positive:" + tok)
        matches = self.rules.find(toks, starts) if starts else []
        raw = finish(low, toks, negative, positive, found, matches)
        function, candidates, matched = self.categorizer.decide(hits)
        return Annotated(raw, function, candidates, matched)
