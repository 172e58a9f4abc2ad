"""DynamicsCRM certified with the shipped CRMContract.

Backend: the Dataverse fake (``socialreferral.testing.vendor_fakes.dataverse``) over TLS
on 127.0.0.1, reached through the real azure-identity credential and httpx; every test
records it as its ``backend`` property.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from dynamics_helpers import BACKEND

from socialreferral.ports import CRM
from socialreferral.providers.dynamics.crm import DynamicsCRM
from socialreferral.testing.contracts import CRMContract
from socialreferral.testing.vendor_fakes.dataverse import DataverseFake


class DynamicsFixtures:
    @pytest.fixture
    def backend(self) -> str:
        return BACKEND

    @pytest.fixture
    def crm(self, make_crm: Callable[..., DynamicsCRM], dataverse: DataverseFake) -> CRM:
        self.fake = dataverse
        return make_crm()

    def assert_erased_from_storage(self, crm: CRM, erased: Sequence[str]) -> None:
        raw = repr(self.fake.tables)
        left = [text for text in erased if text in raw]
        assert left == [], f"[{BACKEND}] erased lead data still held by Dataverse: {left}"


class TestDynamicsCRM(DynamicsFixtures, CRMContract):
    """The CRM contract on DynamicsCRM against the Dataverse fake."""
