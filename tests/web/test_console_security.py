"""The console's guards: roles on every route, CSRF on every form, security headers,
cookies, no external host in anything served, user text escaped everywhere.

Backend: local provider in tmp_path; the app in process (TestClient). The browser tests
(tests/browser) check the same pages in Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_helpers import ROLES, ConsoleWorld, build_world, csrf_of, flagged_reward, seed_areas
from fastapi.testclient import TestClient
from web_helpers import local_providers, route_table

from socialreferral.domain.crm import Product
from socialreferral.domain.customers import Customer
from socialreferral.domain.operators import Role
from socialreferral.domain.referrals import RewardStatus
from socialreferral.web.console.areas import AREAS
from socialreferral.web.console.assets import static_dir

XSS = '<script>alert("xss")</script>'
PUBLIC = {("GET", "/console/login"), ("POST", "/console/login")}
ANY_ROLE = {("GET", "/console/"), ("POST", "/console/logout")}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[ConsoleWorld]:
    product = Product(product_id="personal-loan", name=f"Loan {XSS}",
                      description=f"Terms {XSS}", seed_phrases=("car loan",))
    with local_providers(tmp_path / "data") as providers:
        built = build_world(providers, product=product)
        # A referrer whose name is a script, and a flagged reward that names it.
        providers.repositories.customers.save(Customer(
            customer_id="c1", display_name=f"Mallory {XSS}", customer_value=0.5,
            email="c1@bank.example.com"))
        flagged_reward(providers, n=2, summary=f"fraud: flagged: {XSS}")
        # Care posts, influencers and a person whose texts and names hold the script.
        seed_areas(built, XSS)
        yield built


def _path_for(template: str, world: ConsoleWorld) -> str:
    path = template.replace("{reward_id}", world.reward_id).replace("{token}", world.token)
    for name, value in world.ids.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, path  # a route parameter the world has no value for
    return path


def test_every_console_and_api_route_is_guarded(world: ConsoleWorld) -> None:
    """No route under /console or /api escapes the roles table (a new route without a
    guard fails here)."""
    guarded = set(world.app.state.route_roles)
    for method, path in route_table(world.app):
        if path.startswith(("/console", "/api")) and method != "HEAD":
            assert (method, path) in guarded | PUBLIC | ANY_ROLE, (method, path)
    assert {path for _, path in guarded} >= {f"/console/{a.name}" for a in AREAS}


def test_each_route_refuses_the_wrong_roles(world: ConsoleWorld) -> None:
    clients: dict[Role, tuple[TestClient, str]] = {}
    for role in ROLES:
        client = world.client()
        clients[role] = (client, world.login(client, role.value))
    for (method, template), allowed in sorted(world.app.state.route_roles.items()):
        path = _path_for(template, world)
        for role, (client, csrf) in clients.items():
            if method == "DELETE" and role in allowed:
                continue  # would stop tracking the world's keyword for the routes after
            if method == "GET":
                answer = client.get(path, follow_redirects=False)
            else:
                answer = client.request(method, path, data={"csrf_token": csrf},
                                        follow_redirects=False)
            if role in allowed:
                assert answer.status_code != 403, (role, method, path)
                if method == "GET":
                    assert answer.status_code == 200, (role, path, answer.text[:300])
            else:
                assert answer.status_code == 403, (role, method, path, answer.status_code)
    # The wrong role changed nothing.
    record = {r.reward.reward_id: r for r in world.providers.repositories.referrals.rewards()}
    assert record[world.reward_id].reward.status is RewardStatus.PENDING_REVIEW


def test_an_agent_gets_403_on_the_review_queue_page_and_api(world: ConsoleWorld) -> None:
    client = world.client()
    world.login(client, "agent")
    page = client.get("/console/reviews")
    assert page.status_code == 403 and "text/html" in page.headers["content-type"]
    assert "Not allowed" in page.text and world.reward_id not in page.text
    api = client.get("/api/reviews")
    assert api.status_code == 403 and api.json()["error"] == "RoleRequired"


def test_logged_out_pages_redirect_to_login_and_the_api_answers_401(
        world: ConsoleWorld) -> None:
    client = world.client()
    page = client.get("/console/reviews", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/console/login?next=/console/reviews"
    assert client.get("/api/reviews").status_code == 401
    assert client.post("/console/logout").status_code == 401


def test_forms_without_the_csrf_token_are_refused(world: ConsoleWorld) -> None:
    client = world.client()
    csrf = world.login(client, "reviewer")
    path = f"/console/reviews/{world.reward_id}"
    for form in ({"decision": "approve"}, {"decision": "approve", "csrf_token": "x" * 43},
                 {"decision": "approve", "csrf_token": ""}):
        refused = client.post(path, data=form, follow_redirects=False)
        assert refused.status_code == 403, form
        assert "security token" in refused.text or "expired" in refused.text
    api = client.post(f"/api/reviews/{world.reward_id}/decision",
                      json={"decision": "approve"})
    assert api.status_code == 403 and api.json()["field"] == "csrf_token"
    [record] = [r for r in world.providers.repositories.referrals.rewards()
                if r.reward.reward_id == world.reward_id]
    assert record.reward.status is RewardStatus.PENDING_REVIEW
    ok = client.post(path, data={"decision": "approve", "csrf_token": csrf},
                     follow_redirects=False)
    assert ok.status_code == 303


def test_login_and_lead_forms_need_their_double_submit_token(world: ConsoleWorld) -> None:
    browser = world.client()
    token = csrf_of(browser.get("/console/login").text)
    stranger = world.client()  # has no sr_csrf cookie: a cross-site post
    refused = stranger.post("/console/login", data={
        "csrf_token": token, "name": "admin", "password": "console-test-password"})
    assert refused.status_code == 403
    landing = browser.get(f"/referrals/{world.token}", headers={"Accept": "text/html"})
    form_token = csrf_of(landing.text)
    assert form_token != token  # bound to the form's purpose
    form = {"name": "Pat", "email": "pat@example.org", "consent_contact": "yes"}
    for who, data in ((stranger, {**form, "csrf_token": form_token}),
                      (browser, {**form, "csrf_token": token}),
                      (browser, form)):
        answer = who.post(f"/referrals/{world.token}", data=data, follow_redirects=False)
        assert answer.status_code == 403
    assert world.providers.crm.list_leads() == []


def test_security_headers_on_pages_json_and_static(world: ConsoleWorld) -> None:
    client = world.client()
    for path in ("/console/login", "/healthz", "/static/console.css", "/docs",
                 f"/referrals/{world.token}"):
        headers = client.get(path, headers={"Accept": "text/html"}).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in headers  # plain http here


def test_behind_tls_cookies_are_secure_and_hsts_is_sent(tmp_path: Path) -> None:
    with local_providers(tmp_path / "data",
                         public_base_url="https://referrals.bank.example") as providers:
        world = build_world(providers)
        client = TestClient(world.app, base_url="https://testserver")
        login = client.get("/console/login")
        assert login.headers["strict-transport-security"].startswith("max-age=")
        cookie = login.headers["set-cookie"]
        assert cookie.startswith("__Host-sr_csrf=")
        assert all(flag in cookie.lower() for flag in ("secure", "httponly",
                                                       "samesite=strict", "path=/"))
        answer = client.post("/console/login", data={
            "csrf_token": csrf_of(login.text), "name": "admin",
            "password": "console-test-password"}, follow_redirects=False)
        session = answer.headers["set-cookie"]
        assert session.startswith("__Host-sr_session=") and "secure" in session.lower()


def test_plain_http_cookies_are_httponly_and_strict(world: ConsoleWorld) -> None:
    client = world.client()
    login = client.get("/console/login")
    answer = client.post("/console/login", data={
        "csrf_token": csrf_of(login.text), "name": "admin",
        "password": "console-test-password"}, follow_redirects=False)
    cookie = answer.headers["set-cookie"].lower()
    assert cookie.startswith("sr_session=")
    assert "httponly" in cookie and "samesite=strict" in cookie


# --- nothing from another host ------------------------------------------------------------
_URL = re.compile(r"(?i)\b(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}")
# Strings inside the vendored Swagger UI bundle that name documents (JSON Schema
# dialects, RFCs, licence and project pages); Swagger UI never requests them (the
# browser test records every request /docs makes). validator.swagger.io is the one it
# would load, and swagger-init.js turns it off.
SWAGGER_STRING_HOSTS = {
    "datatracker.ietf.org", "www.w3.org", "www.rfc-editor.org", "spec.openapis.org",
    "github.com", "json-schema.org", "validator.swagger.io", "www.tiktok.com",
    "twitter.com", "instagram.com", "example.com", "www.facebook.com", "vladimirgorej.com",
    "swagger.io", "spdx.org", "soundcloud.com", "redux.js.org", "reactjs.org", "fb.me",
    "petstore.swagger.io", "base",
}


def _hosts(text: str) -> set[str]:
    return {m.group(0).split("//", 1)[1].lower() for m in _URL.finditer(text)}


def test_no_served_page_references_an_external_host(world: ConsoleWorld) -> None:
    pages: dict[str, str] = {}
    for role in ROLES:
        client = world.client()
        world.login(client, role.value)
        for (method, template), allowed in world.app.state.route_roles.items():
            if method == "GET" and role in allowed:
                path = _path_for(template, world)
                answer = client.get(path)
                if not answer.headers["content-type"].startswith("image/"):
                    pages[path] = answer.text
        pages["/console/ " + role.value] = client.get("/console/").text
    anonymous = world.client()
    for path in ("/console/login", "/docs", f"/referrals/{world.token}",
                 "/referrals/not-a-token", "/console/nowhere"):
        pages[path] = anonymous.get(path, headers={"Accept": "text/html"}).text
    assert len(pages) >= 14
    for path, text in pages.items():
        assert not _hosts(text), (path, _hosts(text))
        for attribute in re.findall(r'(?:src|href|action)="([^"]*)"', text):
            assert attribute.startswith(("/", "#")), (path, attribute)


def test_no_packaged_static_file_references_an_external_host() -> None:
    root = static_dir()
    files = [p for p in root.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"console.css", "console.js", "swagger-init.js",
                                       "htmx.min.js", "swagger-ui-bundle.js",
                                       "swagger-ui.css"}
    for path in files:
        if path.suffix not in (".css", ".js", ".html"):
            continue
        text = path.read_text(encoding="utf-8")
        relative = path.relative_to(root).as_posix()
        if relative.startswith("vendor/swagger-ui/"):
            assert _hosts(text) <= SWAGGER_STRING_HOSTS, (relative, _hosts(text) -
                                                          SWAGGER_STRING_HOSTS)
            if path.suffix == ".css":
                # Styles load nothing from outside: every url() is a data URI.
                for target in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
                    assert target.startswith("data:"), (relative, target[:40])
                assert "@import" not in text
        else:
            assert not _hosts(text), (relative, _hosts(text))
    assert "validatorUrl: null" in (root / "swagger-init.js").read_text(encoding="utf-8")


# --- user text is escaped -----------------------------------------------------------------
def test_script_in_names_texts_and_fields_is_escaped_everywhere(world: ConsoleWorld) -> None:
    browser = world.client()
    landing = browser.get(f"/referrals/{world.token}", headers={"Accept": "text/html"}).text
    # The referrer's name, the product's name and description.
    assert "Mallory &lt;script&gt;" in landing and "Loan &lt;script&gt;" in landing
    assert "Terms &lt;script&gt;" in landing
    again = browser.post(f"/referrals/{world.token}", data={
        "csrf_token": csrf_of(landing), "name": XSS, "email": f"{XSS}@x", "phone": XSS})
    assert again.status_code == 422
    assert 'value="&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;"' in again.text
    reviewer = world.client()
    csrf = world.login(reviewer, "reviewer")
    queue = reviewer.get("/console/reviews").text
    assert "fraud: flagged: &lt;script&gt;" in queue and "Mallory &lt;script&gt;" in queue
    decided = reviewer.post(f"/console/reviews/{world.reward_id}", data={
        "csrf_token": csrf, "decision": "reject", "note": XSS},
        headers={"HX-Request": "true"}).text
    assert "Note: &lt;script&gt;" in decided
    admin = world.client()
    admin_csrf = world.login(admin, "admin")
    preview = admin.post("/console/admin/erase", data={
        "csrf_token": admin_csrf, "kind": "person_id", "value": XSS}).text
    assert "&lt;script&gt;alert" in preview
    for text in (landing, again.text, queue, decided, preview):
        assert XSS not in text and "<script>alert" not in text


def test_every_template_and_static_file_ships_in_the_wheel() -> None:
    """pyproject's package-data globs cover every file the console serves (a new folder
    of templates would otherwise work from the source tree and 404 when installed)."""
    import tomllib

    root = Path(__file__).resolve().parents[2]
    globs = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["package-data"]["socialreferral"]
    package = root / "src" / "socialreferral"
    console = package / "web" / "console"
    for path in [*console.joinpath("templates").rglob("*"), *static_dir().rglob("*")]:
        if path.is_file():
            relative = path.relative_to(package).as_posix()
            assert any(_glob_matches(relative, g) for g in globs), relative


def _glob_matches(path: str, pattern: str) -> bool:
    """setuptools' glob: ``*`` stays within one folder."""
    import fnmatch

    parts, wanted = path.split("/"), pattern.split("/")
    return len(parts) == len(wanted) and all(
        fnmatch.fnmatchcase(p, w) for p, w in zip(parts, wanted, strict=True))
