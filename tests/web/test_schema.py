"""Schemathesis over the app's own OpenAPI schema, in process and offline: every operation
(GET, POST and PUT, the care API's included) with schema-driven inputs answers no 5xx,
and what it answers matches the declared status codes, content types and response
models.

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
from schemathesis.checks import positive_data_acceptance
from web_helpers import local_providers

from socialreferral.web import create_app


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    unlimited = {"requests": 1_000_000, "per_seconds": 1}
    with local_providers(Path(tmp_path_factory.mktemp("schema")), max_body_bytes=64 * 1024,
                         client_rate=unlimited, channel_rate=unlimited,
                         care_api=True) as providers:
        providers.secrets.set("referral-link-key", "k" * 32)
        app = create_app(providers)
        yield schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_every_operation_conforms_to_its_schema(case: Any) -> None:
    # Whether a care cursor or a snooze time is acceptable depends on state and the clock
    # (an opaque cursor of another query, a time already past): a 400 for such
    # schema-valid values is right, so only there data acceptance is not demanded.
    cursor = case.path == "/care/items" and (case.query or {}).get("cursor")
    excluded = [positive_data_acceptance] if cursor or case.path.endswith("/snooze") else []
    response = case.call()
    if response.status_code == 413:
        # a generated body above [web] max_body_bytes, refused by the edge before any
        # route sees it (documented on every route that takes a body)
        assert response.json()["field"] == "body"
        return
    case.validate_response(response, excluded_checks=excluded)
