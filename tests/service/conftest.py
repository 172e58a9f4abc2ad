"""Fixtures for service tests: real local adapters in tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from service_helpers import local_providers

from socialreferral.bootstrap import Providers


@pytest.fixture
def providers(tmp_path: Path) -> Iterator[Providers]:
    with local_providers(tmp_path / "data") as built:
        yield built
