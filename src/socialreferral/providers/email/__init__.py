"""E-mail as a SocialChannel over SMTP with STARTTLS (extra ``email``).

Modules: ``settings`` (``[email]``), ``errors`` (the one place SMTP failures are mapped),
``templates`` (Jinja2, sandboxed: offers, reminders, plain messages), ``channel``
(``SmtpEmailChannel``), ``plugin``. Unsubscribe links are signed by
:mod:`socialreferral.service.unsubscribe` and honoured by the contact policy. See
``docs/providers/email.md``.
"""
