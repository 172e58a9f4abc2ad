"""The conformance kit must fail adapters that break the port's promises, with messages
that say what was expected, what happened and on which backend.

Each test writes a small provider test module into pytest's ``pytester`` sandbox (a
deliberately broken subclass of a local adapter plus the contract mixin), runs pytest on
it in-process and checks the outcome: a queue whose acks are dropped or that accepts stale
receipts or ignores an undeclared delay, a store that ignores etags or gets ``ne`` wrong,
a CRM that creates a duplicate lead, a social channel that delivers one message id twice.
Backend of the inner runs: local SQLite files.
"""

from __future__ import annotations

import pytest

from socialreferral.testing.contracts import (
    CRMContract,
    DocumentStoreContract,
    SocialChannelContract,
)

pytest_plugins = ["pytester"]

_QUEUE_HEADER = """
import pytest
from socialreferral.providers.local.queue import LocalQueue
from socialreferral.testing.contracts import QueueContract

{adapter}

class TestKit(QueueContract):
    @pytest.fixture
    def backend(self):
        return "{backend}"

    @pytest.fixture
    def make_queue(self, tmp_path):
        made = []
        def make(**options):
            made.append(Adapter(tmp_path / f"q{{len(made)}}.sqlite3", "events", **options))
            return made[-1]
        yield make
        for queue in made:
            queue.close()
"""

_STORE_HEADER = """
import pytest
from socialreferral.providers.local.store import LocalDocumentStore
from socialreferral.testing.contracts import (
    CRMContract,
    DocumentStoreContract,
    SocialChannelContract,
)

{adapter}

class TestKit(DocumentStoreContract):
    @pytest.fixture
    def backend(self):
        return "{backend}"

    @pytest.fixture
    def store(self, tmp_path):
        store = Adapter(tmp_path / "store.sqlite3")
        yield store
        store.close()
"""

_CRM_HEADER = """
import pytest
from socialreferral.domain.crm import LeadResult
from socialreferral.providers.local.crm import LocalCRM
from socialreferral.records import CrmRecordKind
from socialreferral.testing.contracts import CRMContract

{adapter}

class TestKit(CRMContract):
    @pytest.fixture
    def backend(self):
        return "{backend}"

    @pytest.fixture
    def crm(self, tmp_path):
        crm = Adapter(tmp_path / "crm.sqlite3")
        yield crm
        crm.close()
"""

_SOCIAL_HEADER = """
import uuid
import pytest
from socialreferral.providers.local.social import LocalSocialChannel
from socialreferral.testing.contracts import SocialChannelContract

{adapter}

class TestKit(SocialChannelContract):
    @pytest.fixture
    def backend(self):
        return "{backend}"

    @pytest.fixture
    def social(self, tmp_path):
        channel = Adapter(tmp_path / "social.sqlite3")
        yield channel
        channel.close()

    @pytest.fixture
    def seed_social(self, social):
        def seed(profiles, connections):
            for profile in profiles:
                social.add_profile(profile)
            social.add_connections(connections)
        return seed

    @pytest.fixture
    def delivered(self, social):
        return social.sent_messages
"""

_HEALTHY_QUEUE = "Adapter = LocalQueue"
_HEALTHY_STORE = "Adapter = LocalDocumentStore"
_HEALTHY_CRM = "Adapter = LocalCRM"
_HEALTHY_SOCIAL = "Adapter = LocalSocialChannel"

_ACK_DOES_NOTHING = """
class Adapter(LocalQueue):
    def _delete_batch(self, receipts):
        pass  # broken: acks are dropped
"""

_STALE_RECEIPTS_ACCEPTED = """
class Adapter(LocalQueue):
    def _delete_batch(self, receipts):
        # broken: ignores the delivery part of the receipt, so an old receipt acks
        with self._db.transaction() as conn:
            for receipt in receipts:
                conn.execute("DELETE FROM messages WHERE id = ?", (int(receipt.split(".")[0]),))
"""

_DELAY_SILENTLY_IGNORED = """
import dataclasses
from socialreferral.records import Capability

class Adapter(LocalQueue):
    capabilities = LocalQueue.capabilities - {Capability.DELAY}

    def _prepare(self, message):
        # broken: an undeclared capability is silently dropped instead of Unsupported
        if not isinstance(message, str):
            message = dataclasses.replace(message, delay_seconds=0)
        return super()._prepare(message)
"""

_NEWEST_AGE = """
import time

class Adapter(LocalQueue):
    def _oldest_age(self):
        # broken: the age of the newest message, not of the oldest
        with self._db.reading() as conn:
            row = conn.execute(
                "SELECT sent_at FROM messages WHERE queue = ? ORDER BY id DESC LIMIT 1",
                (self.name,),
            ).fetchone()
        return 0.0 if row is None else time.time() - row[0]
"""

_IN_FLIGHT_UNSEEN = """
import time

class Adapter(LocalQueue):
    def _oldest_age(self):
        # broken: only visible messages count, though the kit expects in-flight ones too
        now = time.time()
        with self._db.reading() as conn:
            row = conn.execute(
                "SELECT MIN(sent_at) FROM messages WHERE queue = ? AND visible_at <= ?",
                (self.name, now),
            ).fetchone()
        return 0.0 if row[0] is None else now - row[0]
"""

_IF_MATCH_IGNORED = """
class Adapter(LocalDocumentStore):
    def _put(self, collection, key, value, *, if_match, create_only, ttl):
        return super()._put(
            collection, key, value, if_match=None, create_only=create_only, ttl=ttl
        )

    def _delete(self, collection, key, *, if_match):
        return super()._delete(collection, key, if_match=None)

    def _put_batch(self, collection, items):
        import dataclasses
        items = [dataclasses.replace(item, if_match=None) for item in items]
        return super()._put_batch(collection, items)
"""

_NE_DROPS_MISSING = """
from socialreferral.records import Filter

class Adapter(LocalDocumentStore):
    def _query(self, collection, filters, **kwargs):
        # broken: treats "ne" like SQL's <>, so documents without the field drop out
        extra = [Filter(f.field, "in", [None, True, False, 0, 1.5, 2.25, 3.0, 25, 31, 40,
                 "Oslo", "Rome", "Lima", "ann", "bob", "cy", "dee", "eve", "unknown"])
                 for f in filters if f.op == "ne"]
        return super()._query(collection, [*filters, *extra], **kwargs)
"""

_DUPLICATE_LEADS = """
class Adapter(LocalCRM):
    def _create_lead(self, lead):
        # broken: de-duplicates on the lead id only, so one person becomes several leads
        held = self._get_record(CrmRecordKind.LEAD, lead.lead_id)
        if held is not None:
            return LeadResult(lead=held, created=False)
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO leads (lead_id, email, phone, data) VALUES (?, NULL, NULL, ?)",
                (lead.lead_id, lead.model_dump_json()),
            )
        return LeadResult(lead=lead, created=True)
"""

_SENDS_TWICE = """
class Adapter(LocalSocialChannel):
    def _send(self, message):
        # broken: no idempotency key, so every send of one message id delivers again
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO messages (message_id, recipient_id, data) VALUES (?, ?, ?)",
                (uuid.uuid4().hex, message.recipient_id, message.model_dump_json()),
            )
        return uuid.uuid4().hex
"""


# The inner runs happen in this process: keep them out of the outer run's per-backend
# summary (the socialreferral plugin counts outcomes in a module-level counter).
_INNER_ARGS = ("-p", "no:cacheprovider", "-p", "no:socialreferral")


def _run(
    pytester: pytest.Pytester, header: str, adapter: str, backend: str, select: str
) -> pytest.RunResult:
    pytester.makepyfile(test_provider=header.format(adapter=adapter, backend=backend))
    return pytester.runpytest(*_INNER_ARGS, "-k", select, "-rf")


def test_queue_whose_ack_does_nothing_fails(pytester: pytest.Pytester) -> None:
    """Acks that are dropped: the kit sees the message come back after its timeout."""
    result = _run(
        pytester, _QUEUE_HEADER, _ACK_DOES_NOTHING, "broken ack", "test_ack_removes_for_good"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*[[]broken ack[]] the message was acked before its timeout, but receive returned*"]
    )


def test_queue_accepting_stale_receipts_fails(pytester: pytest.Pytester) -> None:
    """An ack with the receipt of an earlier delivery must raise ReceiptInvalid."""
    result = _run(
        pytester,
        _QUEUE_HEADER,
        _STALE_RECEIPTS_ACCEPTED,
        "stale receipts",
        "test_stale_receipt_after_redelivery",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*[[]stale receipts[]] expected ReceiptInvalid when acking with a superseded receipt*"]
    )


def test_queue_silently_ignoring_undeclared_delay_fails(pytester: pytest.Pytester) -> None:
    """An undeclared capability must raise Unsupported, not be silently dropped."""
    result = _run(pytester, _QUEUE_HEADER, _DELAY_SILENTLY_IGNORED, "no delay", "test_delay")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*[[]no delay[]] Adapter does not declare 'delay', so the call should raise Unsupported*"]
    )


def test_queue_reporting_the_newest_age_fails(pytester: pytest.Pytester) -> None:
    """oldest_age() must be the oldest message's age, not the newest's."""
    result = _run(pytester, _QUEUE_HEADER, _NEWEST_AGE, "newest age", "test_oldest_age")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*[[]newest age[]] 'old' has waited * s and two newer messages were sent since*"]
    )


def test_queue_age_blind_to_in_flight_messages_fails(pytester: pytest.Pytester) -> None:
    """An adapter claiming to see in-flight messages (the kit's default) must count them."""
    result = _run(pytester, _QUEUE_HEADER, _IN_FLIGHT_UNSEEN, "blind", "test_oldest_age")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*[[]blind[]] 'old' is in flight, not acked; it must still*"])


def test_store_ignoring_if_match_fails(pytester: pytest.Pytester) -> None:
    """A store that ignores if_match fails the etag and batch cases."""
    result = _run(
        pytester,
        _STORE_HEADER,
        _IF_MATCH_IGNORED,
        "no etag check",
        "test_wrong_etag_conflicts or test_batch_partial_failure",
    )
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*[[]no etag check[]] expected ConcurrencyConflict when putting with a stale etag*",
            "*[[]no etag check[]] expected failed=[[]'item-07'[]], got {}*",
        ],
        consecutive=False,
    )


def test_store_with_wrong_ne_semantics_fails(pytester: pytest.Pytester) -> None:
    """``ne`` must match documents that lack the field, as ports.matches() says."""
    result = _run(pytester, _STORE_HEADER, _NE_DROPS_MISSING, "bad ne", "test_query_in_and_ne")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*[[]bad ne[]] score ne 3.0 (c has no score)*"])


def test_crm_creating_a_duplicate_lead_fails(pytester: pytest.Pytester) -> None:
    """A CRM that matches leads on the id only fails every de-duplication case."""
    result = _run(
        pytester,
        _CRM_HEADER,
        _DUPLICATE_LEADS,
        "dup leads",
        "test_same_email or test_same_phone or test_concurrent_duplicate",
    )
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            "*[[]dup leads[]] a second lead with the same e-mail (other case/spaces) must "
            "return the existing lead*",
            "*[[]dup leads[]] 6 concurrent creates of one e-mail must create exactly one lead*",
        ],
        consecutive=False,
    )


def test_social_channel_sending_twice_for_one_message_id_fails(
    pytester: pytest.Pytester,
) -> None:
    """A channel without an idempotency key delivers a re-sent message again."""
    result = _run(pytester, _SOCIAL_HEADER, _SENDS_TWICE, "double send", "test_send_is_idempotent")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*[[]double send[]] message * was sent 3 times and delivered 3 times*"]
    )


def test_healthy_crm_and_social_channel_pass(pytester: pytest.Pytester) -> None:
    """The unmodified local CRM and social channel pass their whole contracts."""
    pytester.makepyfile(
        test_crm=_CRM_HEADER.format(adapter=_HEALTHY_CRM, backend="healthy crm"),
        test_social=_SOCIAL_HEADER.format(adapter=_HEALTHY_SOCIAL, backend="healthy social"),
    )
    outcomes = pytester.runpytest(*_INNER_ARGS).parseoutcomes()
    cases = sum(
        name.startswith("test_")
        for contract in (CRMContract, SocialChannelContract)
        for name in dir(contract)
    )
    assert outcomes.get("failed", 0) == outcomes.get("errors", 0) == 0, outcomes
    assert outcomes["passed"] >= cases, outcomes  # parametrized cases count more than once


def test_healthy_adapters_pass(pytester: pytest.Pytester) -> None:
    """The unmodified local adapters pass the same selected queue cases and the whole
    store contract, and the backend is recorded for the summary."""
    pytester.makepyfile(
        test_queue=_QUEUE_HEADER.format(adapter=_HEALTHY_QUEUE, backend="healthy queue"),
        test_store=_STORE_HEADER.format(adapter=_HEALTHY_STORE, backend="healthy store"),
    )
    result = pytester.runpytest(
        *_INNER_ARGS,
        "-k",
        "test_store or test_ack_removes_for_good or test_stale_receipt or test_delay",
        "--junitxml=report.xml",
        "-o",
        "junit_family=xunit1",  # xunit2 has no per-test properties
    )
    store_cases = sum(name.startswith("test_") for name in dir(DocumentStoreContract))
    result.assert_outcomes(passed=3 + store_cases)
    report = (pytester.path / "report.xml").read_text()
    assert 'name="backend" value="healthy store"' in report
    assert 'name="backend" value="healthy queue"' in report
