"""Optional ASGI web service (``pip install 'socialreferral[web]'``): webhook endpoints
for every registered channel and the prospect's referral landing/lead form.

Build the app with :func:`create_app`; run it under uvicorn with redacted logs with
:func:`serve`. Modules: ``app`` (the factory), ``routes`` (one module per area), ``edge``
(body limit and last-resort middleware), ``ratelimit``, ``errors`` (errors to status
codes), ``redaction`` (log filter), ``schemas`` (response models), ``server``.
"""

from socialreferral.providers import import_sdk

import_sdk("fastapi", provider="web", extra="web")  # an install hint instead of a traceback
import_sdk("limits", provider="web", extra="web")

from socialreferral.web.app import create_app  # noqa: E402
from socialreferral.web.server import serve  # noqa: E402

__all__ = ["create_app", "serve"]
