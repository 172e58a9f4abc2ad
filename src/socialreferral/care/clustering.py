"""The periodic categorizer job (seed 003, Figure 4, left-hand side).

Run every 24 hours (a BatchCompute task in the service; a pure function here):

1. cluster recent posts (TF-IDF over words and bigrams, configurable domain stop words
   such as "car, truck, auto", k-means);
2. name each cluster by its most frequent term, or by its top terms separated by commas
   when no single term covers most of its posts;
3. map each cluster to the function whose dictionary its top-X discriminative terms match
   most (a tie lists every tied function; no match: miscellaneous);
4. **propose** the cluster's other top terms for that function's dictionary. Proposals are
   never added silently: an agent approves or rejects them, and that
   :class:`AgentFeedback` (plus corrected categories) is an input of the next run and of
   the real-time :class:`~socialreferral.care.categorizer.Categorizer`
   (:func:`apply_feedback`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from pydantic import Field

from socialreferral.care.categorizer import Categorizer
from socialreferral.care.models import IntentType
from socialreferral.care.settings import MISCELLANEOUS, BusinessFunction
from socialreferral.domain._base import DomainModel
from socialreferral.errors import InvalidInput

__all__ = [
    "MAX_JOB_POSTS",
    "AgentFeedback",
    "CategorizerRun",
    "ClusterSummary",
    "Correction",
    "TermProposal",
    "apply_feedback",
    "run_categorizer_job",
]

MAX_JOB_POSTS = 200_000


class Correction(DomainModel):
    """An agent's correction of one post's category and/or intent."""

    text: str = Field(max_length=10_000)
    function: str | None = None
    intent: IntentType | None = None


class AgentFeedback(DomainModel):
    """What agents decided since the last run; an input of the next one."""

    approved_terms: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    rejected_terms: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    corrections: tuple[Correction, ...] = ()


class TermProposal(DomainModel):
    """A term the job suggests adding to a function's dictionary (awaiting an agent)."""

    function: str
    term: str
    cluster: str  # the cluster's name, or "agent corrections"
    score: float  # discriminative weight of the term in that cluster


class ClusterSummary(DomainModel):
    """One cluster of the run: its name, size, top terms and mapped function."""

    cluster_id: int
    name: str
    size: int
    top_terms: tuple[str, ...]
    function: str | None  # None on a tie (see candidates)
    candidates: tuple[str, ...]
    votes: dict[str, float]
    members: tuple[int, ...]  # indices into the job's input posts


class CategorizerRun(DomainModel):
    """The result of one periodic run."""

    clusters: tuple[ClusterSummary, ...]
    proposals: tuple[TermProposal, ...]
    functions: tuple[BusinessFunction, ...]  # the dictionaries the run used


def apply_feedback(
    functions: Sequence[BusinessFunction], feedback: AgentFeedback | None
) -> tuple[BusinessFunction, ...]:
    """The functions with the agent-approved terms appended (unknown functions refused)."""
    if feedback is None:
        return tuple(functions)
    names = {f.name for f in functions}
    unknown = sorted(set(feedback.approved_terms) - names)
    if unknown:
        raise InvalidInput(f"unknown business functions {unknown}", field="approved_terms")
    return tuple(
        f.model_copy(update={"terms": f.terms + tuple(feedback.approved_terms.get(f.name, ()))})
        if f.name in feedback.approved_terms
        else f
        for f in functions
    )


def _default_k(n: int) -> int:
    return max(2, min(50, round(math.sqrt(n / 2))))


def run_categorizer_job(
    texts: Sequence[str],
    functions: Sequence[BusinessFunction],
    *,
    feedback: AgentFeedback | None = None,
    stop_words: Sequence[str] = (),
    n_clusters: int | None = None,
    top_x: int = 10,
    proposals_per_cluster: int = 5,
    random_state: int = 0,
) -> CategorizerRun:
    """Cluster ``texts``, map clusters to functions and propose dictionary terms."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    if len(texts) > MAX_JOB_POSTS:
        raise InvalidInput(f"at most {MAX_JOB_POSTS} posts per run", field="texts")
    functions = apply_feedback(functions, feedback)
    corrections = feedback.corrections if feedback else ()
    corpus = [*texts, *(c.text for c in corrections)]
    labels_of_extra = [c.function for c in corrections]
    rejected = {
        (fn, t.lower())
        for fn, terms in (feedback.rejected_terms if feedback else {}).items()
        for t in terms
    }
    categorizer = Categorizer(functions)
    stops = sorted(
        ENGLISH_STOP_WORDS | {w.lower() for w in stop_words} | {"amp", "https", "http", "co"}
    )
    vectorizer = TfidfVectorizer(
        stop_words=stops,
        token_pattern=r"(?u)\b[a-z][a-z0-9]{2,}\b",
        ngram_range=(1, 2),
        min_df=2,
        max_df=0.5,
        sublinear_tf=True,
    )
    try:
        x = vectorizer.fit_transform(corpus)
    except ValueError:  # empty vocabulary: too few or too uniform posts
        return CategorizerRun(clusters=(), proposals=(), functions=functions)
    n = x.shape[0]
    k = min(n_clusters or _default_k(n), n)
    if k < 2:
        return CategorizerRun(clusters=(), proposals=(), functions=functions)
    model = KMeans(n_clusters=k, n_init=3, random_state=random_state)
    assignment = model.fit_predict(x)
    vocab = np.asarray(vectorizer.get_feature_names_out())
    overall = np.asarray(x.mean(axis=0)).ravel()
    binary = x.copy()
    binary.data[:] = 1.0
    clusters: list[ClusterSummary] = []
    proposals: list[TermProposal] = []
    for cid in range(k):
        rows = np.flatnonzero(assignment == cid)
        if rows.size == 0:
            continue
        centroid = np.asarray(x[rows].mean(axis=0)).ravel()
        lift = centroid - overall
        order = np.argsort(-lift)[:top_x]
        top = [(str(vocab[i]), float(lift[i])) for i in order if lift[i] > 0]
        coverage = np.asarray(binary[rows].mean(axis=0)).ravel()
        name = _name(vocab, coverage, top)
        votes: dict[str, float] = {}
        for term, _ in top:
            for fn in categorizer.categorize(term).matched:
                votes[fn] = votes.get(fn, 0.0) + 1.0
        for r in rows:  # agent corrections inside the cluster vote for their function
            if r >= len(texts) and labels_of_extra[r - len(texts)]:
                fn = labels_of_extra[r - len(texts)] or ""
                votes[fn] = votes.get(fn, 0.0) + 1.0
        function, candidates = _decide(votes, [f.name for f in functions])
        members = tuple(int(r) for r in rows if r < len(texts))
        clusters.append(
            ClusterSummary(
                cluster_id=cid,
                name=name,
                size=len(members),
                top_terms=tuple(t for t, _ in top),
                function=function,
                candidates=candidates,
                votes=votes,
                members=members,
            )
        )
        if function and function != MISCELLANEOUS:
            proposals.extend(
                _propose(categorizer, function, name, top, rejected, proposals_per_cluster)
            )
    proposals.extend(_from_corrections(categorizer, corrections, vectorizer, rejected))
    return CategorizerRun(
        clusters=tuple(clusters), proposals=tuple(_dedupe(proposals)), functions=functions
    )


def _name(vocab: np.ndarray, coverage: np.ndarray, top: list[tuple[str, float]]) -> str:
    best = int(np.argmax(coverage))
    if coverage[best] >= 0.5:
        return str(vocab[best])
    return ", ".join(t for t, _ in top[:3]) or MISCELLANEOUS


def _decide(votes: dict[str, float], order: list[str]) -> tuple[str | None, tuple[str, ...]]:
    if not votes:
        return MISCELLANEOUS, (MISCELLANEOUS,)
    best = max(votes.values())
    tied = tuple(f for f in order if votes.get(f) == best)
    return (tied[0] if len(tied) == 1 else None), tied


def _propose(
    categorizer: Categorizer,
    function: str,
    cluster: str,
    top: list[tuple[str, float]],
    rejected: set[tuple[str, str]],
    limit: int,
) -> list[TermProposal]:
    out: list[TermProposal] = []
    for term, score in top:
        if len(out) >= limit:
            break
        if categorizer.categorize(term).matched or (function, term) in rejected:
            continue  # already in a dictionary, or an agent said no
        out.append(TermProposal(function=function, term=term, cluster=cluster, score=score))
    return out


def _from_corrections(
    categorizer: Categorizer,
    corrections: Sequence[Correction],
    vectorizer: object,
    rejected: set[tuple[str, str]],
    limit: int = 10,
) -> list[TermProposal]:
    """Words of corrected posts that no dictionary has yet, proposed for the corrected
    function, the ``limit`` most shared by that function's corrections first."""
    analyzer = vectorizer.build_analyzer()  # type: ignore[attr-defined]
    counts: dict[tuple[str, str], int] = {}
    for c in corrections:
        if not c.function or c.function == MISCELLANEOUS:
            continue
        for term in set(analyzer(c.text)):
            if " " in term or categorizer.categorize(term).matched:
                continue
            counts[(c.function, term)] = counts.get((c.function, term), 0) + 1
    out: list[TermProposal] = []
    per_function: dict[str, int] = {}
    for (fn, term), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if (fn, term) in rejected or per_function.get(fn, 0) >= limit:
            continue
        per_function[fn] = per_function.get(fn, 0) + 1
        out.append(
            TermProposal(function=fn, term=term, cluster="agent corrections", score=float(n))
        )
    return out


def _dedupe(proposals: list[TermProposal]) -> list[TermProposal]:
    seen: set[tuple[str, str]] = set()
    out = []
    for p in sorted(proposals, key=lambda p: -p.score):
        if (p.function, p.term) not in seen:
            seen.add((p.function, p.term))
            out.append(p)
    return out
