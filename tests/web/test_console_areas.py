"""The care console, the influencer dashboard and the People pages: what they show, the
agent's moves through the care use cases, CSRF refusal on each of their forms, and user
text escaped on each page.

Backend: the local provider in tmp_path; the app in process (TestClient). Roles and the
external-host scan for these routes run with every other route in
test_console_security.py; the browser tests (tests/browser) drive the same pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_helpers import ConsoleWorld, build_world, csrf_of, seed_areas
from fastapi.testclient import TestClient
from web_helpers import local_providers

from socialreferral.web.console.geo import country_paths, land_layer, project
from socialreferral.web.console.pages.care import thread_rows
from socialreferral.web.console.pages.influence import parse_at

XSS = '<script>alert("xss")</script>'
ESCAPED = "&lt;script&gt;alert"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[ConsoleWorld]:
    with local_providers(tmp_path / "data") as providers:
        built = build_world(providers)
        seed_areas(built, XSS)
        yield built


def _logged_in(world: ConsoleWorld, role: str) -> tuple[TestClient, str]:
    client = world.client()
    return client, world.login(client, role)


def _item_status(world: ConsoleWorld) -> tuple[str, str | None]:
    item = world.providers.repositories.care_items.require(world.ids["ticket_id"])
    return item.status, item.assignee


# --- care -----------------------------------------------------------------------------------
def test_the_care_queue_is_ranked_and_explained(world: ConsoleWorld) -> None:
    client, _ = _logged_in(world, "agent")
    page = client.get("/console/care").text
    scores = [float(s) for s in re.findall(r"score (\d\.\d{3})</span>", page)]
    assert len(scores) >= 3 and scores == sorted(scores, reverse=True)
    assert "Why: " in page and re.search(r"(due in|overdue by) \S", page)  # factors, SLA
    item = client.get(f"/console/care/items/{world.ids['ticket_id']}").text
    assert "RankScore" in item and "Thread" in item and "business_function_importance" in item


def test_an_agent_claims_replies_snoozes_and_resolves_through_htmx(world: ConsoleWorld) -> None:
    client, csrf = _logged_in(world, "agent")
    base = f"/console/care/items/{world.ids['ticket_id']}"
    htmx = {"HX-Request": "true"}
    claimed = client.post(f"{base}/claim", data={"csrf_token": csrf}, headers=htmx)
    assert claimed.status_code == 200 and "You took the item." in claimed.text
    assert _item_status(world) == ("open", "agent")
    for _ in range(2):  # the same reply id twice (a double submit): sent once
        replied = client.post(f"{base}/reply", headers=htmx, data={
            "csrf_token": csrf, "text": "Sorry! We are on it.", "kind": "public",
            "reply_id": "r-test-1"})
        assert replied.status_code == 200
    assert "had been sent already" in replied.text
    replies = world.providers.repositories.care_items.replies(world.ids["ticket_id"])
    assert [r.text for r in replies] == ["Sorry! We are on it."]
    snoozed = client.post(f"{base}/snooze", data={"csrf_token": csrf, "hours": "2"},
                          headers=htmx)
    assert "Snoozed for 2 hours" in snoozed.text and _item_status(world)[0] == "snoozed"
    resolved = client.post(f"{base}/resolve", data={"csrf_token": csrf}, headers=htmx)
    assert "Resolved." in resolved.text and _item_status(world)[0] == "resolved"
    again = client.post(f"{base}/resolve", data={"csrf_token": csrf}, headers=htmx)
    assert again.status_code == 200 and 'class="notice warn"' in again.text  # refused, said
    plain = client.post(f"{base}/reopen", data={"csrf_token": csrf}, follow_redirects=False)
    assert plain.status_code == 303 and _item_status(world)[0] == "open"


def test_a_bad_snooze_is_refused_with_the_field_named(world: ConsoleWorld) -> None:
    client, csrf = _logged_in(world, "agent")
    base = f"/console/care/items/{world.ids['ticket_id']}"
    answer = client.post(f"{base}/snooze", data={"csrf_token": csrf, "hours": "-3"})
    assert answer.status_code == 400 and "between 0 and" in answer.text
    assert _item_status(world)[0] == "open"


def test_the_care_api_is_behind_the_console_session(world: ConsoleWorld) -> None:
    assert world.client().get("/api/care/items").status_code == 401
    client, csrf = _logged_in(world, "agent")
    items = client.get("/api/care/items").json()["items"]
    assert {i["ticket_id"] for i in items} >= {world.ids["ticket_id"]}
    path = f"/api/care/items/{world.ids['ticket_id']}/claim"
    body = {"agent_id": "agent"}
    assert client.post(path, json=body).status_code == 403  # no CSRF header
    assert client.post(path, json=body, headers={"X-CSRF-Token": csrf}).status_code == 200


def test_the_care_api_acts_only_as_the_signed_in_agent(world: ConsoleWorld) -> None:
    """An agent cannot claim or reply under another agent's name through /api/care; a
    supervisor's assign still names the agent given the item."""
    client, csrf = _logged_in(world, "agent")
    headers = {"X-CSRF-Token": csrf}
    base = f"/api/care/items/{world.ids['ticket_id']}"
    posing = client.post(f"{base}/claim", json={"agent_id": "someone-else"}, headers=headers)
    assert posing.status_code == 403 and "signed-in operator" in posing.text
    assert _item_status(world)[0] == "open"  # nothing happened
    reply = {"agent_id": "someone-else", "text": "hello", "private": False}
    assert client.post(f"{base}/reply", json=reply, headers=headers).status_code == 403
    assert client.post(f"{base}/claim", json={"agent_id": "agent"},
                       headers=headers).status_code == 200


def test_thread_rows_put_replies_under_their_parent() -> None:
    from datetime import UTC, datetime, timedelta

    from socialreferral.care.records import CarePostRecord

    t0 = datetime(2026, 1, 1, tzinfo=UTC)

    def post(pid: str, parent: str | None, minutes: int) -> CarePostRecord:
        return CarePostRecord(post_id=pid, network="x", native_id=pid, root_id="a",
                              parent_id=parent, conversation_id="a",
                              created_at=t0 + timedelta(minutes=minutes))

    rows = thread_rows([post("c", "a", 5), post("b", "a", 1), post("a", None, 0),
                        post("d", "b", 9), post("e", "gone", 2)])
    assert [(d, p.post_id) for d, p in rows] == [(0, "a"), (1, "b"), (2, "d"), (1, "c"),
                                                  (0, "e")]


# --- influence ------------------------------------------------------------------------------
def test_the_dashboard_shows_the_four_panels_with_data(world: ConsoleWorld) -> None:
    client, _ = _logged_in(world, "marketer")
    page = client.get("/console/influence").text
    for panel in ("panel-top", "panel-map", "panel-words", "panel-trend"):
        assert f'id="{panel}"' in page
    assert "@user_" in page and "followers" in page and "retweets" in page
    assert page.count('<circle class="marker') >= 1  # London, New York, ... placed
    assert page.count('class="alert-mark"') == 1  # the stored volume alert, marked
    [cloud] = [u for u in re.findall(r'src="([^"]+\.png[^"]*)"', page) if "positive" in u]
    image = client.get(cloud.replace("&amp;", "&"))
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    assert client.get("/console/influence/clouds/acme/angry.png").status_code == 404


def test_the_influence_api_answers_under_the_console_session(world: ConsoleWorld) -> None:
    client, _ = _logged_in(world, "marketer")
    top = client.get("/api/influence/keywords/acme/top").json()
    assert sum(len(top[s]) for s in ("positive", "negative", "neutral")) >= 3
    assert world.client().get("/api/influence/keywords").status_code == 401


def test_the_at_parameter_is_validated(world: ConsoleWorld) -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
    assert parse_at(None, now) == datetime(2026, 3, 4, 11, tzinfo=UTC)
    assert parse_at("2026-03-04T09:00Z", now) == datetime(2026, 3, 4, 9, tzinfo=UTC)
    client, _ = _logged_in(world, "marketer")
    for bad in ("yesterday", "2026-03-04T09:00", "9" * 80):
        answer = client.get("/console/influence", params={"at": bad})
        assert answer.status_code == 400, bad


def test_the_map_decodes_topojson_arcs() -> None:
    # Two squares sharing an edge; the second walks the shared arc backwards (~0).
    topology = {"type": "Topology", "transform": {"scale": [1, 1], "translate": [0, 0]},
                "arcs": [[[0, 0], [0, 10]], [[0, 10], [10, 0], [0, -10], [-10, 0]],
                         [[0, 0], [-10, 0], [0, 10], [10, 0]]],
                "objects": {"countries": {"type": "GeometryCollection", "geometries": [
                    {"type": "Polygon", "arcs": [[0, 1]], "properties": {"name": "East"}},
                    {"type": "Polygon", "arcs": [[~0, 2]], "properties": {"name": "West"}},
                ]}}}
    east, west = country_paths(topology)
    assert (east.name, west.name) == ("East", "West")
    x0, y0 = project(0, 0)
    x1, _ = project(10, 10)
    assert east.path.startswith(f"M{x0:.1f},{y0:.1f}") and f"L{x1:.1f}," in east.path
    assert east.path.count("L") == 4 and west.path.count("L") == 4  # joined arcs share a point
    layer = land_layer()  # the vendored atlas
    assert layer.count('<path class="land"') > 150 and "<title>France</title>" in layer


# --- people ---------------------------------------------------------------------------------
def test_find_a_person_and_read_the_golden_record(world: ConsoleWorld) -> None:
    client, csrf = _logged_in(world, "admin")
    found = client.post("/console/people/search", data={
        "csrf_token": csrf, "kind": "email", "value": " Ann.Lee@GMAIL.com "}).text
    assert "1 person found" in found and world.ids["person_id"] in found
    person = client.get(f"/console/people/persons/{world.ids['person_id']}").text
    assert "Golden record" in person and "ann.lee@gmail.com" in person and "import" in person
    audit = world.providers.repositories.audit.entries()
    assert {(e.caller_id, e.action) for e in audit} >= {("console:admin", "search"),
                                                        ("console:admin", "read")}
    nobody = client.post("/console/people/search", data={
        "csrf_token": csrf, "kind": "phone", "value": "+1 555 0000"}).text
    assert "0 people found" in nobody


def test_b2b_targets_show_ranked_contacts_and_paths(world: ConsoleWorld) -> None:
    client, _ = _logged_in(world, "marketer")
    page = client.get("/console/people/b2b").text
    assert "Introduced by" in page and "score 0.700" in page and "&rarr;" in page
    targets = client.get("/api/people/b2b").json()
    assert targets[0]["contacts"][0]["path"]["people"][0]["person_id"] == "emp-1"


# --- CSRF and escaping ----------------------------------------------------------------------
def test_each_new_form_refuses_a_post_without_the_token(world: ConsoleWorld) -> None:
    forms = {
        "agent": [(f"/console/care/items/{world.ids['ticket_id']}/{action}", extra)
                  for action, extra in (("claim", {}), ("assign", {"agent": "agent"}),
                                        ("unassign", {}), ("resolve", {}), ("reopen", {}),
                                        ("snooze", {"hours": "1"}),
                                        ("reply", {"text": "hi", "kind": "public"}))]
        + [("/console/care/clusters", {"ticket_ids": "x:2,x:3", "text": "fixed"}),
           ("/console/care/proposals/" + "0" * 24, {"decision": "approve"})],
        "admin": [("/console/people/search", {"kind": "email", "value": "ann.lee@gmail.com"})],
    }
    for role, posts in forms.items():
        client, _ = _logged_in(world, role)
        for path, data in posts:
            for token in (None, "", "x" * 43):
                form = data if token is None else {**data, "csrf_token": token}
                refused = client.post(path, data=form, follow_redirects=False)
                assert refused.status_code == 403, (path, token)
                assert "security token" in refused.text or "expired" in refused.text
    assert _item_status(world) == ("open", None)
    assert world.providers.repositories.care_items.replies(world.ids["ticket_id"]) == []
    assert world.providers.repositories.audit.entries() == []


def test_scripts_in_posts_names_and_fields_render_escaped(world: ConsoleWorld) -> None:
    agent, agent_csrf = _logged_in(world, "agent")
    base = f"/console/care/items/{world.ids['ticket_id']}"
    texts = {"care queue": agent.get("/console/care").text, "care item": agent.get(base).text}
    texts["care reply"] = agent.post(f"{base}/reply", headers={"HX-Request": "true"}, data={
        "csrf_token": agent_csrf, "text": XSS, "kind": "public"}).text
    texts["care assign"] = agent.post(f"{base}/assign", headers={"HX-Request": "true"}, data={
        "csrf_token": agent_csrf, "agent": XSS}).text
    marketer, _ = _logged_in(world, "marketer")
    texts["dashboard"] = marketer.get("/console/influence").text
    texts["b2b"] = marketer.get("/console/people/b2b").text
    admin, admin_csrf = _logged_in(world, "admin")
    texts["search"] = admin.post("/console/people/search", data={
        "csrf_token": admin_csrf, "kind": "handle", "value": XSS}).text
    texts["person"] = admin.get(f"/console/people/persons/{world.ids['person_id']}").text
    for where, text in texts.items():
        assert ESCAPED in text, where  # the script is shown, as text
        assert XSS not in text and "<script>alert" not in text, where
    assert "User 1 &lt;script&gt;" in texts["dashboard"]  # an influencer's name
    assert csrf_of(texts["care item"])
