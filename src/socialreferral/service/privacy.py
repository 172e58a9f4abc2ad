"""Right to erasure: :func:`erase_person` removes what the library stored about a person.

A person is named by any of: a network ``person_id`` (a prospect who posted, or a
customer's social account), a ``customer_id``, an ``email``, a ``phone``. The names are
resolved to every identifier the library links to them (a customer's social accounts and
contact details, the accounts' customer) and then, through the ports only:

* **SecretStore** — the OAuth token of every account (every version; the names come from
  :func:`~socialreferral.service.authorization.token_secret_name` for the known networks and
  from the consent records).
* **SocialChannel** — ``forget``: profile, connections both ways, messages sent to them.
* **CRM** — ``erase_contact``: leads with their e-mail/phone and the leads of their
  referrals; opportunities and review tasks naming them are anonymised (``save_*``).
* **DocumentStore** — deleted: customer, person index, consents, profiles, connections
  (theirs and other customers' connections *to* them), eligibility, contact histories keyed
  by them, opt-outs, processed events they authored and their de-duplication marks, manual
  offers, promotion posts, incentive budgets, timing samples of deleted records, and the
  offers/referrals/lead records about them that no reward depends on.

What is kept, and why
    * **Rewards** (amount, currency, status, flags, product) and the offer, referral and
      referral-lead records a reward depends on: a reward is an accounting record of money
      owed or paid, which must be kept. These are *anonymised*: the erased person's ids are
      replaced by a tombstone ``erased:<16 hex>`` (an HMAC-SHA-256 under a random key that
      is thrown away at the end of the call, so the tombstone cannot be recomputed from the
      id — a plain hash of a guessable id could), offer texts and explanations (which carry
      names) are emptied, and any remaining mention of their ids in free text is replaced.
      Record ids (``off_…``, ``ref_…``, ``rwd_…``) are one-way digests and stay, so the
      funnel report and the reward trail still add up.
    * **Contact-history records** in *other* people's histories (a referrer's list of the
      prospects they were asked about) stay with the erased side tombstoned: they count
      towards the other person's contact caps, which must keep holding.
    * **Aggregates**: other customers' eligibility (connection counts, influence) computed
      while the person was a connection is not recomputed; timing samples of kept records.

Not covered: messages already delivered to *other* people that quote the person (the
referrer's "your friend Zelda may be interested" ask) belong to their recipients;
``forget`` erases only messages sent to the person. Messages still in the Queue (a
pending event of the person would be processed after the erasure and create new records:
drain the queue first or erase again afterwards). An opt-out is erased with the rest, so
an integrator who must keep a suppression list keeps it outside the library. Physical
deletion inside each backend is the adapter's job (the local CRM and social channel turn
on SQLite ``secure_delete`` and checkpoint the write-ahead log).

Order and idempotency: the records that resolve a person (customer, person index,
consents) are deleted last, so a run interrupted half way can simply be repeated. A second
run finds nothing and reports zeros; an unknown person reports zeros.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain.crm import normalise_email, normalise_phone
from socialreferral.domain.referrals import referral_id_for
from socialreferral.errors import InvalidInput, ProfileNotFound, SecretNotFound
from socialreferral.ports import CRM, DocumentStore, SecretStore, SocialChannel
from socialreferral.records import Filter
from socialreferral.service.authorization import token_secret_name
from socialreferral.service.records import Collections, safe_key
from socialreferral.service.referrals import BUDGETS

KNOWN_NETWORKS: tuple[str, ...] = ("facebook", "x", "linkedin", "local")
"""Networks whose token names are tried for a person id even when no record names the
network (a token whose records were lost would otherwise stay behind)."""

TOMBSTONE_PREFIX = "erased:"
_ERASED_TEXT = "erased"
_IN_CHUNK = 100


class ErasureReport(DomainModel):
    """How many records of each kind one :func:`erase_person` call erased.

    Counts only, never an identifier. ``*_anonymised`` records were kept with the person's
    identifiers replaced by a tombstone (see the module docstring for why).
    """

    secrets: int = Field(default=0, ge=0)
    social_accounts: int = Field(default=0, ge=0)
    crm_leads: int = Field(default=0, ge=0)
    crm_opportunities_anonymised: int = Field(default=0, ge=0)
    crm_tasks_anonymised: int = Field(default=0, ge=0)
    customers: int = Field(default=0, ge=0)
    persons: int = Field(default=0, ge=0)
    consents: int = Field(default=0, ge=0)
    profiles: int = Field(default=0, ge=0)
    connections: int = Field(default=0, ge=0)
    eligibility: int = Field(default=0, ge=0)
    contact_histories: int = Field(default=0, ge=0)
    contact_records_anonymised: int = Field(default=0, ge=0)
    optouts: int = Field(default=0, ge=0)
    events: int = Field(default=0, ge=0)
    seen_events: int = Field(default=0, ge=0)
    timings: int = Field(default=0, ge=0)
    offers: int = Field(default=0, ge=0)
    offers_anonymised: int = Field(default=0, ge=0)
    referrals: int = Field(default=0, ge=0)
    referrals_anonymised: int = Field(default=0, ge=0)
    referral_leads: int = Field(default=0, ge=0)
    referral_leads_anonymised: int = Field(default=0, ge=0)
    rewards_anonymised: int = Field(default=0, ge=0)
    budgets: int = Field(default=0, ge=0)
    manual_offers: int = Field(default=0, ge=0)
    promotion_posts: int = Field(default=0, ge=0)

    @property
    def total(self) -> int:
        """Every record erased or anonymised (0 when there was nothing to erase)."""
        return sum(int(v) for v in self.model_dump().values())


@dataclass
class _Subject:
    """Everything that identifies the person, gathered before anything is erased."""

    customer_ids: set[str] = field(default_factory=set)
    person_ids: set[str] = field(default_factory=set)
    accounts: set[tuple[str, str]] = field(default_factory=set)  # (network, person id)
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    secret_names: set[str] = field(default_factory=set)

    @property
    def ids(self) -> set[str]:
        return self.customer_ids | self.person_ids


class _Tombstones:
    """Irreversible stand-ins: HMAC under a random key that dies with the call, so the same
    id gets the same tombstone within one erasure (records stay consistent with each other)
    and nobody can recompute it from the id afterwards."""

    def __init__(self, subject: _Subject) -> None:
        self._key = os.urandom(32)
        self.subject = subject
        words = sorted(subject.ids | subject.emails | subject.phones, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(rf"(?<![A-Za-z0-9]){re.escape(w)}(?![A-Za-z0-9])"
                                for w in words))
            if words else None
        )

    def __call__(self, value: str) -> str:
        digest = hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"{TOMBSTONE_PREFIX}{digest[:16]}"

    def ident(self, value: Any) -> Any:
        """``value`` tombstoned if it is one of the person's ids, else unchanged."""
        return self(value) if isinstance(value, str) and value in self.subject.ids else value

    def scrub(self, value: Any) -> Any:
        """``value`` (any JSON) with every mention of the person replaced."""
        if isinstance(value, str):
            if value in self.subject.ids:
                return self(value)
            if self._pattern is None:
                return value
            return self._pattern.sub(
                lambda m: self(m.group(0)) if m.group(0) in self.subject.ids
                else _ERASED_TEXT, value)
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub(v) for k, v in value.items()}
        return value


def _normalised(kind: str, value: str | None) -> str | None:
    try:
        return normalise_email(value) if kind == "email" else normalise_phone(value)
    except ValueError:
        # No value in the message: it would carry the person's data into logs.
        raise InvalidInput(f"not a valid {kind}", field=kind) from None


def _docs(store: DocumentStore, collection: str, field_name: str,
          values: Iterable[str]) -> list[Any]:
    """Every document whose ``field_name`` is one of ``values`` (read before changing)."""
    ordered = sorted(set(values))
    found: dict[str, Any] = {}
    for start in range(0, len(ordered), _IN_CHUNK):
        chunk = ordered[start : start + _IN_CHUNK]
        for document in store.iter_query(collection, [Filter(field_name, "in", chunk)]):
            found[document.key] = document
    return list(found.values())


def _resolve(store: DocumentStore, person_id: str | None, customer_id: str | None,
             email: str | None, phone: str | None) -> _Subject:
    subject = _Subject()
    if customer_id:
        subject.customer_ids.add(customer_id)
    if person_id:
        subject.person_ids.add(person_id)
    if email:
        subject.emails.add(email)
    if phone:
        subject.phones.add(phone)
    for _ in range(3):  # customer -> accounts -> customer ...; stable after two rounds
        before = (len(subject.customer_ids), len(subject.person_ids), len(subject.emails),
                  len(subject.phones))
        for name, values in (("email", subject.emails), ("phone", subject.phones)):
            for document in _docs(store, Collections.CUSTOMERS, name, values):
                subject.customer_ids.add(document.key)
        for document in _docs(store, Collections.CUSTOMERS, "customer_id",
                              subject.customer_ids):
            value = document.value
            for network, account in dict(value.get("social_accounts") or {}).items():
                subject.accounts.add((str(network), str(account)))
            for name, bucket in (("email", subject.emails), ("phone", subject.phones)):
                if isinstance(value.get(name), str):
                    bucket.add(value[name])
        for collection in (Collections.PERSONS, Collections.CONSENTS):
            for name, values in (("customer_id", subject.customer_ids),
                                 ("person_id", subject.person_ids)):
                for document in _docs(store, collection, name, values):
                    value = document.value
                    subject.customer_ids.add(str(value["customer_id"]))
                    subject.accounts.add((str(value["network"]), str(value["person_id"])))
                    if isinstance(value.get("_secret_name"), str):
                        subject.secret_names.add(value["_secret_name"])
        subject.person_ids.update(account for _, account in subject.accounts)
        for document in _docs(store, Collections.PROFILES, "person_id", subject.person_ids):
            subject.accounts.add((str(document.value["network"]), document.value["person_id"]))
        after = (len(subject.customer_ids), len(subject.person_ids), len(subject.emails),
                 len(subject.phones))
        if after == before:
            break
    return subject


def erase_person(
    *,
    person_id: str | None = None,
    customer_id: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    store: DocumentStore,
    secrets: SecretStore,
    crm: CRM,
    social: SocialChannel,
) -> ErasureReport:
    """Erase what the library stored about one person (module docstring: what is kept).

    At least one of ``person_id``, ``customer_id``, ``email``, ``phone`` must be given
    (``InvalidInput`` otherwise, or for an e-mail/phone that is not one). Idempotent; an
    unknown person gives a report of zeros.
    """
    if not any((person_id, customer_id, email, phone)):
        raise InvalidInput("name the person: person_id, customer_id, email or phone",
                           field="person_id")
    subject = _resolve(store, person_id, customer_id, _normalised("email", email),
                       _normalised("phone", phone))
    tomb = _Tombstones(subject)
    counts: dict[str, int] = dict.fromkeys(ErasureReport.model_fields, 0)

    _erase_secrets(secrets, subject, counts)
    _erase_social(social, subject, counts)
    _erase_crm(store, crm, subject, tomb, counts)
    _erase_referrals(store, subject, tomb, counts)
    _erase_activity(store, subject, tomb, counts)
    _erase_identity(store, subject, counts)
    return ErasureReport(**counts)


# -- per port --------------------------------------------------------------------------
def _erase_secrets(secrets: SecretStore, subject: _Subject, counts: dict[str, int]) -> None:
    names = set(subject.secret_names)
    names.update(token_secret_name(network, pid) for network, pid in subject.accounts)
    names.update(token_secret_name(network, pid)
                 for network in KNOWN_NETWORKS for pid in subject.person_ids)
    for name in sorted(names):
        try:
            secrets.delete(name)  # every version
        except SecretNotFound:
            continue
        counts["secrets"] += 1


def _erase_social(social: SocialChannel, subject: _Subject, counts: dict[str, int]) -> None:
    for pid in sorted(subject.person_ids):
        try:
            social.get_profile(pid)
            held = True
        except ProfileNotFound:
            held = bool(social.get_connections(pid))
        social.forget(pid)  # also when nothing was seen: messages sent to them go too
        counts["social_accounts"] += int(held)


def _erase_crm(store: DocumentStore, crm: CRM, subject: _Subject, tomb: _Tombstones,
               counts: dict[str, int]) -> None:
    referral_ids = {d.key for d in _docs(store, Collections.REFERRALS, "prospect_id",
                                         subject.person_ids)}
    lead_ids = sorted({str(d.value["lead_id"]) for d in
                       _docs(store, Collections.LEADS, "referral_id", referral_ids)})
    pairs = list(zip_longest(sorted(subject.emails), sorted(subject.phones)))
    if lead_ids or pairs:
        first = True
        for mail, number in pairs or [(None, None)]:
            counts["crm_leads"] += crm.erase_contact(
                email=mail, phone=number, lead_ids=lead_ids if first else ())
            first = False
    for opportunity in crm.list_opportunities():
        if opportunity.prospect_id in subject.person_ids:
            crm.save_opportunity(opportunity.model_copy(update={
                "prospect_id": tomb(opportunity.prospect_id), "context": "",
                "offer_text": None, "referrer_id": tomb.ident(opportunity.referrer_id)}))
        elif opportunity.referrer_id in subject.customer_ids:
            crm.save_opportunity(opportunity.model_copy(update={
                "referrer_id": tomb(opportunity.referrer_id),
                "context": tomb.scrub(opportunity.context)}))
        else:
            continue
        counts["crm_opportunities_anonymised"] += 1
    for task in crm.list_tasks():
        details = tomb.scrub(dict(task.details))
        subject_line = tomb.scrub(task.subject)
        if details != task.details or subject_line != task.subject:
            crm.save_task(task.model_copy(update={"details": details,
                                                  "subject": subject_line}))
            counts["crm_tasks_anonymised"] += 1


# -- document store --------------------------------------------------------------------
def _change(store: DocumentStore, collection: str, key: str,
            edit: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    def change(current: dict[str, Any] | None) -> dict[str, Any]:
        return edit(dict(current or {}))

    store.update(collection, key, change)


def _erase_referrals(store: DocumentStore, subject: _Subject, tomb: _Tombstones,
                     counts: dict[str, int]) -> None:
    """Offers, referrals, referral leads and rewards: deleted, or anonymised when a reward
    (an accounting record) depends on them."""
    offers = {d.key: d for d in _docs(store, Collections.OFFERS, "prospect_id",
                                      subject.person_ids)}
    offers.update({d.key: d for d in _docs(store, Collections.OFFERS, "referrer_id",
                                           subject.customer_ids)})
    referrals = {d.key: d for d in _docs(store, Collections.REFERRALS, "prospect_id",
                                         subject.person_ids)}
    referrals.update({d.key: d for d in _docs(store, Collections.REFERRALS, "referrer_id",
                                              subject.customer_ids)})
    for offer_id in offers:
        referral = store.find(Collections.REFERRALS, referral_id_for(offer_id))
        if referral is not None:
            referrals.setdefault(referral.key, referral)
    rewarded = {d.value["referral_id"] for d in
                _docs(store, Collections.REWARDS, "referral_id", referrals)}
    kept_offers = {str(d.value["offer_id"]) for k, d in referrals.items() if k in rewarded}
    deleted: set[str] = set()

    for offer_id in offers:
        if offer_id in kept_offers:
            _change(store, Collections.OFFERS, offer_id, lambda v: _anonymise_offer(v, tomb))
            counts["offers_anonymised"] += 1
        elif store.delete(Collections.OFFERS, offer_id):
            deleted.add(offer_id)
            counts["offers"] += 1
    for referral_id, document in referrals.items():
        if referral_id in rewarded:
            _change(store, Collections.REFERRALS, referral_id, tomb.scrub)
            counts["referrals_anonymised"] += 1
            continue
        if store.delete(Collections.REFERRALS, referral_id):
            deleted.add(referral_id)
            counts["referrals"] += 1
        # A lead record without a reward (a crash before the reward): nothing depends on it.
        if store.delete(Collections.LEADS, referral_id):
            counts["referral_leads"] += 1
        offer_id = str(document.value.get("offer_id", ""))
        if offer_id and offer_id not in offers and store.delete(Collections.OFFERS, offer_id):
            deleted.add(offer_id)
            counts["offers"] += 1
    for document in _docs(store, Collections.LEADS, "referrer_id", subject.customer_ids):
        _change(store, Collections.LEADS, document.key, tomb.scrub)
        counts["referral_leads_anonymised"] += 1
    rewards = {d.key: d for d in _docs(store, Collections.REWARDS, "referrer_id",
                                       subject.customer_ids)}
    rewards.update({d.key: d for d in _docs(store, Collections.REWARDS, "referral_id",
                                            rewarded)})
    for reward_id, document in rewards.items():
        if tomb.scrub(document.value) != document.value:
            _change(store, Collections.REWARDS, reward_id, tomb.scrub)
            counts["rewards_anonymised"] += 1
    for document in _docs(store, BUDGETS, "referrer_id", subject.customer_ids):
        # Reservations against this referrer's monthly cap: the rewards keep the amounts.
        counts["budgets"] += int(store.delete(BUDGETS, document.key))
    counts["timings"] += _delete_timings(store, deleted)


def _anonymise_offer(value: dict[str, Any], tomb: _Tombstones) -> dict[str, Any]:
    if not value:
        return value
    value = dict(value)
    if value.get("prospect_id") in tomb.subject.person_ids:
        # The event id names the person's post (and, for a like, the person).
        value["event_id"] = tomb(str(value.get("event_id", "")))
    value["text"] = ""
    value["explanation"] = {"summary": _ERASED_TEXT}
    if value.get("referrer_id") in tomb.subject.customer_ids:
        value.pop("_referrer_person_id", None)
    return dict(tomb.scrub(value))


def _delete_timings(store: DocumentStore, record_ids: set[str]) -> int:
    return sum(int(store.delete(Collections.TIMINGS, d.key))
               for d in _docs(store, Collections.TIMINGS, "record_id", record_ids))


def _erase_activity(store: DocumentStore, subject: _Subject, tomb: _Tombstones,
                    counts: dict[str, int]) -> None:
    """Events, contact histories, opt-outs, manual offers, promotion posts."""
    event_ids: set[str] = set()
    for document in _docs(store, Collections.EVENTS, "author_id", subject.person_ids):
        event_ids.add(str(document.value.get("event_id", "")))
        counts["events"] += int(store.delete(Collections.EVENTS, document.key))
    for document in list(store.iter_query(Collections.SEEN_EVENTS, page_size=1000)):
        event_id = str(document.value.get("event_id", ""))
        # A like's event id carries its author: "facebook:<object>:add:like:<person>".
        if event_id in event_ids or subject.person_ids & set(event_id.split(":")):
            counts["seen_events"] += int(store.delete(Collections.SEEN_EVENTS, document.key))
    counts["timings"] += _delete_timings(store, event_ids)

    for role in ("prospect", "referrer"):
        for ident in sorted(subject.ids):
            counts["contact_histories"] += int(
                store.delete(Collections.CONTACTS, safe_key(role, ident)))
    for document in list(store.iter_query(Collections.CONTACTS, page_size=1000)):
        records = list(document.value.get("records", []))
        touched = sum(1 for r in records
                      if r.get("prospect_id") in subject.ids
                      or r.get("referrer_id") in subject.ids)
        if touched:
            _change(store, Collections.CONTACTS, document.key, tomb.scrub)
            counts["contact_records_anonymised"] += touched
    for ident in sorted(subject.ids):
        counts["optouts"] += int(store.delete(Collections.OPTOUTS, safe_key(ident)))

    manual = {d.key for d in _docs(store, Collections.MANUAL, "prospect_id",
                                   subject.person_ids)}
    manual |= {d.key for d in _docs(store, Collections.MANUAL, "referrer_id",
                                    subject.customer_ids)}
    counts["manual_offers"] += sum(int(store.delete(Collections.MANUAL, k)) for k in manual)
    for document in _docs(store, Collections.PROMOTION_POSTS, "customer_id",
                          subject.customer_ids):
        counts["promotion_posts"] += int(store.delete(Collections.PROMOTION_POSTS,
                                                      document.key))


def _erase_identity(store: DocumentStore, subject: _Subject, counts: dict[str, int]) -> None:
    """Profiles, connections, eligibility, then the records that resolve the person."""
    deletions: list[tuple[str, str, str, set[str]]] = [
        ("profiles", Collections.PROFILES, "person_id", subject.person_ids),
        ("connections", Collections.CONNECTIONS, "_customer_id", subject.customer_ids),
        ("connections", Collections.CONNECTIONS, "person_id", subject.person_ids),
        ("connections", Collections.CONNECTIONS, "other_id", subject.person_ids),
        ("eligibility", Collections.ELIGIBILITY, "_customer_id", subject.customer_ids),
        ("eligibility", Collections.ELIGIBILITY, "_person_id", subject.person_ids),
        # Last: these resolve the person, so an interrupted run can be repeated.
        ("consents", Collections.CONSENTS, "customer_id", subject.customer_ids),
        ("consents", Collections.CONSENTS, "person_id", subject.person_ids),
        ("persons", Collections.PERSONS, "customer_id", subject.customer_ids),
        ("persons", Collections.PERSONS, "person_id", subject.person_ids),
    ]
    for kind, collection, name, values in deletions:
        for document in _docs(store, collection, name, values):
            counts[kind] += int(store.delete(collection, document.key))
    for customer_id in sorted(subject.customer_ids):
        counts["customers"] += int(store.delete(Collections.CUSTOMERS, customer_id))


__all__ = ["KNOWN_NETWORKS", "TOMBSTONE_PREFIX", "ErasureReport", "erase_person"]
