"""VADER's human-rated valence lexicon as fast token-level features.

The ``vaderSentiment`` wheel ships ``vader_lexicon.txt``; we read it once (lazily) from the
installed package, so nothing is downloaded. Calling VADER itself per post is ~10x too slow
for ``analyze``; its lexicon as features keeps most of the signal. The one process-wide
object here is that parsed file (:func:`valence`): shipped data, loaded on first use and
never modified, so sharing it shares no state.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt

from socialreferral.text._tokenize import NEG_SUFFIX, is_negator

# Negative words whose negation is a stock positive phrase (litotes: "not bad", "no
# problems", "no complaints", "no worries"). SCION's negation rule turns a post positive
# only when its negated opinion words are all of these: on held-out SemEval years, the
# same rule for every negated negative word flipped more tweets wrongly than rightly (it
# cost 0.4-0.7 points of macro recall), this one costs nothing measurable.
LITOTES = frozenset(
    [
        "bad",
        "problem",
        "problems",
        "complaint",
        "complaints",
        "worry",
        "worries",
        "worried",
        "issue",
        "issues",
        "shabby",
        "bother",
        "trouble",
        "wrong",
    ]
)

# VADER's own damping of negated valence ("not good" is mildly negative, not very negative).
_NEGATION_SCALAR = -0.74
N_LEXICON_FEATURES = 6


@lru_cache(maxsize=1)
def valence() -> dict[str, float]:
    """Token → valence in [-4, 4]; negated forms (``word_NEG``) flipped and damped.

    Loaded once per process; callers only read it (treat it as immutable).
    """
    text = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text("utf-8")
    lex: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            try:
                v = float(parts[1])
            except ValueError:
                continue
            if is_negator(parts[0]):
                # "no" is -1.2 in VADER, but negators act through the _NEG scope instead:
                # counting them too makes "no problems, no complaints" look negative.
                continue
            lex[parts[0]] = v
            lex[parts[0] + NEG_SUFFIX] = v * _NEGATION_SCALAR
    return lex


def lexicon_features(docs: Sequence[Sequence[str]]) -> npt.NDArray[np.float32]:
    """Per document: positive/negative valence sums, counts, '!' and '?' presence."""
    lex = valence()
    out = np.zeros((len(docs), N_LEXICON_FEATURES), dtype=np.float32)
    for i, doc in enumerate(docs):
        vals = [lex[t] for t in doc if t in lex]
        pos = sum(v for v in vals if v > 0)
        neg = -sum(v for v in vals if v < 0)
        npos = sum(1 for v in vals if v > 0)
        out[i, 0] = pos
        out[i, 1] = neg
        out[i, 2] = npos
        out[i, 3] = len(vals) - npos
        out[i, 4] = any(t.startswith("!") for t in doc)
        out[i, 5] = any(t.startswith("?") for t in doc)
    # Compress the scale so these dense features sit near the tf-idf range.
    np.log1p(out, out=out)
    return out


def lexicon_hits(tokens: Sequence[str]) -> list[tuple[str, float]]:
    """Tokens with a lexicon valence (used to explain a sentiment decision)."""
    lex = valence()
    return [(t, lex[t]) for t in tokens if t in lex]


def negated_negative_only(docs: Sequence[Sequence[str]]) -> npt.NDArray[np.bool_]:
    """Documents whose opinion words are all negated stock negatives ("not bad", "no
    problems"; :data:`LITOTES`).

    Requires at least one negated negative word, every negated opinion word among
    :data:`LITOTES`, no plain negative word and no negated positive word ("not good" stays
    negative).
    """
    lex = valence()
    out = np.zeros(len(docs), dtype=bool)
    for i, doc in enumerate(docs):
        found = False
        for t in doc:
            v = lex.get(t)
            if v is None:
                continue
            if t.endswith(NEG_SUFFIX):
                if v < 0 or t[: -len(NEG_SUFFIX)] not in LITOTES:
                    # a negated positive word, or a negated negative that is no stock phrase
                    found = False
                    break
                found = True
            elif v < 0:
                found = False
                break
        out[i] = found
    return out


def lexicon_features_flat(
    values: npt.NDArray[np.float64],
    flags: npt.NDArray[np.int64],
    owner: npt.NDArray[np.int64],
    n_docs: int,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
    """:func:`lexicon_features` and :func:`negated_negative_only` for a flattened batch.

    Per token of the batch: ``values`` its valence (0 when not in the lexicon), ``flags``
    bit 0 in the lexicon, bit 1 negation-marked, bit 2 starts with "!", bit 3 with "?",
    bit 4 negation-marked lexicon word outside :data:`LITOTES`;
    ``owner`` its document. Same results as the per-document functions (same summation order).
    """
    hit = (flags & 1).astype(bool)
    pos = hit & (values > 0)
    neg = hit & (values < 0)
    out = np.zeros((n_docs, N_LEXICON_FEATURES), dtype=np.float32)
    out[:, 0] = np.bincount(owner, np.where(pos, values, 0.0), minlength=n_docs)
    out[:, 1] = np.bincount(owner, np.where(neg, -values, 0.0), minlength=n_docs)
    npos = np.bincount(owner, pos, minlength=n_docs)
    out[:, 2] = npos
    out[:, 3] = np.bincount(owner, hit, minlength=n_docs) - npos
    out[:, 4] = np.bincount(owner, flags & 4, minlength=n_docs) > 0
    out[:, 5] = np.bincount(owner, flags & 8, minlength=n_docs) > 0
    np.log1p(out, out=out)
    # negated_negative_only: no negative-valued hit (plain negative or negated positive) and
    # at least one negated hit that is not.
    negated_ok = hit & ~neg & (flags & 2).astype(bool)
    flip = (
        (np.bincount(owner, neg, minlength=n_docs) == 0)
        & (np.bincount(owner, negated_ok, minlength=n_docs) > 0)
        & (np.bincount(owner, (flags & 16).astype(bool), minlength=n_docs) == 0)
    )
    return out, flip
