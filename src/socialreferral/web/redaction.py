"""Keeping secrets and tokens out of access and application logs.

What a request line can carry that must not reach a log file:

* subscription handshakes put secrets or one-time values in the query string
  (``hub.verify_token``, ``crc_token``, ``challengeCode``), OAuth callbacks ``code`` and
  ``state``, and some clients ``token``/``access_token``;
* a referral link *is* a bearer token: ``/referrals/<token>`` lets anyone holding it
  submit the prospect's form.

:func:`redact` rewrites such values (query values become ``[redacted]``; a referral token
becomes ``[token:<8 hex of its SHA-256>]``, so one link's requests can still be correlated
without the log holding the link). :class:`RedactingFilter` applies it to every log
record — message, arguments (keeping their positions, which uvicorn's access formatter
relies on) and exception text — and is installed on uvicorn's handlers by
:func:`socialreferral.web.server.log_config` and on the app's own logger by
:func:`app_logger`.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from typing import Any

APP_LOGGER = "socialreferral.web"
"""The one logger the web edge writes to (redacted at the source)."""

SENSITIVE_QUERY_KEYS = (
    "hub.verify_token", "hub%2everify_token", "crc_token", "challengecode", "code", "state",
    "token", "access_token", "refresh_token", "id_token", "client_secret", "secret",
    "password", "signature", "sig",
)
_QUERY = re.compile(
    r"(?i)([?&;](?:" + "|".join(re.escape(k) for k in SENSITIVE_QUERY_KEYS) + r")=)"
    r"[^&;\s\"'#]*")
_REFERRAL = re.compile(r"(/referrals/)([^/?#\s\"']+)")
_FORMATTER = logging.Formatter()


def _token_tag(match: re.Match[str]) -> str:
    token = match.group(2)
    if token.startswith("[token:"):
        return match.group(0)  # already redacted (a record can pass two handlers)
    digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{match.group(1)}[token:{digest}]"


def redact(text: str) -> str:
    """``text`` with sensitive query values and referral tokens replaced."""
    if "=" in text:
        text = _QUERY.sub(r"\1[redacted]", text)
    if "/referrals/" in text:
        text = _REFERRAL.sub(_token_tag, text)
    return text


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _escape_control(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group(0)):02x}"


def _redact_arg(value: Any) -> Any:
    # Numbers keep their type (the access log formats the status code with %d);
    # anything else is rendered and redacted, because its str() may hold a URL. Control
    # characters are escaped: a decoded path holding "%0a" must not forge a log line.
    if value is None or isinstance(value, bool | int | float):
        return value
    text = redact(value if isinstance(value, str) else str(value))
    return _CONTROL.sub(_escape_control, text)


class RedactingFilter(logging.Filter):
    """A filter that redacts every record passing through (see the module docstring).
    It never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; always keep it."""
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        else:
            record.msg = redact(str(record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_arg(a) for a in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {k: _redact_arg(v) for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def app_logger() -> logging.Logger:
    """The web edge's logger, with a :class:`RedactingFilter` attached once."""
    logger = logging.getLogger(APP_LOGGER)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    return logger


__all__ = ["APP_LOGGER", "SENSITIVE_QUERY_KEYS", "RedactingFilter", "app_logger", "redact"]
