"""Optional ASGI web service (``pip install 'socialreferral[web]'``): webhook endpoints
and the prospect's referral landing/lead form. Build it with :func:`create_app`."""

from socialreferral.providers import import_sdk

import_sdk("fastapi", provider="web", extra="web")  # an install hint instead of a traceback

from socialreferral.web.app import create_app  # noqa: E402

__all__ = ["create_app"]
