"""The console's pages and their JSON twins, in process: the prospect's landing page,
form and thank-you page; login and lockout; the programme page and CSV; the review
queue; the admin page's erasure; the offline API docs.

Backend: local provider in tmp_path (TestClient).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from console_helpers import ConsoleWorld, build_world, csrf_of
from web_helpers import local_providers

from socialreferral.domain.links import sign_referral_token
from socialreferral.domain.referrals import RewardStatus
from socialreferral.service.referrals import signing_key

FORM = {"name": "Pat Prospect", "email": "pat@mail.example.org", "phone": "",
        "consent_contact": "yes"}
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[ConsoleWorld]:
    with local_providers(tmp_path / "data") as providers:
        yield build_world(providers)


# --- prospects ----------------------------------------------------------------------------
def test_api_clients_keep_json_and_browsers_get_the_landing_page(world: ConsoleWorld) -> None:
    client = world.client()
    for accept in (None, "*/*", "application/json", "text/html;q=0.5, application/json"):
        headers = {"Accept": accept} if accept else {}
        answer = client.get(f"/referrals/{world.token}", headers=headers)
        assert answer.status_code == 200 and answer.json()["product_id"] == "personal-loan"
    page = client.get(f"/referrals/{world.token}", headers=HTML)
    assert page.headers["content-type"].startswith("text/html")
    assert "Recommended to you by" in page.text and "C1" in page.text
    assert "personal loan" in page.text and "valid until" in page.text
    assert 'for="email"' in page.text and 'autocomplete="email"' in page.text
    assert page.headers["cache-control"] == "no-store"


def test_a_mistake_is_shown_next_to_the_field_and_a_correction_goes_through(
        world: ConsoleWorld) -> None:
    client = world.client()
    token = csrf_of(client.get(f"/referrals/{world.token}", headers=HTML).text)
    wrong = client.post(f"/referrals/{world.token}", data={
        **FORM, "email": "pat-at-mail", "csrf_token": token})
    assert wrong.status_code == 422
    assert 'id="email-error"' in wrong.text and "name@example.com" in wrong.text
    assert 'aria-invalid="true" aria-describedby="email-error"' in wrong.text
    assert 'value="Pat Prospect"' in wrong.text  # what was typed is kept
    assert world.providers.crm.list_leads() == []
    done = client.post(f"/referrals/{world.token}", data={**FORM, "csrf_token": token},
                       follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == f"/referrals/{world.token}/thanks"
    thanks = client.get(done.headers["location"])
    assert thanks.status_code == 200 and "Thank you" in thanks.text
    # A second submission (double click, back button) changes nothing.
    again = client.post(f"/referrals/{world.token}", data={**FORM, "csrf_token": token},
                        follow_redirects=False)
    assert again.status_code == 303
    assert len(world.providers.crm.list_leads()) == 1
    assert len(world.providers.repositories.referrals.leads()) == 1
    # The landing page now says thank you instead of showing the form again.
    assert "Thank you" in client.get(f"/referrals/{world.token}", headers=HTML).text


def test_every_missing_field_is_reported_at_once(world: ConsoleWorld) -> None:
    client = world.client()
    token = csrf_of(client.get(f"/referrals/{world.token}", headers=HTML).text)
    answer = client.post(f"/referrals/{world.token}", data={"csrf_token": token})
    assert answer.status_code == 422
    for field in ("name", "email", "consent_contact"):
        assert f'id="{field}-error"' in answer.text


def test_the_thank_you_page_before_the_form_leads_back_to_it(world: ConsoleWorld) -> None:
    answer = world.client().get(f"/referrals/{world.token}/thanks", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/referrals/{world.token}"


def test_expired_and_tampered_links_get_friendly_pages(world: ConsoleWorld) -> None:
    client = world.client()
    key_id, key = signing_key(world.providers.secrets)
    referral_id = world.providers.repositories.referrals.referrals()[0].referral_id
    expired = sign_referral_token(referral_id, datetime.now(UTC) - timedelta(hours=1), key,
                                  key_id)
    page = client.get(f"/referrals/{expired}", headers=HTML)
    assert page.status_code == 410 and "This offer has expired" in page.text
    tampered = world.token[:-3] + ("AAA" if not world.token.endswith("AAA") else "BBB")
    page = client.get(f"/referrals/{tampered}", headers=HTML)
    assert page.status_code == 404 and "This link does not work" in page.text
    assert client.get(f"/referrals/{tampered}").status_code == 403  # the API: JSON
    form = client.post(f"/referrals/{tampered}", data=FORM)
    assert form.status_code == 404 and "<html" in form.text


# --- login --------------------------------------------------------------------------------
def test_login_goes_where_the_operator_wanted_but_never_off_site(world: ConsoleWorld) -> None:
    for wanted, landed in (("/console/reviews", "/console/reviews"),
                           ("//evil.example/x", "/console/"),
                           ("https://evil.example/", "/console/"),
                           ("/console/login", "/console/")):
        client = world.client()
        token = csrf_of(client.get("/console/login").text)
        answer = client.post("/console/login", data={
            "csrf_token": token, "name": "reviewer", "password": "console-test-password",
            "next": wanted}, follow_redirects=False)
        assert answer.headers["location"] == landed, wanted


def test_five_wrong_passwords_lock_the_account(world: ConsoleWorld) -> None:
    client = world.client()
    token = csrf_of(client.get("/console/login").text)
    statuses = [client.post("/console/login", data={
        "csrf_token": token, "name": "admin", "password": f"guess {n}"}).status_code
        for n in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = client.post("/console/login", data={
        "csrf_token": token, "name": "admin", "password": "console-test-password"})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert "try again in" in locked.text


def test_logout_ends_the_session(world: ConsoleWorld) -> None:
    client = world.client()
    csrf = world.login(client, "marketer")
    assert client.get("/console/programme").status_code == 200
    out = client.post("/console/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/console/programme", follow_redirects=False).status_code == 303
    assert client.get("/api/programme").status_code == 401


# --- programme ----------------------------------------------------------------------------
def test_programme_page_csv_and_json_agree(world: ConsoleWorld) -> None:
    client = world.client()
    world.login(client, "marketer")
    page = client.get("/console/programme")
    assert page.status_code == 200
    assert page.text.count("<svg") >= 5 and "Conversion rates" in page.text
    data = client.get("/api/programme").json()
    totals = {s["name"]: s["count"] for s in data["funnel"]["total"]["stages"]}
    assert totals["offers"] >= 1 and totals["referrals"] == 1
    assert "facebook" in [s["key"] for s in data["by_channel"]]
    export = client.get("/console/programme.csv")
    assert export.headers["content-type"].startswith("text/csv")
    assert export.headers["content-disposition"].startswith("attachment;")
    rows = {(d, k, m): v for d, k, m, v in list(csv.reader(io.StringIO(export.text)))[1:]}
    assert rows[("funnel", "total", "referrals")] == "1"
    assert client.get("/api/programme/csv").text.splitlines()[0] == (
        "dimension,key,metric,value")


# --- reviews ------------------------------------------------------------------------------
def test_a_reviewer_approves_with_a_note_through_htmx(world: ConsoleWorld) -> None:
    client = world.client()
    csrf = world.login(client, "reviewer")
    page = client.get("/console/reviews").text
    assert f'id="review-{world.reward_id}"' in page and "velocity" in page
    # Flagged an hour ago with a 72 h deadline: 70 h 59 min left.
    assert f'id="cd-{world.reward_id}"' in page and ">2 d 22 h<" in page
    assert 'hx-get="/console/reviews/countdowns"' in page
    countdowns = client.get("/console/reviews/countdowns").text
    assert f'id="cd-{world.reward_id}"' in countdowns and 'hx-swap-oob="true"' in countdowns
    fragment = client.post(f"/console/reviews/{world.reward_id}", data={
        "csrf_token": csrf, "decision": "approve", "note": "known customer"},
        headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "Approved" in fragment.text
    assert "<html" not in fragment.text  # a fragment for htmx to swap in
    [record] = [r for r in world.providers.repositories.referrals.rewards()
                if r.reward.reward_id == world.reward_id]
    assert record.reward.status is RewardStatus.APPROVED
    assert record.review is not None and (record.review.by, record.review.note) == (
        "reviewer", "known customer")
    late = client.post(f"/console/reviews/{world.reward_id}", data={
        "csrf_token": csrf, "decision": "reject"}, headers={"HX-Request": "true"})
    assert "Already decided" in late.text
    assert world.reward_id not in client.get("/console/reviews/countdowns").text


def test_without_javascript_a_decision_redirects_back_to_the_queue(
        world: ConsoleWorld) -> None:
    client = world.client()
    csrf = world.login(client, "reviewer")
    answer = client.post(f"/console/reviews/{world.reward_id}", data={
        "csrf_token": csrf, "decision": "reject"}, follow_redirects=False)
    assert answer.headers["location"] == "/console/reviews?done=rejected"
    assert "The reward was rejected" in client.get(answer.headers["location"]).text


def test_the_review_api_lists_and_decides(world: ConsoleWorld) -> None:
    client = world.client()
    csrf = world.login(client, "reviewer")
    [item] = client.get("/api/reviews").json()
    assert item["reward_id"] == world.reward_id and item["flags"][0]["code"] == "velocity"
    assert 69 * 3600 < item["seconds_left"] <= 71 * 3600
    decided = client.post(f"/api/reviews/{world.reward_id}/decision",
                          json={"decision": "reject", "note": "no"},
                          headers={"X-CSRF-Token": csrf})
    assert decided.status_code == 200 and decided.json()["status"] == "rejected"
    assert client.get("/api/reviews").json() == []


# --- admin --------------------------------------------------------------------------------
def test_admin_erases_a_person_after_confirming(world: ConsoleWorld) -> None:
    client = world.client()
    csrf = world.login(client, "admin")
    page = client.get("/console/admin").text
    assert "Providers and their health" in page and "reachable" in page
    assert "secret_key" not in page  # no secret values (nor names of secret fields)
    preview = client.post("/console/admin/erase", data={
        "csrf_token": csrf, "kind": "customer_id", "value": "c1"})
    assert preview.status_code == 200 and "cannot be undone" in preview.text
    assert "facebook:fb-c1" in preview.text  # what the id resolves to
    assert world.providers.repositories.customers.get("c1") is not None  # not yet
    unconfirmed = client.post("/console/admin/erase/confirm", data={
        "csrf_token": csrf, "kind": "customer_id", "value": "c1"})
    assert unconfirmed.status_code == 400
    assert world.providers.repositories.customers.get("c1") is not None
    done = client.post("/console/admin/erase/confirm", data={
        "csrf_token": csrf, "kind": "customer_id", "value": "c1", "confirm": "yes"})
    assert done.status_code == 200 and "Erasure done" in done.text
    assert "customers" in done.text and "rewards anonymised" in done.text
    assert world.providers.repositories.customers.get("c1") is None
    api = client.post("/api/admin/erasures", json={"kind": "email", "value":
                                                   "pat@mail.example.org", "confirm": False},
                      headers={"X-CSRF-Token": csrf})
    assert api.status_code == 400 and api.json()["field"] == "confirm"
    settings = client.get("/api/admin/settings").json()
    assert settings["console"]["lockout_failures"] == 5
    providers = client.get("/api/admin/providers").json()
    assert {p["port"] for p in providers} == {"queue", "store", "secrets", "batch", "crm",
                                              "social"}
    assert all(p["healthy"] for p in providers)


def test_the_api_docs_are_served_from_the_package(world: ConsoleWorld) -> None:
    client = world.client()
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert 'src="/static/vendor/swagger-ui/swagger-ui-bundle.js"' in docs.text
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/redoc").status_code == 404
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/programme", "/api/reviews", "/api/reviews/{reward_id}/decision",
            "/api/admin/erasures"} <= set(paths)
    assert not any(p.startswith("/console") for p in paths)
