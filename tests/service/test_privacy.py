"""Right to erasure: erase_person leaves nothing of the person in any local adapter."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from service_helpers import NOW, local_providers, make_worker, sign

from socialreferral.bootstrap import Providers
from socialreferral.channels import MetaChannel
from socialreferral.domain.customers import Customer
from socialreferral.domain.referrals import Reward
from socialreferral.domain.social import Connection, Interaction, Profile
from socialreferral.service import ErasureReport, erase_person
from socialreferral.service.authorization import connect_account, token_secret_name
from socialreferral.service.ingest import ingest_webhook
from socialreferral.service.referrals import recommend, submit_lead

# Distinctive values, so a search of raw file bytes cannot hit them by chance.
PROSPECT = "zq-prospect-48213"
PROSPECT_NAME = "Zelda Quixotewick"
PROSPECT_EMAIL = "zelda.quixotewick@mail.example.org"
PROSPECT_PHONE = "+15557654321"
OTHER = "ot-prospect-77310"
OTHER_NAME = "Otto Keepmeplease"
OTHER_EMAIL = "otto.keepme@mail.example.org"
OTHER_PHONE = "+15550009999"
REFERRER = "cq-referrer-9001"
REFERRER_PERSON = "fb-cqrefx9001"
REFERRER_NAME = "Quentin Referrerson"
REFERRER_EMAIL = "quentin.referrer@bank.example.com"
REFERRER_TOKEN = "tok-quentin-secret-5f5f5f"
KEEPER = "ck-keeper-4242"
KEEPER_PERSON = "fb-ckkeep4242"
KEEPER_TOKEN = "tok-keeper-secret-6e6e6e"


def _connect(providers: Providers, customer_id: str, person: str, name: str, email: str,
             token: str, friends: list[str], strength: int = 5) -> None:
    social: Any = providers.social
    social.add_profile(Profile(person_id=person, network="facebook", display_name=name,
                               followers=300))
    social.add_connections([
        Connection(person_id=person, other_id=friend, network="facebook",
                   since=NOW - timedelta(days=400), mutual_connections=5,
                   interactions=tuple(Interaction(kind="like", at=NOW - timedelta(days=1 + i))
                                      for i in range(strength)))
        for friend in friends
    ])
    customer = Customer(customer_id=customer_id, display_name=name, customer_value=0.5,
                        email=email)
    connect_account(repositories=providers.repositories, secrets=providers.secrets,
                    social=providers.social,
                    rules=providers.settings.referral.eligibility, customer=customer,
                    network="facebook", person_id=person, token=token,
                    scopes=("user_posts",), now=NOW)


def _post(providers: Providers, post_id: str, author: str, name: str, text: str) -> None:
    body = json.dumps({"object": "page", "entry": [{"id": "page", "time": int(NOW.timestamp()),
        "changes": [{"field": "feed", "value": {
            "item": "status", "verb": "add", "post_id": post_id,
            "from": {"id": author, "name": name}, "message": text,
            "created_time": int(NOW.timestamp())}}]}]}).encode()
    ingest_webhook(MetaChannel(), sign(body), body, queue=providers.queue,
                   secrets=providers.secrets, repositories=providers.repositories)


def _lead(providers: Providers, author: str, name: str, email: str, phone: str,
          post_id: str) -> Reward:
    _post(providers, post_id, author, name, "I am looking for a car loan")
    make_worker(providers).run_once()
    [offer] = [o for o in providers.repositories.referrals.offers()
               if o.prospect_id == author]
    _, token = recommend(offer.offer_id, repositories=providers.repositories,
                         secrets=providers.secrets, social=providers.social,
                         settings=providers.settings.referral,
                         public_base_url=providers.settings.web.public_base_url, now=NOW)
    return submit_lead(token, {"name": name, "email": email, "phone": phone},
                       repositories=providers.repositories, secrets=providers.secrets,
                       crm=providers.crm, settings=providers.settings.referral,
                       now=NOW + timedelta(minutes=1))


def _world(providers: Providers) -> dict[str, Reward]:
    """A referrer and a bystander customer; two prospects with offers, leads and rewards;
    a manual-offer opportunity in the CRM for the first prospect."""
    _connect(providers, REFERRER, REFERRER_PERSON, REFERRER_NAME, REFERRER_EMAIL,
             REFERRER_TOKEN, [PROSPECT, OTHER, KEEPER_PERSON])
    _connect(providers, KEEPER, KEEPER_PERSON, "Kim Keeper", "kim.keeper@bank.example.com",
             KEEPER_TOKEN, [OTHER, REFERRER_PERSON, PROSPECT], strength=1)
    rewards = {
        PROSPECT: _lead(providers, PROSPECT, PROSPECT_NAME, PROSPECT_EMAIL, PROSPECT_PHONE,
                        "page_1001"),
        OTHER: _lead(providers, OTHER, OTHER_NAME, OTHER_EMAIL, OTHER_PHONE, "page_1002"),
    }
    # A manual-offer product: a CRM opportunity quoting the prospect's post.
    _post(providers, "page_1003", PROSPECT, PROSPECT_NAME,
          "I need a trading account, any recommendation?")
    make_worker(providers).run_once()
    return rewards


def _every_document(providers: Providers) -> list[tuple[str, str, str]]:
    """(collection, key, JSON value) of every live document, read without the service."""
    store: Any = providers.store
    with store._db.reading() as conn:
        collections = [r[0] for r in conn.execute("SELECT DISTINCT collection FROM documents")]
    out = []
    for collection in collections:
        for document in providers.store.iter_query(collection, page_size=1000):
            out.append((collection, document.key, json.dumps(document.value)))
    return out


def _raw_bytes(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in data_dir.rglob("*") if p.is_file()}


def _secret_names(data_dir: Path) -> set[str]:
    import sqlite3

    names: set[str] = set()
    for path in data_dir.rglob("*.sqlite3"):
        conn = sqlite3.connect(path)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "secrets" in tables:
                names |= {r[0] for r in conn.execute("SELECT name FROM secrets")}
        finally:
            conn.close()
    return names


def _assert_absent(providers: Providers, needles: list[str], name: str) -> None:
    for collection, key, value in _every_document(providers):
        for needle in needles:
            assert needle not in key and needle not in value, (collection, key, needle)
    for lead in providers.crm.list_leads():
        assert all(n not in lead.model_dump_json() for n in needles)
    for record in [*providers.crm.list_opportunities(), *providers.crm.list_tasks()]:
        assert all(n not in record.model_dump_json() for n in needles)
    # Messages already delivered to *other* people may quote the person's name (the
    # referrer was asked about "Zelda"): delivered content is the recipient's, beyond
    # erasure; identifiers and contact details must not be in any message.
    social: Any = providers.social
    for message in social.sent_messages():
        assert all(n not in message.model_dump_json() for n in needles if n != name)


def _assert_not_in_files(data_dir: Path, needles: list[str], name: str) -> None:
    for file, content in _raw_bytes(data_dir).items():
        for needle in needles:
            if needle == name and file.startswith("social."):
                continue  # quoted in messages delivered to others (see _assert_absent)
            assert needle.encode() not in content, (file, needle)


def test_erasing_a_prospect_leaves_no_trace_and_keeps_the_reward(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with local_providers(data_dir) as providers:
        rewards = _world(providers)
        social: Any = providers.social
        assert social.sent_messages(PROSPECT)
        assert providers.crm.list_opportunities()
        report = erase_person(person_id=PROSPECT, email=PROSPECT_EMAIL, phone=PROSPECT_PHONE,
                              repositories=providers.repositories, secrets=providers.secrets,
                              crm=providers.crm, social=providers.social)
        assert report.crm_leads == 1 and report.events >= 2
        assert report.offers_anonymised == 1 and report.referrals_anonymised == 1
        assert report.connections == 2  # both customers' connections to the prospect
        assert report.crm_opportunities_anonymised == 1
        assert report.contact_histories >= 1 and report.contact_records_anonymised >= 1
        assert report.total > 0
        needles = [PROSPECT, PROSPECT_NAME, PROSPECT_EMAIL, PROSPECT_PHONE]
        _assert_absent(providers, needles, PROSPECT_NAME)
        # The reward stays for accounting, with its amount; the other prospect is untouched.
        kept = {r.reward.reward_id: r.reward
                for r in providers.repositories.referrals.rewards()}
        assert kept[rewards[PROSPECT].reward_id].amount == rewards[PROSPECT].amount
        assert kept[rewards[OTHER].reward_id] == rewards[OTHER]
        assert [lead.email for lead in providers.crm.list_leads()] == [OTHER_EMAIL]
        assert social.sent_messages(OTHER)
        assert any(o.prospect_id == OTHER
                   for o in providers.repositories.referrals.offers())
        assert social.get_profile(REFERRER_PERSON).display_name == REFERRER_NAME
        assert [c.other_id for c in social.get_connections(REFERRER_PERSON)] == sorted(
            [OTHER, KEEPER_PERSON])
        everything = "\n".join(v for _, _, v in _every_document(providers))
        assert OTHER in everything and OTHER_NAME.split()[0] in everything
        assert REFERRER_TOKEN not in everything
        assert providers.secrets.get_value(token_secret_name("facebook", REFERRER_PERSON)) \
            == REFERRER_TOKEN

        again = erase_person(person_id=PROSPECT, email=PROSPECT_EMAIL, phone=PROSPECT_PHONE,
                             repositories=providers.repositories, secrets=providers.secrets,
                             crm=providers.crm, social=providers.social)
        assert again == ErasureReport() and again.total == 0
    _assert_not_in_files(data_dir, [PROSPECT, PROSPECT_NAME, PROSPECT_EMAIL, PROSPECT_PHONE],
                         PROSPECT_NAME)
    for needle in (OTHER, OTHER_EMAIL):
        assert any(needle.encode() in c for c in _raw_bytes(data_dir).values())


def test_erasing_a_customer_removes_token_consent_profile_and_identity(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with local_providers(data_dir) as providers:
        rewards = _world(providers)
        secret_name = token_secret_name("facebook", REFERRER_PERSON)
        providers.secrets.set(secret_name, REFERRER_TOKEN + "-v2")  # a second version
        report = erase_person(customer_id=REFERRER, repositories=providers.repositories,
                              secrets=providers.secrets, crm=providers.crm,
                              social=providers.social)
        assert report.secrets == 1 and report.customers == 1 and report.consents == 1
        assert report.profiles == 1 and report.eligibility == 1 and report.persons == 1
        assert report.social_accounts == 1 and report.rewards_anonymised == 2
        needles = [REFERRER, REFERRER_PERSON, REFERRER_NAME, REFERRER_EMAIL, secret_name]
        _assert_absent(providers, needles, REFERRER_NAME)
        assert secret_name not in _secret_names(data_dir)
        # Rewards stay (accounting) with the amounts; the other customer is untouched.
        kept = {r.reward.reward_id: r.reward
                for r in providers.repositories.referrals.rewards()}
        for reward in rewards.values():
            assert kept[reward.reward_id].amount == reward.amount
            assert kept[reward.reward_id].referrer_id.startswith("erased:")
        assert providers.secrets.get_value(token_secret_name("facebook", KEEPER_PERSON)) \
            == KEEPER_TOKEN
        social: Any = providers.social
        assert [c.other_id for c in social.get_connections(KEEPER_PERSON)] == sorted(
            [OTHER, PROSPECT])
        again = erase_person(customer_id=REFERRER, email=REFERRER_EMAIL,
                             repositories=providers.repositories, secrets=providers.secrets,
                             crm=providers.crm, social=providers.social)
        assert again.total == 0
    _assert_not_in_files(data_dir, [REFERRER, REFERRER_PERSON, REFERRER_NAME,
                                    REFERRER_EMAIL, REFERRER_TOKEN, secret_name], REFERRER_NAME)
    assert any(KEEPER.encode() in c for c in _raw_bytes(data_dir).values())


def test_unknown_person_reports_zeros_and_changes_nothing(tmp_path: Path) -> None:
    with local_providers(tmp_path / "data") as providers:
        _world(providers)
        before = _every_document(providers)
        report = erase_person(person_id="nobody-123", email="nobody@example.org",
                              customer_id="c-nobody", phone="+15551112222",
                              repositories=providers.repositories, secrets=providers.secrets,
                              crm=providers.crm, social=providers.social)
        assert report == ErasureReport() and report.total == 0
        assert _every_document(providers) == before


def test_erase_person_needs_an_identifier(providers: Providers) -> None:
    import pytest

    from socialreferral.errors import InvalidInput

    with pytest.raises(InvalidInput):
        erase_person(repositories=providers.repositories, secrets=providers.secrets,
                     crm=providers.crm, social=providers.social)
    with pytest.raises(InvalidInput) as caught:
        erase_person(email="not-an-address", repositories=providers.repositories,
                     secrets=providers.secrets, crm=providers.crm, social=providers.social)
    assert "not-an-address" not in str(caught.value)
