"""Configuration of the care queue: business functions, weight profiles, author and BFI
parameters, the brand's own accounts and its competitors.

Plain pydantic models with the seed's defaults, so ``CareSettings()`` is a working
configuration; the composition root fills them from the settings file (table ``[care]``).
Profiles are named sets of weights ("holiday_season", "product_launch") that an operator
switches at run time with :meth:`CareRanker.with_profile`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from socialreferral.care.workflow import Agent, SlaPolicy
from socialreferral.domain._base import DomainModel

__all__ = [
    "DEFAULT_FUNCTIONS",
    "DEFAULT_PROFILES",
    "MISCELLANEOUS",
    "UNDECIDED",
    "AScoreWeights",
    "AuthorScoreSettings",
    "BfiSettings",
    "BusinessFunction",
    "CareSettings",
    "CategorizerJobSettings",
    "MassResponseSettings",
    "WeightProfile",
]

MISCELLANEOUS = "miscellaneous"
UNDECIDED = "undecided"  # the queue of posts whose functions tie (an agent decides)


class BusinessFunction(DomainModel):
    """A business function (routing category) with its seed dictionary.

    SCION asks for 5-10 seed words or phrases per function; approved proposals of the
    periodic clustering job are appended to ``terms``.
    """

    name: str = Field(min_length=1, max_length=64)
    terms: tuple[str, ...] = Field(min_length=1, max_length=500)

    @field_validator("terms")
    @classmethod
    def _clean_terms(cls, terms: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(dict.fromkeys(" ".join(t.lower().split()) for t in terms if t.strip()))
        if not cleaned:
            raise ValueError("a business function needs at least one seed term")
        if any(len(t) > 60 for t in cleaned):
            raise ValueError("seed terms are words or short phrases (at most 60 characters)")
        return cleaned

    @field_validator("name")
    @classmethod
    def _not_misc(cls, name: str) -> str:
        if name == MISCELLANEOUS:
            raise ValueError(f"{MISCELLANEOUS!r} is implicit: it takes what matches nothing")
        return name


# Seed 003's functions "found in almost all industries", in priority order, with generic
# seed words (an enterprise replaces them with its own at setup).
DEFAULT_FUNCTIONS: tuple[BusinessFunction, ...] = (
    BusinessFunction(
        name="customer_care",
        terms=(
            "customer service",
            "support",
            "agent",
            "account",
            "refund",
            "complaint",
            "waiting",
            "response",
            "help",
            "cancel",
        ),
    ),
    BusinessFunction(
        name="product",
        terms=(
            "app",
            "update",
            "battery",
            "screen",
            "feature",
            "broken",
            "crash",
            "bug",
            "quality",
            "device",
        ),
    ),
    BusinessFunction(
        name="warranty",
        terms=(
            "warranty",
            "coverage",
            "liability",
            "provider",
            "repair",
            "replacement",
            "claim",
            "guarantee",
            "defect",
            "return",
        ),
    ),
    BusinessFunction(
        name="marketing_and_sales",
        terms=(
            "price",
            "deal",
            "offer",
            "discount",
            "promotion",
            "buy",
            "purchase",
            "sale",
            "coupon",
            "new",
        ),
    ),
)


class AScoreWeights(DomainModel):
    """Weights of Eq. 1, plus three optional terms of ours (0 gives the paper's Eq. 1).

    AScore = W_ent*N_ent + W_sent*(N_ns - N_ps) + W_cmt*N_comm + W_q*IfQ
             + W_tone*(P(neg) - P(pos)) + W_buy*IfBuy + W_share*IfShare
    """

    entities: float = 0.1
    sentiment: float = 1.0
    comments: float = 0.3
    question: float = 0.3
    tone: float = 1.0
    purchase: float = 0.0
    sharing: float = 0.0
    entity_cap: int = Field(default=5, ge=0, le=100)  # N_ent counted up to this many


class WeightProfile(DomainModel):
    """A named set of weights: AScore weights and optional BFI overrides per function."""

    name: str = Field(default="", max_length=64)  # filled from its key in CareSettings
    description: str = ""
    ascore: AScoreWeights = AScoreWeights()
    bfi: dict[str, float] = Field(default_factory=dict)  # function -> importance override


def _profiles() -> dict[str, WeightProfile]:
    base = AScoreWeights()
    return {
        "default": WeightProfile(name="default", description="seed 003 defaults, tuned"),
        "holiday_season": WeightProfile(
            name="holiday_season",
            description="purchases up: purchase intent weighs like a complaint",
            ascore=base.model_copy(update={"purchase": 2.0}),
            bfi={"marketing_and_sales": 1.0},
        ),
        "product_launch": WeightProfile(
            name="product_launch",
            description="gauge the response to a new offering: feedback and product posts up",
            ascore=base.model_copy(update={"sharing": 1.0, "entities": 0.2}),
            bfi={"product": 1.0},
        ),
        "complaints_first": WeightProfile(
            name="complaints_first",
            description="negative sentiment dominates (seed 003: 'a higher weight factor "
            "to the sentiment component')",
            ascore=base.model_copy(update={"sentiment": 2.0, "tone": 2.0, "question": 0.1}),
        ),
    }


DEFAULT_PROFILES: dict[str, WeightProfile] = _profiles()


class AuthorScoreSettings(DomainModel):
    """Eq. 2 normalisation: each factor is ``floor + (1 - floor) * min(1, x / norm)``.

    The floor is SCION's "minimum default value" that keeps AuthorScore from being zero; a
    new author gets ``floor ** 3``.
    """

    floor: float = Field(default=0.5, gt=0.0, le=1.0)
    comments_norm: float = Field(default=3.0, gt=0.0)  # avg relevant comments that count as 1.0
    ascore_norm: float = Field(default=2.0, gt=0.0)  # avg AScore that counts as 1.0
    interactions_norm: float = Field(default=5.0, gt=0.0)  # interactions that count as 1.0


class BfiSettings(DomainModel):
    """Where Business Function Importance comes from.

    ``observed``: Eq. 3 (actionable / total per function) from counts the caller passes
    (:func:`~socialreferral.care.scores.bfi_from_counts`), smoothed towards ``prior`` with
    ``prior_weight`` pseudo-posts; with no counts every function gets ``prior``.
    ``ranking``: the enterprise's importance per function (``ranking``; missing ones get
    ``prior``).
    """

    mode: Literal["observed", "ranking"] = "observed"
    ranking: dict[str, float] = Field(default_factory=dict)
    prior: float = Field(default=0.5, gt=0.0, le=1.0)
    prior_weight: float = Field(default=10.0, ge=0.0)


class CategorizerJobSettings(DomainModel):
    """The periodic categorizer job (seed 003: "every 24 hours"): how often, over which
    posts, and the clustering's knobs (:func:`~socialreferral.care.run_categorizer_job`)."""

    every_hours: float = Field(default=24.0, gt=0.0, le=24.0 * 31)
    window_days: float = Field(default=7.0, gt=0.0, le=366.0)  # root posts this recent
    max_posts: int = Field(default=20_000, ge=10, le=200_000)
    stop_words: tuple[str, ...] = Field(default=(), max_length=2_000)  # "car, truck, auto"
    n_clusters: int | None = Field(default=None, ge=2, le=200)  # None: sqrt(n / 2)
    top_x: int = Field(default=10, ge=1, le=100)
    proposals_per_cluster: int = Field(default=5, ge=0, le=50)


class MassResponseSettings(DomainModel):
    """Grouping similar open posts for one response (:func:`~socialreferral.care.group_similar`)."""

    threshold: float = Field(default=0.5, gt=0.0, le=1.0)
    min_size: int = Field(default=2, ge=2, le=10_000)
    max_posts: int = Field(default=5_000, ge=2, le=50_000)  # open posts compared at once


class CareSettings(DomainModel):
    """Everything the care queue can be configured with; ``CareSettings()`` is the seed's.

    The ranking core reads ``functions`` to ``use_tone_model``; the service layer also
    reads ``pages`` (the brand pages and accounts whose webhook events feed the queue; they
    count as brand accounts too, so the page's own posts are agent responses), the
    first-response ``sla``, the ``agents`` with their functions and caps, the periodic
    ``categorizer`` job, ``mass_response`` grouping and ``helpful_members``.
    """

    functions: tuple[BusinessFunction, ...] = DEFAULT_FUNCTIONS
    profiles: dict[str, WeightProfile] = Field(default_factory=lambda: dict(DEFAULT_PROFILES))
    active_profile: str = "default"
    author: AuthorScoreSettings = AuthorScoreSettings()
    bfi: BfiSettings = BfiSettings()
    brand_ids: frozenset[str] = frozenset()  # page ids / handles of the brand (lower-case)
    competitors: tuple[str, ...] = ()  # names or handles of competitors (lower-case)
    actionable_intents: frozenset[str] = frozenset({"question", "complaint"})
    use_tone_model: bool = True  # the tone term of Eq. 1 (care.tone.ToneModel.default())
    pages: frozenset[str] = frozenset()  # page / account ids whose events feed the queue
    sla: SlaPolicy = SlaPolicy()
    agents: tuple[Agent, ...] = Field(default=(), max_length=10_000)
    categorizer: CategorizerJobSettings = CategorizerJobSettings()
    mass_response: MassResponseSettings = MassResponseSettings()
    helpful_members: frozenset[str] = frozenset()  # community members who answer well

    @model_validator(mode="before")
    @classmethod
    def _pages_are_brand(cls, data: Any) -> Any:
        # The page's own posts are the brand's replies: a page id is a brand id too.
        if isinstance(data, dict) and data.get("pages"):
            pages = data["pages"]
            if isinstance(pages, list | tuple | set | frozenset):
                data = {**data, "pages": frozenset(str(p).lower().lstrip("@") for p in pages)}
                data["brand_ids"] = [*data.get("brand_ids", ()), *data["pages"]]
        return data

    @field_validator("brand_ids", mode="before")
    @classmethod
    def _lower_ids(cls, ids: object) -> object:
        if isinstance(ids, list | tuple | set | frozenset):
            return frozenset(str(i).lower().lstrip("@") for i in ids)
        return ids

    @field_validator("competitors", mode="before")
    @classmethod
    def _lower_competitors(cls, names: object) -> object:
        if isinstance(names, list | tuple | set | frozenset):
            return tuple(str(n).lower().lstrip("@") for n in names if str(n).strip())
        return names

    @field_validator("profiles", mode="after")
    @classmethod
    def _merge_profiles(cls, given: dict[str, WeightProfile]) -> dict[str, WeightProfile]:
        # configured profiles add to (or replace) the shipped ones; a profile is named by
        # its key, so a settings table need not repeat it
        out = dict(DEFAULT_PROFILES)
        for key, profile in given.items():
            if profile.name and profile.name != key:
                raise ValueError(f"profile {key!r} is named {profile.name!r}")
            out[key] = profile if profile.name else profile.model_copy(update={"name": key})
        return out

    @model_validator(mode="after")
    def _check(self) -> CareSettings:
        if self.active_profile not in self.profiles:
            raise ValueError(
                f"active_profile {self.active_profile!r} is not one of {sorted(self.profiles)}"
            )
        names = [f.name for f in self.functions]
        if len(set(names)) != len(names):
            raise ValueError("business function names must be unique")
        if UNDECIDED in names:
            raise ValueError(f"{UNDECIDED!r} is the queue of ties, not a function")
        agents = [a.agent_id for a in self.agents]
        if len(set(agents)) != len(agents):
            raise ValueError("agent ids must be unique")
        queues = {*names, MISCELLANEOUS, UNDECIDED, "*"}
        for agent in self.agents:
            unknown = sorted(agent.functions - queues)
            if unknown:
                raise ValueError(f"agent {agent.agent_id!r} serves unknown functions {unknown}")
        return self

    def queues(self) -> tuple[str, ...]:
        """Every queue an item can be in: the functions in priority order, then
        miscellaneous and undecided (ties)."""
        return (*(f.name for f in self.functions), MISCELLANEOUS, UNDECIDED)

    def profile(self, name: str | None = None) -> WeightProfile:
        """The named profile (the active one by default)."""
        return self.profiles[name or self.active_profile]
