"""The care queue's REST API: status codes by meaning (404, 400, 409, 422, 501), response
schemas, the flow an agent console drives (queue → item → claim → reply → resolve, mass
response, proposals, profile), the API off by default, and a property: no body sent to a
care POST/PUT route makes the app answer 5xx.

Backend: local providers in a temporary directory; the app in process (TestClient)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_helpers import BUILTIN_ONLY

from socialreferral import Providers, build_providers
from socialreferral.care.records import IncomingPost
from socialreferral.plugins import load_registry
from socialreferral.providers.local.social import LocalSocialChannel
from socialreferral.records import Capability
from socialreferral.settings import settings_from_mapping
from socialreferral.web import create_app

NOW = datetime.now(UTC)
UNLIMITED = {"requests": 1_000_000, "per_seconds": 1}
CARE = {"pages": ["1000"], "brand_ids": ["acmecare"],
        "agents": [{"agent_id": "ann", "functions": ["*"], "cap": 1},
                   {"agent_id": "bob", "functions": ["*"], "cap": 5}]}
POSTS = [
    ("1", "c1", "@acmecare my refund is still not here after 3 weeks, ridiculous"),
    ("2", "c2", "@acmecare the app keeps crashing after the update"),
    ("3", "c3", "@acmecare app keeps crashing since the update today"),
    ("4", "c4", "@acmecare how do I reset my voicemail password?"),
]


def _providers(data_dir: Path, **web: Any) -> Providers:
    settings = settings_from_mapping({
        "local": {"data_dir": str(data_dir)}, "care": CARE,
        "web": {"client_rate": UNLIMITED, "max_body_bytes": 64 * 1024, **web}})
    return build_providers(settings, registry=load_registry(env=BUILTIN_ONLY))


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[tuple[TestClient, Any]]:
    with _providers(tmp_path / "data", care_api=True) as providers:
        app = create_app(providers)
        app.state.care_desk.ingest([
            IncomingPost(network="x", native_id=pid, author_id=author, text=text,
                         created_at=NOW - timedelta(minutes=90 - i))
            for i, (pid, author, text) in enumerate(POSTS)])
        with TestClient(app) as client:
            yield client, app


def test_the_care_api_is_off_unless_enabled(tmp_path: Path) -> None:
    with _providers(tmp_path / "data") as providers, TestClient(create_app(providers)) as c:
        assert c.get("/care/queues").status_code == 404
        assert not [p for p in c.get("/openapi.json").json()["paths"] if p.startswith("/care")]


def test_an_agent_works_an_item_through_the_api(app_client: tuple[TestClient, Any]) -> None:
    client, app = app_client
    summary = client.get("/care/queues").json()
    assert summary["profile"] == "default"
    assert sum(q["open"] for q in summary["queues"]) == 4
    page = client.get("/care/items", params={"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    scores = [i["rank_score"] for i in page["items"]]
    assert scores == sorted(scores, reverse=True)
    rest = client.get("/care/items", params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert {i["ticket_id"] for i in page["items"] + rest["items"]} == {
        f"x:{p[0]}" for p in POSTS}
    top = page["items"][0]
    factors = top["explanation"]["factors"]
    ascore = sum(f["contribution"] for f in factors if f["part"] == "ascore")
    assert ascore == pytest.approx(top["explanation"]["ascore"])
    assert top["sla"]["breached"] is True  # 90 minutes without an answer, 1 h target
    detail = client.get(f"/care/items/{top['ticket_id']}").json()
    assert detail["item"]["ticket_id"] == top["ticket_id"]
    assert [p["post_id"] for p in detail["conversation"]] == [top["ticket_id"]]
    assert detail["reply_kinds"] == ["public", "private"]

    ticket = top["ticket_id"]
    claimed = client.post(f"/care/items/{ticket}/claim", json={"agent_id": "ann"})
    assert claimed.status_code == 200 and claimed.json()["assignee"] == "ann"
    conflict = client.post(f"/care/items/{ticket}/claim", json={"agent_id": "bob"})
    assert conflict.status_code == 409 and conflict.json()["field"] == "assignee"
    other = page["items"][1]["ticket_id"]
    at_cap = client.post(f"/care/items/{other}/claim", json={"agent_id": "ann"})
    assert at_cap.status_code == 409 and at_cap.json()["field"] == "cap"
    replied = client.post(f"/care/items/{ticket}/reply",
                          json={"text": "Sorry! Please DM us.", "private": True,
                                "agent_id": "ann", "reply_id": "r-1"})
    assert replied.status_code == 200, replied.text
    body = replied.json()
    assert body["sent_now"] and body["item"]["status"] == "pending"
    assert body["reply"]["private"] is True
    again = client.post(f"/care/items/{ticket}/reply",
                        json={"text": "Sorry! Please DM us.", "private": True,
                              "reply_id": "r-1"})
    assert again.json()["sent_now"] is False
    social: Any = app.state.providers.social
    assert len(social.sent_messages()) == 1
    snooze_at = (NOW + timedelta(hours=2)).isoformat()
    snoozed = client.post(f"/care/items/{ticket}/snooze", json={"until": snooze_at})
    assert snoozed.json()["status"] == "snoozed"
    assert client.post(f"/care/items/{ticket}/resolve").json()["status"] == "resolved"
    assert client.post(f"/care/items/{ticket}/resolve").status_code == 409
    assert client.post(f"/care/items/{ticket}/reopen").json()["status"] == "open"
    assert client.post(f"/care/items/{ticket}/unassign").json()["assignee"] is None
    moved = client.post(f"/care/items/{ticket}/correction",
                        json={"function": "warranty", "agent_id": "ann"}).json()
    assert moved["queue"] == "warranty" and moved["function_source"] == "agent"
    rounds = client.post("/care/assignments").json()
    assert set(rounds["assigned"].values()) <= {"ann", "bob"}
    agents = {a["agent_id"]: a for a in client.get("/care/agents").json()["agents"]}
    assert agents["ann"]["holding"] <= 1 and agents["bob"]["holding"] <= 5
    off = client.put("/care/agents/bob/availability", json={"available": False}).json()
    assert off["available"] is False


def test_mass_response_proposals_and_profile(app_client: tuple[TestClient, Any]) -> None:
    client, app = app_client
    clusters = client.get("/care/clusters").json()["clusters"]
    [crash] = [c for c in clusters if "x:2" in c["ticket_ids"]]
    assert set(crash["ticket_ids"]) == {"x:2", "x:3"}
    text = "Version 5.2.1 fixes the crash."
    first = client.post("/care/mass-responses", json={"ticket_ids": crash["ticket_ids"],
                                                      "text": text})
    assert first.status_code == 200
    assert {o["status"] for o in first.json()["outcomes"]} == {"sent"}
    retry = client.post("/care/mass-responses",
                        json={"ticket_ids": crash["ticket_ids"], "text": text,
                              "response_id": first.json()["response_id"]})
    assert {o["status"] for o in retry.json()["outcomes"]} == {"already_sent"}
    assert client.get("/care/proposals").json() == {"proposals": []}
    desk = app.state.care_desk
    desk.correct("x:2", function="product")
    desk.correct("x:3", function="product")
    desk.run_categorizer(force=True)
    proposals = client.get("/care/proposals").json()["proposals"]
    if proposals:  # tiny corpus: whatever it proposes can be decided
        pid = proposals[0]["proposal_id"]
        decided = client.post(f"/care/proposals/{pid}/approve", json={"agent_id": "ann"})
        assert decided.json()["status"] == "approved"
        assert client.post(f"/care/proposals/{pid}/reject").json()["status"] == "rejected"
    assert client.post("/care/proposals/abc123/approve").status_code == 404
    assert client.post("/care/proposals/NOT-HEX/approve").status_code == 422
    profile = client.get("/care/profile").json()
    assert profile["active"] == "default"
    assert "complaints_first" in {p["name"] for p in profile["profiles"]}
    switched = client.put("/care/profile", json={"name": "complaints_first"})
    assert switched.json()["active"] == "complaints_first"
    assert client.put("/care/profile", json={"name": "nope"}).status_code == 400
    assert client.post("/care/recategorize").json()["changed_queue"] >= 0


def test_errors_by_meaning(app_client: tuple[TestClient, Any], tmp_path: Path) -> None:
    client, app = app_client
    assert client.get("/care/items/x:404").status_code == 404
    assert client.post("/care/items/x:404/resolve").status_code == 404
    assert client.post("/care/items/x:1/claim", json={"agent_id": "zed"}).status_code == 404
    bad = client.post("/care/items/x:1/claim", json={"agent": "ann"})
    assert bad.status_code == 400 and bad.json()["field"].startswith("body")
    deep = client.post("/care/items/x:1/claim", content=b"[" * 10_000)
    assert deep.status_code == 400
    assert client.post("/care/items/x:1/reply", json={"text": ""}).status_code == 400
    assert client.get("/care/items", params={"status": "closed"}).status_code == 422
    assert client.get("/care/items", params={"queue": "nope"}).status_code == 422
    assert client.get("/care/items", params={"limit": 0}).status_code == 422
    assert client.post("/care/items/x:1/snooze",
                       json={"until": "2020-01-01T00:00:00+00:00"}).status_code == 400

    class PublicOnly(LocalSocialChannel):
        capabilities: ClassVar[frozenset[Capability]] = frozenset(
            {Capability.PUBLIC_REPLIES})

    channel = PublicOnly(tmp_path / "public-only.sqlite3")
    app.state.care_desk.social = channel
    refused = client.post("/care/items/x:1/reply", json={"text": "hi", "private": True})
    assert refused.status_code == 501
    assert refused.json()["error"] == "Unsupported"
    assert "private_replies" in refused.json()["detail"]
    channel.close()


def test_the_schema_documents_every_care_route(app_client: tuple[TestClient, Any]) -> None:
    client, _ = app_client
    schema = client.get("/openapi.json").json()
    paths = {p: ops for p, ops in schema["paths"].items() if p.startswith("/care")}
    assert len(paths) >= 18
    for path, operations in paths.items():
        for method, operation in operations.items():
            ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
            assert "$ref" in ok, (path, method)
            assert "409" in operation["responses"], (path, method)
            if method in ("post", "put") and "{ticket_id}/" in path and not path.endswith(
                    ("resolve", "reopen", "unassign")):
                assert "requestBody" in operation, (path, method)
    item = schema["components"]["schemas"]["ItemOut"]["properties"]
    assert {"explanation", "sla", "rank_score", "status", "assignee"} <= set(item)


BODIES = st.one_of(
    st.binary(max_size=300),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                 lambda inner: st.lists(inner, max_size=4)
                 | st.dictionaries(st.text(max_size=12), inner, max_size=4),
                 max_leaves=12).map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({}, optional={
        "agent_id": st.text(max_size=140), "text": st.text(max_size=50),
        "private": st.booleans() | st.text(max_size=3), "until": st.text(max_size=30),
        "ticket_ids": st.lists(st.text(max_size=10), max_size=3), "name": st.text(max_size=20),
        "function": st.text(max_size=20), "intent": st.text(max_size=10),
        "available": st.booleans(), "queue": st.text(max_size=20),
        "reply_id": st.text(max_size=10), "force": st.booleans()})
    .map(lambda v: json.dumps(v).encode()),
)
ROUTES = ["/care/items/x:1/claim", "/care/items/x:2/assign", "/care/items/x:3/unassign",
          "/care/items/x:1/reply", "/care/items/x:4/resolve", "/care/items/x:4/reopen",
          "/care/items/x:2/snooze", "/care/items/x:3/correction", "/care/assignments",
          "/care/mass-responses", "/care/proposals/ab12/approve", "/care/recategorize",
          "/care/items/%00/claim", "/care/items/" + "x" * 300 + "/claim"]


def test_no_body_makes_a_care_route_answer_5xx(app_client: tuple[TestClient, Any]) -> None:
    client, app = app_client
    answered: list[int] = []

    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow,
                                     HealthCheck.function_scoped_fixture])
    @given(route=st.sampled_from([*ROUTES, "PUT /care/profile",
                                  "PUT /care/agents/ann/availability"]), body=BODIES)
    def run(route: str, body: bytes) -> None:
        method, path = route.split(" ") if " " in route else ("POST", route)
        response = client.request(method, path, content=body,
                                  headers={"Content-Type": "application/json"})
        answered.append(response.status_code)
        assert response.status_code < 500, (route, body[:100], response.text)

    run()
    assert len(answered) >= 150 and app.state.unexpected_errors.count == 0
    assert {400, 200} <= set(answered)  # both refusals and successes were exercised
