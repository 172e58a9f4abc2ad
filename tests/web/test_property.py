"""Property: no client input makes the web app answer 5xx, a forged delivery never
enqueues, and no log record holds a secret or a token.

Hypothesis drives every POST endpoint (each webhook channel, unknown channel names, the
lead form with valid and random tokens, the HTML lead form, the console's login, logout,
review, erasure and JSON API posts — logged out, and logged in with right, wrong or no
CSRF token — the People API's review decisions with a valid, a read-only, a random and no
API key, and random paths) with random bodies — bytes,
invalid UTF-8, JSON of random shapes and depths, huge strings, near-valid deliveries of
each network with random parts replaced, lone surrogates — and random headers
(signatures right, wrong or absent; content types; content lengths). In total well over
2,000 requests, in process (TestClient), with a fixed example budget and no deadline, so
the run stays bounded on a loaded machine.

Backend: local provider in a temporary directory, one app for the whole module.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_helpers import (
    SECRETS,
    fixture_body,
    linkedin_headers,
    local_providers,
    meta_body,
    meta_headers,
    route_table,
    x_headers,
)

from socialreferral import Providers
from socialreferral.domain.customers import Customer
from socialreferral.domain.links import sign_referral_token
from socialreferral.domain.referrals import Referral
from socialreferral.service.operators import create_operator
from socialreferral.service.people import create_api_key
from socialreferral.service.referrals import LINK_KEY_SECRET, signing_key
from socialreferral.web import create_app

MAX_BODY = 64 * 1024
GENERIC_SECRET = "generic-secret-for-property-test"
SIGNERS: dict[str, Callable[[bytes], dict[str, str]]] = {
    "meta": meta_headers, "x": x_headers, "linkedin": linkedin_headers,
    "generic": lambda body: meta_headers(body, GENERIC_SECRET),
}
TEMPLATES = {
    "meta": json.loads(meta_body("looking for a car loan", "nice day")),
    "x": json.loads(fixture_body("x_account_activity.json")),
    "linkedin": json.loads(fixture_body("linkedin_social_actions.json")),
    "generic": {"events": [{"event_id": "g:1", "network": "demo", "kind": "post",
                            "author_id": "p1", "text": "hi",
                            "created_at": "2026-01-01T10:00:00+00:00", "extra": {}}]},
}
LEAD_FORM = {"name": "Pat Prospect", "email": "pat@mail.example.org", "phone": "+15550001111"}
OPERATOR, PASSWORD = "prop-operator", "property-test-password"
CUSTOMER = "customer-of-the-property-test"
PROSPECT = "prospect-of-the-property-test"


class Capture(logging.Handler):
    """Keeps every formatted record of the loggers it is attached to."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


class World:
    """The app under test and what the property needs to know about it."""

    def __init__(self, providers: Providers) -> None:
        self.providers = providers
        self.app = create_app(providers)
        # Entered once (a portal thread for the whole module, not one per request).
        self.client = TestClient(self.app, raise_server_exceptions=False).__enter__()
        self.requests = 0
        self.token = self._valid_token()
        # A second browser, logged in with every role the console's POST routes need.
        self.operator = TestClient(self.app, raise_server_exceptions=False).__enter__()
        self.csrf = self._log_in()
        now = datetime.now(UTC)
        _, self.reviewer_key = create_api_key(providers.repositories, name="prop-reviewer",
                                              scopes=["people:review"], now=now)
        _, self.reader_key = create_api_key(providers.repositories, name="prop-reader",
                                            scopes=["people:read"], now=now)
        self.secret_values = [*SECRETS.values(), GENERIC_SECRET, PASSWORD,
                              providers.secrets.get_value(LINK_KEY_SECRET), self.token,
                              self.reviewer_key, self.reader_key]

    def _log_in(self) -> str:
        create_operator(self.providers.repositories.operators, OPERATOR,
                        ["admin", "reviewer", "marketer", "agent"], PASSWORD,
                        rules=self.providers.settings.console, now=datetime.now(UTC))
        page = self.operator.get("/console/login").text
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        answer = self.operator.post("/console/login", data={
            "csrf_token": token, "name": OPERATOR, "password": PASSWORD},
            follow_redirects=False)
        assert answer.status_code == 303, answer.text
        home = self.operator.get("/console/").text
        return home.split('name="csrf_token" value="')[1].split('"')[0]

    def _valid_token(self) -> str:
        now = datetime.now(UTC)
        repositories = self.providers.repositories
        repositories.customers.save(Customer(customer_id=CUSTOMER, display_name="C1",
                                             customer_value=0.5, email="c1@bank.example.com"))
        referral = repositories.referrals.create_referral(Referral(
            referral_id="r1", offer_id="o1", referrer_id=CUSTOMER, prospect_id=PROSPECT,
            product_id="personal-loan", created_at=now, link_expires_at=now + timedelta(days=2)))
        key_id, key = signing_key(self.providers.secrets)
        return sign_referral_token(referral.referral_id, referral.link_expires_at, key, key_id)

    def post(self, path: str, body: bytes, headers: dict[str, str], *,
             logged_in: bool = False) -> int:
        self.requests += 1
        client = self.operator if logged_in else self.client
        response = client.post(path, content=body, headers=headers, follow_redirects=False)
        assert response.status_code < 500, (path, response.status_code, response.text[:300])
        assert self.app.state.unexpected_errors.count == 0
        if response.status_code >= 400:
            if response.headers.get("content-type", "").startswith("text/html"):
                # Pages answer with pages (console, the prospect's HTML form).
                assert path.startswith(("/console/", "/referrals/")), path
                assert "<html" in response.text
            else:
                assert set(response.json()) == {"error", "detail", "field"}
        return response.status_code


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    unlimited = {"requests": 1_000_000, "per_seconds": 1}
    with local_providers(Path(tmp_path_factory.mktemp("prop")), max_body_bytes=MAX_BODY,
                         client_rate=unlimited, channel_rate=unlimited) as providers:
        providers.secrets.set("generic-webhook-secret", GENERIC_SECRET)
        capture = Capture()
        loggers = [logging.getLogger(n) for n in ("socialreferral", "uvicorn", "fastapi")]
        for logger in loggers:
            logger.addHandler(capture)
        levels = [logger.level for logger in loggers]
        for logger in loggers:
            logger.setLevel(logging.DEBUG)
        built = World(providers)
        try:
            yield built
        finally:
            built.client.__exit__(None, None, None)
            for logger, level in zip(loggers, levels, strict=True):
                logger.removeHandler(capture)
                logger.setLevel(level)
        text = "\n".join(capture.lines)
        assert capture.lines, "the app logged nothing: the log check would be vacuous"
        for secret in built.secret_values:
            assert secret not in text


# --- strategies ---------------------------------------------------------------------------
surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
texts = st.text(st.characters() | surrogates, max_size=30)
scalars = (st.none() | st.booleans() | st.integers(-(2**70), 2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | texts)
json_values = st.recursive(scalars, lambda children: st.lists(children, max_size=4)
                           | st.dictionaries(texts, children, max_size=4), max_leaves=12)


def _containers(node: Any, found: list[tuple[Any, Any]]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((node, key))
            _containers(value, found)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.append((node, index))
            _containers(value, found)


def mutated(template: Any, edits: list[tuple[int, Any]]) -> Any:
    """``template`` with some of its values (chosen by index) replaced."""
    document = json.loads(json.dumps(template))
    for where, value in edits:
        slots: list[tuple[Any, Any]] = []
        _containers(document, slots)
        if slots:
            parent, key = slots[where % len(slots)]
            parent[key] = value
    return document


def to_bytes(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")


near_valid = st.builds(
    mutated, st.sampled_from(sorted(TEMPLATES)).map(TEMPLATES.__getitem__),
    st.lists(st.tuples(st.integers(0, 10_000), json_values), max_size=3)).map(to_bytes)
deep = st.integers(1, 3000).map(lambda d: b'{"a": ' + b"[" * d + b"]" * d + b"}")
huge = st.integers(MAX_BODY - 64, 3 * MAX_BODY).map(lambda n: b'{"text": "' + b"a" * n + b'"}')
bodies = st.one_of(st.binary(max_size=300), json_values.map(to_bytes), near_valid, deep, huge,
                   st.binary(min_size=1, max_size=50).map(lambda b: b"\xff" + b),
                   texts.map(lambda t: t.encode("utf-8", "surrogatepass")))
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)
content_types = st.sampled_from(["application/json", "text/plain", "multipart/form-data",
                                 "application/x-www-form-urlencoded", ""]) | header_text


headers_extra = st.fixed_dictionaries(
    {"Content-Type": content_types},
    optional={"Content-Length": st.integers(0, 10 * MAX_BODY).map(str) | header_text})
forged = st.sampled_from(["X-Hub-Signature-256", "x-twitter-webhooks-signature",
                          "X-LI-Signature"]).flatmap(
    lambda name: st.fixed_dictionaries({name: header_text}))


def near_valid_for(channel: str) -> st.SearchStrategy[bytes]:
    """Deliveries shaped like ``channel``'s own, with random parts replaced."""
    edits = st.lists(st.tuples(st.integers(0, 10_000), json_values), max_size=3)
    return edits.map(lambda e: to_bytes(mutated(TEMPLATES[channel], e)))


SETTINGS = settings(deadline=None, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


# --- properties ---------------------------------------------------------------------------
def test_webhook_posts_never_5xx_and_forgeries_never_enqueue(world: World) -> None:
    """Each example sends 10 requests: every channel gets a genuinely signed near-valid
    delivery of its own shape and a genuinely signed random body, then one forged
    delivery and one to an unknown channel name must change nothing."""
    before = world.requests

    @settings(SETTINGS, max_examples=150)
    @given(body=bodies, extra=headers_extra,
           shaped=st.tuples(*(near_valid_for(c) for c in sorted(SIGNERS))),
           forged_channel=st.sampled_from(sorted(SIGNERS)), forgery=forged | st.just({}),
           other_body=st.booleans(),
           # a channel name has no "/": an encoded one becomes a path separator, and a
           # trailing slash is answered with a redirect to the path without it (307)
           unknown=st.text(st.characters(exclude_characters="/", exclude_categories=("Cs",)),
                           max_size=12))
    def run(body: bytes, extra: dict[str, str], shaped: tuple[bytes, ...],
            forged_channel: str, forgery: dict[str, str], other_body: bool,
            unknown: str) -> None:
        for channel, own in zip(sorted(SIGNERS), shaped, strict=True):
            for payload in (own, body):
                headers = {**extra, **SIGNERS[channel](payload)}
                status = world.post(f"/webhooks/{channel}", payload, headers)
                if len(payload) <= MAX_BODY and "Content-Length" not in extra:
                    assert status in (200, 400), status  # genuine: parsed or refused
        depth = world.providers.queue.depth()
        if other_body:  # a genuine signature, but over other bytes
            forgery = SIGNERS[forged_channel](body + b" ")
        assert world.post(f"/webhooks/{forged_channel}", body, {**extra, **forgery}) != 200
        assert world.post(f"/webhooks/zz-{quote(unknown, safe='')}", body,
                          {**extra, **SIGNERS["meta"](body)}) in (400, 404, 405, 413)
        assert world.providers.queue.depth() == depth

    run()
    assert world.requests - before >= 1500


def test_lead_form_posts_never_5xx(world: World) -> None:
    """Each example sends the valid link a form and a random body, and a random link
    the form (3 requests)."""
    before = world.requests
    forms = st.fixed_dictionaries({}, optional={
        k: json_values | st.just(v) for k, v in LEAD_FORM.items()}).map(to_bytes)

    @settings(SETTINGS, max_examples=150)
    @given(token=st.text(max_size=40), form=forms, body=bodies, extra=headers_extra)
    def run(token: str, form: bytes, body: bytes, extra: dict[str, str]) -> None:
        for payload in (form, body):
            world.post(f"/referrals/{world.token}/lead", payload, extra)
        status = world.post(f"/referrals/{quote(token, safe='')}/lead", form, extra)
        assert status in (400, 403, 404, 413), status

    run()
    assert world.requests - before >= 450


FORM_KEYS = ("csrf_token", "name", "email", "phone", "consent_contact", "consent_marketing",
             "decision", "note", "kind", "value", "confirm", "password", "next")
form_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
form_values = form_text | st.sampled_from(["yes", "approve", "reject", "email", "phone",
                                           "customer_id", "person_id", OPERATOR, PASSWORD,
                                           "/console/admin", "//evil.example", ""])
forms_urlencoded = st.dictionaries(st.sampled_from(FORM_KEYS) | form_text, form_values,
                                   max_size=8).map(lambda d: urlencode(d).encode())
CONSOLE_POSTS = ("/console/login", "/console/logout", "/console/reviews/{reward_id}",
                 "/console/admin/erase", "/console/admin/erase/confirm",
                 "/api/reviews/{reward_id}/decision", "/api/admin/erasures", "/referrals/{token}",
                 "/console/care/items/{ticket_id}/{action}", "/console/care/clusters",
                 "/console/care/proposals/{proposal_id}", "/console/people/search",
                 "/console/people/b2b/runs",
                 "/api/people/search", "/api/influence/keywords", "/api/care/assignments",
                 "/api/care/mass-responses", "/api/care/recategorize",
                 *(f"/api/care/items/{{ticket_id}}/{verb}" for verb in (
                     "claim", "assign", "unassign", "reply", "resolve", "reopen", "snooze",
                     "correction")),
                 "/api/care/proposals/{proposal_id}/approve",
                 "/api/care/proposals/{proposal_id}/reject")
"""Every console POST route with its parameters by name (each filled with the example's
``ident``)."""


def test_console_and_html_form_posts_never_5xx(world: World) -> None:
    """Each example sends one console or HTML-form POST: logged out or in, with the
    session's CSRF token, a wrong one or none, as a form, JSON or random bytes."""
    before = world.requests

    @settings(SETTINGS, max_examples=500)
    @given(template=st.sampled_from(CONSOLE_POSTS), ident=st.text(max_size=20),
           body=forms_urlencoded | bodies | json_values.map(to_bytes), extra=headers_extra,
           logged_in=st.booleans(), csrf=st.sampled_from(["right", "wrong", "none"]),
           valid_token=st.booleans())
    def run(template: str, ident: str, body: bytes, extra: dict[str, str],
            logged_in: bool, csrf: str, valid_token: bool) -> None:
        token = world.token if valid_token else quote(ident, safe="") or "x"
        value = quote(ident, safe="") or "x"
        path = template.format(reward_id=value, ticket_id=value, action=value,
                               proposal_id=value, token=token)
        headers = dict(extra)
        if csrf != "none":
            headers["X-CSRF-Token"] = world.csrf if csrf == "right" else "not-the-token"
        status = world.post(path, body, headers, logged_in=logged_in)
        if not logged_in and path.startswith(("/api/", "/console/")) and \
                path != "/console/login" and "Content-Length" not in extra:
            # Nothing without a session: refused, or only the router's slash redirect.
            assert status >= 400 or status == 307, (path, status)

    run()
    assert world.requests - before >= 500


def test_people_review_posts_never_5xx_and_keys_decide_access(world: World) -> None:
    """Each example sends a decision (random or near-valid body) with a reviewer key, a
    read-only key, a random key and none (4 requests): 401 without a valid key, 403
    without the scope, never 5xx, and a valid key's answer is about the body only."""
    before = world.requests
    decisions = st.fixed_dictionaries({}, optional={
        "left_id": json_values | st.sampled_from(["import:a", "r0", ""]),
        "right_id": json_values | st.sampled_from(["import:b", "r1"]),
        "decision": json_values | st.sampled_from(["confirm", "split"]),
        "note": json_values}).map(to_bytes)

    @settings(SETTINGS, max_examples=100)
    @given(body=decisions | bodies, extra=headers_extra, garbage=header_text,
           bearer=st.booleans())
    def run(body: bytes, extra: dict[str, str], garbage: str, bearer: bool) -> None:
        def auth(key: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {key}"} if bearer else {"X-API-Key": key}

        small = len(body) <= MAX_BODY and "Content-Length" not in extra
        status = world.post("/people/review", body, {**extra, **auth(world.reviewer_key)})
        if small:
            assert status in (200, 400, 404), status
        for key, expected in ((world.reader_key, 403), (garbage, 401), (None, 401)):
            headers = {**extra, **(auth(key) if key is not None else {})}
            status = world.post("/people/review", body, headers)
            if small:
                assert status == expected, (key is None, status)

    run()
    assert world.requests - before >= 400


def test_unsubscribe_posts_never_5xx_and_forged_tokens_unsubscribe_nobody(world: World) -> None:
    """Each example posts a random token (query) with a random body, and the same with no
    token (2 requests): never 5xx, never a success (no token is signed by the key)."""
    before = world.requests

    @settings(SETTINGS, max_examples=100)
    @given(token=st.text(max_size=80), body=bodies, extra=headers_extra)
    def run(token: str, body: bytes, extra: dict[str, str]) -> None:
        status = world.post(f"/unsubscribe?token={quote(token, safe='')}", body, extra)
        assert status in (400, 403, 413, 422, 429), status
        assert world.post("/unsubscribe", body, extra) in (400, 413, 422, 429)

    run()
    assert world.requests - before >= 200


def test_random_paths_never_5xx(world: World) -> None:
    before = world.requests

    @settings(SETTINGS, max_examples=100)
    @given(path=st.text(max_size=60), body=bodies)
    def run(path: str, body: bytes) -> None:
        world.post("/" + quote(path, safe="/").lstrip("/"), body, {})

    run()
    assert world.requests - before >= 100


def test_every_post_route_is_covered(world: World) -> None:
    posts = {path for method, path in route_table(world.app) if method == "POST"}
    # The properties above drive exactly these (1,400 + 500 + 500 + 400 + 200 + 100
    # requests), hidden (HTML) routes included.
    driven = {"/webhooks/{channel}", "/referrals/{token}/lead", "/people/review",
              "/unsubscribe", *CONSOLE_POSTS}
    assert posts == driven
