"""The hardened edge, in process: body limit while streaming, rate limits, errors by
meaning (and one JSON shape), the last-resort handler, concurrency of blocking calls, the
OpenAPI schema, and the regressions that were 500s (nested JSON, lone surrogates).

Backend: local provider in tmp_path; HTTP through httpx's ASGITransport (streams request
bodies chunk by chunk, so "how much did the server read" is observable) or TestClient.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from web_helpers import local_providers, meta_body, meta_headers

from socialreferral import Providers
from socialreferral.channels import WebhookBatch, WebhookChannel
from socialreferral.channels.generic import parse_generic_webhook
from socialreferral.hookspecs import hookimpl
from socialreferral.web import create_app

MB = 1024 * 1024


def nested(depth: int) -> bytes:
    return b'{"object": "page", "entry": ' + b"[" * depth + b"]" * depth + b"}"


# --- regressions: client input that used to be a 500 -------------------------------------
@pytest.mark.parametrize("depth", [40, 100_000])
def test_signed_deeply_nested_webhook_is_400(client: TestClient, providers: Providers,
                                             depth: int) -> None:
    body = nested(depth)
    response = client.post("/webhooks/meta", content=body, headers=meta_headers(body))
    assert response.status_code == 400, response.text
    assert response.json()["field"] == "body" and "nested" in response.json()["detail"]
    assert providers.queue.depth() == 0


def test_nested_lead_form_is_400(client: TestClient, providers: Providers) -> None:
    providers.secrets.set("referral-link-key", "k" * 32)
    body = b'{"name": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    response = client.post("/referrals/any.token/lead", content=body)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == "body"
    assert client.post("/referrals/any.token/lead", content=b"\xff\xfe").json()["field"] == "body"


def test_edited_post_with_a_lone_surrogate_is_accepted(client: TestClient,
                                                       providers: Providers) -> None:
    body = meta_body("placeholder", verb="edited").replace(b"placeholder", b"caf\\udc00 loan")
    assert b"\\udc00" in body
    response = client.post("/webhooks/meta", content=body, headers=meta_headers(body))
    assert response.status_code == 200, response.text
    assert response.json()["enqueued"] == 1 and providers.queue.depth() == 1


# --- body limit ---------------------------------------------------------------------------
class Produced:
    """An async body that counts the bytes the server pulled from it."""

    def __init__(self, total: int, chunk: int = 64 * 1024) -> None:
        self.total, self.chunk, self.sent = total, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < self.total:
            block = b"x" * min(self.chunk, self.total - self.sent)
            self.sent += len(block)
            yield block


def _post(app: Any, path: str, content: Any, headers: Mapping[str, str] | None = None,
          client_address: str = "127.0.0.1") -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(client_address, 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            return await http.post(path, content=content, headers=dict(headers or {}))
    return asyncio.run(go())


@pytest.mark.parametrize("path", ["/webhooks/meta", "/referrals/a.b/lead"])
def test_declared_oversized_body_is_413_before_reading_a_byte(tmp_path: Path, path: str) -> None:
    with local_providers(tmp_path / "d", max_body_bytes=64 * 1024) as providers:
        body = Produced(100 * MB)
        started = time.monotonic()
        response = _post(create_app(providers), path, body,
                         {"Content-Length": str(100 * MB)})
        assert response.status_code == 413
        assert response.headers["connection"] == "close"
        assert response.json()["error"] == "RequestBodyTooLarge"
        assert body.sent == 0
        assert time.monotonic() - started < 5


@pytest.mark.parametrize("path", ["/webhooks/meta", "/referrals/a.b/lead"])
def test_chunked_oversized_body_is_stopped_at_the_limit(tmp_path: Path, path: str) -> None:
    limit = 256 * 1024
    with local_providers(tmp_path / "d", max_body_bytes=limit) as providers:
        body = Produced(100 * MB)  # no Content-Length: sent chunked
        response = _post(create_app(providers), path, body)
        assert response.status_code == 413, response.text
        assert response.json()["field"] == "body"
        # The server stopped pulling right after the limit: 100 MB were never read.
        assert limit < body.sent <= limit + 2 * body.chunk
        assert providers.queue.depth() == 0


def test_malformed_content_length_is_400(client: TestClient) -> None:
    response = _post(client.app, "/webhooks/meta", b"{}", {"Content-Length": "12abc"})
    assert response.status_code == 400
    assert response.json()["field"] == "Content-Length"


# --- rate limits --------------------------------------------------------------------------
def test_client_budget_then_429_with_retry_after(tmp_path: Path) -> None:
    with local_providers(tmp_path / "d", client_rate={"requests": 3, "per_seconds": 60}) as p:
        client = TestClient(create_app(p))
        body = meta_body("hello")
        codes = [client.post("/webhooks/meta", content=body, headers=meta_headers(body))
                 .status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        refused = client.post("/webhooks/meta", content=body, headers=meta_headers(body))
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.json()["error"] == "RateLimited"
        assert client.get("/referrals/x.y").status_code == 429  # the budget is per client
        assert client.get("/healthz").status_code == 200  # probes are exempt


def test_channel_budget_holds_across_client_addresses(tmp_path: Path) -> None:
    with local_providers(tmp_path / "d", channel_rate={"requests": 4, "per_seconds": 60}) as p:
        app = create_app(p)
        body = meta_body("hello")
        codes = [_post(app, "/webhooks/meta", body, meta_headers(body), f"10.0.0.{i}")
                 .status_code for i in range(5)]
        assert codes == [200, 200, 200, 200, 429]
        # Another channel has its own budget; unknown names create no budget at all.
        assert _post(app, "/webhooks/x", b"{}", {}, "10.0.1.1").status_code == 403
        assert _post(app, "/webhooks/nope", b"{}", {}, "10.0.1.2").status_code == 404


# --- errors in one shape ------------------------------------------------------------------
def test_unknown_route_and_method_answer_in_the_error_shape(client: TestClient) -> None:
    missing = client.get("/nowhere")
    assert missing.status_code == 404
    assert set(missing.json()) == {"error", "detail", "field"}
    wrong = client.put("/webhooks/meta")
    assert wrong.status_code == 405 and wrong.json()["error"] == "MethodNotAllowed"
    assert wrong.headers["allow"] == "GET, POST"


def test_fastapi_validation_errors_answer_in_the_error_shape(providers: Providers) -> None:
    app = create_app(providers)

    @app.get("/typed")
    def typed(n: int) -> dict[str, int]:
        return {"n": n}

    response = TestClient(app).get("/typed", params={"n": "many"})
    assert response.status_code == 422
    assert response.json()["error"] == "InvalidInput"
    assert response.json()["field"] == "query.n"


def test_last_resort_answers_500_and_logs_only_the_type(
        providers: Providers, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(providers)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret-in-message-9c1e")

    with caplog.at_level(logging.INFO):
        response = TestClient(app).get("/boom")
    assert response.status_code == 500
    assert response.json() == {"error": "InternalError", "detail": "internal error",
                               "field": None}
    assert app.state.unexpected_errors.count == 1
    assert "RuntimeError" in caplog.text
    assert "secret-in-message-9c1e" not in caplog.text


# --- concurrency --------------------------------------------------------------------------
class SlowChannel(WebhookChannel):
    """Verifies nothing but takes its time, like a slow secret store or database."""

    name = "slow"
    network = "slow"
    signing_secret = "slow-secret"

    def verify(self, raw_body: bytes, headers: Mapping[str, str], secret: str) -> None:
        time.sleep(1.0)

    def parse(self, raw_body: bytes) -> WebhookBatch:
        return parse_generic_webhook(raw_body)


class SlowPlugin:
    @hookimpl
    def register_channels(self, register: Any) -> None:
        register(SlowChannel())


def test_two_slow_requests_overlap(tmp_path: Path) -> None:
    with local_providers(tmp_path / "d", extra_plugins=(SlowPlugin(),)) as providers:
        providers.secrets.set("slow-secret", "s" * 20)
        app = create_app(providers)

        async def both() -> list[int]:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                responses = await asyncio.gather(*(
                    http.post("/webhooks/slow", content=b'{"events": []}') for _ in range(2)))
            return [r.status_code for r in responses]

        started = time.monotonic()
        assert asyncio.run(both()) == [200, 200]
        # Serially they would take 2 s: the blocking work runs in the thread pool.
        assert time.monotonic() - started < 1.8


# --- the schema ---------------------------------------------------------------------------
def test_openapi_documents_response_models(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    assert {"/webhooks/{channel}", "/referrals/{token}", "/referrals/{token}/lead",
            "/healthz"} <= set(paths)
    post = paths["/webhooks/{channel}"]["post"]
    ok = post["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ok.endswith("/WebhookAccepted")
    assert post["responses"]["403"]["content"]["application/json"]["schema"]["$ref"] \
        .endswith("/ErrorBody")
    assert "requestBody" in post
    lead = paths["/referrals/{token}/lead"]["post"]["responses"]
    assert lead["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/LeadReceived")
    assert {"ErrorBody", "WebhookAccepted", "ReferralLanding", "LeadReceived"} <= set(
        schema["components"]["schemas"])
    json.dumps(schema)  # serialisable as served
