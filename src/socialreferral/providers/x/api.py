"""tweepy ``Client`` objects for X API v2, with the host and timeout hook.

tweepy (4.14-4.17) builds every URL as ``"https://api.twitter.com" + route`` inside
``BaseClient.request``, takes no base URL and sets no timeout.
:func:`~socialreferral.providers._requests.configure_session` mounts a ``requests``
transport adapter on the client's own session that sets the timeout and, with an
``[x] api_url`` other than the default, forwards the requests there; tweepy itself is
not patched. ``ca_bundle`` becomes the session's ``verify``.

A client holds one bearer token (an OAuth 2.0 user-context token), so one is made per
token and closed after use; tokens are read from the SecretStore at call time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from socialreferral.providers import import_sdk
from socialreferral.providers._requests import configure_session
from socialreferral.providers.x.settings import DEFAULT_API_URL, XSettings


@contextmanager
def x_client(settings: XSettings, token: str) -> Iterator[Any]:
    """A ``tweepy.Client`` acting with ``token`` (user context), answering plain dicts."""
    tweepy = import_sdk("tweepy", provider="x", extra="x")
    client = tweepy.Client(bearer_token=token, return_type=dict, wait_on_rate_limit=False)
    configure_session(client.session, default_host=DEFAULT_API_URL, api_url=settings.api_url,
                      timeout=settings.timeout_seconds, ca_bundle=settings.ca_bundle,
                      provider="x", extra="x")
    try:
        yield client
    finally:
        client.session.close()


__all__ = ["x_client"]
