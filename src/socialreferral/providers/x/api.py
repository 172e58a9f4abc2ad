"""tweepy ``Client`` objects for X API v2, with one documented hook for the host.

tweepy (4.14-4.17) builds every URL as ``"https://api.twitter.com" + route`` inside
``BaseClient.request``; it takes no base URL. Rather than patch tweepy, :func:`x_client`
mounts a ``requests`` transport adapter (``Session.mount``, requests' documented hook for
per-prefix transports) on the client's own session that sends requests for
``https://api.twitter.com/`` to ``[x] api_url`` instead; with the default ``api_url``
nothing is mounted. TLS: ``ca_bundle`` becomes the session's ``verify``.

A client holds one bearer token (an OAuth 2.0 user-context token), so one is made per
token and closed after use; tokens are read from the SecretStore at call time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from socialreferral.providers import import_sdk
from socialreferral.providers.x.settings import DEFAULT_API_URL, XSettings


def _adapter(timeout: float, target: str | None = None) -> Any:
    """requests' HTTPAdapter with a default timeout (tweepy passes none, and a hung
    connection would hold a worker forever) that, given ``target``, sends
    ``https://api.twitter.com/...`` there instead (same path and query)."""
    adapters = import_sdk("requests.adapters", provider="x", extra="x")

    class XAdapter(adapters.HTTPAdapter):  # type: ignore[misc, name-defined]
        def send(self, request: Any, **kwargs: Any) -> Any:
            if target is not None and request.url.startswith(DEFAULT_API_URL + "/"):
                request.url = target + request.url[len(DEFAULT_API_URL):]
            kwargs["timeout"] = kwargs.get("timeout") or timeout
            return super().send(request, **kwargs)

    return XAdapter()


@contextmanager
def x_client(settings: XSettings, token: str) -> Iterator[Any]:
    """A ``tweepy.Client`` acting with ``token`` (user context), answering plain dicts."""
    tweepy = import_sdk("tweepy", provider="x", extra="x")
    client = tweepy.Client(bearer_token=token, return_type=dict, wait_on_rate_limit=False)
    session = client.session
    if settings.ca_bundle:
        session.verify = settings.ca_bundle
    session.mount("https://", _adapter(settings.timeout_seconds))
    if settings.api_url != DEFAULT_API_URL:
        session.mount(DEFAULT_API_URL + "/", _adapter(settings.timeout_seconds,
                                                      settings.api_url))
    try:
        yield client
    finally:
        session.close()


__all__ = ["x_client"]
