"""The X fake answers the documented shapes kept in tests/fixtures/x/ (same keys and
types), so the adapter is not certified against a shape X never sends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from socialreferral.testing.vendor_fakes.server import LoopbackServer
from socialreferral.testing.vendor_fakes.x_api import XApiFake, XUser

FIXTURES = Path(__file__).parents[2] / "fixtures" / "x"


def _doc(name: str) -> dict[str, Any]:
    body = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return {k: v for k, v in body.items() if not k.startswith("_")}


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


@pytest.mark.parametrize(("fixture", "call"), [
    ("user_lookup.json", ("GET", "/2/users/777", None)),
    ("user_not_found.json", ("GET", "/2/users/1234", None)),
    ("create_post.json", ("POST", "/2/tweets", {"text": "Are you excited?"})),
    ("dm_send.json", ("POST", "/2/dm_conversations/with/777/messages", {"text": "hi"})),
])
def test_answers_have_the_documented_shape(x_server: tuple[LoopbackServer, XApiFake],
                                           x_fake: XApiFake, fixture: str,
                                           call: tuple[str, str, Any]) -> None:
    server, _ = x_server
    x_fake.add_user(XUser("777", "Doc", "doc"))
    token, _ = x_fake.issue("777")
    method, path, body = call
    answer = httpx.request(method, server.url + path, json=body,
                           headers={"Authorization": f"Bearer {token}"})
    got = answer.json()
    assert _shape(got) == _shape(_doc(fixture)), (fixture, got)


def test_errors_and_token_answers_have_the_documented_shape(
        x_server: tuple[LoopbackServer, XApiFake], x_fake: XApiFake) -> None:
    server, _ = x_server
    refused = httpx.get(server.url + "/2/users/me", headers={"Authorization": "Bearer nope"})
    assert (refused.status_code, refused.json()) == (401, _doc("unauthorized.json"))
    x_fake.rate_limit(reset_in=60)
    token, _ = x_fake.issue("777")
    limited = httpx.get(server.url + "/2/users/me", headers={"Authorization": f"Bearer {token}"})
    documented = json.loads((FIXTURES / "rate_limited.json").read_text(encoding="utf-8"))
    assert limited.status_code == 429
    assert set(documented["_headers"]) <= set(limited.headers)
    assert limited.json() == _doc("rate_limited.json")
    fresh = x_fake._token_answer("777", ("tweet.read", "users.read", "offline.access"))
    assert _shape(json.loads(fresh.body)) == _shape(_doc("token.json"))
