"""SCION's scores (seed 003, Equations 1-4) as pure functions, each with its terms.

- Eq. 1  AScore = W_ent*N_ent + W_sent*(N_ns - N_ps) + W_cmt*N_comm + W_q*IfQ
         (+ our optional W_tone*tone + W_buy*IfBuy + W_share*IfShare; zero weights give
         the paper's equation exactly)
- Eq. 2  AuthorScore = Avg(N_comm) x Avg(AScore) x N_rep, each normalised to (floor, 1]
- Eq. 3  BFI(category) = N_actionable|category / N_total|category  (or an enterprise ranking)
- Eq. 4  RankScore = AuthorScore x BFI x AScore
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from socialreferral.care.models import AuthorHistory
from socialreferral.care.settings import AScoreWeights, AuthorScoreSettings, BfiSettings

__all__ = [
    "ActionCounts",
    "ascore",
    "ascore_terms",
    "author_score",
    "author_terms",
    "bfi_from_counts",
    "bfi_value",
    "count_actionable",
    "rank_score",
]

ActionCounts = Mapping[str, tuple[int, int]]  # function -> (actionable, total)


def ascore_terms(
    weights: AScoreWeights,
    *,
    n_entities: int,
    n_negative: int,
    n_positive: int,
    n_comments: int,
    is_question: bool,
    tone: float = 0.0,
    purchase: bool = False,
    sharing: bool = False,
) -> tuple[tuple[str, float, float], ...]:
    """Eq. 1 as ``(name, value, weight)`` terms; their ``value * weight`` sum to AScore."""
    return (
        ("entities", float(min(n_entities, weights.entity_cap)), weights.entities),
        ("sentiment", float(n_negative - n_positive), weights.sentiment),
        ("comments", float(n_comments), weights.comments),
        ("question", 1.0 if is_question else 0.0, weights.question),
        ("tone", tone, weights.tone),
        ("purchase", 1.0 if purchase else 0.0, weights.purchase),
        ("sharing", 1.0 if sharing else 0.0, weights.sharing),
    )


def ascore(terms: Iterable[tuple[str, float, float]]) -> float:
    """Eq. 1: the weighted sum of the terms."""
    return sum(value * weight for _, value, weight in terms)


def _normalised(x: float, norm: float, floor: float) -> float:
    return floor + (1.0 - floor) * min(1.0, max(0.0, x) / norm)


def author_terms(
    history: AuthorHistory | None, settings: AuthorScoreSettings
) -> tuple[tuple[str, float], ...]:
    """Eq. 2's three factors, each in ``[floor, 1]`` (a new author gets the floor)."""
    floor = settings.floor
    if history is None or history.main_posts == 0:
        avg_comments = avg_ascore = 0.0
    else:
        avg_comments = history.relevant_comments_received / history.main_posts
        avg_ascore = history.ascore_total / history.main_posts
    interactions = 0 if history is None else history.representative_interactions
    return (
        ("avg_relevant_comments", _normalised(avg_comments, settings.comments_norm, floor)),
        ("avg_ascore", _normalised(avg_ascore, settings.ascore_norm, floor)),
        (
            "representative_interactions",
            _normalised(interactions, settings.interactions_norm, floor),
        ),
    )


def author_score(terms: Iterable[tuple[str, float]]) -> float:
    """Eq. 2: the product of the factors."""
    out = 1.0
    for _, value in terms:
        out *= value
    return out


def bfi_from_counts(counts: ActionCounts, settings: BfiSettings) -> dict[str, float]:
    """Eq. 3 per function, smoothed: ``(a + w*prior) / (n + w)``.

    ``counts`` maps a function to (actionable posts, all posts) over a recent window; the
    pseudo-count ``w = settings.prior_weight`` keeps a function seen twice from jumping to
    0 or 1. With ``w = 0`` this is the paper's ratio.
    """
    w, prior = settings.prior_weight, settings.prior
    out: dict[str, float] = {}
    for function, (actionable, total) in counts.items():
        if actionable < 0 or total < actionable:
            raise ValueError(f"bad counts for {function!r}: {actionable}/{total}")
        denominator = total + w
        out[function] = (actionable + w * prior) / denominator if denominator else prior
    return out


def count_actionable(pairs: Iterable[tuple[str | None, bool]]) -> dict[str, tuple[int, int]]:
    """(actionable, total) per function from ``(function, actionable)`` pairs."""
    out: dict[str, tuple[int, int]] = {}
    for function, actionable in pairs:
        key = function or "undecided"
        a, n = out.get(key, (0, 0))
        out[key] = (a + int(actionable), n + 1)
    return out


def bfi_value(
    functions: Iterable[str],
    settings: BfiSettings,
    observed: Mapping[str, float],
    overrides: Mapping[str, float],
) -> tuple[float, str]:
    """BFI of a post routed to ``functions`` (several on a tie: the most important one).

    Precedence: the profile's override, then the enterprise ranking (``mode="ranking"``) or
    the observed Eq. 3 value, then the prior. Returns the value and its source.
    """
    best, source = -1.0, "prior"
    for function in functions:
        if function in overrides:
            value, src = overrides[function], "profile"
        elif settings.mode == "ranking" and function in settings.ranking:
            value, src = settings.ranking[function], "ranking"
        elif settings.mode == "observed" and function in observed:
            value, src = observed[function], "observed"
        else:
            value, src = settings.prior, "prior"
        if value > best:
            best, source = value, src
    return (settings.prior, "prior") if best < 0 else (best, source)


def rank_score(author: float, bfi: float, actionability: float) -> float:
    """Eq. 4: RankScore = AuthorScore x BFI x AScore."""
    return author * bfi * actionability
