"""The official ``linkedin-api-client`` Rest.li client, with the host and timeout hook.

``RestliClient`` builds URLs from ``https://api.linkedin.com/rest`` (versioned, with the
``LinkedIn-Version`` header) or ``/v2`` and sends them with its own ``requests.Session``;
it takes no base URL and sets no timeout. :func:`~socialreferral.providers._requests.
configure_session` mounts a transport adapter on that session (the same hook as for
tweepy). The client raises nothing for an error status: :func:`.errors.check` maps it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from socialreferral.providers import import_sdk
from socialreferral.providers._requests import configure_session
from socialreferral.providers.linkedin.settings import DEFAULT_API_URL, LinkedInSettings


@contextmanager
def restli_client(settings: LinkedInSettings) -> Iterator[Any]:
    """A ``RestliClient`` whose session honours ``[linkedin] api_url``, ``ca_bundle`` and
    the timeout; closed after use."""
    restli = import_sdk("linkedin_api.clients.restli.client", provider="linkedin",
                        extra="linkedin")
    client = restli.RestliClient()
    configure_session(client.session, default_host=DEFAULT_API_URL, api_url=settings.api_url,
                      timeout=settings.timeout_seconds, ca_bundle=settings.ca_bundle,
                      provider="linkedin", extra="linkedin")
    try:
        yield client
    finally:
        client.session.close()


__all__ = ["restli_client"]
