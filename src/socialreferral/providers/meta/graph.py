"""A small Graph API client on httpx: versioned paths, bearer tokens, paging, errors.

Plain httpx rather than Meta's ``facebook-business`` SDK: that SDK is built around the
Marketing API (ads objects, a process-wide default ``FacebookAdsApi`` session holding one
token), does not cover Messenger or Facebook Login, and would add ``requests`` to an
httpx code base; the few Graph calls the channel needs are plain REST. Tokens go in the
``Authorization`` header, never the query string, so they stay out of access logs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from socialreferral.errors import SocialChannelError
from socialreferral.providers._http import tls_context
from socialreferral.providers.meta.errors import check, map_graph_errors
from socialreferral.providers.meta.settings import MetaSettings


class GraphClient:
    """Calls to one Graph API version."""

    def __init__(self, settings: MetaSettings, *,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self._http = httpx.Client(base_url=settings.api_root + "/",
                                  timeout=settings.timeout_seconds,
                                  verify=tls_context(settings.ca_bundle), transport=transport)

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, path: str, token: str, subject: str, *,
             params: Mapping[str, str] | None = None, json: Any = None,
             person_id: str | None = None) -> dict[str, Any]:
        """One call; the JSON object answered, or the mapped library error."""
        with map_graph_errors(subject):
            response = self._http.request(method, path, params=params, json=json,
                                          headers={"Authorization": f"Bearer {token}"})
        check(response, subject, person_id=person_id)
        try:
            body = response.json()
        except ValueError:
            raise SocialChannelError(f"Graph {subject}: the answer is not JSON") from None
        if not isinstance(body, dict):
            raise SocialChannelError(f"Graph {subject}: the answer is not an object")
        return body

    def pages(self, path: str, token: str, subject: str, *,
              params: Mapping[str, str] | None = None,
              person_id: str | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a paged edge (``data`` + ``paging.next``)."""
        body = self.call("GET", path, token, subject, params=params, person_id=person_id)
        for _ in range(self.settings.max_pages):
            yield from (item for item in body.get("data") or [] if isinstance(item, dict))
            following = (body.get("paging") or {}).get("next")
            if not isinstance(following, str) or not following:
                return
            body = self.call("GET", following, token, subject, person_id=person_id)


__all__ = ["GraphClient"]
