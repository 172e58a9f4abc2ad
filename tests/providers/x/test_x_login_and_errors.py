"""X's OAuth 2.0 login end to end in the web app, token refresh, and the error paths.

Backend: the X API v2 + OAuth 2.0 fake on 127.0.0.1 (``socialreferral.testing.
vendor_fakes.x_api``); the web app in-process (Starlette's TestClient) with local
providers; each redirect is followed by hand with httpx, so Authlib, tweepy and requests
do the real exchanges.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from x_helpers import give_token, x_channel

from socialreferral.bootstrap import Providers, build_providers
from socialreferral.domain.oauth import StoredToken, token_secret_name
from socialreferral.domain.social import OutboundMessage
from socialreferral.errors import InvalidInput, TokenInvalid, TransientError
from socialreferral.service.connect import connect_ticket, require_reconsent
from socialreferral.settings import Settings
from socialreferral.testing.vendor_fakes.server import LoopbackServer
from socialreferral.testing.vendor_fakes.x_api import (
    BRAND_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    XApiFake,
    XUser,
)

fastapi_testclient = pytest.importorskip("fastapi.testclient")
BASE = "http://127.0.0.1:8000"
Server = tuple[LoopbackServer, XApiFake]


@pytest.fixture
def providers(x_server: Server, tmp_path: Path) -> Iterator[Providers]:
    server, fake = x_server
    settings = Settings.model_validate({
        "ports": {"social": "x"}, "web": {"public_base_url": BASE},
        "local": {"data_dir": str(tmp_path / "d")},
        "x": {"api_url": server.url, "authorize_url": f"{server.url}/i/oauth2/authorize",
              "token_url": f"{server.url}/2/oauth2/token",
              "revoke_url": f"{server.url}/2/oauth2/revoke", "client_id": CLIENT_ID,
              "client_secret": CLIENT_SECRET}})
    built = build_providers(settings)
    access, refresh = fake.issue(BRAND_ID)
    built.secrets.set("x-account-token", StoredToken(access_token=access,
                                                     refresh_token=refresh).to_secret())
    yield built
    built.close()


def _login(providers: Providers, ticket: str) -> httpx.Response:
    from socialreferral.web.app import create_app

    client = fastapi_testclient.TestClient(create_app(providers), base_url=BASE)
    start = client.get("/connect/x", params={"ticket": ticket}, follow_redirects=False)
    assert start.status_code == 303, start.text
    asked = parse_qs(urlsplit(start.headers["location"]).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["state"][0]
    dialog = httpx.get(start.headers["location"], follow_redirects=False)
    assert dialog.status_code == 302
    back = urlsplit(dialog.headers["location"])
    assert f"{back.scheme}://{back.netloc}" == BASE
    return client.get(f"{back.path}?{back.query}")


def test_login_stores_the_token_with_its_refresh_token_and_the_granted_scopes(
        providers: Providers, x_fake: XApiFake) -> None:
    x_fake.add_user(XUser("2001", "Ann", "ann", followers=42, tweets=7))
    x_fake.login_user, x_fake.login_declines = "2001", ()
    answer = _login(providers, connect_ticket(providers.secrets, "cust-ann", datetime.now(UTC)))
    assert answer.status_code == 200, answer.text
    outcome = answer.json()
    assert (outcome["status"], outcome["person_id"]) == ("connected", "2001")
    assert set(outcome["granted"]) == {"tweet.read", "users.read", "offline.access"}
    stored = StoredToken.from_secret(providers.secrets.get(token_secret_name("x", "2001")).value)
    assert x_fake.tokens[stored.access_token].owner == "2001"
    assert stored.refresh_token in x_fake.refresh_tokens and stored.expires_at is not None
    assert stored.access_token not in answer.text
    consent = providers.repositories.customers.consent("cust-ann", "x")
    assert consent is not None and set(consent.scopes) == set(outcome["granted"])
    assert providers.social.get_profile("2001").followers == 42


def test_a_narrowed_grant_reports_the_declined_scope(providers: Providers,
                                                     x_fake: XApiFake) -> None:
    x_fake.add_user(XUser("2002", "Bo", "bo"))
    x_fake.login_user, x_fake.login_declines = "2002", ("offline.access", "users.read")
    try:
        outcome = _login(providers, connect_ticket(providers.secrets, "cust-bo",
                                                   datetime.now(UTC))).json()
    finally:
        x_fake.login_declines = ()
    assert outcome["status"] == "incomplete"
    assert set(outcome["declined"]) == {"offline.access", "users.read"}
    assert outcome["missing_required"] == ["users.read"]
    consent = providers.repositories.customers.consent("cust-bo", "x")
    assert consent is not None and "offline.access" not in consent.scopes


def test_a_cancelled_login_records_nothing(providers: Providers, x_fake: XApiFake) -> None:
    x_fake.deny_next()
    outcome = _login(providers, connect_ticket(providers.secrets, "cust-cy",
                                               datetime.now(UTC))).json()
    assert outcome["status"] == "declined"
    assert providers.repositories.customers.consent("cust-cy", "x") is None


def test_an_expired_token_is_refreshed_and_the_rotated_pair_stored(
        x_server: Server, x_fake: XApiFake, tmp_path: Path) -> None:
    channel = x_channel(x_server[0], x_fake, tmp_path / "d")
    try:
        x_fake.add_user(XUser("2003", "Di", "di", followers=5))
        old_access, old_refresh = give_token(channel, x_fake, "2003", expired=True)
        assert channel.get_profile("2003").followers == 5
        stored = StoredToken.from_secret(
            channel._secrets.get(token_secret_name("x", "2003")).value)
        assert stored.access_token != old_access and stored.refresh_token != old_refresh
        assert old_refresh not in x_fake.refresh_tokens  # X rotates refresh tokens
        assert not stored.expired(datetime.now(UTC))
    finally:
        channel.close()


def test_a_refused_refresh_and_a_revoked_token_lead_to_reconsent(
        providers: Providers, x_fake: XApiFake) -> None:
    x_fake.add_user(XUser("2004", "Ed", "ed"))
    x_fake.login_user = "2004"
    _login(providers, connect_ticket(providers.secrets, "cust-ed", datetime.now(UTC)))
    x_fake.expire("2004")  # 401 on the access token
    with pytest.raises(TokenInvalid) as caught:
        providers.social.get_profile("2004")
    assert (caught.value.person_id, caught.value.network) == ("2004", "x")
    assert require_reconsent(providers.repositories, "cust-ed", "x", datetime.now(UTC))
    consent = providers.repositories.customers.consent("cust-ed", "x")
    assert consent is not None and consent.needs_reconsent
    # Past its expiry with a refresh token X no longer knows: TokenInvalid, not a crash.
    name = token_secret_name("x", "2004")
    stored = StoredToken.from_secret(providers.secrets.get(name).value)
    x_fake.refresh_tokens.pop(stored.refresh_token or "", None)
    providers.secrets.set(name, stored.model_copy(update={
        "expires_at": datetime(2020, 1, 1, tzinfo=UTC)}).to_secret())
    with pytest.raises(TokenInvalid):
        providers.social.get_profile("2004")


def test_rate_limit_reset_becomes_the_advised_wait(x_server: Server, x_fake: XApiFake,
                                                   tmp_path: Path) -> None:
    """429 with x-rate-limit-reset 15 minutes ahead: TransientError advising ~900 s,
    longer than the worker's max_advised_wait, so it is raised at once (the job goes
    back to its queue); nothing is delivered and the claim is released."""
    channel = x_channel(x_server[0], x_fake, tmp_path / "d")
    try:
        reset = x_fake.rate_limit(reset_in=900)
        before = len(x_fake.delivered())
        message = OutboundMessage(message_id="rl-1", recipient_id="3001", text="hello")
        with pytest.raises(TransientError) as caught:
            channel.send(message)
        assert caught.value.retry_after is not None
        assert abs(caught.value.retry_after - (reset - time.time())) < 3
        assert len(x_fake.delivered()) == before
        channel.send(message)  # after the window: delivered once
        assert len(x_fake.delivered()) == before + 1
    finally:
        channel.close()


def test_a_short_rate_limit_and_a_5xx_are_retried_by_the_port(
        x_server: Server, x_fake: XApiFake, tmp_path: Path) -> None:
    channel = x_channel(x_server[0], x_fake, tmp_path / "d")
    try:
        x_fake.rate_limit(reset_in=0)
        x_fake.fail(503)
        before = len(x_fake.delivered())
        channel.send(OutboundMessage(message_id="rt-1", recipient_id="3002", text="hi"))
        assert len(x_fake.delivered()) == before + 1
    finally:
        channel.close()


def test_public_metrics_for_influence_leave_unknown_accounts_out(
        x_server: Server, x_fake: XApiFake, tmp_path: Path) -> None:
    channel = x_channel(x_server[0], x_fake, tmp_path / "d")
    try:
        x_fake.add_user(XUser("4001", "Fay", "fay", followers=1200, following=80,
                              tweets=3400, listed=12))
        [fay] = channel.public_metrics(["4001", "4999"])
        assert (fay.followers, fay.following, fay.posts, fay.listed) == (1200, 80, 3400, 12)
        with pytest.raises(InvalidInput):
            channel.public_metrics(["not-a-number"])
    finally:
        channel.close()


def test_forget_deletes_public_replies_and_revokes_the_token_at_x(
        x_server: Server, x_fake: XApiFake, tmp_path: Path) -> None:
    channel = x_channel(x_server[0], x_fake, tmp_path / "d")
    try:
        x_fake.add_user(XUser("5001", "Gus", "gus"))
        access, _ = give_token(channel, x_fake, "5001")
        reply = channel.send(OutboundMessage(message_id="f-1", recipient_id="5001",
                                             text="We are on it", in_reply_to="777",
                                             private=False))
        channel.forget("5001")
        assert reply not in [d.network_id for d in x_fake.delivered()]
        assert access not in x_fake.tokens and "5001" in x_fake.revoked
        with pytest.raises(KeyError):
            channel.get_profile("5001")
    finally:
        channel.close()


def test_a_public_reply_longer_than_a_post_is_invalid(x_server: Server, x_fake: XApiFake,
                                                      tmp_path: Path) -> None:
    channel = x_channel(x_server[0], x_fake, tmp_path / "d")
    try:
        with pytest.raises(InvalidInput) as caught:
            channel.send(OutboundMessage(message_id="l-1", recipient_id="1", text="x" * 281,
                                         in_reply_to="9", private=False))
        assert caught.value.field == "message.text"
    finally:
        channel.close()
