"""What consenting customers share of their social graph, and their eligibility.

Collections: ``profiles`` (``<network>:<person id>``), ``connections``
(``<customer>:<network>:<other id>``, the customer as bookkeeping so the worker finds the
customers connected to a post's author with one query) and ``eligibility``
(``<customer>:<network>``: the verdict and the influence figures it was computed from).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from socialreferral.domain.eligibility import Eligibility
from socialreferral.domain.social import Connection, Profile
from socialreferral.records import Filter
from socialreferral.repositories._base import Repository, load, safe_key
from socialreferral.repositories.erasure import Erasure, Subject

PROFILES = "profiles"
CONNECTIONS = "connections"
ELIGIBILITY = "eligibility"


@dataclass(frozen=True, slots=True)
class EligibilityFacts:
    """A customer's stored eligibility on one network and the figures behind it."""

    customer_id: str
    network: str
    eligible: bool
    influence: float
    connections: int
    document: Mapping[str, Any]


class SocialGraphRepository(Repository):
    """Profiles, connections and eligibility of consenting customers."""

    collections = (PROFILES, CONNECTIONS, ELIGIBILITY)

    def save_profile(self, profile: Profile) -> None:
        """Create or replace the profile of ``profile.person_id`` on its network."""
        self._put(PROFILES, safe_key(profile.network, profile.person_id), profile)

    def save_connections(self, customer_id: str, network: str,
                         connections: Iterable[Connection]) -> None:
        """Store the connections ``customer_id`` shares on ``network`` (replacing)."""
        for connection in connections:
            self._put(CONNECTIONS, safe_key(customer_id, network, connection.other_id),
                      connection, customer_id=customer_id)

    def connections_to(self, network: str,
                       author_ids: Sequence[str]) -> dict[str, list[tuple[str, Connection]]]:
        """For each author, the (customer id, connection) pairs of customers connected to
        them on ``network`` (a few ``in`` queries for a whole batch of authors)."""
        found: dict[str, list[tuple[str, Connection]]] = {a: [] for a in author_ids}
        for document in self._where_in(CONNECTIONS, "other_id", author_ids,
                                       Filter("network", "eq", network)):
            customer_id = document.value.get("_customer_id")
            other = document.value.get("other_id")
            if isinstance(customer_id, str) and other in found:
                found[other].append((customer_id, load(Connection, document.value)))
        for pairs in found.values():
            pairs.sort(key=lambda pair: pair[0])
        return found

    def save_eligibility(self, customer_id: str, network: str, person_id: str,
                         eligibility: Eligibility, *, influence: float, connections: int,
                         pillars: Mapping[str, float], influence_explanation: str,
                         at: datetime) -> None:
        """Store the verdict with the influence figures it was computed from."""
        self._put(ELIGIBILITY, safe_key(customer_id, network), eligibility,
                  customer_id=customer_id, network=network, person_id=person_id,
                  influence=influence, influence_pillars=dict(pillars),
                  influence_explanation=influence_explanation, connections=connections,
                  assessed_at=at.isoformat())

    def eligibility(self, customer_id: str, network: str) -> EligibilityFacts | None:
        """The stored eligibility of ``customer_id`` on ``network``, or None."""
        document = self._store.find(ELIGIBILITY, safe_key(customer_id, network))
        return None if document is None else _facts(document.value)

    def eligibility_of(self, customer_ids: Iterable[str],
                       network: str) -> dict[str, EligibilityFacts]:
        """The stored eligibility on ``network`` of each of ``customer_ids`` that has one,
        by customer id (one batch read for a worker's whole batch)."""
        keys = {safe_key(c, network): c for c in customer_ids}
        found = self._store.find_many(ELIGIBILITY, keys)
        return {keys[key]: _facts(document.value) for key, document in found.items()}

    def eligible(self) -> list[EligibilityFacts]:
        """Every eligible (customer, network), ordered by customer id."""
        facts = [_facts(v) for v in self._values(ELIGIBILITY, {"eligible": True})]
        return sorted(facts, key=lambda f: (f.customer_id, f.network))

    # -- erasure ---------------------------------------------------------------------
    def expand(self, subject: Subject) -> None:
        """Accounts of the subject's person ids that only a stored profile names."""
        for document in self._where_in(PROFILES, "person_id", subject.person_ids):
            subject.accounts.add((str(document.value["network"]),
                                  str(document.value["person_id"])))

    def erase(self, erasure: Erasure) -> None:
        """Profiles, connections both ways (other customers' connections to the person
        too) and eligibility. Other customers' eligibility computed while the person was
        a connection is an aggregate and is not recomputed."""
        subject = erasure.subject
        for collection, kind, field, values in (
            (PROFILES, "profiles", "person_id", subject.person_ids),
            (CONNECTIONS, "connections", "_customer_id", subject.customer_ids),
            (CONNECTIONS, "connections", "person_id", subject.person_ids),
            (CONNECTIONS, "connections", "other_id", subject.person_ids),
            (ELIGIBILITY, "eligibility", "_customer_id", subject.customer_ids),
            (ELIGIBILITY, "eligibility", "_person_id", subject.person_ids),
        ):
            self._delete_where_in(collection, field, values, kind, erasure)


def _facts(value: Mapping[str, Any]) -> EligibilityFacts:
    return EligibilityFacts(
        customer_id=str(value.get("_customer_id", "")), network=str(value.get("_network", "")),
        eligible=bool(value.get("eligible")), influence=float(value.get("_influence", 0.0)),
        connections=int(value.get("_connections", 0)), document=dict(value))


__all__ = ["EligibilityFacts", "SocialGraphRepository"]
