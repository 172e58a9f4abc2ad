"""The Fellegi-Sunter model behind fusion: comparisons, priors and blocking, as plain data.

Each comparison is a ladder of levels, most similar first, each with a prior ``m``
probability (how often a true match lands on that level). The priors are written from
how people's records actually differ across sources — a typo in 5-10 % of names, a
different e-mail for one person in one pair in five, a moved address — and are the model
when there are no labels and too few records for expectation maximisation to be
reliable. ``u`` probabilities (how often two *different* people land on a level) are
always estimated from random pairs of the data being linked.

Only comparisons whose columns hold values are built, so a data set without phones or
handles gets a model without them instead of a model that treats every pair as
"phone unknown". The specification is pure data (no Splink import); :mod:`engine`
turns it into Splink objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

LevelKind = Literal[
    "exact", "exact_tf", "jaro_winkler", "damerau", "array_min", "sql", "else", "all"
]


@dataclass(frozen=True)
class Level:
    """One rung of a comparison: what must hold, and prior ``m`` and ``u`` probabilities.

    ``m_prior``: share of true matches on this level; ``u_prior``: share of random pairs of
    different people on it. ``u`` estimated from the data is smoothed towards ``u_prior``
    with a fixed number of pseudo-pairs, which only matters for small data sets.
    """

    kind: LevelKind
    label: str
    m_prior: float
    u_prior: float
    column: str = ""
    threshold: float = 0.0
    sql: str = ""
    parts: tuple[Level, ...] = ()


@dataclass(frozen=True)
class Comparison:
    """A comparison; it is "unknown" (weight 0) when all of ``null_columns`` are unknown."""

    name: str
    null_columns: tuple[str, ...]
    levels: tuple[Level, ...]
    description: str = ""


def _swap(col: str, other: str) -> str:
    return f'"{col}_l" = "{other}_r" OR "{other}_l" = "{col}_r"'


FIRST_NAME = Comparison(
    name="first_name",
    null_columns=("first_name",),
    description="given name; nicknames and a given/family swap are their own levels",
    levels=(
        Level("exact_tf", "exact", 0.82, 0.01, "first_name"),
        Level("exact", "same formal name (nickname)", 0.04, 0.003, "first_name_key"),
        Level("jaro_winkler", "Jaro-Winkler >= 0.92", 0.06, 0.004, "first_name", 0.92),
        Level("sql", "given/family swapped", 0.02, 0.0005, sql=_swap("first_name", "last_name")),
        Level("jaro_winkler", "Jaro-Winkler >= 0.8", 0.03, 0.03, "first_name", 0.8),
        Level("else", "else", 0.03, 0.9525),
    ),
)

LAST_NAME = Comparison(
    name="last_name",
    null_columns=("last_name",),
    description="family name",
    levels=(
        Level("exact_tf", "exact", 0.84, 0.003, "last_name"),
        Level("jaro_winkler", "Jaro-Winkler >= 0.92", 0.07, 0.003, "last_name", 0.92),
        Level("sql", "given/family swapped", 0.02, 0.0005, sql=_swap("last_name", "first_name")),
        Level("jaro_winkler", "Jaro-Winkler >= 0.8", 0.03, 0.02, "last_name", 0.8),
        Level("else", "else", 0.04, 0.9735),
    ),
)

DATE_OF_BIRTH = Comparison(
    name="dob",
    null_columns=("dob",),
    description="date of birth compared as YYYY-MM-DD text (typos need not be dates)",
    levels=(
        Level("exact", "exact", 0.86, 0.0001, "dob"),
        Level("damerau", "one typo or transposition", 0.08, 0.001, "dob", 1),
        Level(
            "sql",
            "day and month swapped",
            0.01,
            0.00005,
            sql=(
                'substr("dob_l", 1, 4) = substr("dob_r", 1, 4) AND '
                'substr("dob_l", 6, 2) = substr("dob_r", 9, 2) AND '
                'substr("dob_l", 9, 2) = substr("dob_r", 6, 2)'
            ),
        ),
        Level("damerau", "two typos", 0.03, 0.01, "dob", 2),
        Level("else", "else", 0.02, 0.9889),
    ),
)

EMAIL = Comparison(
    name="email",
    null_columns=("email",),
    description="canonical mailbox (lower case, +tag and Gmail dots removed)",
    levels=(
        Level("exact", "exact", 0.7, 1e-05, "email"),
        Level("exact", "same user name, other domain", 0.08, 0.0001, "email_user"),
        Level("jaro_winkler", "Jaro-Winkler >= 0.9", 0.06, 0.001, "email", 0.9),
        Level("else", "else", 0.16, 0.99889),
    ),
)

PHONE = Comparison(
    name="phone",
    null_columns=("phone",),
    description="last significant digits of the number",
    levels=(
        Level("exact", "exact", 0.78, 1e-05, "phone"),
        Level("damerau", "one typo", 0.07, 0.0001, "phone", 1),
        Level("else", "else", 0.15, 0.99989),
    ),
)


def _part(kind: LevelKind, column: str, threshold: float = 0.0) -> Level:
    return Level(kind, "", 0.0, 0.0, column, threshold)


# City, postcode and street are one comparison: for people (and for households, the
# classic false positive) they agree or disagree together, and three independent
# comparisons would count one shared address three times.
_SIMILAR_STREET = _part("array_min", "street_tokens", 2)

ADDRESS = Comparison(
    name="address",
    null_columns=("street", "postcode", "city"),
    description="street, postcode and city, counted once",
    levels=(
        Level(
            "all",
            "same street and postcode",
            0.45,
            0.00001,
            parts=(_part("exact", "street"), _part("exact", "postcode")),
        ),
        Level("exact", "same street", 0.1, 0.00005, "street"),
        Level(
            "all",
            "similar street, same postcode and city",
            0.12,
            0.00002,
            parts=(_SIMILAR_STREET, _part("exact", "postcode"), _part("exact", "city")),
        ),
        Level(
            "all",
            "similar street, same postcode",
            0.06,
            0.0001,
            parts=(_SIMILAR_STREET, _part("exact", "postcode")),
        ),
        Level(
            "all",
            "similar street, same city",
            0.04,
            0.0003,
            parts=(_SIMILAR_STREET, _part("exact", "city")),
        ),
        Level(
            "all",
            "similar street and postcode",
            0.02,
            0.0002,
            parts=(_SIMILAR_STREET, _part("damerau", "postcode", 1)),
        ),
        Level(
            "all",
            "same postcode and city",
            0.03,
            0.002,
            parts=(_part("exact", "postcode"), _part("exact", "city")),
        ),
        Level("exact", "same postcode", 0.03, 0.003, "postcode"),
        Level("exact", "same city", 0.07, 0.02, "city"),
        Level("array_min", "similar street", 0.01, 0.002, "street_tokens", 2),
        Level("jaro_winkler", "similar city", 0.02, 0.005, "city", 0.9),
        Level("else", "else", 0.05, 0.96743),
    ),
)

HANDLE = Comparison(
    name="handle",
    null_columns=("handle",),
    description="social handle: same account, same handle on another network, similar",
    levels=(
        Level("exact", "same account", 0.45, 1e-05, "handle_key"),
        Level("exact", "same handle, other network", 0.25, 5e-05, "handle"),
        Level("jaro_winkler", "Jaro-Winkler >= 0.9", 0.08, 0.001, "handle", 0.9),
        Level("else", "else", 0.22, 0.99894),
    ),
)

ALL_COMPARISONS: tuple[Comparison, ...] = (
    FIRST_NAME,
    LAST_NAME,
    DATE_OF_BIRTH,
    EMAIL,
    PHONE,
    ADDRESS,
    HANDLE,
)

# Candidate pairs are the union of these rules (each a tuple of column expressions that
# must be equal). Several independent keys keep recall when any one field is corrupted.
BLOCKING_RULES: tuple[tuple[str, ...], ...] = (
    ("first_name", "last_name"),
    ("dob",),
    ("email",),
    ("email_user",),
    ("phone",),
    ("handle",),
    ("first_name_key", "city"),
    ("last_name", "city"),
    ("last_name", "postcode"),
    ("first_name_key", "postcode"),
    ("substr(first_name, 1, 2)", "substr(last_name, 1, 2)", "substr(dob, 1, 4)"),
    ("street",),
)

# Deterministic links: equal values are the same person, whatever the other fields say.
DETERMINISTIC_RULES: tuple[tuple[str, str], ...] = (
    ("email_verified", "a verified e-mail address is unique to its owner"),
    ("handle_key", "one account on one network belongs to one person"),
)

# Exact rules whose matches estimate the prior probability that two records match.
PRIOR_RULES: tuple[tuple[str, ...], ...] = (
    ("first_name", "last_name", "dob"),
    ("email",),
    ("phone", "last_name"),
    ("handle_key",),
)

# Blocking rules for expectation maximisation, best first; each trains the others.
EM_RULES: tuple[tuple[str, ...], ...] = (
    ("dob",),
    ("first_name", "last_name"),
    ("email",),
)


@dataclass(frozen=True)
class ModelSpec:
    """The comparisons and rules that apply to one data set (its populated columns)."""

    comparisons: tuple[Comparison, ...]
    blocking_rules: tuple[tuple[str, ...], ...]
    prior_rules: tuple[tuple[str, ...], ...]
    em_rules: tuple[tuple[str, ...], ...]
    populated: frozenset[str] = field(default_factory=frozenset)


def _rule_columns(rule: tuple[str, ...]) -> set[str]:
    cols = set()
    for expr in rule:
        cols.add(expr.split("(", 1)[1].split(",", 1)[0].strip() if "(" in expr else expr)
    return cols


def _level_columns(level: Level) -> set[str]:
    cols = {level.column} if level.column else set()
    for part in level.parts:
        cols |= _level_columns(part)
    return cols


def _fit(comparison: Comparison, populated: frozenset[str]) -> Comparison:
    """``comparison`` without levels on empty columns; their prior mass moves down.

    A true match that would have agreed on the street lands, in a data set without
    streets, on the next level that exists (the same city): the dropped level's ``m`` and
    ``u`` are added to that level, so the priors still describe the data.
    """
    kept: list[Level] = []
    carry_m = carry_u = 0.0
    for level in comparison.levels:
        if _level_columns(level) <= populated:
            kept.append(
                replace(level, m_prior=level.m_prior + carry_m, u_prior=level.u_prior + carry_u)
            )
            carry_m = carry_u = 0.0
        else:
            carry_m += level.m_prior
            carry_u += level.u_prior
    return replace(comparison, levels=tuple(kept))


def spec_for(populated_counts: Mapping[str, int]) -> ModelSpec:
    """The model for a data set whose columns hold ``populated_counts`` non-null values.

    A column needs values in at least two records to compare anything; comparisons and
    rules on emptier columns are left out.
    """
    populated = frozenset(c for c, n in populated_counts.items() if n >= 2)
    comparisons = tuple(
        _fit(c, populated)
        for c in ALL_COMPARISONS
        if any(col in populated for col in c.null_columns)
    )
    keep = [r for r in BLOCKING_RULES if _rule_columns(r) <= populated]
    return ModelSpec(
        comparisons=comparisons,
        blocking_rules=tuple(keep),
        prior_rules=tuple(r for r in PRIOR_RULES if _rule_columns(r) <= populated),
        em_rules=tuple(r for r in EM_RULES if _rule_columns(r) <= populated),
        populated=populated,
    )


__all__ = [
    "ALL_COMPARISONS",
    "BLOCKING_RULES",
    "DETERMINISTIC_RULES",
    "Comparison",
    "Level",
    "ModelSpec",
    "spec_for",
]
