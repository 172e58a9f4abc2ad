"""CosmosDocumentStore against @vercel/cosmosdb-server 1.0.1, plus transport-level tests.

The emulator covers the NoSQL REST protocol (items, etags, 409/412, parameterised queries,
continuation tokens, composite-index errors). It gets some things wrong; those paths are
tested by intercepting the SDK's transport (``transport=``) and answering as the real
service does: 404 for a missing item, transactional batch outcomes, 429 with
``x-ms-retry-after-ms``. Neither covers: real TTL expiry by the service, RU accounting,
multi-region behaviour, partition splits, Entra ID (RBAC) authentication.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from azure_emulators import COSMOS_KEY
from transport_doubles import CannedResponse, Intercepting

from socialreferral.errors import ConcurrencyConflict, DocumentExists, TransientError
from socialreferral.ports import RetryPolicy
from socialreferral.providers import BuildContext
from socialreferral.providers.azure.cosmos import CosmosDocumentStore
from socialreferral.providers.azure.settings import AzureSettings
from socialreferral.records import WriteItem
from socialreferral.testing.contracts.store import DocumentStoreContract

pytestmark = pytest.mark.azure
BACKEND = "@vercel/cosmosdb-server 1.0.1"
FAST = RetryPolicy(attempts=3, initial_wait=0.01, max_wait=0.05)


def cosmos_settings(url: str, **overrides: Any) -> AzureSettings:
    fields: dict[str, Any] = {
        "cosmos_endpoint": url,
        "cosmos_key": COSMOS_KEY,
        "cosmos_database": "tests",
        "cosmos_container": "documents",
        "enable_endpoint_discovery": False,
        "cosmos_emulator_compat": True,
    }
    return AzureSettings(**(fields | overrides))


def store_with_transport(url: str, hook: Any, **settings: Any) -> tuple[CosmosDocumentStore, Any]:
    """A store whose SDK requests go through :class:`Intercepting` (real emulator behind)."""
    from azure.cosmos import CosmosClient, PartitionKey

    config = cosmos_settings(url, **settings)
    transport = Intercepting(hook)
    client = CosmosClient(
        url,
        credential=COSMOS_KEY,
        enable_endpoint_discovery=False,
        transport=transport,
        retry_throttle_total=config.cosmos_throttle_retries,
    )
    database = client.create_database_if_not_exists(config.cosmos_database)
    container = database.create_container_if_not_exists(
        config.cosmos_container, partition_key=PartitionKey(path="/pk"), default_ttl=-1
    )
    store = CosmosDocumentStore(
        container, emulator_compat=config.cosmos_emulator_compat, retry=FAST
    )
    return store, transport


class TestCosmosContract(DocumentStoreContract):
    """The conformance kit on @vercel/cosmosdb-server 1.0.1 (emulator-compat mode: missing
    items and batches take the workarounds). Not covered: the service's own TTL expiry
    (hidden by the adapter here), RU throttling, transactional batch (see the transport
    tests below)."""

    @pytest.fixture
    def backend(self) -> str:
        return BACKEND

    @pytest.fixture
    def store(self, cosmos_url: str) -> Iterator[CosmosDocumentStore]:
        store = CosmosDocumentStore.from_settings(cosmos_settings(cosmos_url), BuildContext())
        yield store
        store.close()


def test_two_writers_racing_on_one_document(cosmos_url: str) -> None:
    """Against the emulator: two writers read the same etag and write with If-Match; exactly
    one wins, the other gets ConcurrencyConflict (a 412), and the stored value is the
    winner's. Not covered: the service's session-consistency nuances across regions."""
    store = CosmosDocumentStore.from_settings(cosmos_settings(cosmos_url), BuildContext())
    collection = f"race{uuid.uuid4().hex[:8]}"
    base = store.put(collection, "doc", {"owner": None})
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def writer(name: str) -> None:
        barrier.wait()
        try:
            store.put(collection, "doc", {"owner": name}, if_match=base.etag)
            outcomes[name] = "won"
        except ConcurrencyConflict:
            outcomes[name] = "conflict"

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(outcomes.values()) == ["conflict", "won"], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "won")
    assert store.get(collection, "doc").value == {"owner": winner}


def test_real_404_for_missing_item_means_absent(cosmos_url: str) -> None:
    """Transport double in front of the emulator answers a point read with the real
    service's 404 (not the emulator's 500), with compat mode off: find() is None and no
    fallback query is sent. Not covered: the real service itself."""

    def hook(request: Any) -> Any:
        if request.method == "GET" and "/docs/" in request.url:
            return CannedResponse(request, 404, {"code": "NotFound", "message": "absent"})
        return None

    store, transport = store_with_transport(cosmos_url, hook, cosmos_emulator_compat=False)
    assert store.find("things", "missing") is None
    assert not [r for r in transport.requests if r.method == "POST" and "/docs" in r.url]


def test_500_is_transient_without_compat(cosmos_url: str) -> None:
    """Transport double: a genuine 500 on a point read is a TransientError (retried, then
    raised) when compat mode is off; it is not mistaken for "absent". Not covered: the
    service's real failure modes."""
    calls = []

    def hook(request: Any) -> Any:
        if request.method == "GET" and "/docs/" in request.url:
            calls.append(request)
            return CannedResponse(request, 500, {"code": "InternalServerError", "message": "x"})
        return None

    store, _ = store_with_transport(cosmos_url, hook, cosmos_emulator_compat=False)
    with pytest.raises(TransientError):
        store.find("things", "k")
    assert len(calls) >= FAST.attempts


def test_429_waits_for_retry_after_ms(cosmos_url: str) -> None:
    """Transport double: the first write answers 429 with x-ms-retry-after-ms: 300; the SDK
    waits that long and the retry (sent to the emulator) succeeds. Not covered: the real
    service's RU budget."""
    seen: list[float] = []

    def hook(request: Any) -> Any:
        if request.method == "POST" and request.url.endswith("/docs/"):
            seen.append(time.monotonic())
            if len(seen) == 1:
                headers = {"x-ms-retry-after-ms": "300", "x-ms-substatus": "3200"}
                return CannedResponse(request, 429, {"code": "TooManyRequests"}, headers)
        return None

    store, _ = store_with_transport(cosmos_url, hook, cosmos_emulator_compat=False)
    document = store.put("things", f"k{uuid.uuid4().hex[:6]}", {"n": 1})
    assert document.value == {"n": 1}
    assert len(seen) == 2 and seen[1] - seen[0] >= 0.29


def test_transactional_batch_reports_the_failing_item(cosmos_url: str) -> None:
    """Transport double answering transactional batches as the service does (the emulator
    answers 500): 30 writes, item 7 with a stale If-Match. The first batch fails atomically
    (412 at index 7, 424 for the rest), the adapter re-sends the 29 others, and reports
    item 7 as ConcurrencyConflict. Checks the wire operations too. Not covered: the service
    applying the writes (the double answers without storing)."""
    batches: list[list[dict[str, Any]]] = []

    def hook(request: Any) -> Any:
        if request.headers.get("x-ms-cosmos-is-batch-request") != "True":
            return None
        ops = json.loads(request.body)
        batches.append(ops)
        assert request.headers["x-ms-cosmos-batch-atomic"] == "True"
        assert request.headers["x-ms-documentdb-partitionkey"] == '["people"]'
        stale = [i for i, op in enumerate(ops) if op.get("ifMatch") == "stale-etag"]
        if stale:
            results = [{"statusCode": 424} for _ in ops]
            results[stale[0]] = {"statusCode": 412}
            return CannedResponse(request, 207, results)
        results = [{"statusCode": 200, "eTag": f'"etag-{op["resourceBody"]["id"]}"'} for op in ops]
        return CannedResponse(request, 200, results)

    store, _ = store_with_transport(cosmos_url, hook, cosmos_emulator_compat=False)
    items = [WriteItem(f"item-{i:02d}", {"n": i}) for i in range(30)]
    items[7] = WriteItem("item-07", {"n": 7}, if_match="stale-etag")
    items[8] = WriteItem("item-08", {"n": 8}, create_only=True)
    result = store.put_many("people", items)
    assert sorted(result.failed) == ["item-07"]
    assert isinstance(result.failed["item-07"], ConcurrencyConflict)
    assert len(result.written) == 29 and result.written["item-00"] == '"etag-item-00"'
    assert [len(b) for b in batches] == [30, 29]
    first = batches[0]
    assert first[7]["operationType"] == "Replace" and first[7]["id"] == "item-07"
    assert first[8]["operationType"] == "Create"
    assert first[0]["operationType"] == "Upsert"
    assert first[0]["resourceBody"] == {"id": "item-00", "pk": "people", "doc": {"n": 0}}


def test_batch_conflict_on_create_only(cosmos_url: str) -> None:
    """Transport double: a create-only item answered 409 in a batch is DocumentExists.
    Not covered: the service storing anything."""

    def hook(request: Any) -> Any:
        if request.headers.get("x-ms-cosmos-is-batch-request") != "True":
            return None
        ops = json.loads(request.body)
        if ops[0]["operationType"] == "Create":
            return CannedResponse(request, 207, [{"statusCode": 409}])
        return CannedResponse(request, 200, [{"statusCode": 200, "eTag": '"x"'} for _ in ops])

    store, _ = store_with_transport(cosmos_url, hook, cosmos_emulator_compat=False)
    result = store.put_many("people", [WriteItem("taken", {}, create_only=True)])
    assert isinstance(result.failed["taken"], DocumentExists) and result.written == {}


def test_ttl_item_carries_cosmos_ttl_and_is_hidden_after_expiry(cosmos_url: str) -> None:
    """Against the emulator (which stores ``ttl`` but never expires): the item carries the
    per-item ``ttl`` the real service enforces, and the adapter hides it once expired.
    Not covered: the service deleting it."""
    store = CosmosDocumentStore.from_settings(cosmos_settings(cosmos_url), BuildContext())
    collection = f"ttl{uuid.uuid4().hex[:8]}"
    store.put(collection, "k", {"v": 1}, ttl=1.2)
    raw = store._container.query_items(
        "SELECT * FROM c WHERE c.pk = @pk", parameters=[{"name": "@pk", "value": collection}]
    )
    [item] = list(raw)
    assert item["ttl"] == 2 and item["expires_at"] > time.time()
    time.sleep(1.4)
    assert store.find(collection, "k") is None
    assert store.delete(collection, "k") is False  # expired: absent, but cleaned up
