"""Fixtures for the web tests: local providers in tmp_path and an in-process client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import local_providers

from socialreferral import Providers
from socialreferral.web import create_app


@pytest.fixture
def providers(tmp_path: Path) -> Iterator[Providers]:
    with local_providers(tmp_path / "data") as built:
        yield built


@pytest.fixture
def client(providers: Providers) -> Iterator[TestClient]:
    with TestClient(create_app(providers)) as test_client:
        yield test_client
