"""Connecting a social account by OAuth login (seed 000, Sections 4.1 and 5.1).

The bank's own site knows who the customer is; socialreferral does not authenticate
customers. The site asks :func:`connect_ticket` for a signed, expiring ticket naming the
customer and sends the browser to ``/connect/<network>?ticket=...``. Then:

1. :func:`begin_login` checks the ticket, makes a ``state`` (32 random bytes) and a PKCE
   ``code_verifier``, remembers them for ten minutes (``login_attempts``, by a digest of
   the state; nothing else about the customer) and returns the network's authorization
   URL (``code_challenge`` S256).
2. The network redirects back to ``/connect/<network>/callback``: :func:`finish_login`
   *takes* the attempt for that state (single use; unknown, replayed or expired states are
   refused), and either records that the person declined, or exchanges the code (with the
   verifier; Meta's long-lived exchange) and runs the authorization workflow
   (:func:`~socialreferral.service.authorization.connect_account`): the token goes to the
   SecretStore only, the consent records the scopes the network reports as *granted*;
   declined scopes are reported (an incomplete connection when a required one is missing).
3. When a network later refuses the token (:class:`~socialreferral.errors.TokenInvalid`),
   :func:`require_reconsent` marks the consent; the next login clears it.

Revocation at the network on erasure is the channel adapter's ``forget``.
"""

from __future__ import annotations

import hashlib
import secrets as pysecrets
from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain.customers import Consent, Customer
from socialreferral.domain.eligibility import EligibilityRules
from socialreferral.domain.links import sign_referral_token, verify_referral_token
from socialreferral.domain.oauth import LoginAttempt, token_secret_name
from socialreferral.errors import InvalidInput, SecretNotFound, SignatureInvalid
from socialreferral.ports import SecretStore, SocialChannel
from socialreferral.ports.oauth import OAuthLogin
from socialreferral.records import Capability
from socialreferral.repositories import Repositories
from socialreferral.service.authorization import ConnectResult, connect_account

CONNECT_KEY_SECRET = "connect-ticket-key"
TICKET_TTL = timedelta(minutes=15)
LOGIN_TTL = timedelta(minutes=10)


class ConnectOutcome(DomainModel):
    """The end of a login: no token in it, by construction."""

    customer_id: str
    network: str
    status: Literal["connected", "incomplete", "declined"]
    person_id: str | None = None
    granted: tuple[str, ...] = ()
    declined: tuple[str, ...] = ()
    missing_required: tuple[str, ...] = ()
    eligible: bool | None = None
    connections: int = Field(default=0, ge=0)


def _ticket_key(secrets: SecretStore) -> tuple[str, bytes]:
    try:
        secret = secrets.get(CONNECT_KEY_SECRET)
    except SecretNotFound:
        secret = secrets.set(CONNECT_KEY_SECRET, pysecrets.token_urlsafe(32))
    return secret.version, secret.value.encode("utf-8")


def connect_ticket(secrets: SecretStore, customer_id: str, now: datetime,
                   ttl: timedelta = TICKET_TTL) -> str:
    """A signed ticket for ``/connect/<network>?ticket=``, naming ``customer_id``, valid
    for ``ttl`` (the bank's site calls this for its logged-in customer)."""
    Customer(customer_id=customer_id)  # the id rule, as InvalidInput below
    key_id, key = _ticket_key(secrets)
    return sign_referral_token(customer_id, now + ttl, key, key_id)


def begin_login(*, repositories: Repositories, secrets: SecretStore, login: OAuthLogin,
                ticket: str, redirect_uri: str, now: datetime) -> str:
    """Check the ticket and return the network's authorization URL (state + PKCE)."""
    key_id, key = _ticket_key(secrets)
    claims = verify_referral_token(ticket, {key_id: key}, now)
    state = pysecrets.token_urlsafe(32)
    verifier = pysecrets.token_urlsafe(64)[:96]
    repositories.customers.save_login_attempt(
        _digest(state), LoginAttempt(customer_id=claims.referral_id, network=login.network,
                                     code_verifier=verifier, redirect_uri=redirect_uri,
                                     expires_at=now + LOGIN_TTL),
        LOGIN_TTL.total_seconds())
    return login.authorization_url(redirect_uri=redirect_uri, state=state,
                                   code_verifier=verifier)


def finish_login(*, repositories: Repositories, secrets: SecretStore, social: SocialChannel,
                 login: OAuthLogin, rules: EligibilityRules, state: str, code: str | None,
                 error: str | None, now: datetime) -> ConnectOutcome:
    """Handle the network's redirect back (module docstring, step 2)."""
    if not isinstance(state, str) or not 16 <= len(state) <= 200:
        raise SignatureInvalid("missing or malformed login state", field="state")
    attempt = repositories.customers.take_login_attempt(_digest(state))
    if attempt is None or attempt.network != login.network or attempt.expires_at <= now:
        raise SignatureInvalid("unknown, used or expired login state", field="state")
    if error or not code:
        return ConnectOutcome(customer_id=attempt.customer_id, network=login.network,
                              status="declined", declined=tuple(login.scopes))
    if len(code) > 2000:
        raise InvalidInput("too long", field="code")
    grant = login.exchange(code=code, code_verifier=attempt.code_verifier,
                           redirect_uri=attempt.redirect_uri, now=now)
    customer = repositories.customers.get(attempt.customer_id) or Customer(
        customer_id=attempt.customer_id, display_name=grant.display_name[:200])
    connected: ConnectResult | None = None
    # The authorization workflow scores the person's profile; a channel that reads no
    # profiles (LinkedIn gives apps none) keeps the grant and the consent only.
    if social.network == login.network and social.supports(Capability.PROFILES):
        connected = connect_account(
            repositories=repositories, secrets=secrets, social=social, rules=rules,
            customer=customer, network=login.network, person_id=grant.person_id,
            token=grant.token.to_secret(), scopes=grant.granted, now=now)
    else:  # another network's channel, or one without profiles: grant and consent only
        secret = secrets.set(token_secret_name(login.network, grant.person_id),
                             grant.token.to_secret())
        linked = repositories.customers.link_account(customer, login.network, grant.person_id)
        repositories.customers.save_consent(
            Consent(customer_id=linked.customer_id, network=login.network,
                    person_id=grant.person_id, scopes=grant.granted, granted_at=now),
            secret_name=secret.name)
    missing = tuple(s for s in login.required_scopes if s not in grant.granted)
    return ConnectOutcome(
        customer_id=customer.customer_id, network=login.network, person_id=grant.person_id,
        status="incomplete" if missing else "connected", granted=grant.granted,
        declined=grant.declined, missing_required=missing,
        eligible=None if connected is None else connected.eligibility.eligible,
        connections=0 if connected is None else connected.connections)


def require_reconsent(repositories: Repositories, customer_id: str, network: str,
                      at: datetime) -> bool:
    """Record that ``customer_id`` must log in to ``network`` again (their token was
    refused); False when they have no consent there."""
    return repositories.customers.require_reconsent(customer_id, network, at)


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


__all__ = ["CONNECT_KEY_SECRET", "ConnectOutcome", "begin_login", "connect_ticket",
           "finish_login", "require_reconsent"]
