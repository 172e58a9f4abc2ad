"""The unsubscribe link end to end: the e-mail's link, the web app, the contact policy.

Backend: aiosmtpd on 127.0.0.1 (the channel built by bootstrap from ``social = "email"``)
and the web app in-process (Starlette's TestClient) over the same local providers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from email_helpers import BASE
from smtp_fake import PASSWORD, USER, SmtpServer, SmtpSink

from socialreferral.bootstrap import Providers, build_providers
from socialreferral.domain.policy import ContactPolicy, PolicyReason
from socialreferral.domain.social import OutboundMessage
from socialreferral.settings import Settings

fastapi_testclient = pytest.importorskip("fastapi.testclient")


@pytest.fixture
def providers(smtp_server: tuple[SmtpServer, SmtpSink], ca_bundle: str, tmp_path: Path
              ) -> Iterator[Providers]:
    settings = Settings.model_validate({
        "ports": {"social": "email"}, "web": {"public_base_url": BASE},
        "local": {"data_dir": str(tmp_path / "d")},
        "email": {"host": "127.0.0.1", "port": smtp_server[0].port, "username": USER,
                  "password": PASSWORD, "from_address": "offers@bank.example.test",
                  "public_base_url": BASE, "ca_bundle": ca_bundle}})
    built = build_providers(settings)
    yield built
    built.close()


def _client(providers: Providers) -> object:
    from socialreferral.web.app import create_app

    return fastapi_testclient.TestClient(create_app(providers), base_url=BASE)


def _reserve(providers: Providers, prospect: str, offer_id: str) -> PolicyReason:
    return providers.repositories.contacts.reserve(
        ContactPolicy(), offer_id=offer_id, prospect_id=prospect, referrer_id="ref-1",
        product_id=f"prod-{offer_id}", now=datetime.now(UTC)).reason


def test_the_link_in_the_mail_opts_out_and_the_policy_honours_it(
        providers: Providers, sink: SmtpSink) -> None:
    providers.social.send(OutboundMessage(message_id="u-1", recipient_id="dee@example.org",
                                          text="An offer", kind="offer"))
    link = str(sink.received[0].message["List-Unsubscribe"]).strip("<>")
    target = urlsplit(link)
    path = f"{target.path}?{target.query}"
    client = _client(providers)
    page = client.get(path)  # type: ignore[attr-defined]
    assert page.status_code == 200 and "<form method=post" in page.text
    assert not providers.repositories.contacts.is_opted_out("dee@example.org")  # GET: no effect
    assert _reserve(providers, "dee@example.org", "o-1") == PolicyReason.ALLOWED
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})  # type: ignore[attr-defined]
    assert done.status_code == 200 and "unsubscribed" in done.text
    assert "dee@example.org" not in done.text
    assert providers.repositories.contacts.is_opted_out("dee@example.org")
    assert _reserve(providers, "dee@example.org", "o-2") == PolicyReason.PROSPECT_OPTED_OUT
    again = client.post(path)  # type: ignore[attr-defined]
    assert again.status_code == 200  # idempotent


def test_a_tampered_or_foreign_token_is_refused(providers: Providers, sink: SmtpSink) -> None:
    providers.social.send(OutboundMessage(message_id="u-2", recipient_id="eve@example.org",
                                          text="An offer", kind="offer"))
    link = str(sink.received[0].message["List-Unsubscribe"]).strip("<>")
    token = urlsplit(link).query.split("token=", 1)[1]
    client = _client(providers)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(f"/unsubscribe?token={forged}").status_code == 403  # type: ignore[attr-defined]
    # A referral link's token is signed with another key: it unsubscribes nobody.
    from socialreferral.domain.links import sign_referral_token

    other = sign_referral_token("eve@example.org", datetime(2099, 1, 1, tzinfo=UTC),
                                b"k" * 32, "1")
    assert client.post(f"/unsubscribe?token={other}").status_code == 403  # type: ignore[attr-defined]
    assert client.post("/unsubscribe").status_code == 422  # type: ignore[attr-defined]
    assert not providers.repositories.contacts.is_opted_out("eve@example.org")
