"""The People console's forms: a search without a value is a field error on the form (not
an error page), and the B2B page starts a warm-path run — the batch task ``people.b2b``,
the use case ``socialreferral people b2b`` runs — behind the area's roles and the CSRF
token, with its own field errors and escaped echoes.

Backend: the local provider in tmp_path (a replay company register from the People demo
world); the app in process (TestClient); the batch submission recorded, then run in
process as a worker would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from console_helpers import ConsoleWorld, build_world, csrf_of
from web_helpers import BUILTIN_ONLY, SECRETS, local_providers

from socialreferral import build_providers
from socialreferral.people.demo_b2b import demo_world
from socialreferral.plugins import load_registry
from socialreferral.settings import settings_from_mapping
from socialreferral.tasks import lookup_task, run_task
from socialreferral.tasks.people import fuse_once

XSS = '<script>alert("xss")</script>'
ESCAPED = "&lt;script&gt;alert"


@pytest.fixture
def b2b_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
              ) -> Iterator[tuple[ConsoleWorld, list[str], list[dict[str, Any]]]]:
    """A console over providers with a company register; batch submissions recorded."""
    demo = demo_world(11, now=datetime.now(UTC))
    register = tmp_path / "register.json"
    register.write_text(json.dumps(demo.directory), encoding="utf-8")
    settings = settings_from_mapping({"local": {"data_dir": str(tmp_path / "data")},
                                      "people": {"b2b": {"directory_file": str(register)}}})
    with build_providers(settings, registry=load_registry(env=BUILTIN_ONLY)) as providers:
        for name, value in SECRETS.items():
            providers.secrets.set(name, value)
        for contact in demo.crm_contacts:
            providers.crm.save_contact(contact)
        fuse_once(providers, mode="full")
        submitted: list[dict[str, Any]] = []

        def record(task: str, payload: dict[str, Any] | None = None, *,
                   array_size: int = 1, name: str | None = None) -> str:
            submitted.append({"task": task, "payload": payload, "name": name})
            return f"job-{len(submitted)}"

        monkeypatch.setattr(providers.batch, "submit", record)
        yield build_world(providers), demo.companies, submitted


def _as(world: ConsoleWorld, role: str) -> tuple[Any, str]:
    client = world.client()
    return client, world.login(client, role)


def test_an_empty_search_is_a_field_error_on_the_form(tmp_path: Path) -> None:
    with local_providers(tmp_path / "data") as providers:
        world = build_world(providers)
        client, csrf = _as(world, "admin")
        for value in ("", "   "):
            answer = client.post("/console/people/search", data={
                "csrf_token": csrf, "kind": "email", "value": value})
            assert answer.status_code == 422
            page = answer.text
            assert 'id="value-error"' in page and 'aria-invalid="true"' in page
            assert "Enter the e-mail address" in page
            assert 'action="/console/people/search"' in page and csrf_of(page)
            assert "found</h2>" not in page  # no result section
        wrong = client.post("/console/people/search", data={
            "csrf_token": csrf, "kind": XSS, "value": "ann.lee@gmail.com"})
        assert wrong.status_code == 422 and 'id="kind-error"' in wrong.text
        assert XSS not in wrong.text
        # Nothing was searched, so nothing was audited.
        assert providers.repositories.audit.entries() == []


def test_a_marketer_starts_a_b2b_run_and_its_targets_appear(
        b2b_world: tuple[ConsoleWorld, list[str], list[dict[str, Any]]]) -> None:
    world, companies, submitted = b2b_world
    client, csrf = _as(world, "marketer")
    page = client.get("/console/people/b2b").text
    assert 'action="/console/people/b2b/runs"' in page and "Start run" in page
    assert "disabled" not in page.split('action="/console/people/b2b/runs"')[1]
    started = client.post("/console/people/b2b/runs", follow_redirects=False, data={
        "csrf_token": csrf, "companies": "\n".join([*companies, companies[0]]), "top": "5"})
    assert started.status_code == 303
    assert started.headers["location"] == "/console/people/b2b?started=job-1"
    [job] = submitted
    assert job["task"] == "people.b2b" and job["name"] == "people-b2b"
    request = job["payload"]["request"]
    assert request["requested_by"] == "console:marketer"
    assert request["companies"] == companies and request["top"] == 5  # duplicates dropped
    notice = client.get(started.headers["location"]).text
    assert "Run started (job <code>job-1</code>)" in notice
    # What a batch worker does with the job: the People use case, from the payload alone.
    run_task(lookup_task(load_registry(env=BUILTIN_ONLY).tasks, "people.b2b"),
             job["payload"])
    targets = client.get("/api/people/b2b").json()
    assert targets and {t["company"] for t in targets} <= set(companies)
    shown = client.get("/console/people/b2b").text
    assert all(t["company"] in shown for t in targets)
    assert "Introduced by" in shown


def test_a_b2b_run_needs_the_token_the_role_and_valid_fields(
        b2b_world: tuple[ConsoleWorld, list[str], list[dict[str, Any]]]) -> None:
    world, companies, submitted = b2b_world
    form = {"companies": companies[0]}
    marketer, csrf = _as(world, "marketer")
    for token in (None, "", "x" * 43):
        data = form if token is None else {**form, "csrf_token": token}
        assert marketer.post("/console/people/b2b/runs", data=data,
                             follow_redirects=False).status_code == 403
    for role in ("agent", "reviewer"):  # outside the People area
        other, other_csrf = _as(world, role)
        assert other.post("/console/people/b2b/runs", follow_redirects=False,
                          data={**form, "csrf_token": other_csrf}).status_code == 403
    anonymous = world.client().post("/console/people/b2b/runs", data=form,
                                    follow_redirects=False)
    assert anonymous.status_code in (303, 401, 403)
    cases = [({"companies": "  \n , "}, "companies-error"),
             ({"companies": "\n".join(f"c{i}" for i in range(201))}, "companies-error"),
             ({"companies": companies[0], "top": "0"}, "top-error"),
             ({"companies": companies[0], "top": "many"}, "top-error"),
             ({"companies": XSS, "crm_account": XSS}, "crm_account-error")]
    for data, error_id in cases:
        answer = marketer.post("/console/people/b2b/runs", data={**data, "csrf_token": csrf},
                               follow_redirects=False)
        assert answer.status_code == 422, data
        assert f'id="{error_id}"' in answer.text, (data, answer.text[-2000:])
        assert XSS not in answer.text
    assert ESCAPED in answer.text  # the last case echoes the script as text
    assert submitted == []


def test_without_a_company_register_no_run_is_started(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with local_providers(tmp_path / "data") as providers:
        calls: list[str] = []
        monkeypatch.setattr(providers.batch, "submit",
                            lambda task, *a, **k: calls.append(task) or "job")
        world = build_world(providers)
        client, csrf = _as(world, "marketer")
        page = client.get("/console/people/b2b").text
        assert 'id="run-unconfigured"' in page
        answer = client.post("/console/people/b2b/runs", data={
            "csrf_token": csrf, "companies": "Acme"}, follow_redirects=False)
        assert answer.status_code == 409 and 'id="run-error"' in answer.text
        assert calls == []
        forged = client.get("/console/people/b2b", params={"started": XSS}).text
        assert "Run started" not in forged and XSS not in forged
