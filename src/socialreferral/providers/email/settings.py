"""Settings of the e-mail channel (section ``[email]`` of the settings file).

``password`` is a :class:`~pydantic.SecretStr`: give it through the environment
(``SOCIALREFERRAL__EMAIL__PASSWORD``). ``security = "none"`` (plain SMTP) is accepted
only for a loopback relay (a local MTA that relays onward over TLS): mail to customers
never leaves the host unencrypted because of a settings typo.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from socialreferral.providers import ProviderSettings

_URL = r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[^\s?#]*)?$"
_ADDRESS = r"^[^@\s<>\"]{1,64}@[A-Za-z0-9.\-]{1,253}$"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


class EmailSettings(ProviderSettings):
    """The SMTP submission server, the sender, templates and the unsubscribe link."""

    host: str = Field(default="localhost", pattern=r"^[A-Za-z0-9.\-:]{1,253}$")
    #: 587 (submission, STARTTLS) by default; 465 with ``security = "tls"``.
    port: int = Field(default=587, ge=1, le=65535)
    #: ``starttls`` (upgrade after EHLO; a server that does not offer it is refused),
    #: ``tls`` (implicit TLS, port 465), ``none`` (loopback relays only).
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = Field(default=None, max_length=256)
    password: SecretStr | None = None
    #: The envelope sender and ``From:``; required to send.
    from_address: str | None = Field(default=None, pattern=_ADDRESS)
    from_name: str = Field(default="", max_length=100)
    reply_to: str | None = Field(default=None, pattern=_ADDRESS)
    #: Where the web app serves ``/unsubscribe`` (``[web] public_base_url``); required.
    public_base_url: str | None = Field(default=None, pattern=_URL)
    #: A folder whose ``<kind>.txt`` templates replace the packaged ones (offer,
    #: reminder, message); missing kinds fall back to the package's.
    templates_dir: str | None = None
    #: Subject line per message kind (Jinja2 expressions over the same variables).
    subjects: dict[str, str] = Field(default_factory=lambda: {
        "offer": "An offer for you from {{ sender }}",
        "reminder": "A reminder about your offer from {{ sender }}",
        "message": "A message from {{ sender }}"})
    #: SecretStore name of the key that signs unsubscribe links (created on first use).
    unsubscribe_key_secret: str = Field(default="unsubscribe-link-key",
                                        pattern=r"^[A-Za-z0-9-]{1,127}$")
    #: How long an unsubscribe link works (mail is read months later).
    unsubscribe_link_days: int = Field(default=400, ge=30, le=3650)
    ca_bundle: str | None = None
    timeout_seconds: float = Field(default=20.0, gt=0, le=120)

    @field_validator("public_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return None if value is None else value.rstrip("/")

    @model_validator(mode="after")
    def _plain_only_on_loopback(self) -> EmailSettings:
        if self.security == "none" and self.host not in LOOPBACK_HOSTS:
            raise ValueError("security = 'none' is allowed only for a loopback relay "
                             f"({', '.join(sorted(LOOPBACK_HOSTS))}); use starttls or tls")
        if (self.username is None) != (self.password is None):
            raise ValueError("username and password go together")
        return self


__all__ = ["LOOPBACK_HOSTS", "EmailSettings"]
