"""The authorization workflow (seed 000, Section 5.1): a customer connects a social account.

Steps: the OAuth token goes to the SecretStore (only there: never into a document, a log
line or an exception message) → the consent and the customer are recorded → the profile
and the connections the customer shares are read from the SocialChannel and stored → the
customer's eligibility (connections, influence, activity; thresholds from settings) is
computed by the domain and stored with its explanation.

Re-connecting is idempotent: the token gets a new version, the records are overwritten
with the fresh profile, and eligibility is recomputed.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain.eligibility import Eligibility, EligibilityRules, assess_eligibility
from socialreferral.domain.people import Consent, Customer
from socialreferral.domain.social import Connection, Profile
from socialreferral.errors import InvalidInput
from socialreferral.ports import DocumentStore, SecretStore, SocialChannel
from socialreferral.service.records import Collections, get_model, put_model, safe_key

ACTIVITY_WINDOW = timedelta(days=30)
# Influence is not (yet) a domain function; this small stand-in is documented on
# :func:`influence_score` and kept here so the domain stays the one place for rules.
_REACH_SCALE = 300.0
_ENGAGEMENT_SCALE = 0.5


class ConnectResult(DomainModel):
    """What connecting an account produced (no token in it, by construction)."""

    customer_id: str
    network: str
    person_id: str
    secret_name: str
    secret_version: str
    connections: int = Field(ge=0)
    influence: float = Field(ge=0.0, le=1.0)
    eligibility: Eligibility


def token_secret_name(network: str, person_id: str) -> str:
    """SecretStore name of a person's OAuth token (names allow only letters, digits, '-')."""
    clean = re.sub(r"[^A-Za-z0-9]", "", network)[:20] or "net"
    digest = hashlib.sha256(f"{network}\x1f{person_id}".encode()).hexdigest()[:40]
    return f"oauth-{clean}-{digest}"


def recent_activity(connections: Sequence[Connection], now: datetime) -> int:
    """Interactions with connections in the last 30 days (the activity the channel shows)."""
    start = now - ACTIVITY_WINDOW
    return sum(1 for c in connections for i in c.interactions if start < i.at <= now)


def influence_score(profile: Profile, connections: Sequence[Connection], now: datetime) -> float:
    """A 0..1 influence: 0.6 x reach (audience, saturating at ~300) + 0.4 x engagement
    (recent interactions per connection, saturating at ~0.5).

    Minimal stand-in owned by the service until the domain offers an influence model
    (seed 002's pillars); eligibility and incentives only need a monotone 0..1 figure.
    """
    audience = max(profile.followers, len({c.other_id for c in connections}))
    reach = 1.0 - math.exp(-audience / _REACH_SCALE)
    per_connection = recent_activity(connections, now) / max(1, len(connections))
    engagement = 1.0 - math.exp(-per_connection / _ENGAGEMENT_SCALE)
    return round(min(1.0, 0.6 * reach + 0.4 * engagement), 6)


def connect_account(
    *,
    store: DocumentStore,
    secrets: SecretStore,
    social: SocialChannel,
    rules: EligibilityRules,
    customer: Customer,
    network: str,
    person_id: str,
    token: str,
    scopes: Sequence[str],
    now: datetime,
) -> ConnectResult:
    """Run the authorization workflow for ``customer``'s account ``person_id``.

    Raises ``InvalidInput`` naming the field for an empty token or person id, and
    ``ProfileNotFound`` when the channel does not know the person.
    """
    if not isinstance(token, str) or not token.strip():
        raise InvalidInput("must be a non-empty string", field="token")
    if not person_id:
        raise InvalidInput("must not be empty", field="person_id")
    secret = secrets.set(token_secret_name(network, person_id), token)

    accounts = {**customer.social_accounts, network: person_id}
    customer = customer.model_copy(update={"social_accounts": accounts})
    put_model(store, Collections.CUSTOMERS, customer.customer_id, customer)
    store.put(Collections.PERSONS, safe_key(network, person_id),
              {"customer_id": customer.customer_id, "network": network, "person_id": person_id})
    previous = get_model(store, Collections.CONSENTS, safe_key(customer.customer_id, network),
                         Consent)
    consent = Consent(customer_id=customer.customer_id, network=network, person_id=person_id,
                      scopes=tuple(scopes),
                      granted_at=previous.granted_at if previous and previous.active else now)
    put_model(store, Collections.CONSENTS, safe_key(customer.customer_id, network), consent,
              secret_name=secret.name)

    profile = social.get_profile(person_id)
    connections = [c for c in social.get_connections(person_id) if c.person_id == person_id]
    put_model(store, Collections.PROFILES, safe_key(network, person_id), profile)
    for connection in connections:
        put_model(store, Collections.CONNECTIONS,
                  safe_key(customer.customer_id, network, connection.other_id), connection,
                  customer_id=customer.customer_id)

    influence = influence_score(profile, connections, now)
    eligibility = assess_eligibility(profile, connections, recent_activity(connections, now),
                                     influence, rules)
    put_model(store, Collections.ELIGIBILITY, safe_key(customer.customer_id, network),
              eligibility, customer_id=customer.customer_id, network=network,
              person_id=person_id, influence=influence,
              connections=len(connections), assessed_at=now.isoformat())
    return ConnectResult(
        customer_id=customer.customer_id,
        network=network,
        person_id=person_id,
        secret_name=secret.name,
        secret_version=secret.version,
        connections=len(connections),
        influence=influence,
        eligibility=eligibility,
    )


def revoke_consent(store: DocumentStore, customer_id: str, network: str, at: datetime) -> None:
    """Stop listening to ``customer_id`` on ``network`` (the worker skips revoked consents)."""
    key = safe_key(customer_id, network)
    consent = get_model(store, Collections.CONSENTS, key, Consent)
    if consent is not None:
        put_model(store, Collections.CONSENTS, key, consent.revoke(at))


def eligibility_of(store: DocumentStore, customer_id: str, network: str) -> dict[str, object]:
    """The stored eligibility document (verdict, explanation, influence) or ``{}``."""
    document = store.find(Collections.ELIGIBILITY, safe_key(customer_id, network))
    return {} if document is None else dict(document.value)


__all__ = [
    "ConnectResult",
    "connect_account",
    "eligibility_of",
    "influence_score",
    "recent_activity",
    "revoke_consent",
    "token_secret_name",
]
