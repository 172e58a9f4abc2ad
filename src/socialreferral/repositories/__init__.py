"""Repositories: the application's only way to the DocumentStore (cosmicpython's pattern).

Each repository owns a few collections: their keys, the bookkeeping stored beside a
model, the fact-level reads the use cases need ("is this author a customer already?",
"what did this referrer earn this month?") and its own part of the right to erasure. The
composition root builds one :class:`Repositories` bundle over the configured store;
use cases take the bundle (or the repositories they need), never the store.

A new feature adds a repository here and a field to the bundle; ``erase_person`` asks
every repository in :meth:`Repositories.all` and so covers it without naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from socialreferral.ports import DocumentStore
from socialreferral.repositories._base import Repository, safe_key
from socialreferral.repositories.access import ApiKeyRepository, AuditRepository
from socialreferral.repositories.blacklists import BlacklistRepository
from socialreferral.repositories.care_agents import CareAgentRepository
from socialreferral.repositories.care_authors import CareAuthorRepository
from socialreferral.repositories.care_items import CareItemNotFound, CareItemRepository
from socialreferral.repositories.care_threads import Arrival, CareThreadRepository
from socialreferral.repositories.care_tuning import CareTuningRepository, ProposalNotFound
from socialreferral.repositories.contacts import ContactRepository
from socialreferral.repositories.customers import CustomerRepository
from socialreferral.repositories.erasure import Erasure, Subject, Tombstones
from socialreferral.repositories.events import EventRepository, ProcessedEvent
from socialreferral.repositories.graph import EligibilityFacts, SocialGraphRepository
from socialreferral.repositories.influence_aggregates import (
    AggregateLayout,
    ApplyResult,
    InfluenceAggregateRepository,
    RepairReport,
)
from socialreferral.repositories.influence_alerts import (
    InfluenceAlertRepository,
    InfluenceBaselineRepository,
    StoredAlert,
)
from socialreferral.repositories.influence_keywords import InfluenceKeywordRepository
from socialreferral.repositories.influence_posts import StoredPost, TrackedPostRepository
from socialreferral.repositories.operators import OperatorRepository
from socialreferral.repositories.people import PeopleRepository
from socialreferral.repositories.profiles import ProfileRepository
from socialreferral.repositories.promotions import PromotionRepository
from socialreferral.repositories.referrals import (
    ReferralLead,
    ReferralRepository,
    ReviewDecision,
    RewardRecord,
)
from socialreferral.repositories.timings import TimingRepository, TimingSample


@dataclass(frozen=True)
class Repositories:
    """Every repository over one store. Erasure visits them in field order, so the
    records that resolve a person (captured profiles, customers, consents) come last and
    an interrupted erasure can be repeated; timing samples go after the records they
    measured; the fused people are re-clustered before their captures go. The care
    queue's repositories (posts and threads, items and replies, author histories, tuning,
    agents) hold no identity records, so they go before them. The influence repositories
    hold none either; their alerts and aggregates are cleaned before the tracked posts
    they are counted from are deleted."""

    events: EventRepository
    referrals: ReferralRepository
    contacts: ContactRepository
    promotions: PromotionRepository
    graph: SocialGraphRepository
    timings: TimingRepository
    care_threads: CareThreadRepository
    care_items: CareItemRepository
    care_authors: CareAuthorRepository
    care_tuning: CareTuningRepository
    care_agents: CareAgentRepository
    operators: OperatorRepository
    influence_keywords: InfluenceKeywordRepository
    influence_alerts: InfluenceAlertRepository
    influence_aggregates: InfluenceAggregateRepository
    influence_posts: TrackedPostRepository
    influence_baselines: InfluenceBaselineRepository
    audit: AuditRepository
    blacklists: BlacklistRepository
    api_keys: ApiKeyRepository
    people: PeopleRepository
    profiles: ProfileRepository
    customers: CustomerRepository

    @classmethod
    def over(cls, store: DocumentStore) -> Repositories:
        """Build every repository over ``store`` (the composition root calls this)."""
        posts = TrackedPostRepository(store)
        profiles = ProfileRepository(store)
        built = cls(
            events=EventRepository(store), referrals=ReferralRepository(store),
            contacts=ContactRepository(store), promotions=PromotionRepository(store),
            graph=SocialGraphRepository(store), timings=TimingRepository(store),
            care_threads=CareThreadRepository(store), care_items=CareItemRepository(store),
            care_authors=CareAuthorRepository(store), care_tuning=CareTuningRepository(store),
            care_agents=CareAgentRepository(store), operators=OperatorRepository(store),
            influence_keywords=InfluenceKeywordRepository(store),
            influence_alerts=InfluenceAlertRepository(store),
            influence_aggregates=InfluenceAggregateRepository(store, posts),
            influence_posts=posts, influence_baselines=InfluenceBaselineRepository(store),
            audit=AuditRepository(store), blacklists=BlacklistRepository(store),
            api_keys=ApiKeyRepository(store), people=PeopleRepository(store, profiles),
            profiles=profiles, customers=CustomerRepository(store),
        )
        built.check_collections()
        return built

    def all(self) -> list[Repository]:
        """The repositories in erasure order."""
        return [getattr(self, f.name) for f in fields(self)]

    def check_collections(self) -> None:
        """Every collection belongs to one repository (two owners would erase twice)."""
        owners: dict[str, str] = {}
        for repository in self.all():
            for collection in repository.collections:
                if collection in owners:
                    raise ValueError(f"collection {collection!r} is owned by both "
                                     f"{owners[collection]} and {type(repository).__name__}")
                owners[collection] = type(repository).__name__


__all__ = [
    "AggregateLayout",
    "ApiKeyRepository",
    "ApplyResult",
    "Arrival",
    "AuditRepository",
    "BlacklistRepository",
    "CareAgentRepository",
    "CareAuthorRepository",
    "CareItemNotFound",
    "CareItemRepository",
    "CareThreadRepository",
    "CareTuningRepository",
    "ContactRepository",
    "CustomerRepository",
    "EligibilityFacts",
    "Erasure",
    "EventRepository",
    "InfluenceAggregateRepository",
    "InfluenceAlertRepository",
    "InfluenceBaselineRepository",
    "InfluenceKeywordRepository",
    "OperatorRepository",
    "PeopleRepository",
    "ProcessedEvent",
    "ProfileRepository",
    "PromotionRepository",
    "ProposalNotFound",
    "ReferralLead",
    "ReferralRepository",
    "RepairReport",
    "Repositories",
    "Repository",
    "ReviewDecision",
    "RewardRecord",
    "SocialGraphRepository",
    "StoredAlert",
    "StoredPost",
    "Subject",
    "TimingRepository",
    "TimingSample",
    "Tombstones",
    "TrackedPostRepository",
    "safe_key",
]
