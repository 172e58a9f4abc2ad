"""Fixtures for the X adapters: an X API v2 + OAuth 2.0 fake on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from socialreferral.testing.vendor_fakes.server import LoopbackServer
from socialreferral.testing.vendor_fakes.x_api import XApiFake

pytest.importorskip("tweepy")
pytest.importorskip("authlib")


@pytest.fixture(scope="session")
def x_server() -> Iterator[tuple[LoopbackServer, XApiFake]]:
    fake = XApiFake()
    with LoopbackServer(fake) as server:
        yield server, fake


@pytest.fixture
def x_fake(x_server: tuple[LoopbackServer, XApiFake]) -> XApiFake:
    fake = x_server[1]
    fake._faults.clear()
    return fake
