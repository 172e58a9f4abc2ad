"""Unsubscribe links: signed by the e-mail channel, honoured by the contact policy.

Every e-mail carries a link ``/unsubscribe?token=...`` (and the ``List-Unsubscribe`` /
``List-Unsubscribe-Post`` headers of RFC 8058, so mail clients show a one-click button).
The token is the signed-link format of :mod:`socialreferral.domain.links` naming the
recipient, signed with its own key (SecretStore ``unsubscribe-link-key``, created on
first use), so a referral link can never be replayed as an unsubscribe and the reverse.
:func:`unsubscribe` verifies it and records the opt-out in the contact repository:
:func:`socialreferral.domain.policy.decide` then refuses every later contact with that
person (``prospect_opted_out`` / ``referrer_opted_out``).
"""

from __future__ import annotations

import secrets as pysecrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

from socialreferral.domain.links import sign_referral_token, verify_referral_token
from socialreferral.errors import SecretNotFound
from socialreferral.ports import SecretStore
from socialreferral.repositories import Repositories

UNSUBSCRIBE_PATH = "/unsubscribe"
UNSUBSCRIBE_KEY_SECRET = "unsubscribe-link-key"
LINK_TTL = timedelta(days=400)


def _key(secrets: SecretStore, name: str) -> tuple[str, bytes]:
    try:
        secret = secrets.get(name)
    except SecretNotFound:
        secret = secrets.set(name, pysecrets.token_urlsafe(32))
    return secret.version, secret.value.encode("utf-8")


def unsubscribe_url(secrets: SecretStore, base_url: str, person_id: str, now: datetime, *,
                    ttl: timedelta = LINK_TTL, key_secret: str = UNSUBSCRIBE_KEY_SECRET) -> str:
    """The signed unsubscribe link of ``person_id`` under ``base_url``."""
    key_id, key = _key(secrets, key_secret)
    token = sign_referral_token(person_id, now + ttl, key, key_id)
    return f"{base_url.rstrip('/')}{UNSUBSCRIBE_PATH}?{urlencode({'token': token})}"


def unsubscribe(repositories: Repositories, secrets: SecretStore, token: str, now: datetime,
                *, key_secret: str = UNSUBSCRIBE_KEY_SECRET) -> str:
    """Verify ``token`` and opt its person out of every contact; return the person id.
    A forged, altered or expired token raises
    :class:`~socialreferral.errors.SignatureInvalid`. Idempotent."""
    key_id, key = _key(secrets, key_secret)
    claims = verify_referral_token(token, {key_id: key}, now)
    repositories.contacts.opt_out(claims.referral_id, now)
    return claims.referral_id


__all__ = ["LINK_TTL", "UNSUBSCRIBE_KEY_SECRET", "UNSUBSCRIBE_PATH", "unsubscribe",
           "unsubscribe_url"]
