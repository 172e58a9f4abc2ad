"""Facebook Login end to end in the web app, and the Meta channel's error paths.

Backend: the Graph API + Facebook Login fake on 127.0.0.1 (``socialreferral.testing.
vendor_fakes.graph``); the web app in-process (Starlette's TestClient) with local
providers; each redirect is followed by hand with httpx (the app's to the fake's dialog,
the fake's back to the app's callback), so Authlib and httpx do the real exchanges.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from meta_helpers import give_token, meta_channel

from socialreferral.bootstrap import Providers, build_providers
from socialreferral.domain.oauth import StoredToken, token_secret_name
from socialreferral.errors import TokenInvalid, TransientError
from socialreferral.service.connect import connect_ticket, require_reconsent
from socialreferral.settings import Settings
from socialreferral.testing.vendor_fakes.graph import (
    APP_ID,
    APP_SECRET,
    PAGE_ID,
    FakeUser,
    GraphFake,
)
from socialreferral.testing.vendor_fakes.server import LoopbackServer

fastapi_testclient = pytest.importorskip("fastapi.testclient")
BASE = "http://127.0.0.1:8000"


@pytest.fixture
def providers(graph_server: tuple[LoopbackServer, GraphFake], tmp_path: Path
              ) -> Iterator[Providers]:
    server, fake = graph_server
    settings = Settings.model_validate({
        "ports": {"social": "meta"}, "web": {"public_base_url": BASE},
        "local": {"data_dir": str(tmp_path / "d")},
        "meta": {"graph_url": server.url, "dialog_url": server.url, "app_id": APP_ID,
                 "app_secret": APP_SECRET, "page_id": PAGE_ID}})
    built = build_providers(settings)
    built.secrets.set("meta-page-token", fake.page_token)
    yield built
    built.close()


def _login(providers: Providers, ticket: str) -> httpx.Response:
    from socialreferral.web.app import create_app

    client = fastapi_testclient.TestClient(create_app(providers), base_url=BASE)
    start = client.get("/connect/facebook", params={"ticket": ticket}, follow_redirects=False)
    assert start.status_code == 303, start.text
    dialog = httpx.get(start.headers["location"], follow_redirects=False)
    assert dialog.status_code == 302
    back = urlsplit(dialog.headers["location"])
    assert f"{back.scheme}://{back.netloc}" == BASE
    return client.get(f"{back.path}?{back.query}")


def test_login_stores_the_long_lived_token_and_the_granted_scopes(
        providers: Providers, graph: GraphFake) -> None:
    graph.add_user(FakeUser("fb-ann", "Ann", email="ann@example.org", declined=("user_friends",)))
    graph.login_user = "fb-ann"
    answer = _login(providers, connect_ticket(providers.secrets, "cust-ann", datetime.now(UTC)))
    assert answer.status_code == 200, answer.text
    outcome = answer.json()
    assert (outcome["status"], outcome["person_id"]) == ("connected", "fb-ann")
    assert "user_friends" in outcome["declined"] and "user_friends" not in outcome["granted"]
    stored = StoredToken.from_secret(
        providers.secrets.get(token_secret_name("facebook", "fb-ann")).value)
    assert graph.tokens[stored.access_token] == ("fb-ann", True)  # the long-lived one
    assert stored.access_token not in answer.text
    consent = providers.repositories.customers.consent("cust-ann", "facebook")
    assert consent is not None and consent.scopes == tuple(outcome["granted"])
    assert "user_friends" not in consent.scopes


def test_a_declined_login_records_nothing_and_a_state_works_once(
        providers: Providers, graph: GraphFake) -> None:
    graph.deny_next()
    answer = _login(providers, connect_ticket(providers.secrets, "cust-bo", datetime.now(UTC)))
    assert answer.json()["status"] == "declined"
    assert providers.repositories.customers.consent("cust-bo", "facebook") is None
    client = fastapi_testclient.TestClient(
        __import__("socialreferral.web.app", fromlist=["create_app"]).create_app(providers),
        base_url=BASE)
    replay = client.get("/connect/facebook/callback",
                        params={"state": "x" * 43, "code": "whatever"})
    assert replay.status_code == 403


def test_a_forged_ticket_is_refused(providers: Providers) -> None:
    from socialreferral.web.app import create_app

    client = fastapi_testclient.TestClient(create_app(providers), base_url=BASE)
    answer = client.get("/connect/facebook", params={"ticket": "forged.ticket"},
                        follow_redirects=False)
    assert answer.status_code in (400, 403)


def test_an_expired_token_leads_to_reconsent(providers: Providers, graph: GraphFake) -> None:
    graph.add_user(FakeUser("fb-cy", "Cy"))
    graph.login_user = "fb-cy"
    _login(providers, connect_ticket(providers.secrets, "cust-cy", datetime.now(UTC)))
    graph.expire("fb-cy")
    with pytest.raises(TokenInvalid) as caught:
        providers.social.get_profile("fb-cy")
    assert caught.value.person_id == "fb-cy"
    assert require_reconsent(providers.repositories, "cust-cy", "facebook", datetime.now(UTC))
    consent = providers.repositories.customers.consent("cust-cy", "facebook")
    assert consent is not None and consent.needs_reconsent


@pytest.mark.parametrize(("code", "minutes", "wait"), [(4, 0, 60.0), (32, 0, 60.0),
                                                       (80001, 2, 120.0)])
def test_rate_limits_are_transient_with_the_advised_wait(
        graph_server: tuple[LoopbackServer, GraphFake], graph: GraphFake, tmp_path: Path,
        code: int, minutes: int, wait: float) -> None:
    """Rate-limit codes give TransientError with the wait Meta's headers advise; longer
    than the worker's max_advised_wait, so the job goes back to its queue at once."""
    channel = meta_channel(graph_server[0], graph, tmp_path / "d")
    try:
        graph.add_user(FakeUser("fb-rl", "Rl"))
        give_token(channel, graph, "fb-rl")
        graph.rate_limit(code=code, minutes=minutes)
        with pytest.raises(TransientError) as caught:
            channel.get_profile("fb-rl")
        assert caught.value.retry_after == wait
        assert channel.get_profile("fb-rl").display_name == "Rl"  # after the window
    finally:
        channel.close()


def test_a_transient_rate_limit_is_retried(graph_server: tuple[LoopbackServer, GraphFake],
                                           graph: GraphFake, tmp_path: Path) -> None:
    """Error 2 (temporary) is retried by the port base and the send goes through once."""
    channel = meta_channel(graph_server[0], graph, tmp_path / "d")
    try:
        graph._faults.append((2, __import__("socialreferral.testing.vendor_fakes.server",
                                            fromlist=["FakeResponse"]).FakeResponse.json(
            {"error": {"message": "Service temporarily unavailable", "code": 2,
                       "type": "OAuthException"}}, 500)))
        from socialreferral.domain.social import OutboundMessage
        before = len(graph.delivered())
        channel.send(OutboundMessage(message_id="rl-1", recipient_id="psid-1", text="hi"))
        assert len(graph.delivered()) == before + 1
    finally:
        channel.close()
