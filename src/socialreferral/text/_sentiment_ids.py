""":class:`~socialreferral.text.SentimentModel` scores over token ids: the batch fast path.

A :class:`SentimentScorer` ties one model to one :class:`~socialreferral.text._token_ids.
TokenTable`. Per unit id (``tok`` and ``tok_NEG``) it computes once: the char block's summed
row and squared norm, the word-vocabulary index of the unigram, the lexicon valence and
flags, and the token's *pair id* for bigram lookups. Those rows are the scorer's cache; they
live in the table's generation (bounded by the table). Word bigrams are found in a hash table
keyed by pair ids, which depends on the model alone (:func:`bigram_index`, built once when the
model is fitted or loaded), so a new table costs nothing up front.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from socialreferral.text._lexicon import LITOTES, lexicon_features_flat, valence
from socialreferral.text._token_ids import TokenArrays, TokenBatch, TokenTable
from socialreferral.text._tokenize import NEG_SUFFIX

if TYPE_CHECKING:
    from socialreferral.text.sentiment import SentimentModel


class PairTable:
    """Open-addressing hash table int64 key -> int64 value, looked up with numpy for a whole
    array of keys at once (a binary search over the ~10^5 bigram keys cost 10x more).

    Immutable once built.
    """

    _MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing

    def __init__(self, items: dict[int, int]) -> None:
        self._build(
            np.fromiter(items, dtype=np.int64, count=len(items)),
            np.fromiter(items.values(), dtype=np.int32, count=len(items)),
        )

    @classmethod
    def from_arrays(
        cls, keys: npt.NDArray[np.int64], values: npt.NDArray[np.int64]
    ) -> PairTable:
        """The table of ``keys[i] -> values[i]`` (keys distinct)."""
        table = cls.__new__(cls)
        table._build(keys.astype(np.int64), values.astype(np.int32))
        return table

    def _build(self, keys: npt.NDArray[np.int64], values: npt.NDArray[np.int32]) -> None:
        bits = max(4, (2 * len(keys)).bit_length())  # load factor <= 1/2: short probes
        self.shift = np.uint64(64 - bits)
        self.mask = (1 << bits) - 1
        self.keys = np.full(1 << bits, -1, dtype=np.int64)
        self.values = np.full(1 << bits, -1, dtype=np.int32)
        # Linear probing, inserted in rounds: per free slot one waiting key takes it, the others
        # move on; a slot never empties again, so every key's probe path stays unbroken.
        slot = self._slots(keys)
        todo = np.arange(len(keys))
        while len(todo):
            free = self.keys[slot] == -1
            taken, first = np.unique(slot[free], return_index=True)
            winners = todo[free][first]
            self.keys[taken] = keys[winners]
            self.values[taken] = values[winners]
            left = np.ones(len(todo), dtype=bool)
            left[np.flatnonzero(free)[first]] = False
            todo = todo[left]
            slot = (slot[left] + 1) & self.mask

    def _slots(self, keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        return ((keys.view(np.uint64) * self._MULT) >> self.shift).astype(np.int64)

    def lookup(self, keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Value of each key (keys must be >= 0), -1 when absent."""
        out = np.full(len(keys), -1, dtype=np.int64)
        slot = self._slots(keys)
        todo = np.arange(len(keys))
        while len(todo):
            found = self.keys[slot]
            hit = found == keys[todo]
            out[todo[hit]] = self.values[slot[hit]]
            more = ~hit & (found != -1)
            todo = todo[more]
            slot = (slot[more] + 1) & self.mask
        return out


_CHUNK = 8192  # bigrams per join/split in bigram_index


def bigram_index(vocab: Mapping[str, int]) -> tuple[dict[str, int], PairTable]:
    """Pair ids of the tokens that occur in a bigram feature, and ``(a, b) -> feature``.

    A token's pair id is its unigram feature index; a bigram half that is no unigram
    feature (possible in a hand-made vocabulary, never after ``fit``: a document holding
    "a b" also holds "a") gets an id past the vocabulary. The bigram "a b" is key
    ``pair(a) << 32 | pair(b)``.
    """
    # Built when a worker loads its model (~10^5 bigrams), so it avoids a Python object
    # per bigram that outlives its step: 10^5 kept split lists made the garbage collector
    # pass over them again and again, most of the time. A join and split per chunk gives
    # the halves in order; chunks keep the transient strings (and the peak RSS) small.
    ids = {t: j for t, j in vocab.items() if " " not in t}
    bigrams = [t for t in vocab if " " in t]
    extra = len(vocab)
    chunks = []
    for start in range(0, len(bigrams), _CHUNK):
        chunk = bigrams[start : start + _CHUNK]
        halves = " ".join(chunk).split(" ")
        if len(halves) != 2 * len(chunk):  # a token holding a space: split one by one
            halves = [h for t in chunk for h in t.split(" ", 1)]
        if not all(map(ids.__contains__, halves)):  # a hand-made vocabulary
            for half in halves:
                if half not in ids:
                    ids[half] = extra
                    extra += 1
        chunks.append(np.fromiter(map(ids.__getitem__, halves), np.int64, len(halves)))
    pair = np.concatenate(chunks or [np.empty(0, np.int64)]).reshape(-1, 2)
    keys = (pair[:, 0] << 32) | pair[:, 1]
    values = np.fromiter(map(vocab.__getitem__, bigrams), np.int64, len(bigrams))
    return ids, PairTable.from_arrays(keys, values)


class SentimentScorer:
    """A model's linear scores for batches encoded with ``table`` (module docstring).

    Use it with ``table.lock`` held from :func:`~socialreferral.text._token_ids.encode` to
    :meth:`decision`. :meth:`decision` equals ``model.decision_tokens`` on the same posts
    bit for bit (same sums in the same order).
    """

    def __init__(self, model: SentimentModel, table: TokenTable) -> None:
        self.model = model
        self.table = table
        self.words, self.chars = model._additive_scorers()
        self.pair_ids, self.pairs = model._bigram_index()
        self.k = self.words.k
        lex_start = model.words.n_features + model.chars.n_features
        self.lex_coef = model.coef[:, lex_start : model._n_base].T
        self.units = TokenArrays(self._unit_rows, per_token=2, table=table)

    def _unit_rows(self, strings: list[str]) -> npt.NDArray[np.float64]:
        # Columns: char s (k), char q, word-unigram index (-1: none), valence, flags, pair id.
        marked = [u for s in strings for u in (s, s + NEG_SUFFIX)]
        k = self.k
        out = np.empty((len(marked), k + 5))
        out[:, :k], out[:, k] = self.chars.token_rows(marked)
        vocab = self.model.words.vocab
        out[:, k + 1] = [vocab.get(u, -1) for u in marked]
        lex = valence()
        out[:, k + 2] = [lex.get(u, 0.0) for u in marked]
        out[:, k + 3] = [
            (u in lex)
            | (i & 1) << 1
            | (u[0] == "!") << 2
            | (u[0] == "?") << 3
            | (i & 1 and u in lex and u[: -len(NEG_SUFFIX)] not in LITOTES) << 4
            for i, u in enumerate(marked)
        ]
        pair_ids = self.pair_ids
        out[:, k + 4] = [pair_ids.get(u, -1) for u in marked]
        return out

    def decision(self, batch: TokenBatch) -> npt.NDArray[np.float32]:
        """Scores, shape (n, n_labels), with the intercept and the model's negation rule."""
        model = self.model
        linear, flip = self.scores(batch)
        scores = linear + model.intercept
        # A "minilm" model's sentence-embedding block (None for the n-gram model): it embeds
        # every post (10-15 ms each), which is why that model is opt-in.
        embedded = model.encoder_scores(batch.lower)
        if embedded is not None:
            scores += embedded
        if model.negation_rule and "positive" in model.labels and flip.any():
            pos = model.labels.index("positive")
            scores[flip, pos] = scores[flip].max(axis=1) + 0.25
        return scores

    def scores(self, batch: TokenBatch) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
        """Linear scores (no intercept) and the posts the negation rule applies to."""
        if batch.generation != self.table.generation:
            raise RuntimeError("token ids are stale: encode() and score under table.lock")
        n, k = len(batch), self.k
        u, owner = batch.units, batch.owner
        if len(u) == 0:  # no token at all: every sum is zero (as in decision_tokens)
            return np.zeros((n, self.k), dtype=np.float32), np.zeros(n, dtype=bool)
        rows = self.units.get()[u]
        # Words: unigrams of all posts, then bigrams (per post the order of with_bigrams).
        wi = rows[:, k + 1].astype(np.int64)
        has = wi >= 0
        pid = rows[:, k + 4].astype(np.int64)
        left, right = pid[:-1], pid[1:]
        pairs = (owner[1:] == owner[:-1]) & (left >= 0) & (right >= 0)
        bid = self.pairs.lookup((left[pairs] << 32) | right[pairs])
        found = bid >= 0
        vid = np.concatenate([wi[has], bid[found]])
        vown = np.concatenate([owner[has], owner[:-1][pairs][found]])
        word = self._sum(self.words._unit_s[vid], self.words._unit_q[vid], vown, n)
        char = self._sum(rows[:, :k], rows[:, k], owner, n)
        lex, flip = lexicon_features_flat(rows[:, k + 2], rows[:, k + 3].astype(np.int64), owner, n)
        lex *= self.model.lexicon_weight
        return np.asarray(word + char + lex @ self.lex_coef, dtype=np.float32), flip

    def _sum(
        self,
        s: npt.NDArray[np.float64],
        q: npt.NDArray[np.float64],
        owner: npt.NDArray[np.int64],
        n: int,
    ) -> npt.NDArray[np.float64]:
        qs = np.bincount(owner, weights=q, minlength=n)
        out = np.empty((n, self.k))
        for c in range(self.k):
            out[:, c] = np.bincount(owner, weights=s[:, c], minlength=n)
        qs[qs == 0] = 1.0
        return out / np.sqrt(qs)[:, None]
