"""Registers the e-mail channel (``pip install 'socialreferral[email]'``): SMTP with
STARTTLS and Jinja2 templates. Only dotted paths; Jinja2 is imported when a settings file
chooses ``social = "email"``."""

from __future__ import annotations

from collections.abc import Callable

from socialreferral.hookspecs import hookimpl
from socialreferral.providers import ProviderSpec


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(ProviderSpec(
        port="social", name="email",
        adapter="socialreferral.providers.email.channel:SmtpEmailChannel",
        settings="socialreferral.providers.email.settings:EmailSettings", extra="email",
        description="E-mail over SMTP (STARTTLS): templated offers and reminders with a "
                    "signed one-click unsubscribe link honoured by the contact policy"))
