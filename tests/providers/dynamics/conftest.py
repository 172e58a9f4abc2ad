"""Fixtures for the Dynamics 365 adapter: a Dataverse fake over TLS on 127.0.0.1.

The adapter is built the way bootstrap builds it (``DynamicsCRM.from_settings``), so the
real ``azure-identity`` ``ClientSecretCredential`` (MSAL) fetches the OpenID metadata and
a client-credentials token from the fake, and the adapter's httpx client calls the fake's
Web API over TLS with the fake's throw-away CA.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from dynamics_helpers import FAST, dynamics_settings

from socialreferral.providers import BuildContext
from socialreferral.providers.dynamics.crm import DynamicsCRM
from socialreferral.testing.vendor_fakes.dataverse import DataverseFake
from socialreferral.testing.vendor_fakes.server import LoopbackServer

pytest.importorskip("azure.identity")



@pytest.fixture(scope="session")
def dataverse_server() -> Iterator[tuple[LoopbackServer, DataverseFake]]:
    fake = DataverseFake()
    with LoopbackServer(fake, tls=True) as server:
        yield server, fake


@pytest.fixture
def dataverse(dataverse_server: tuple[LoopbackServer, DataverseFake]) -> DataverseFake:
    fake = dataverse_server[1]
    fake._throttle.clear()
    return fake


@pytest.fixture
def make_crm(dataverse_server: tuple[LoopbackServer, DataverseFake]
             ) -> Iterator[Callable[..., DynamicsCRM]]:
    built: list[DynamicsCRM] = []

    def make(cls: type[DynamicsCRM] = DynamicsCRM, **overrides: Any) -> DynamicsCRM:
        crm = cls.from_settings(dynamics_settings(dataverse_server[0], **overrides),
                                BuildContext())
        crm.retry = FAST
        built.append(crm)
        return crm

    yield make
    for crm in built:
        crm.close()
