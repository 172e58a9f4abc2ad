"""Fixtures for the e-mail channel: aiosmtpd on 127.0.0.1 with STARTTLS (trustme CA)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("aiosmtpd")
pytest.importorskip("jinja2")
trustme = pytest.importorskip("trustme")

from smtp_fake import SmtpServer, SmtpSink  # noqa: E402


@pytest.fixture(scope="session")
def smtp_ca() -> object:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_bundle(smtp_ca: object, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("smtp-ca") / "ca.pem"
    smtp_ca.cert_pem.write_to_path(str(path))  # type: ignore[attr-defined]
    return str(path)


@pytest.fixture(scope="session")
def smtp_server(smtp_ca: object) -> Iterator[tuple[SmtpServer, SmtpSink]]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    smtp_ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)  # type: ignore[attr-defined]
    sink = SmtpSink()
    with SmtpServer(sink, context) as server:
        yield server, sink


@pytest.fixture
def sink(smtp_server: tuple[SmtpServer, SmtpSink]) -> SmtpSink:
    smtp_server[1].clear()
    return smtp_server[1]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "d"
