"""Session fixtures for the Azure provider tests: emulators, the Key Vault and Batch fakes.

Missing emulators fail the tests with the install command; nothing is skipped silently.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from azure_emulators import Azurite, EmulatorMissing, run_azurite, run_cosmos


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every test under tests/providers/azure carries the ``azure`` marker (tox env azure).
    for item in items:
        if "providers/azure" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.azure)


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """Azurite 3.35.0, in memory, on free loopback ports, for the whole session."""
    try:
        with run_azurite() as ports:
            yield ports
    except EmulatorMissing as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def cosmos_url() -> Iterator[str]:
    """@vercel/cosmosdb-server 1.0.1 over HTTP on a free loopback port."""
    try:
        with run_cosmos() as url:
            yield url
    except EmulatorMissing as exc:
        pytest.fail(str(exc), pytrace=False)
