"""Erasure of a person through erase_person covers the care queue: their posts (kept as
tombstones in the thread), mentions of them, their items' explanations, replies to them,
corrections of their posts and their author history; nothing of them is left in any
file of the data directory, and other people's care data stays."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from care_helpers import BRAND, care_providers, desk_for, post

from socialreferral.bootstrap import Providers
from socialreferral.service import erase_person

PERSON = "zq-care-48213"
SECRET_TEXT = "my Quixotewick router exploded again"
OTHER = "ot-care-77310"
OTHER_TEXT = "Keepmeplease refund still missing"


def _world(providers: Providers) -> None:
    desk = desk_for(providers)
    desk.ingest([
        post("1", PERSON, f"@acmecare {SECRET_TEXT}, worst service ever", minutes=0),
        post("2", BRAND, f"@{PERSON} sorry! please DM us", minutes=5, parent="1"),
        post("3", "helper-1", f"@{PERSON} same here, restart it", minutes=8, parent="1"),
        post("4", PERSON, "@acmecare still not working", minutes=20, parent="2"),
        post("9", OTHER, f"@acmecare {OTHER_TEXT} after 3 weeks", minutes=30),
    ])
    desk.reply("x:1", f"Hi {PERSON}, we are sending a technician", private=True)
    desk.reply("x:9", "We are on it", private=False)
    desk.correct("x:1", function="product", agent_id="ann")
    assert providers.repositories.care_authors.history("x", PERSON).main_posts == 1


def _documents(providers: Providers) -> str:
    store: Any = providers.store
    with store._db.reading() as conn:
        collections = [r[0] for r in conn.execute("SELECT DISTINCT collection FROM documents")]
    return "\n".join(json.dumps(d.value) for c in collections
                     for d in providers.store.iter_query(c, page_size=1000))


def test_erasing_a_customer_of_the_care_queue_leaves_no_trace(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with care_providers(data_dir) as providers:
        _world(providers)
        assert PERSON in _documents(providers)
        report = erase_person(person_id=PERSON, repositories=providers.repositories,
                              secrets=providers.secrets, crm=providers.crm,
                              social=providers.social)
        assert report.care_posts_erased == 2 and report.care_posts_scrubbed == 2
        assert report.care_items_anonymised == 1 and report.care_replies_anonymised == 1
        assert report.care_corrections == 1 and report.care_author_histories == 1
        everything = _documents(providers)
        for needle in (PERSON, SECRET_TEXT, "Quixotewick"):
            assert needle not in everything, needle
        threads = providers.repositories.care_threads
        thread = threads.thread("x:1")
        assert [p.post_id for p in thread] == ["x:1", "x:2", "x:3", "x:4"]  # structure kept
        assert [p.erased for p in thread] == [True, False, False, True]
        item = providers.repositories.care_items.require("x:1")
        assert item.erased and item.score is None and item.author_id.startswith("erased:")
        assert item.queue == "product" and item.first_response_at is not None  # statistics
        assert providers.repositories.care_authors.history("x", PERSON).main_posts == 0
        # the other customer is untouched
        assert OTHER in everything and OTHER_TEXT in everything
        other = providers.repositories.care_items.require("x:9")
        assert other.score is not None and other.author_id == OTHER
        again = erase_person(person_id=PERSON, repositories=providers.repositories,
                             secrets=providers.secrets, crm=providers.crm,
                             social=providers.social)
        assert again.total == 0
    raw = {p.name: p.read_bytes() for p in data_dir.rglob("*") if p.is_file()}
    for name, content in raw.items():
        for needle in (PERSON, SECRET_TEXT):
            assert needle.encode() not in content, (name, needle)
    assert any(OTHER_TEXT.encode() in content for content in raw.values())
