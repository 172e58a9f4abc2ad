"""The shipped DocumentStore conformance kit on DynamoDocumentStore, on moto in-process
(``mock_aws``) and on a moto_server subprocess over HTTP (each class's ``backend``).

The store is built with one indexed field (``city``), so the kit's equality queries on
``city`` run through the ``by_city`` global secondary index and the others through the
table's key condition.

moto checks a condition and writes without a lock, so racing writers could both win on
plain moto; both backends here make that step atomic, as DynamoDB is (see
moto_fault_server.py). The server is moto's own WSGI app in a subprocess over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aws_moto import AtomicInProcess, OnFaultServer, settings

from socialreferral.providers import BuildContext
from socialreferral.providers.aws.store import DynamoDocumentStore
from socialreferral.testing.contracts import DocumentStoreContract

pytestmark = pytest.mark.aws


class _DynamoFixtures:
    @pytest.fixture
    def store(self, endpoint: str | None) -> Iterator[DynamoDocumentStore]:
        store = DynamoDocumentStore.from_settings(
            settings(endpoint, indexed_fields=("city",)), BuildContext()
        )
        yield store
        store.ddb.delete_table(TableName=store.table)
        store.close()


class TestDynamoDocumentStoreInProcess(AtomicInProcess, _DynamoFixtures, DocumentStoreContract):
    pass


class TestDynamoDocumentStoreOnServer(OnFaultServer, _DynamoFixtures, DocumentStoreContract):
    pass
