"""Right to erasure: :func:`erase_person` removes what the library stored about a person.

A person is named by any of: a network ``person_id`` (a prospect who posted, or a
customer's social account), a ``customer_id``, an ``email``, a ``phone``. The names are
resolved to every identifier the library links to them (each repository adds what it
knows: a customer's accounts and contact details, the accounts' customer, token names)
and then forgotten:

* **SocialChannel** — ``forget``: profile, connections both ways, messages sent to them;
  a network adapter also revokes the app's grant at the network, so it runs first.
* **SecretStore** — the OAuth token of every account (every version).
* **CRM** — ``erase_contact``: leads with their e-mail/phone and the leads of their
  referrals; ``erase_contacts``: the CRM contacts with their e-mail/phone and those
  captured as the person's profiles (CRMs declaring ``contacts``); opportunities and
  tasks naming them (ids, contact details, full names) are anonymised.
* **Every repository** (``Repositories.all()``) — each erases its own part: deleted, or
  anonymised where an accounting record (a reward) must be kept. Each repository's
  ``erase`` docstring says what it keeps and why.

Tombstones: an erased id that must stay in a kept record is replaced by ``erased:<16 hex>``
(an HMAC-SHA-256 under a random key thrown away at the end of the call, so it cannot be
recomputed from the id — a plain hash of a guessable id could).

Not covered: messages already delivered to *other* people that quote the person (the
referrer's "your friend Zelda may be interested" ask) belong to their recipients;
messages still in the Queue (a pending event of the person would be processed after the
erasure and create new records: drain the queue first or erase again afterwards). An
opt-out is erased with the rest, so an integrator who must keep a suppression list keeps
it outside the library. Physical deletion inside each backend is the adapter's job (the
local CRM and social channel use SQLite ``secure_delete`` and checkpoint the WAL).

Order and idempotency: repositories erase in the bundle's order, the records that resolve
a person last, so a run interrupted half way can simply be repeated. A second run finds
nothing and reports zeros; an unknown person reports zeros.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import zip_longest
from types import MappingProxyType
from typing import Any

from socialreferral.domain.crm import normalise_email, normalise_phone
from socialreferral.errors import InvalidInput, ProfileNotFound, SecretNotFound
from socialreferral.ports import CRM, SecretStore, SocialChannel
from socialreferral.records import Capability
from socialreferral.repositories import Erasure, Repositories, Subject
from socialreferral.service.authorization import token_secret_name

KNOWN_NETWORKS: tuple[str, ...] = ("facebook", "x", "linkedin", "local")
"""Networks whose token names are tried for a person id even when no record names the
network (a token whose records were lost would otherwise stay behind)."""

# customer -> accounts -> captured profiles -> fused person -> its other captures ...;
# the loop stops as soon as a round adds nothing.
_EXPANSION_ROUNDS = 6


class ErasureReport:
    """How many records of each kind one :func:`erase_person` call erased or anonymised.

    Counts only, never an identifier: ``report.counts`` maps a kind (``"offers"``,
    ``"rewards_anonymised"``, ``"crm_leads"``...) to a number, and ``report.<kind>`` reads
    one count (0 for a kind that had nothing to erase, so new repositories need no change
    here). ``*_anonymised`` records were kept with the person's identifiers replaced.
    """

    __slots__ = ("counts",)

    def __init__(self, counts: Mapping[str, int] | None = None) -> None:
        self.counts: Mapping[str, int] = MappingProxyType(
            {k: int(v) for k, v in sorted((counts or {}).items()) if v})

    def __getattr__(self, kind: str) -> int:
        if kind.startswith("__"):
            raise AttributeError(kind)
        return int(self.counts.get(kind, 0))

    @property
    def total(self) -> int:
        """Every record erased or anonymised (0 when there was nothing to erase)."""
        return sum(self.counts.values())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ErasureReport) and dict(self.counts) == dict(other.counts)

    def __hash__(self) -> int:
        return hash(tuple(self.counts.items()))

    def __repr__(self) -> str:
        return f"ErasureReport({dict(self.counts)!r})"

    def model_dump(self) -> dict[str, Any]:
        """The counts as a plain dict (JSON output)."""
        return dict(self.counts)


def _normalised(kind: str, value: str | None) -> str | None:
    try:
        return normalise_email(value) if kind == "email" else normalise_phone(value)
    except ValueError:
        # No value in the message: it would carry the person's data into logs.
        raise InvalidInput(f"not a valid {kind}", field=kind) from None


def resolve_subject(repositories: Repositories, *, person_id: str | None = None,
                    customer_id: str | None = None, email: str | None = None,
                    phone: str | None = None) -> Subject:
    """Every identifier linked to the given ones, as the repositories know them."""
    subject = Subject()
    subject.customer_ids.update(filter(None, [customer_id]))
    subject.person_ids.update(filter(None, [person_id]))
    subject.emails.update(filter(None, [_normalised("email", email)]))
    subject.phones.update(filter(None, [_normalised("phone", phone)]))
    for _ in range(_EXPANSION_ROUNDS):
        before = subject.size()
        for repository in repositories.all():
            expand = getattr(repository, "expand", None)
            if callable(expand):
                expand(subject)
        subject.person_ids.update(account for _, account in subject.accounts)
        if subject.size() == before:
            break
    return subject


def erase_person(
    *,
    person_id: str | None = None,
    customer_id: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    repositories: Repositories,
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
    subject = resolve_subject(repositories, person_id=person_id, customer_id=customer_id,
                              email=email, phone=phone)
    erasure = Erasure(subject)
    # The channel first: it revokes the person's grant at the network with their token
    # (Meta's DELETE /{id}/permissions), which must still be in the SecretStore.
    _erase_social(social, erasure)
    _erase_secrets(secrets, erasure)
    _erase_crm(crm, repositories, erasure)
    for repository in repositories.all():
        repository.erase(erasure)
    return ErasureReport(erasure.counts)


def _erase_secrets(secrets: SecretStore, erasure: Erasure) -> None:
    subject = erasure.subject
    names = set(subject.secret_names)
    names.update(token_secret_name(network, pid) for network, pid in subject.accounts)
    names.update(token_secret_name(network, pid)
                 for network in KNOWN_NETWORKS for pid in subject.person_ids)
    for name in sorted(names):
        try:
            secrets.delete(name)  # every version
        except SecretNotFound:
            continue
        erasure.count("secrets")


def _erase_social(social: SocialChannel, erasure: Erasure) -> None:
    profiles = social.supports(Capability.PROFILES)
    connections = social.supports(Capability.CONNECTIONS)
    for pid in sorted(erasure.subject.person_ids):
        held = False
        if profiles:
            try:
                social.get_profile(pid)
                held = True
            except ProfileNotFound:
                pass
        if not held and connections:
            held = bool(social.get_connections(pid))
        social.forget(pid)  # also when nothing was seen: messages sent to them go too
        erasure.count("social_accounts", int(held))


def _erase_crm(crm: CRM, repositories: Repositories, erasure: Erasure) -> None:
    subject, tomb = erasure.subject, erasure.tombstone
    lead_ids = sorted(repositories.referrals.lead_ids_of_prospects(subject.person_ids))
    pairs = list(zip_longest(sorted(subject.emails), sorted(subject.phones)))
    if lead_ids or pairs:
        first = True
        for mail, number in pairs or [(None, None)]:
            erasure.count("crm_leads", crm.erase_contact(
                email=mail, phone=number, lead_ids=lead_ids if first else ()))
            first = False
    contact_ids = sorted(subject.crm_contacts)
    for mail, number in pairs or [(None, None)]:
        erasure.count("crm_contacts", crm.erase_contacts(email=mail, phone=number,
                                                         contact_ids=contact_ids))
        contact_ids = []
    opportunities = (crm.list_opportunities() if crm.supports(Capability.OPPORTUNITIES)
                     else [])
    for opportunity in opportunities:
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
        erasure.count("crm_opportunities_anonymised")
    for task in crm.list_tasks() if crm.supports(Capability.TASKS) else []:
        changed = {"details": tomb.scrub(dict(task.details)),
                   "subject": tomb.scrub(task.subject),
                   "related_id": tomb.ident(task.related_id),
                   "assignee": tomb.ident(task.assignee)}
        if any(getattr(task, name) != value for name, value in changed.items()):
            crm.save_task(task.model_copy(update=changed))
            erasure.count("crm_tasks_anonymised")


__all__ = ["KNOWN_NETWORKS", "ErasureReport", "erase_person", "resolve_subject"]
