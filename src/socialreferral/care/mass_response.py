"""Mass response (seed 003, "experience"): group similar posts so one answer serves all.

"Posts that require a mass response can be immediately responded to (e.g. queries about
product updates) ... and the categorization helps ensure consistency in responses."

:func:`group_similar` links two posts when the cosine similarity of their TF-IDF vectors
(words and bigrams, English stop words removed) reaches ``threshold``, and returns the
connected groups of at least ``min_size`` posts, largest first, each with its top terms
and the member most similar to the rest (a representative to draft the answer from).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.errors import InvalidInput

__all__ = ["MAX_GROUP_POSTS", "SimilarGroup", "group_similar"]

MAX_GROUP_POSTS = 50_000  # the similarity matrix is sparse but quadratic in the worst case


class SimilarGroup(DomainModel):
    """Posts similar enough to share one response."""

    members: tuple[int, ...]  # indices into the input, ascending
    representative: int  # the member most similar to the others
    top_terms: tuple[str, ...]
    mean_similarity: float = Field(ge=0.0, le=1.0)


def group_similar(
    texts: Sequence[str],
    *,
    threshold: float = 0.5,
    min_size: int = 2,
    stop_words: Sequence[str] = (),
) -> list[SimilarGroup]:
    """Groups of mutually reachable similar posts (see the module docstring)."""
    from scipy.sparse.csgraph import connected_components
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    if not 0.0 < threshold <= 1.0:
        raise InvalidInput("threshold must be in (0, 1]", field="threshold")
    if len(texts) > MAX_GROUP_POSTS:
        raise InvalidInput(f"at most {MAX_GROUP_POSTS} posts", field="texts")
    if len(texts) < max(2, min_size):
        return []
    vectorizer = TfidfVectorizer(
        stop_words=sorted(ENGLISH_STOP_WORDS | {w.lower() for w in stop_words}),
        token_pattern=r"(?u)\b[a-z][a-z0-9]+\b",
        ngram_range=(1, 2),
        sublinear_tf=True,
    )
    try:
        x = vectorizer.fit_transform(texts)
    except ValueError:  # no content words at all
        return []
    sim = (x @ x.T).tocsr()
    sim.data[sim.data < threshold] = 0.0
    sim.eliminate_zeros()
    n_groups, labels = connected_components(sim, directed=False)
    vocab = vectorizer.get_feature_names_out()
    groups: list[SimilarGroup] = []
    for g in range(n_groups):
        members = np.flatnonzero(labels == g)
        if members.size < min_size:
            continue
        block = (x[members] @ x[members].T).toarray()
        np.fill_diagonal(block, 0.0)
        mean = block.sum(axis=1) / (members.size - 1)
        centroid = np.asarray(x[members].mean(axis=0)).ravel()
        top = tuple(str(vocab[i]) for i in np.argsort(-centroid)[:5] if centroid[i] > 0)
        groups.append(
            SimilarGroup(
                members=tuple(int(m) for m in members),
                representative=int(members[int(np.argmax(mean))]),
                top_terms=top,
                mean_similarity=float(min(1.0, max(0.0, mean.mean()))),
            )
        )
    groups.sort(key=lambda grp: (-len(grp.members), grp.members[0]))
    return groups
