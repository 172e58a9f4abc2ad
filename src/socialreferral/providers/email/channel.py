"""``SmtpEmailChannel``: the SocialChannel port as e-mail over SMTP (seed 000: "send the
offer to the prospect through email").

* **person ids**: on e-mail the account *is* the address, so a ``recipient_id`` containing
  ``@`` is the address; any other id is resolved by the injected ``address_book``
  (``person_id -> address | None``, e.g. over the CRM lead or the landing form's
  capture). An id without an address is :class:`~socialreferral.errors.InvalidInput`.
* **send**: renders the kind's template (:mod:`.templates`: offer, reminder, message),
  adds a signed unsubscribe link and the RFC 8058 ``List-Unsubscribe`` /
  ``List-Unsubscribe-Post`` headers, and submits the message with :mod:`smtplib`
  (STARTTLS required by default, certificate checked against the system store or
  ``ca_bundle``; AUTH only after TLS). The network id is the ``Message-ID``, derived
  from ``message_id``, so a resend carries the same id and receivers can deduplicate.
  Idempotent through :class:`~socialreferral.providers._ledger.SentLedger` (SMTP takes no
  idempotency key); a connection lost after the server accepted the DATA may deliver
  twice (at-least-once, docs/providers/email.md).
* **no profiles, connections or replies**: e-mail knows no profile or friend list, and
  the care queue answers posts on the networks they were written on.
* **forget**: drops the ledger rows of the person. A delivered e-mail cannot be taken
  back: it stays in the person's mailbox (documented).

Errors: :mod:`.errors` (4yz and network failures → ``TransientError``; 5yz permanent;
untrusted certificate or a server without STARTTLS → ``ConfigurationError``).
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, ClassVar, Self

from socialreferral.domain.crm import normalise_email
from socialreferral.domain.social import Connection, OutboundMessage, Profile
from socialreferral.errors import ConfigurationError, InvalidInput
from socialreferral.ports import RetryPolicy, SecretStore, SocialChannel
from socialreferral.providers import BuildContext
from socialreferral.providers._ledger import SentLedger, SentRecord
from socialreferral.providers.email.errors import NETWORK, map_smtp_errors
from socialreferral.providers.email.settings import EmailSettings
from socialreferral.providers.email.templates import EmailTemplates
from socialreferral.records import Capability

AddressBook = Callable[[str], str | None]
LinkSigner = Callable[[str, datetime], str]


def _no_address_book(person_id: str) -> str | None:
    return None


class SmtpEmailChannel(SocialChannel):
    """E-mail offers, reminders and messages over SMTP (see the module docstring)."""

    network: ClassVar[str] = NETWORK
    provider: ClassVar[str] = "email"
    capabilities: ClassVar[frozenset[Capability]] = frozenset()

    def __init__(self, settings: EmailSettings, *, ledger: SentLedger,
                 unsubscribe_link: LinkSigner, address_book: AddressBook | None = None,
                 retry: RetryPolicy | None = None) -> None:
        super().__init__(retry=retry)
        if settings.from_address is None:
            raise ConfigurationError("[email] from_address is needed to send e-mail")
        self.settings = settings
        self.from_address: str = settings.from_address
        self.ledger = ledger
        self._link = unsubscribe_link
        self._address_book = address_book or _no_address_book
        self._templates = EmailTemplates(dict(settings.subjects), settings.templates_dir)
        self._tls = ssl.create_default_context(cafile=settings.ca_bundle)

    @classmethod
    def from_settings(cls, settings: Any, context: Any,
                      address_book: AddressBook | None = None) -> Self:
        """Build from ``[email]`` with the SecretStore (the unsubscribe key) and the
        DocumentStore (the sent ledger) bootstrap passes."""
        if not isinstance(settings, EmailSettings):
            raise ConfigurationError("SmtpEmailChannel needs EmailSettings")
        if settings.public_base_url is None:
            raise ConfigurationError("[email] public_base_url (where /unsubscribe is served) "
                                     "is needed: every e-mail carries an unsubscribe link")
        extra = context.extra if isinstance(context, BuildContext) else {}
        secrets = extra.get("secrets")
        if not isinstance(secrets, SecretStore):
            raise ConfigurationError("the e-mail channel needs the SecretStore in "
                                     "BuildContext.extra['secrets'] (bootstrap passes it)")
        from socialreferral.service.unsubscribe import unsubscribe_url

        base, ttl = settings.public_base_url, timedelta(days=settings.unsubscribe_link_days)
        key_secret = settings.unsubscribe_key_secret

        def sign(person_id: str, now: datetime) -> str:
            return unsubscribe_url(secrets, base, person_id, now, ttl=ttl,
                                   key_secret=key_secret)

        return cls(settings, ledger=SentLedger.from_context(extra, NETWORK),
                   unsubscribe_link=sign, address_book=address_book)

    # -- addresses and messages ------------------------------------------------------
    def address_of(self, person_id: str) -> str:
        """The e-mail address of ``person_id`` (module docstring); InvalidInput if none."""
        candidate = person_id if "@" in person_id else self._address_book(person_id)
        try:
            address = normalise_email(candidate)
        except ValueError:
            address = None
        if address is None:
            raise InvalidInput("no e-mail address for this recipient",
                               field="message.recipient_id")
        return address

    def network_id(self, message_id: str) -> str:
        """The ``Message-ID`` a message gets: stable per ``message_id``."""
        digest = hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:32]
        return f"<{digest}@{self.from_address.rpartition('@')[2]}>"

    def compose(self, message: OutboundMessage, now: datetime) -> EmailMessage:
        """The e-mail for ``message`` (templates, headers, unsubscribe link)."""
        address = self.address_of(message.recipient_id)
        link = self._link(message.recipient_id, now)
        sender = self.settings.from_name or self.from_address
        subject, body = self._templates.render(
            message.kind, text=message.text, link=message.link, sender=sender,
            unsubscribe_url=link)
        mail = EmailMessage()
        local, _, domain = self.from_address.partition("@")
        mail["From"] = Address(self.settings.from_name, local, domain)
        mail["To"] = address
        if self.settings.reply_to:
            mail["Reply-To"] = self.settings.reply_to
        mail["Subject"] = subject
        mail["Date"] = format_datetime(now)
        mail["Message-ID"] = self.network_id(message.message_id)
        # RFC 8058: mail clients offer one-click unsubscribe (a POST to the link).
        mail["List-Unsubscribe"] = f"<{link}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        mail.set_content(body)
        return mail

    # -- primitives ------------------------------------------------------------------
    def _send(self, message: OutboundMessage) -> str:
        mail = self.compose(message, datetime.now(UTC))  # bad input fails before a claim
        held = self.ledger.claim(message.message_id, message.recipient_id)
        if held is not None:
            return held
        try:
            self._submit(mail)
        except BaseException:
            self.ledger.release(message.message_id)
            raise
        network_id = str(mail["Message-ID"])
        self.ledger.complete(SentRecord(message.message_id, message.recipient_id, network_id,
                                        message.kind))
        return network_id

    def _submit(self, mail: EmailMessage) -> None:
        s = self.settings
        with map_smtp_errors("submission"):
            smtp: smtplib.SMTP = (
                smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds, context=self._tls)
                if s.security == "tls" else
                smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds))
            with smtp:
                smtp.ehlo()
                if s.security == "starttls":
                    if not smtp.has_extn("starttls"):
                        raise ConfigurationError(
                            f"SMTP server {s.host}:{s.port} does not offer STARTTLS; "
                            "refusing to send in clear")
                    smtp.starttls(context=self._tls)
                    smtp.ehlo()
                if s.username is not None and s.password is not None:
                    smtp.login(s.username, s.password.get_secret_value())
                smtp.send_message(mail, from_addr=self.from_address,
                                  to_addrs=[str(mail["To"])])

    def _get_profile(self, person_id: str) -> Profile | None:
        return None  # never called: no ``profiles`` capability

    def _get_connections(self, person_id: str) -> list[Connection]:
        return []  # never called: no ``connections`` capability

    def _forget(self, person_id: str) -> None:
        # What is in the person's mailbox stays there; what we hold goes.
        self.ledger.forget(person_id)


__all__ = ["AddressBook", "LinkSigner", "SmtpEmailChannel"]
