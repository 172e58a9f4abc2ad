"""The e-mail texts: Jinja2 templates per message kind, rendered in a sandbox.

``<kind>.txt`` (``offer``, ``reminder``, ``message``) from ``[email] templates_dir`` when
it has one, else from the package; an unknown kind uses ``message.txt``. Variables:
``text`` (the message, verbatim), ``link`` (the offer's link or None), ``sender``
(``from_name``), ``unsubscribe_url``, ``kind``. The body and the footer are separated by
the signature delimiter line ``-- `` (RFC 3676 §4.3), which mail readers recognise.

The sandbox and ``StrictUndefined`` are there because templates are operator-edited
files: a template can neither reach Python internals nor silently render a misspelt
variable as nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from socialreferral.errors import ConfigurationError
from socialreferral.providers import import_sdk

_KIND = re.compile(r"^[a-z][a-z_]{0,31}$")
SIGNATURE_DELIMITER = "\n-- \n"
DEFAULT_KIND = "message"


class EmailTemplates:
    """Subject and plain-text body per message kind."""

    def __init__(self, subjects: dict[str, str], templates_dir: str | None = None) -> None:
        jinja2 = import_sdk("jinja2", provider="email", extra="email")
        sandbox = import_sdk("jinja2.sandbox", provider="email", extra="email")
        loaders: list[Any] = [jinja2.PackageLoader("socialreferral.providers.email",
                                                   "templates")]
        if templates_dir:
            if not Path(templates_dir).is_dir():
                raise ConfigurationError(f"[email] templates_dir {templates_dir!r} is not "
                                         "a folder")
            loaders.insert(0, jinja2.FileSystemLoader(templates_dir))
        # Plain text: no HTML autoescaping, but no undefined names and no internals.
        self._env = sandbox.SandboxedEnvironment(
            loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined,
            autoescape=False, keep_trailing_newline=True)
        self._errors = (jinja2.TemplateError,)
        self._subjects = {kind: self._env.from_string(source)
                          for kind, source in subjects.items()}

    def render(self, kind: str, **variables: Any) -> tuple[str, str]:
        """``(subject, body)`` for a message of ``kind``."""
        name = kind if _KIND.match(kind) else DEFAULT_KIND
        try:
            try:
                template = self._env.get_template(f"{name}.txt")
            except self._errors[0] as missing:
                if type(missing).__name__ != "TemplateNotFound":
                    raise
                template = self._env.get_template(f"{DEFAULT_KIND}.txt")
                name = DEFAULT_KIND
            body = template.render(kind=kind, **variables)
            subject_template = self._subjects.get(kind) or self._subjects.get(DEFAULT_KIND)
            subject = subject_template.render(kind=kind, **variables) if subject_template \
                else ""
        except self._errors as exc:
            raise ConfigurationError(f"the e-mail template for {name!r} failed: "
                                     f"{type(exc).__name__}: {exc}") from None
        # A header must be one line; the subject is bounded (RFC 5322 line length).
        return " ".join(subject.split())[:200], body


def body_text(rendered: str) -> str:
    """The message part of a rendered (or received, CRLF) body: what precedes the
    signature delimiter."""
    head, _, _ = rendered.replace("\r\n", "\n").partition(SIGNATURE_DELIMITER)
    return head


__all__ = ["SIGNATURE_DELIMITER", "EmailTemplates", "body_text"]
