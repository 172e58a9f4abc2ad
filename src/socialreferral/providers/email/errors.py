"""The one place where SMTP failures become this library's errors.

RFC 5321 reply codes decide (tests/fixtures/email/ keeps the documented examples):

* 4yz (transient negative: 421 service closing, 450/451/452 mailbox busy, local error,
  storage) on any command, a dropped connection, a timeout or a refused connection →
  :class:`~socialreferral.errors.TransientError` (the port base retries; a queue
  redelivers);
* 5yz (permanent: 550 no such mailbox, 553, 554) → :class:`RecipientRefused` when the
  server refused the recipient, else :class:`~socialreferral.errors.SocialChannelError`;
  535 (authentication failed) → :class:`~socialreferral.errors.ConfigurationError`;
* a certificate the CA bundle does not trust, or a server without STARTTLS when it is
  required → :class:`~socialreferral.errors.ConfigurationError` (retrying cannot help,
  and mail is never sent in clear instead).

Messages carry the reply code and a short excerpt, never the message body.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager

from socialreferral.errors import (
    ConfigurationError,
    SocialChannelError,
    SocialReferralError,
    TransientError,
)
from socialreferral.providers._http import excerpt

NETWORK = "email"
#: Wait advised after a 4yz answer (RFC 5321 §4.5.4.1 suggests at least 30 minutes
#: between retries of a whole queue; a single submission is retried sooner).
TRANSIENT_WAIT = 60.0


class RecipientRefused(SocialChannelError):
    """The server refused the recipient for good (5yz on RCPT): a wrong or closed address."""


def _reply(code: int, message: bytes | str, subject: str) -> SocialReferralError:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    where = f"SMTP {subject}: {code} {excerpt(text)}"
    if 400 <= code < 500:
        return TransientError(where, retry_after=TRANSIENT_WAIT)
    if code == 535:
        return ConfigurationError(f"{where} (check [email] username and password)")
    return SocialChannelError(where)


@contextmanager
def map_smtp_errors(subject: str) -> Iterator[None]:
    """Map smtplib, ssl and socket failures raised inside the block (module docstring)."""
    try:
        yield
    except SocialReferralError:
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if codes and all(400 <= c < 500 for c in codes):
            raise TransientError(f"SMTP {subject}: recipient deferred ({codes[0]})",
                                 retry_after=TRANSIENT_WAIT) from None
        raise RecipientRefused(f"SMTP {subject}: recipient refused "
                               f"({codes[0] if codes else '?'})") from None
    except smtplib.SMTPServerDisconnected as exc:
        raise TransientError(f"SMTP {subject}: the server disconnected") from exc
    except smtplib.SMTPResponseException as exc:
        raise _reply(exc.smtp_code, exc.smtp_error, subject) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise ConfigurationError(f"SMTP {subject}: {exc}") from None
    except smtplib.SMTPException as exc:
        raise SocialChannelError(f"SMTP {subject}: {type(exc).__name__}") from None
    except ssl.SSLCertVerificationError as exc:
        raise ConfigurationError(f"SMTP {subject}: the server's certificate is not trusted "
                                 f"({exc.verify_message}); set [email] ca_bundle for a "
                                 "private CA") from None
    except ssl.SSLError as exc:
        raise TransientError(f"SMTP {subject}: TLS failed ({exc.reason})") from exc
    except OSError as exc:  # refused, reset, timed out, unreachable
        raise TransientError(f"SMTP {subject}: {type(exc).__name__}") from exc


__all__ = ["NETWORK", "TRANSIENT_WAIT", "RecipientRefused", "map_smtp_errors"]
