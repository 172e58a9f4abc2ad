"""Session fixtures for the Azure provider tests: emulators, the Key Vault and Batch fakes.

Missing emulators fail the tests with the install command; nothing is skipped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

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


@pytest.fixture(scope="session")
def key_vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Any]]:
    """The Key Vault HTTPS fake on a free loopback port: (vault URL, CA file, fake)."""
    import ssl

    import trustme
    from keyvault_fake import KeyVaultFake
    from pytest_httpserver import HTTPServer

    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(context)
    ca_file = tmp_path_factory.mktemp("vault-ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    fake = KeyVaultFake()
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.expect_request(re.compile(".*")).respond_with_handler(fake.handle)
    server.start()
    try:
        yield f"https://127.0.0.1:{server.port}", str(ca_file), fake
    finally:
        server.clear()
        server.stop()


@pytest.fixture(scope="session")
def batch_service() -> Iterator[tuple[str, Any]]:
    """The Azure Batch HTTP fake on a free loopback port: (account URL, fake)."""
    from batch_fake import BatchFake
    from pytest_httpserver import HTTPServer

    fake = BatchFake()
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request(re.compile(".*")).respond_with_handler(fake.handle)
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}", fake
    finally:
        server.clear()
        server.stop()
