"""Every registered channel is served at /webhooks/<name>: X's CRC and LinkedIn's challenge
end to end, signed deliveries enqueued, an unconfigured channel is 503 (not 404), and a
third-party channel registered through the plugin hook is served like a built-in one.

Backend: local provider in tmp_path; HTTP through FastAPI's in-process TestClient.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from pathlib import Path

from fastapi.testclient import TestClient
from web_helpers import (
    LINKEDIN_SECRET,
    X_SECRET,
    fixture_body,
    linkedin_headers,
    local_providers,
    meta_headers,
    x_headers,
)

from socialreferral import Providers
from socialreferral.channels import WebhookBatch, WebhookChannel
from socialreferral.channels._signatures import check_digest, header, hex_digest, hmac_sha256
from socialreferral.channels.generic import parse_generic_webhook
from socialreferral.hookspecs import hookimpl
from socialreferral.web import create_app


def test_x_crc_handshake(client: TestClient) -> None:
    response = client.get("/webhooks/x", params={"crc_token": "crc-token-123"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    expected = base64.b64encode(hmac.new(X_SECRET.encode(), b"crc-token-123",
                                         hashlib.sha256).digest()).decode()
    assert response.json() == {"response_token": "sha256=" + expected}
    assert client.get("/webhooks/x").status_code == 400  # no crc_token: names the field
    assert client.get("/webhooks/x").json()["field"] == "crc_token"


def test_x_signed_delivery_is_enqueued(client: TestClient, providers: Providers) -> None:
    body = fixture_body("x_account_activity.json")
    response = client.post("/webhooks/x", content=body, headers=x_headers(body))
    assert response.status_code == 200, response.text
    assert response.json()["enqueued"] == 5
    assert response.json()["skipped"] == [{"path": "follow_events",
                                           "reason": "event type not handled"}]
    assert providers.queue.depth() == 5
    forged = client.post("/webhooks/x", content=body, headers=x_headers(body, "not-it"))
    assert forged.status_code == 403
    assert forged.json()["field"] == "x-twitter-webhooks-signature"
    assert providers.queue.depth() == 5


def test_linkedin_challenge(client: TestClient) -> None:
    code = "890e4665-4dfe-4ab1-b689-ed553bceeed0"
    response = client.get("/webhooks/linkedin", params={"challengeCode": code})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "challengeCode": code,
        "challengeResponse": hmac.new(LINKEDIN_SECRET.encode(), code.encode(),
                                      hashlib.sha256).hexdigest(),
    }


def test_linkedin_signed_delivery_is_enqueued(client: TestClient, providers: Providers) -> None:
    body = fixture_body("linkedin_social_actions.json")
    response = client.post("/webhooks/linkedin", content=body, headers=linkedin_headers(body))
    assert response.status_code == 200, response.text
    assert (response.json()["enqueued"], response.json()["skipped_count"]) == (3, 2)
    assert providers.queue.depth() == 3
    again = client.post("/webhooks/linkedin", content=body, headers=linkedin_headers(body))
    assert again.json()["duplicates"] == 3 and providers.queue.depth() == 3


def test_unconfigured_channel_is_503_not_404(client: TestClient, providers: Providers) -> None:
    body = b'{"events": []}'
    response = client.post("/webhooks/generic", content=body, headers=meta_headers(body))
    assert response.status_code == 503
    assert response.json()["error"] == "ChannelNotConfigured"
    assert int(response.headers["Retry-After"]) > 0
    # The anonymous sender is not told which secret is missing; the log is.
    assert "generic-webhook-secret" not in response.text
    assert providers.queue.depth() == 0


# --- a third-party channel, registered through the plugin hook ----------------------------
ACME_SECRET = "acme-signing-secret-0123"


class AcmeChannel(WebhookChannel):
    """A network this library does not know: the generic body, signed in a header of its
    own (hex HMAC in ``X-Acme-Signature``)."""

    name = "acme"
    network = "acme"
    signing_secret = "acme-webhook-secret"
    secret_names = ("acme-webhook-secret",)

    def verify(self, raw_body: bytes, headers: Mapping[str, str], secret: str) -> None:
        check_digest(hmac_sha256(secret, raw_body),
                     hex_digest(header(headers, "X-Acme-Signature"), "X-Acme-Signature"),
                     "X-Acme-Signature")

    def parse(self, raw_body: bytes) -> WebhookBatch:
        return parse_generic_webhook(raw_body)


class AcmePlugin:
    @hookimpl
    def register_channels(self, register: object) -> None:
        register(AcmeChannel())  # type: ignore[operator]


def test_third_party_channel_is_served(tmp_path: Path) -> None:
    with local_providers(tmp_path / "data", extra_plugins=(AcmePlugin(),)) as providers:
        providers.secrets.set("acme-webhook-secret", ACME_SECRET)
        client = TestClient(create_app(providers))
        body = json.dumps({"events": [{
            "event_id": "acme:1", "network": "acme", "kind": "post", "author_id": "a1",
            "text": "any good car loan?", "created_at": "2026-01-01T10:00:00+00:00"}]}).encode()
        signature = hmac.new(ACME_SECRET.encode(), body, hashlib.sha256).hexdigest()
        response = client.post("/webhooks/acme", content=body,
                               headers={"X-Acme-Signature": signature})
        assert response.status_code == 200, response.text
        assert response.json()["enqueued"] == 1 and providers.queue.depth() == 1
        forged = client.post("/webhooks/acme", content=body,
                             headers={"X-Acme-Signature": "00" * 32})
        assert forged.status_code == 403
        # The handshake of a channel without one is a 400 naming the query.
        assert client.get("/webhooks/acme").status_code == 400
