"""The People REST API: API keys (401 without or with a bad or revoked key, 403 without
the scope), search, person detail, review band and decisions, every read audited, and
the OpenAPI schema. Backend: the local provider in tmp_path, in-process client."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from socialreferral import Providers
from socialreferral.people.profiles import from_mapping
from socialreferral.service.people import (
    capture_profiles,
    create_api_key,
    revoke_api_key,
    run_fusion,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ROWS = [
    {"id": "ann-1", "first_name": "Ann", "last_name": "Lee", "email": "ann.lee@gmail.com",
     "phone": "+44 20 7946 0001", "city": "London"},
    {"id": "ann-2", "first_name": "Annie", "last_name": "Lee", "email": "AnnLee+shop@gmail.com",
     "network": "x", "handle": "@annlee", "city": "London"},
    {"id": "bob-1", "first_name": "Bob", "last_name": "Stone", "email": "bob@example.org"},
]


@pytest.fixture
def keys(providers: Providers) -> dict[str, str]:
    repositories = providers.repositories
    capture_profiles(repositories, [from_mapping(r, source="import", captured_at=NOW)
                                    for r in ROWS])
    run_fusion(repositories, providers.settings.people, now=NOW, mode="full")
    made = {}
    for name, scopes in (("reader", ["people:read"]), ("reviewer", ["people:review"]),
                         ("both", ["people:read", "people:review"])):
        _, made[name] = create_api_key(repositories, name=name, scopes=scopes, now=NOW)
    return made


def test_requests_without_a_valid_key_are_401(client: TestClient,
                                              keys: dict[str, str],
                                              providers: Providers) -> None:
    forged = keys["reader"][:-4] + "AAAA"
    for headers in ({}, {"X-API-Key": "nonsense"}, {"X-API-Key": forged},
                    {"Authorization": "Bearer " + forged}, {"Authorization": "Basic abc"}):
        for path in ("/people?email=ann.lee@gmail.com", "/people/p-x", "/people/review"):
            response = client.get(path, headers=headers)
            assert response.status_code == 401, (headers, path, response.text)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert response.json()["error"] == "NotAuthenticated"
            assert forged not in response.text
    key_id = keys["reader"].split("_")[1]
    revoke_api_key(providers.repositories, key_id, now=NOW)
    response = client.get("/people?email=ann.lee@gmail.com", headers={"X-API-Key": keys["reader"]})
    assert response.status_code == 401
    assert providers.repositories.audit.entries() == []  # nothing was read


def test_a_key_without_the_scope_is_403(client: TestClient, keys: dict[str, str]) -> None:
    reader, reviewer = {"X-API-Key": keys["reader"]}, {"X-API-Key": keys["reviewer"]}
    assert client.get("/people/review", headers=reader).status_code == 403
    decision = {"left_id": "import:ann-1", "right_id": "import:x:ann-2", "decision": "split"}
    assert client.post("/people/review", headers=reader, json=decision).status_code == 403
    response = client.get("/people?email=ann.lee@gmail.com", headers=reviewer)
    assert response.status_code == 403 and response.json()["error"] == "RoleRequired"


def test_search_read_review_and_decide_are_audited(client: TestClient, keys: dict[str, str],
                                                   providers: Providers) -> None:
    both = {"Authorization": f"Bearer {keys['both']}"}
    found = client.get("/people", params={"email": "annlee@googlemail.com"}, headers=both)
    assert found.status_code == 200, found.text
    [ann] = found.json()
    assert ann["display_name"] == "Ann Lee" and ann["records"] == 2
    detail = client.get(f"/people/{ann['person_id']}", headers=both).json()
    assert set(detail["golden"]["fields"]["email"]) >= {"value", "record_id", "source",
                                                        "observed_at", "support"}
    assert {s["record_id"] for s in detail["sources"]} == {"import:ann-1", "import:x:ann-2"}
    assert detail["links"][0]["evidence"]
    assert client.get("/people", params={"phone": "+1 555 0000"}, headers=both).json() == []
    assert client.get("/people/review", headers=both).status_code == 200
    decided = client.post("/people/review", headers=both, json={
        "left_id": "import:ann-1", "right_id": "import:x:ann-2", "decision": "split",
        "note": "different people"})
    assert decided.status_code == 200, decided.text
    people = decided.json()["people"]
    assert people["import:ann-1"] != people["import:x:ann-2"]
    entries = providers.repositories.audit.entries()
    actions = [(e.action, e.subject, e.caller_name) for e in entries]
    assert ("search", ann["person_id"], "both") in actions
    assert ("read", ann["person_id"], "both") in actions
    assert ("search", None, "both") in actions
    assert {e.action for e in entries} == {"search", "read", "review", "decide"}
    assert all(e.caller_id.startswith("key:") for e in entries)
    assert "1 555 0000" not in str([e.model_dump() for e in entries])


@pytest.mark.parametrize(("path", "field"), [
    ("/people", "query"), ("/people?email=a@b.c&phone=1", "query"),
    ("/people?email=" + "a" * 300, "query.email")])
def test_bad_queries_are_named(client: TestClient, keys: dict[str, str], path: str,
                               field: str) -> None:
    response = client.get(path, headers={"X-API-Key": keys["both"]})
    assert response.status_code in (400, 422) and response.json()["field"] == field


def test_bad_decisions_are_400_or_404(client: TestClient, keys: dict[str, str]) -> None:
    headers = {"X-API-Key": keys["both"]}
    for body, status, field in (
            ({"left_id": "import:ann-1", "right_id": "import:bob-1", "decision": "maybe"},
             400, "decision"),
            ({"left_id": 3, "right_id": "import:bob-1", "decision": "split"}, 400, "left_id"),
            ({"left_id": "import:ann-1", "right_id": "import:ann-1", "decision": "split"},
             400, "decision"),
            ({"left_id": "import:ann-1", "right_id": "nobody", "decision": "split"},
             404, None)):
        response = client.post("/people/review", headers=headers, json=body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["field"] == field
    assert client.get("/people/p-unknown", headers=headers).status_code == 404


def test_openapi_documents_the_people_api_and_its_security(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/people", "/people/{person_id}", "/people/review"} <= set(schema["paths"])
    operation = schema["paths"]["/people"]["get"]
    assert {"401", "403"} <= set(operation["responses"])
    assert operation["security"]
    assert set(schema["components"]["securitySchemes"]) == {"HTTPBearer", "APIKeyHeader"}
