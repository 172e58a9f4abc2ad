"""A real SMTP server on 127.0.0.1 for the e-mail channel: aiosmtpd with STARTTLS
required (a trustme certificate) and AUTH PLAIN/LOGIN only after TLS.

:class:`SmtpSink` keeps every accepted message (envelope and parsed e-mail), can defer
or refuse the next recipients with the reply codes of RFC 5321 (tests/fixtures/email/
keeps them with their sources) and records whether each session was encrypted and
authenticated. Not covered: DKIM/SPF/DMARC, bounces (DSNs) arriving later, greylisting
timing, size limits, pipelining quirks of particular MTAs.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "sr-mailer", "fake-smtp-password"
REPLIES = json.loads((Path(__file__).parents[2] / "fixtures" / "email" /
                      "smtp_replies.json").read_text(encoding="utf-8"))


@dataclass
class Received:
    """One accepted message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls: bool
    authenticated: bool


class SmtpSink:
    """aiosmtpd handler: accept, keep, and inject RCPT/DATA faults."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._rcpt_faults: list[str] = []
        self._lock = threading.Lock()

    def fail_next_rcpt(self, reply: str, times: int = 1) -> None:
        """The next ``times`` RCPT commands are answered with ``reply`` (a fixture key
        of smtp_replies.json or a literal reply line)."""
        with self._lock:
            self._rcpt_faults.extend([REPLIES.get(reply, reply)] * times)

    def clear(self) -> None:
        with self._lock:
            self.received.clear()
            self._rcpt_faults.clear()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        with self._lock:
            if self._rcpt_faults:
                return self._rcpt_faults.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content or envelope.content,
                                    policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.received.append(Received(
                envelope.mail_from, list(envelope.rcpt_tos), parsed,
                tls=session.ssl is not None, authenticated=bool(session.authenticated)))
        return "250 2.0.0 Message accepted for delivery"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                   auth_data: Any) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # a failure answers 535


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """aiosmtpd on 127.0.0.1: STARTTLS required with ``tls_context``, AUTH after TLS."""

    def __init__(self, sink: SmtpSink, tls_context: ssl.SSLContext | None, *,
                 require_starttls: bool = True, auth: bool = True) -> None:
        self.port = free_port()
        kwargs: dict[str, Any] = {}
        if auth:
            # AUTH PLAIN only, as most submission servers offer after STARTTLS.
            kwargs.update(authenticator=_authenticator, auth_required=True,
                          auth_exclude_mechanism=["LOGIN"])
        self._controller = Controller(
            sink, hostname="127.0.0.1", port=self.port, tls_context=tls_context,
            require_starttls=require_starttls and tls_context is not None,
            ready_timeout=10, **kwargs)

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


__all__ = ["PASSWORD", "USER", "Received", "SmtpServer", "SmtpSink", "free_port"]
