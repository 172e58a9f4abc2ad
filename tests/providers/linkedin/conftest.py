"""Fixtures for the LinkedIn adapters: a LinkedIn API + OAuth fake on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from socialreferral.testing.vendor_fakes.linkedin_api import LinkedInFake
from socialreferral.testing.vendor_fakes.server import LoopbackServer

pytest.importorskip("linkedin_api")
pytest.importorskip("authlib")


@pytest.fixture(scope="session")
def li_server() -> Iterator[tuple[LoopbackServer, LinkedInFake]]:
    fake = LinkedInFake()
    with LoopbackServer(fake) as server:
        yield server, fake


@pytest.fixture
def li_fake(li_server: tuple[LoopbackServer, LinkedInFake]) -> LinkedInFake:
    fake = li_server[1]
    fake._faults.clear()
    return fake
