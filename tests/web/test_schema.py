"""Schemathesis over the app's own OpenAPI schema, in process and offline: every operation
(GET and POST) with schema-driven inputs answers no 5xx, and what it answers matches
the declared status codes, content types and response models.

Backend: local provider in a temporary directory; schemathesis calls the ASGI app
directly. A small example budget: the broad property test is test_property.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from web_helpers import local_providers

from socialreferral.web import create_app


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    unlimited = {"requests": 1_000_000, "per_seconds": 1}
    with local_providers(Path(tmp_path_factory.mktemp("schema")), max_body_bytes=64 * 1024,
                         client_rate=unlimited, channel_rate=unlimited) as providers:
        providers.secrets.set("referral-link-key", "k" * 32)
        app = create_app(providers)
        yield schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_every_operation_conforms_to_its_schema(case: Any) -> None:
    case.call_and_validate()
