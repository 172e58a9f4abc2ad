"""Fixtures for the Meta adapters: a Graph API fake on 127.0.0.1, one per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from socialreferral.testing.vendor_fakes.graph import GraphFake
from socialreferral.testing.vendor_fakes.server import LoopbackServer

pytest.importorskip("authlib")


@pytest.fixture(scope="session")
def graph_server() -> Iterator[tuple[LoopbackServer, GraphFake]]:
    fake = GraphFake()
    with LoopbackServer(fake) as server:
        yield server, fake


@pytest.fixture
def graph(graph_server: tuple[LoopbackServer, GraphFake]) -> GraphFake:
    fake = graph_server[1]
    fake._faults.clear()
    return fake
