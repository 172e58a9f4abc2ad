"""Sign In with LinkedIn end to end in the web app, the organisation's post, the error
paths, and the fake against LinkedIn's documented shapes (tests/fixtures/linkedin/).

Backend: the LinkedIn fake on 127.0.0.1; the web app in-process (Starlette's TestClient)
with local providers; redirects followed by hand with httpx.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from linkedin_helpers import li_channel

from socialreferral.bootstrap import Providers, build_providers
from socialreferral.domain.oauth import StoredToken, token_secret_name
from socialreferral.domain.social import OutboundMessage
from socialreferral.errors import TokenInvalid, TransientError, Unsupported
from socialreferral.providers.linkedin.errors import until_midnight_utc
from socialreferral.service.connect import connect_ticket
from socialreferral.settings import Settings
from socialreferral.testing.vendor_fakes.linkedin_api import (
    CLIENT_ID,
    CLIENT_SECRET,
    ORGANIZATION_ID,
    LinkedInFake,
    Member,
)
from socialreferral.testing.vendor_fakes.server import LoopbackServer

fastapi_testclient = pytest.importorskip("fastapi.testclient")
BASE = "http://127.0.0.1:8000"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "linkedin"
Server = tuple[LoopbackServer, LinkedInFake]


@pytest.fixture
def providers(li_server: Server, tmp_path: Path) -> Iterator[Providers]:
    server, fake = li_server
    settings = Settings.model_validate({
        "ports": {"social": "linkedin"}, "web": {"public_base_url": BASE},
        "local": {"data_dir": str(tmp_path / "d")},
        "linkedin": {"api_url": server.url, "oauth_url": f"{server.url}/oauth/v2",
                     "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                     "organization_id": ORGANIZATION_ID}})
    built = build_providers(settings)
    built.secrets.set("linkedin-org-token", fake.issue("org-admin"))
    yield built
    built.close()


def _login(providers: Providers, ticket: str) -> httpx.Response:
    from socialreferral.web.app import create_app

    client = fastapi_testclient.TestClient(create_app(providers), base_url=BASE)
    start = client.get("/connect/linkedin", params={"ticket": ticket}, follow_redirects=False)
    assert start.status_code == 303, start.text
    dialog = httpx.get(start.headers["location"], follow_redirects=False)
    assert dialog.status_code == 302
    back = urlsplit(dialog.headers["location"])
    return client.get(f"{back.path}?{back.query}")


def test_login_stores_the_token_and_the_granted_scopes(providers: Providers,
                                                       li_fake: LinkedInFake) -> None:
    li_fake.add_member(Member("782bbtaQ", "John Doe", "doe@email.com"))
    li_fake.login_user, li_fake.login_declines = "782bbtaQ", ("email",)
    try:
        answer = _login(providers, connect_ticket(providers.secrets, "cust-jd",
                                                  datetime.now(UTC)))
    finally:
        li_fake.login_declines = ()
    outcome = answer.json()
    assert (outcome["status"], outcome["person_id"]) == ("connected", "782bbtaQ"), outcome
    assert set(outcome["granted"]) == {"openid", "profile"} and outcome["declined"] == ["email"]
    stored = StoredToken.from_secret(
        providers.secrets.get(token_secret_name("linkedin", "782bbtaQ")).value)
    assert li_fake.tokens[stored.access_token][0] == "782bbtaQ"
    assert stored.access_token not in answer.text
    consent = providers.repositories.customers.consent("cust-jd", "linkedin")
    assert consent is not None and "email" not in consent.scopes


def test_a_cancelled_login_records_nothing(providers: Providers, li_fake: LinkedInFake) -> None:
    li_fake.deny_next()
    outcome = _login(providers, connect_ticket(providers.secrets, "cust-x",
                                               datetime.now(UTC))).json()
    assert outcome["status"] == "declined"
    assert providers.repositories.customers.consent("cust-x", "linkedin") is None


def test_publish_offer_posts_as_the_organisation(li_server: Server, li_fake: LinkedInFake,
                                                 tmp_path: Path) -> None:
    channel = li_channel(li_server[0], li_fake, tmp_path / "d")
    urn = channel.publish_offer("Open a savings account this month", "https://bank.test/o")
    [post] = [d for d in li_fake.delivered() if d.urn == urn]
    assert post.target == f"urn:li:organization:{ORGANIZATION_ID}"
    assert post.text.endswith("https://bank.test/o")


def test_private_messages_are_unsupported(li_server: Server, li_fake: LinkedInFake,
                                          tmp_path: Path) -> None:
    channel = li_channel(li_server[0], li_fake, tmp_path / "d")
    with pytest.raises(Unsupported, match="private_replies"):
        channel.send(OutboundMessage(message_id="p-1", recipient_id="a", text="t",
                                     in_reply_to="1", private=True))


def test_throttling_waits_for_retry_after_or_the_daily_reset(
        li_server: Server, li_fake: LinkedInFake, tmp_path: Path) -> None:
    channel = li_channel(li_server[0], li_fake, tmp_path / "d")
    reply = OutboundMessage(message_id="t-1", recipient_id="a", text="t", in_reply_to="1",
                            private=False)
    li_fake.throttle()
    with pytest.raises(TransientError) as caught:
        channel.send(reply)
    assert caught.value.retry_after is not None
    assert abs(caught.value.retry_after - until_midnight_utc()) < 5
    li_fake.throttle(retry_after=0)  # short advice: retried by the port
    assert channel.send(reply).startswith("urn:li:comment:")


def test_an_expired_organisation_token_is_token_invalid(
        li_server: Server, li_fake: LinkedInFake, tmp_path: Path) -> None:
    channel = li_channel(li_server[0], li_fake, tmp_path / "d")
    li_fake.expire("org-admin")
    with pytest.raises(TokenInvalid) as caught:
        channel.publish_offer("An offer")
    assert caught.value.network == "linkedin" and caught.value.person_id is None


def _doc(name: str) -> dict[str, Any]:
    body = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return {k: v for k, v in body.items() if not k.startswith("_")}


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def test_the_fake_answers_the_documented_shapes(li_server: Server,
                                                li_fake: LinkedInFake) -> None:
    server, _ = li_server
    li_fake.add_member(Member("782bbtaQ", "John Doe", "doe@email.com"))
    token = li_fake.issue("782bbtaQ")
    auth = {"Authorization": f"Bearer {token}"}
    assert _shape(httpx.get(f"{server.url}/v2/userinfo", headers=auth).json()) == _shape(
        _doc("userinfo.json"))
    rest = {**auth, "X-Restli-Protocol-Version": "2.0.0", "LinkedIn-Version": "202411"}
    created = httpx.post(f"{server.url}/rest/socialActions/urn%3Ali%3Aactivity%3A1/comments",
                         headers=rest, json={"actor": "urn:li:organization:1",
                                             "object": "urn:li:activity:1",
                                             "message": {"text": "Thanks"}})
    assert created.status_code == 201
    assert _shape(created.json()) == _shape(_doc("comment_created.json"))
    li_fake.expire("782bbtaQ")
    expired = httpx.get(f"{server.url}/v2/userinfo", headers=auth)
    assert (expired.status_code, expired.json()) == (401, _doc("expired_token.json"))
    li_fake.throttle()
    throttled = httpx.get(f"{server.url}/v2/userinfo", headers=auth)
    assert (throttled.status_code, throttled.json()) == (429, _doc("throttled.json"))
