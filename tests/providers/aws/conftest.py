"""Session fixtures for the AWS provider tests: moto in-process and moto_server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aws_moto import run_moto_server


@pytest.fixture
def moto_inprocess() -> Iterator[None]:
    """moto in-process (``mock_aws``, Batch without Docker), fresh for each test."""
    from moto import mock_aws

    with mock_aws(config={"batch": {"use_docker": False}}):
        yield


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """One ``python -m moto.server`` subprocess on a free 127.0.0.1 port per session."""
    with run_moto_server() as url:
        yield url


@pytest.fixture(scope="session")
def moto_fault_server() -> Iterator[str]:
    """moto's server app with the Batch failure switch (see moto_fault_server.py)."""
    with run_moto_server(fault_injection=True) as url:
        yield url


@pytest.fixture(scope="session")
def moto_failing_server() -> Iterator[str]:
    """A moto_server whose environment has MOTO_SIMPLE_BATCH_FAIL_AFTER=0: every Batch
    job fails."""
    with run_moto_server({"MOTO_SIMPLE_BATCH_FAIL_AFTER": "0"}) as url:
        yield url
