"""Customers (potential referrers), the index of their social accounts, their consents.

Collections: ``customers`` (by customer id), ``persons`` (``<network>:<person id>`` → the
customer who owns that account: how an author is recognised as a customer already) and
``consents`` (``<customer>:<network>``, with the SecretStore name of the account's token as
bookkeeping, so erasure can find the token without knowing how names are made) and
``login_attempts`` (OAuth logins in progress, by a digest of their ``state``, expiring).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from socialreferral.domain.customers import Consent, Customer
from socialreferral.domain.oauth import LoginAttempt
from socialreferral.repositories._base import Repository, bookkeeping, dump, load, safe_key
from socialreferral.repositories.erasure import Erasure, Subject

CUSTOMERS = "customers"
PERSONS = "persons"
CONSENTS = "consents"
LOGIN_ATTEMPTS = "login_attempts"


class CustomerRepository(Repository):
    """Customers, their linked accounts and consents."""

    collections = (CUSTOMERS, PERSONS, CONSENTS, LOGIN_ATTEMPTS)

    # -- customers -------------------------------------------------------------------
    def save(self, customer: Customer) -> None:
        """Create or replace a customer."""
        self._put(CUSTOMERS, customer.customer_id, customer)

    def get(self, customer_id: str) -> Customer | None:
        """The stored customer, or None."""
        return self._get(CUSTOMERS, customer_id, Customer)

    def get_many(self, customer_ids: Iterable[str]) -> dict[str, Customer]:
        """The stored customers among ``customer_ids``, by id (one batch read)."""
        found = self._store.find_many(CUSTOMERS, customer_ids)
        return {key: load(Customer, document.value) for key, document in found.items()}

    def link_account(self, customer: Customer, network: str, person_id: str) -> Customer:
        """Record that ``person_id`` on ``network`` is ``customer``'s account; return the
        customer with the account added (and stored)."""
        linked = customer.model_copy(
            update={"social_accounts": {**customer.social_accounts, network: person_id}})
        self.save(linked)
        self._store.put(PERSONS, safe_key(network, person_id), {
            "customer_id": customer.customer_id, "network": network, "person_id": person_id})
        return linked

    def owns_account(self, network: str, person_id: str) -> bool:
        """True if ``person_id`` on ``network`` is a customer's own account."""
        return self._store.find(PERSONS, safe_key(network, person_id)) is not None

    def owned_accounts(self, network: str, person_ids: Iterable[str]) -> set[str]:
        """Those of ``person_ids`` on ``network`` that are customers' own accounts."""
        keys = {safe_key(network, p): p for p in person_ids}
        return {keys[key] for key in self._store.find_many(PERSONS, keys)}

    def is_known(self, network: str, person_id: str, *, email: str | None = None,
                 phone: str | None = None) -> bool:
        """True if the person is a customer already: by account, e-mail or phone."""
        if self.owns_account(network, person_id):
            return True
        return any(
            value and next(iter(self._store.iter_query(CUSTOMERS, {name: value}, page_size=1)),
                           None) is not None
            for name, value in (("email", email), ("phone", phone))
        )

    # -- consents --------------------------------------------------------------------
    def consent(self, customer_id: str, network: str) -> Consent | None:
        """The consent for ``customer_id``'s account on ``network``, or None."""
        return self._get(CONSENTS, safe_key(customer_id, network), Consent)

    def consents(self, customer_ids: Iterable[str], network: str) -> dict[str, Consent]:
        """The consents on ``network`` of those of ``customer_ids`` who gave one, by
        customer id (one batch read)."""
        keys = {safe_key(c, network): c for c in customer_ids}
        found = self._store.find_many(CONSENTS, keys)
        return {keys[key]: load(Consent, document.value) for key, document in found.items()}

    def save_consent(self, consent: Consent, *, secret_name: str | None = None) -> None:
        """Store a consent; ``secret_name`` names the account's token in the SecretStore."""
        meta: dict[str, Any] = {} if secret_name is None else {"secret_name": secret_name}
        self._put(CONSENTS, safe_key(consent.customer_id, consent.network), consent, **meta)

    def revoke_consent(self, customer_id: str, network: str, at: datetime) -> None:
        """Stop listening to ``customer_id`` on ``network`` (no-op without a consent)."""
        key = safe_key(customer_id, network)
        document = self._store.find(CONSENTS, key)
        if document is None:
            return
        revoked = load(Consent, document.value).revoke(at)
        self._store.put(CONSENTS, key, {**dump(revoked), **bookkeeping(document.value)},
                        if_match=document.etag)

    def require_reconsent(self, customer_id: str, network: str, at: datetime) -> bool:
        """Mark the consent as needing a new login; False when there is no consent."""
        key = safe_key(customer_id, network)
        document = self._store.find(CONSENTS, key)
        if document is None:
            return False
        consent = load(Consent, document.value)
        if consent.reconsent_required_at is None:
            marked = consent.model_copy(update={"reconsent_required_at": at})
            self._store.put(CONSENTS, key, {**dump(marked), **bookkeeping(document.value)},
                            if_match=document.etag)
        return True

    # -- logins in progress (OAuth state + PKCE) -------------------------------------
    def save_login_attempt(self, state_digest: str, attempt: LoginAttempt,
                           ttl_seconds: float) -> None:
        """Remember a login until its callback (create-only, expiring)."""
        self._store.put(LOGIN_ATTEMPTS, state_digest, dump(attempt), create_only=True,
                        ttl=ttl_seconds)

    def take_login_attempt(self, state_digest: str) -> LoginAttempt | None:
        """The login with this state digest, deleted as it is read (single use)."""
        document = self._store.find(LOGIN_ATTEMPTS, state_digest)
        if document is None or not self._store.delete(LOGIN_ATTEMPTS, state_digest):
            return None
        return load(LoginAttempt, document.value)

    # -- erasure ---------------------------------------------------------------------
    def expand(self, subject: Subject) -> None:
        """Add every identifier linked to ``subject``'s: customers found by e-mail or
        phone, their accounts and contact details, the accounts' customers, token names."""
        for name, values in (("email", subject.emails), ("phone", subject.phones)):
            for document in self._where_in(CUSTOMERS, name, values):
                subject.customer_ids.add(document.key)
        for document in self._where_in(CUSTOMERS, "customer_id", subject.customer_ids):
            value = document.value
            for network, account in dict(value.get("social_accounts") or {}).items():
                subject.accounts.add((str(network), str(account)))
            for name, bucket in (("email", subject.emails), ("phone", subject.phones)):
                if isinstance(value.get(name), str):
                    bucket.add(value[name])
        for collection in (PERSONS, CONSENTS):
            for name, values in (("customer_id", subject.customer_ids),
                                 ("person_id", subject.person_ids)):
                for document in self._where_in(collection, name, values):
                    value = document.value
                    subject.customer_ids.add(str(value["customer_id"]))
                    subject.accounts.add((str(value["network"]), str(value["person_id"])))
                    if isinstance(value.get("_secret_name"), str):
                        subject.secret_names.add(value["_secret_name"])
        subject.person_ids.update(account for _, account in subject.accounts)

    def erase(self, erasure: Erasure) -> None:
        """Consents, the account index and the customers: the records that resolve the
        person, so they go last and an interrupted erasure can simply be repeated."""
        subject = erasure.subject
        self._delete_where_in(LOGIN_ATTEMPTS, "customer_id", subject.customer_ids,
                              "login_attempts", erasure)
        for collection, kind in ((CONSENTS, "consents"), (PERSONS, "persons")):
            for name, values in (("customer_id", subject.customer_ids),
                                 ("person_id", subject.person_ids)):
                self._delete_where_in(collection, name, values, kind, erasure)
        for customer_id in sorted(subject.customer_ids):
            erasure.count("customers", int(self._store.delete(CUSTOMERS, customer_id)))


__all__ = ["CustomerRepository"]
