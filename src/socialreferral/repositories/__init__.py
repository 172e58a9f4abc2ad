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
from socialreferral.repositories.contacts import ContactRepository
from socialreferral.repositories.customers import CustomerRepository
from socialreferral.repositories.erasure import Erasure, Subject, Tombstones
from socialreferral.repositories.events import EventRepository, ProcessedEvent
from socialreferral.repositories.graph import EligibilityFacts, SocialGraphRepository
from socialreferral.repositories.people import PeopleRepository
from socialreferral.repositories.profiles import ProfileRepository
from socialreferral.repositories.promotions import PromotionRepository
from socialreferral.repositories.referrals import (
    ReferralLead,
    ReferralRepository,
    RewardRecord,
)
from socialreferral.repositories.timings import TimingRepository, TimingSample


@dataclass(frozen=True)
class Repositories:
    """Every repository over one store. Erasure visits them in field order, so the
    records that resolve a person (captured profiles, customers, consents) come last and
    an interrupted erasure can be repeated; timing samples go after the records they
    measured; the fused people are re-clustered before their captures go."""

    events: EventRepository
    referrals: ReferralRepository
    contacts: ContactRepository
    promotions: PromotionRepository
    graph: SocialGraphRepository
    timings: TimingRepository
    audit: AuditRepository
    blacklists: BlacklistRepository
    api_keys: ApiKeyRepository
    people: PeopleRepository
    profiles: ProfileRepository
    customers: CustomerRepository

    @classmethod
    def over(cls, store: DocumentStore) -> Repositories:
        """Build every repository over ``store`` (the composition root calls this)."""
        profiles = ProfileRepository(store)
        built = cls(
            events=EventRepository(store), referrals=ReferralRepository(store),
            contacts=ContactRepository(store), promotions=PromotionRepository(store),
            graph=SocialGraphRepository(store), timings=TimingRepository(store),
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
    "ApiKeyRepository",
    "AuditRepository",
    "BlacklistRepository",
    "ContactRepository",
    "CustomerRepository",
    "EligibilityFacts",
    "Erasure",
    "EventRepository",
    "PeopleRepository",
    "ProcessedEvent",
    "ProfileRepository",
    "PromotionRepository",
    "ReferralLead",
    "ReferralRepository",
    "Repositories",
    "Repository",
    "RewardRecord",
    "SocialGraphRepository",
    "Subject",
    "TimingRepository",
    "TimingSample",
    "Tombstones",
    "safe_key",
]
