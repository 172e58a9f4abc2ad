"""The web app under generated traffic: 20,000 requests and no 5xx, forged deliveries all
rejected, replays de-duplicated.

In process (care API on, rate limits lifted so every request reaches a route). Hypothesis
draws each example as a list of 50 requests over every route the app serves — webhooks
of each network signed right, wrong or not at all, near-valid and random bodies; the
lead form with valid and random links; the care API and the console with random JSON,
forms and bytes; random paths and methods — with a fixed example budget, no deadline and
only the generate phase (no shrinking, no example database), so the run is bounded.

The generated requests go straight to the ASGI app, an example's 50 in one call into
the event loop of the app's TestClient (its lifespan and state): per request that saves
the HTTP client's URL and header building and two thread hops, which made the 20,000
requests cost twice the CPU, while the app sees the same ASGI scope a server would give
it (the raw, unnormalised path, as uvicorn passes it). The other cases here use the
TestClient itself.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import anyio
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import ROOT, Figures
from socialreferral import Providers
from socialreferral.domain.customers import Customer
from socialreferral.domain.links import sign_referral_token
from socialreferral.domain.referrals import Referral
from socialreferral.service.referrals import signing_key
from socialreferral.web import create_app

sys.path.insert(0, str(ROOT / "tests" / "web"))
from web_helpers import (
    fixture_body,
    linkedin_headers,
    local_providers,
    meta_body,
    meta_headers,
    route_table,
    x_headers,
)

REQUESTS = int(os.environ.get("SOCIALREFERRAL_CHAOS_REQUESTS", "20000"))
PER_EXAMPLE = 50
MAX_BODY = 64 * 1024
SIGNERS: dict[str, Callable[[bytes], dict[str, str]]] = {
    "meta": meta_headers, "x": x_headers, "linkedin": linkedin_headers}
TEMPLATES = {
    "meta": json.loads(meta_body("looking for a car loan", "nice day")),
    "x": json.loads(fixture_body("x_account_activity.json")),
    "linkedin": json.loads(fixture_body("linkedin_social_actions.json")),
}


class App:
    """The app, a client, a valid referral link and the request counter."""

    def __init__(self, providers: Providers) -> None:
        self.providers = providers
        self.app = create_app(providers)
        self.client = TestClient(self.app, raise_server_exceptions=False).__enter__()
        self.token = _valid_token(providers)
        self.routes = sorted(route_table(self.app))
        self.requests = 0
        self.statuses: dict[int, int] = {}

    def send(self, method: str, path: str, body: bytes = b"",
             headers: dict[str, str] | None = None) -> int:
        response = self.client.request(method, path, content=body or None,
                                       headers=headers or {}, follow_redirects=False)
        self.requests += 1
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (method, path, response.status_code,
                                            response.text[:300])
        assert self.app.state.unexpected_errors.count == 0
        return response.status_code

    def send_direct(self, requests: list[Request]) -> None:
        """Send ``requests`` straight to the ASGI app (module docstring), in order, in one
        call into the TestClient's event loop; assert as :meth:`send` does."""
        state = getattr(self.client, "app_state", {})
        statuses = self.client.portal.call(_call_all, self.app, requests, state)
        for request, status in zip(requests, statuses, strict=True):
            self.requests += 1
            self.statuses[status] = self.statuses.get(status, 0) + 1
            assert status < 500, (request, status)
        assert self.app.state.unexpected_errors.count == 0


async def _call_all(app: Any, requests: list[Request], state: dict[str, Any]) -> list[int]:
    return [await _call(app, request, state) for request in requests]


async def _call(app: Any, request: Request, state: dict[str, Any]) -> int:
    """One HTTP request through the ASGI interface; its status (500 if the app raised)."""
    method, target, body, headers = request
    path, _, query = target.partition("?")
    raw = [(b"host", b"testserver"), (b"user-agent", b"chaos"),
           (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": unquote(path),
             "raw_path": path.encode(), "root_path": "", "query_string": query.encode(),
             "headers": raw, "client": ("testclient", 50000), "server": ("testserver", 80),
             "extensions": {}, "state": dict(state)}
    answered, status, sent = anyio.Event(), 500, False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
        elif message["type"] == "http.response.body" and not message.get("more_body"):
            answered.set()

    try:
        await app(scope, receive, send)
    except Exception:  # what a server answers with 500
        return 500
    return status


def _valid_token(providers: Providers) -> str:
    now = datetime.now(UTC)
    repositories = providers.repositories
    repositories.customers.save(Customer(customer_id="c-web", display_name="C",
                                         customer_value=0.5, email="c@bank.example.com"))
    referral = repositories.referrals.create_referral(Referral(
        referral_id="r-web", offer_id="o-web", referrer_id="c-web", prospect_id="p-web",
        product_id="personal-loan", created_at=now, link_expires_at=now + timedelta(days=2)))
    key_id, key = signing_key(providers.secrets)
    return sign_referral_token(referral.referral_id, referral.link_expires_at, key, key_id)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    unlimited = {"requests": 1_000_000, "per_seconds": 1}
    with local_providers(Path(tmp_path_factory.mktemp("web")), max_body_bytes=MAX_BODY,
                         client_rate=unlimited, channel_rate=unlimited,
                         care_api=True) as providers:
        providers.secrets.set("generic-webhook-secret", "generic-secret-for-chaos")
        built = App(providers)
        try:
            yield built
        finally:
            built.client.__exit__(None, None, None)


# --- strategies -----------------------------------------------------------------------
texts = st.text(max_size=30)
scalars = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(
    allow_nan=False, allow_infinity=False) | texts
json_values = st.recursive(scalars, lambda c: st.lists(c, max_size=4)
                           | st.dictionaries(texts, c, max_size=4), max_leaves=10)


def _mutated(template: Any, edits: list[tuple[int, Any]]) -> bytes:
    document = json.loads(json.dumps(template))
    for where, value in edits:
        slots: list[tuple[Any, Any]] = []
        stack = [document]
        while stack:
            node = stack.pop()
            items = node.items() if isinstance(node, dict) else enumerate(node) \
                if isinstance(node, list) else ()
            for key, child in items:
                slots.append((node, key))
                stack.append(child)
        if slots:
            parent, key = slots[where % len(slots)]
            parent[key] = value
    return json.dumps(document).encode()


bodies = st.one_of(
    st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode()),
    st.integers(1, 2000).map(lambda d: b"[" * d + b"]" * d),
    st.integers(MAX_BODY - 16, MAX_BODY + 4096).map(lambda n: b'"' + b"a" * n + b'"'),
)


class Request(tuple[str, str, bytes, dict[str, str]]):
    """(method, path, body, headers) with a short repr: a failing example of 20
    requests with 64 KiB bodies would otherwise print megabytes."""

    def __repr__(self) -> str:
        method, path, body, headers = self
        return f"Request({method} {path[:80]!r}, {len(body)} bytes {body[:60]!r}, {headers})"


# Built once (not per draw): building and validating strategies was a third of the
# generation's cost.
CHANNELS = [*sorted(SIGNERS), "generic", "nope"]
WEBHOOK_BODIES = {channel: st.builds(_mutated, st.just(TEMPLATES.get(channel, TEMPLATES["meta"])),
                                     st.lists(st.tuples(st.integers(0, 1000), json_values),
                                              max_size=2)) | bodies
                  for channel in CHANNELS}
LEAD_FORMS = st.fixed_dictionaries({}, optional={
    "name": texts | st.just("Pat"), "email": texts | st.just("pat@mail.example.org"),
    "phone": texts | st.just("+15550001111"), "consent_marketing": json_values})
CONTENT_TYPES = st.sampled_from(["application/json", "application/x-www-form-urlencoded",
                                 "text/plain"])


@st.composite
def webhook(draw: st.DrawFn) -> Request:
    channel = draw(st.sampled_from(CHANNELS))
    body = draw(WEBHOOK_BODIES[channel])
    how = draw(st.sampled_from(["right", "wrong", "none"]))
    signer = SIGNERS.get(channel, lambda b: meta_headers(b, "generic-secret-for-chaos"))
    headers = {"Content-Type": "application/json"}
    if how == "right":
        headers.update(signer(body))
    elif how == "wrong":
        headers.update(signer(body + b"x"))
    return Request(("POST", f"/webhooks/{quote(channel)}", body, headers))


@st.composite
def lead_form(draw: st.DrawFn, token: str) -> Request:
    link = token if draw(st.booleans()) else quote(draw(texts), safe="") or "x"
    form = draw(LEAD_FORMS)
    body = json.dumps(form).encode() if draw(st.booleans()) else draw(bodies)
    return Request(("POST", f"/referrals/{link}/lead", body,
                    {"Content-Type": "application/json"}))


@st.composite
def any_route(draw: st.DrawFn, routes: list[tuple[str, str]]) -> Request:
    method, path = draw(st.sampled_from(routes))
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + (quote(draw(texts), safe="") or "x") + path[end + 1:]
    body = draw(bodies) if method in ("POST", "PUT", "PATCH") else b""
    kind = draw(CONTENT_TYPES)
    return Request((method, path, body, {"Content-Type": kind}))


random_path = st.tuples(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
                        texts.map(lambda t: "/" + quote(t, safe="/").lstrip("/")),
                        bodies, st.just({})).map(Request)

SETTINGS = settings(deadline=None, database=None, derandomize=True, phases=[Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def test_twenty_thousand_generated_requests_and_no_5xx(app: App, figures: Figures) -> None:
    started, before = time.monotonic(), app.requests
    one = st.one_of(webhook(), lead_form(app.token), any_route(app.routes), random_path)

    @settings(SETTINGS, max_examples=max(1, REQUESTS // PER_EXAMPLE))
    @given(batch=st.lists(one, min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
    def run(batch: list[Request]) -> None:
        app.send_direct(batch)

    run()
    sent = app.requests - before
    figures.add("web: generated requests", requests=sent, routes=len(app.routes),
                statuses=dict(sorted(app.statuses.items())), status_5xx=0,
                seconds=round(time.monotonic() - started, 1))
    assert sent >= REQUESTS
    assert len(app.routes) > 30


def test_forged_deliveries_are_all_rejected(app: App, figures: Figures) -> None:
    queue = app.providers.queue
    depth, forged = queue.depth(), 0
    for n in range(100):
        body = meta_body(f"forged {n}: looking for a car loan")
        for headers in (
            {},  # no signature
            meta_headers(body, "not-the-secret"),  # signed with another key
            meta_headers(body + b" "),  # signed over other bytes
            {"X-Hub-Signature-256": "sha256=" + "0" * 64},  # well formed, wrong
            {"X-Hub-Signature-256": meta_headers(body)["X-Hub-Signature-256"][:-2]},
            meta_headers(body[:-1]),  # a genuine signature of a truncated body
            {"X-Hub-Signature-256": "sha1=" + meta_headers(body)["X-Hub-Signature-256"][7:]},
        ):
            assert app.send("POST", "/webhooks/meta", body, headers) == 403
            forged += 1
    assert queue.depth() == depth
    figures.add("web: forged deliveries", forged=forged, rejected=forged, enqueued=0)


def _replay_body(tag: str, n: int) -> bytes:
    return json.dumps({"object": "page", "entry": [{"id": "replay-page", "time": 1, "changes": [
        {"field": "feed", "value": {"item": "status", "verb": "add", "post_id": f"{tag}_{n}_{k}",
                                    "from": {"id": f"u{n}", "name": "A"},
                                    "message": f"need a car loan {n} {k}",
                                    "created_time": 1_700_000_000}}
        for k in range(3)]}]}).encode()


def test_replayed_deliveries_are_deduplicated(app: App, figures: Figures) -> None:
    """50 genuine deliveries of 3 events each, every one sent 1-4 times in a shuffled
    order (a network retrying later): each event is enqueued exactly once. Then the same
    from 4 threads at once, copies racing each other: no event is lost, and what races
    through twice is bounded by the copies sent (the worker's idempotent effects absorb
    it: see the kill -9 campaign)."""
    import random

    queue = app.providers.queue
    deliveries = [(_replay_body("replay", n), n) for n in range(50) for _ in range(1 + n % 4)]
    random.Random(3).shuffle(deliveries)
    before, enqueued = queue.depth(), 0
    for body, _ in deliveries:
        answer = app.client.post("/webhooks/meta", content=body, headers=meta_headers(body))
        assert answer.status_code == 200, answer.text
        enqueued += answer.json()["enqueued"]
    assert enqueued == 150 and queue.depth() - before == 150

    racing = [(_replay_body("race", n), n) for n in range(50) for _ in range(1 + n % 4)]
    counts: list[int] = []
    lock = threading.Lock()

    def send(items: list[tuple[bytes, int]]) -> None:
        with TestClient(app.app, raise_server_exceptions=False) as client:
            for body, _ in items:
                answer = client.post("/webhooks/meta", content=body, headers=meta_headers(body))
                assert answer.status_code == 200, answer.text
                with lock:
                    counts.append(answer.json()["enqueued"])

    threads = [threading.Thread(target=send, args=(racing[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    raced = sum(counts)
    assert len(counts) == len(racing)
    assert 150 <= raced <= 3 * len(racing)
    events = app.providers.repositories.events
    assert all(events.seen(f"facebook:race_{n}_{k}:add:status")
               for n in range(50) for k in range(3))
    figures.add("web: replays", deliveries=len(deliveries), unique_events=150,
                enqueued=enqueued, duplicated=enqueued - 150,
                concurrent_copies_enqueued_twice=raced - 150)
