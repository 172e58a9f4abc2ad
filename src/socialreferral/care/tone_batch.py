"""The tone model's features computed with numpy over a whole batch of posts.

:meth:`ToneModel.tone_tokens` walks each post's tokens in Python. Here every tone key (a
token after the ``@user`` / ``<num>`` normalisation) has a dense id; the annotator appends
one integer per token (``key id * 4 + effect``, effect 1 = scope break, 2 = negator) and
this class does the rest per batch: negation scopes from running maxima of negator and
break positions, unigram / negated-unigram ids by array lookup, bigram ids by binary search
of sorted ``previous * M + key`` codes, and one ``bincount`` per class. The result equals
:meth:`ToneModel.tone_tokens` up to float rounding (``tests/care/test_care_annotate.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from socialreferral.care.lexicon import NEGATION_SCOPE
from socialreferral.care.tone import ToneModel

__all__ = ["BatchTone"]

_M = 1 << 22  # key ids stay below this
_NEW_KEYS = 300_000  # keys beyond the model's vocabulary kept before reusing <unk>


class BatchTone:
    """Key ids and batch scoring for one :class:`ToneModel` (or none: zeros)."""

    def __init__(self, tone: ToneModel | None) -> None:
        self.tone = tone
        # new keys extend a dict and two lists together: one lock keeps them aligned when
        # several threads score with one ranker (known keys are read without it)
        self._lock = threading.Lock()
        self._ids: dict[str, int] = {"<unk>": 0}
        # feature ids per key id; numpy (not lists) so the collector never walks them
        self._uni = np.full(1024, -1, dtype=np.int64)
        self._neg = np.full(1024, -1, dtype=np.int64)
        self._uni_map: dict[str, int] = {}
        self._neg_map: dict[str, int] = {}
        self._pairs = np.zeros(1, dtype=np.int64) - 1
        self._pair_ids = np.zeros(1, dtype=np.int64) - 1
        self._limit = _M - 1
        if tone is None:
            return
        self._uni_map, self._neg_map, big = tone.tables()
        for k in self._uni_map:
            self.key(k)
        for k in self._neg_map:
            self.key(k)
        codes: list[int] = []
        ids: list[int] = []
        for prev, after in big.items():
            p = self.key(prev)
            for tok, j in after.items():
                codes.append(p * _M + self.key(tok))
                ids.append(j)
        if codes:
            order = np.argsort(np.asarray(codes, dtype=np.int64))
            self._pairs = np.asarray(codes, dtype=np.int64)[order]
            self._pair_ids = np.asarray(ids, dtype=np.int64)[order]
        self._limit = min(_M - 1, len(self._ids) + _NEW_KEYS)
        self.start = self.key("<s>")

    start = 0

    def key(self, key: str) -> int:
        """The dense id of a tone key (keys outside the model's vocabulary have no
        unigram feature; past the bound they share ``<unk>``)."""
        found = self._ids.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._ids.get(key)
            if found is None:
                found = len(self._ids)
                if found >= self._limit:
                    return 0
                if found >= len(self._uni):  # grow by doubling; readers hold old arrays
                    grown = np.full(2 * len(self._uni), -1, dtype=np.int64)
                    grown_neg = grown.copy()
                    grown[: len(self._uni)] = self._uni
                    grown_neg[: len(self._neg)] = self._neg
                    self._uni, self._neg = grown, grown_neg
                self._uni[found] = self._uni_map.get(key, -1)
                self._neg[found] = self._neg_map.get(key, -1)
                self._ids[key] = found
        return found

    def tones(self, packed: Sequence[int] | npt.NDArray[np.int64],
              counts: list[int]) -> npt.NDArray[np.float64]:
        """``P(neg) - P(pos)`` per post; post ``k`` owns the next ``counts[k]`` tokens
        (``packed``: each token's tone key id * 4 + scope effect, a list or an array)."""
        n = len(counts)
        if self.tone is None or n == 0:
            return np.zeros(n)
        with self._lock:
            uni, neg = self._uni, self._neg
        logits = np.tile(self.tone.intercept.astype(np.float64), (n, 1))
        if len(packed) == 0:
            return ToneModel._tone(logits.astype(np.float32))
        v = np.asarray(packed, dtype=np.int64)
        keys, effect = v >> 2, v & 3
        count = np.asarray(counts, dtype=np.int64)
        post = np.repeat(np.arange(n), count)
        first = np.repeat(np.cumsum(count) - count, count)
        pos = np.arange(len(v))
        last_neg = np.maximum.accumulate(np.where(effect == 2, pos, -1))
        last_brk = np.maximum.accumulate(np.where(effect == 1, pos, -1))
        negated = (effect == 0) & (last_neg >= first) & (last_neg > last_brk)
        negated &= pos - last_neg <= NEGATION_SCOPE
        unigram = np.where(negated, neg[keys], uni[keys])
        prev = np.empty_like(keys)
        prev[1:] = keys[:-1]
        prev[first == pos] = self.start
        codes = prev * _M + keys
        at = np.minimum(np.searchsorted(self._pairs, codes), len(self._pairs) - 1)
        bigram = np.where(self._pairs[at] == codes, self._pair_ids[at], -1)
        feats = np.concatenate([unigram, bigram])
        owner = np.concatenate([post, post])
        keep = feats >= 0
        feats, owner = feats[keep], owner[keep]
        coef = self.tone.coef
        for c in range(coef.shape[1]):
            logits[:, c] += np.bincount(owner, weights=coef[feats, c], minlength=n)
        return ToneModel._tone(logits.astype(np.float32))
