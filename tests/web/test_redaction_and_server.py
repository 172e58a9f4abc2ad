"""Log redaction (unit) and the server's configuration: uvicorn's log config carries the
filter on every handler, and worker processes rebuild their settings without secrets in
the environment payload."""

from __future__ import annotations

import importlib
import json
import logging
import sys
from pathlib import Path

import pytest

from socialreferral.settings import settings_from_mapping
from socialreferral.web.redaction import RedactingFilter, app_logger, redact
from socialreferral.web.server import WORKER_SETTINGS_ENV, log_config, worker_settings


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("GET /webhooks/meta?hub.mode=subscribe&hub.verify_token=s3cr3t&hub.challenge=1",
         "s3cr3t"),
        ("GET /webhooks/x?crc_token=abcDEF123", "abcDEF123"),
        ("GET /webhooks/linkedin?challengeCode=890e4665-4dfe", "890e4665-4dfe"),
        ("GET /oauth/callback?state=st4te&code=c0de", "c0de"),
        ("GET /oauth/callback?state=st4te&code=c0de", "st4te"),
        ("GET /x?TOKEN=upper", "upper"),
        ("GET /referrals/eyJ2IjoxfQ.c2lnbmF0dXJl HTTP/1.1", "eyJ2IjoxfQ.c2lnbmF0dXJl"),
        ("POST /referrals/eyJ2IjoxfQ.c2ln/lead", "eyJ2IjoxfQ.c2ln"),
    ],
)
def test_redact_removes_secrets(line: str, secret: str) -> None:
    assert secret not in redact(line)


def test_redact_keeps_what_is_not_secret() -> None:
    line = "GET /webhooks/meta?hub.mode=subscribe&hub.challenge=42&postcode=1000"
    assert redact(line) == line
    tagged = redact("/referrals/abc.def")
    assert tagged.startswith("/referrals/[token:") and redact(tagged) == tagged


def _access_record(path: str) -> logging.LogRecord:
    # The shape uvicorn's access logger emits: positional args the formatter unpacks.
    return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                             '%s - "%s %s HTTP/%s" %d',
                             ("127.0.0.1:5000", "GET", path, "1.1", 200), None)


def test_filter_redacts_access_records_keeping_their_shape() -> None:
    record = _access_record("/webhooks/meta?hub.verify_token=TOPSECRET")
    assert RedactingFilter().filter(record) is True
    assert isinstance(record.args, tuple) and len(record.args) == 5 and record.args[4] == 200
    message = record.getMessage()
    assert "TOPSECRET" not in message and "hub.verify_token=[redacted]" in message


def test_filter_escapes_control_characters_and_redacts_exceptions() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "path %s", ("/a\nFAKE LINE",),
                               None)
    RedactingFilter().filter(record)
    assert "\n" not in record.getMessage()
    try:
        raise ValueError("bad link /referrals/abc.SECRETTOKEN")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (),
                                   sys.exc_info())
    RedactingFilter().filter(record)
    assert record.exc_text is not None and "SECRETTOKEN" not in record.exc_text


def test_app_logger_redacts_at_the_source(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="socialreferral.web"):
        app_logger().info("opened %s", "/referrals/abc.SECRETTOKEN")
    assert "SECRETTOKEN" not in caplog.text and "[token:" in caplog.text
    assert sum(isinstance(f, RedactingFilter) for f in app_logger().filters) == 1


def test_log_config_filters_every_handler() -> None:
    config = log_config("debug")
    assert config["filters"]["redact"]["()"].endswith("RedactingFilter")
    assert {"access", "default"} <= set(config["handlers"])
    for handler in config["handlers"].values():
        assert "redact" in handler["filters"]
    assert config["loggers"]["socialreferral"]["level"] == "DEBUG"
    # The factory path resolves to the filter (applying the config would reconfigure the
    # test process's logging, so it is resolved rather than applied).
    module, _, name = config["filters"]["redact"]["()"].rpartition(".")
    assert getattr(importlib.import_module(module), name) is RedactingFilter


def test_worker_settings_from_the_payload(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    settings = settings_from_mapping({"local": {"data_dir": str(tmp_path)},
                                      "web": {"max_body_bytes": 4096}})
    monkeypatch.setenv(WORKER_SETTINGS_ENV, json.dumps(settings.model_dump(mode="json")))
    monkeypatch.setenv("SOCIALREFERRAL__WEB__PUBLIC_BASE_URL", "https://refer.example.com")
    rebuilt = worker_settings()
    assert rebuilt.web.max_body_bytes == 4096
    assert rebuilt.providers["local"]["data_dir"] == str(tmp_path)
    assert rebuilt.web.public_base_url == "https://refer.example.com"  # environment applies


def test_worker_settings_from_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    file = tmp_path / "socialreferral.toml"
    file.write_text('[web]\nmax_body_bytes = 8192\n', encoding="utf-8")
    monkeypatch.delenv(WORKER_SETTINGS_ENV, raising=False)
    monkeypatch.setenv("SOCIALREFERRAL_SETTINGS", str(file))
    assert worker_settings().web.max_body_bytes == 8192
