"""The customer-care queue's pure core (seed 003, IBM SCION).

No I/O, no environment, no process-wide mutable state: the service layer stores the
records these functions return (thread nodes, author histories, tickets) and calls them.

- :class:`CareRanker` — features → intent → AScore (Eq. 1), AuthorScore (Eq. 2),
  BFI (Eq. 3), RankScore (Eq. 4) with per-factor explanations; weight profiles.
- :mod:`~socialreferral.care.threads` — root tracing (out-of-order arrival, re-linking).
- :mod:`~socialreferral.care.categorizer` — real-time business function (seed words).
- :mod:`~socialreferral.care.clustering` — the periodic clustering job and term proposals.
- :mod:`~socialreferral.care.actionability` — answered / competitor / community rules.
- :mod:`~socialreferral.care.workflow` — statuses, queues, assignment, SLA timers.
- :mod:`~socialreferral.care.mass_response` — grouping similar posts for one answer.
"""

from __future__ import annotations

from socialreferral.care.actionability import Refinement, refine
from socialreferral.care.categorizer import Categorization, Categorizer
from socialreferral.care.clustering import (
    AgentFeedback,
    CategorizerRun,
    ClusterSummary,
    Correction,
    TermProposal,
    apply_feedback,
    run_categorizer_job,
)
from socialreferral.care.mass_response import SimilarGroup, group_similar
from socialreferral.care.models import (
    AuthorHistory,
    CareComment,
    CarePost,
    CareScore,
    Factor,
    PostFeatures,
)
from socialreferral.care.ranker import CareRanker
from socialreferral.care.scores import bfi_from_counts, count_actionable
from socialreferral.care.settings import (
    AScoreWeights,
    AuthorScoreSettings,
    BfiSettings,
    BusinessFunction,
    CareSettings,
    WeightProfile,
)
from socialreferral.care.threads import (
    ThreadIndex,
    ThreadNode,
    ThreadSummary,
    is_brand_author,
    link,
    summarize,
)
from socialreferral.care.workflow import (
    Agent,
    Assignment,
    CareTicket,
    SlaPolicy,
    SlaState,
    assign_round_robin,
    claim,
    ranked_queues,
    sla_status,
    transition,
    wake_due,
)

__all__ = [
    "AScoreWeights",
    "Agent",
    "AgentFeedback",
    "Assignment",
    "AuthorHistory",
    "AuthorScoreSettings",
    "BfiSettings",
    "BusinessFunction",
    "CareComment",
    "CarePost",
    "CareRanker",
    "CareScore",
    "CareSettings",
    "CareTicket",
    "Categorization",
    "Categorizer",
    "CategorizerRun",
    "ClusterSummary",
    "Correction",
    "Factor",
    "PostFeatures",
    "Refinement",
    "SimilarGroup",
    "SlaPolicy",
    "SlaState",
    "TermProposal",
    "ThreadIndex",
    "ThreadNode",
    "ThreadSummary",
    "WeightProfile",
    "apply_feedback",
    "assign_round_robin",
    "bfi_from_counts",
    "claim",
    "count_actionable",
    "group_similar",
    "is_brand_author",
    "link",
    "ranked_queues",
    "refine",
    "run_categorizer_job",
    "sla_status",
    "summarize",
    "transition",
    "wake_due",
]
