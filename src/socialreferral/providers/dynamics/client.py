"""A small Dataverse Web API client: httpx, an Entra ID token, OData headers, paging.

Every request carries ``OData-Version: 4.0`` and a bearer token for the environment's
``/.default`` scope, obtained with the OAuth 2.0 client-credentials grant through an
``azure-identity`` credential and reused until two minutes before it expires. Answers go
through :func:`socialreferral.providers.dynamics.errors.check`; the adapter never sees a
raw error. No retries here: the port base retries :class:`TransientError`, waiting at
least the ``Retry-After`` Dataverse advised.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from socialreferral.errors import CRMError, CRMRecordNotFound
from socialreferral.providers._http import tls_context
from socialreferral.providers.dynamics.errors import check, map_dataverse_errors
from socialreferral.providers.dynamics.settings import DynamicsSettings

_TOKEN_MARGIN = 120.0  # seconds before expiry a token is renewed


def odata_string(value: str) -> str:
    """A string literal for ``$filter`` and key segments (quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def key_segment(column: str, value: str) -> str:
    """An alternate-key segment: ``(sr_externalid='a''b')``, URL-encoded."""
    return "(" + quote(f"{column}={odata_string(value)}", safe="=',") + ")"


class DataverseClient:
    """Requests to one environment's Web API with a client-credentials token."""

    def __init__(self, settings: DynamicsSettings, credential: Any,
                 *, transport: httpx.BaseTransport | None = None) -> None:
        self._settings = settings
        self._credential = credential
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()
        self._http = httpx.Client(
            base_url=settings.api_root + "/", timeout=settings.timeout_seconds,
            verify=tls_context(settings.ca_bundle), transport=transport,
            headers={"OData-Version": "4.0", "OData-MaxVersion": "4.0",
                     "Accept": "application/json"},
        )

    def close(self) -> None:
        self._http.close()
        close = getattr(self._credential, "close", None)
        if callable(close):
            close()

    # -- requests ------------------------------------------------------------------
    def request(self, method: str, path: str, subject: str, *,
                json: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None,
                params: Mapping[str, str] | None = None) -> httpx.Response:
        """One request; raise the mapped library error for any unsuccessful answer.

        A 401 drops the cached token and tries once more with a new one (a token revoked
        or expired early); a second 401 is an access problem, not a transient one.
        """
        for attempt in (1, 2):
            with map_dataverse_errors(subject):
                response = self._http.request(
                    method, path, json=json, params=params,
                    headers={**(headers or {}), "Authorization": f"Bearer {self._bearer()}"})
            if response.status_code != 401 or attempt == 2:
                break
            with self._lock:
                self._token = None
        check(response, subject)
        return response

    def get_one(self, path: str, subject: str, select: str | None = None) -> dict[str, Any] | None:
        """The row at ``path`` (an entity by key), or None when Dataverse answers 404."""
        try:
            response = self.request("GET", path, subject,
                                    params={"$select": select} if select else None)
        except CRMRecordNotFound:
            return None
        return _object(response, subject)

    def rows(self, entity_set: str, subject: str, *, filter: str | None = None,
             select: str | None = None, orderby: str | None = None) -> Iterator[dict[str, Any]]:
        """Every row of ``entity_set`` matching ``filter``, following ``@odata.nextLink``."""
        params: dict[str, str] = {}
        if filter:
            params["$filter"] = filter
        if select:
            params["$select"] = select
        if orderby:
            params["$orderby"] = orderby
        prefer = {"Prefer": f"odata.maxpagesize={self._settings.page_size}"}
        url: str | None = entity_set
        pages = 0
        while url is not None:
            pages += 1
            if pages > self._settings.max_pages:
                raise CRMError(f"Dataverse {subject}: more than {self._settings.max_pages} "
                               "pages; narrow the query or raise [dynamics] max_pages")
            response = self.request("GET", url, subject, headers=prefer,
                                    params=params if pages == 1 else None)
            body = _object(response, subject)
            values = body.get("value")
            if not isinstance(values, list):
                raise CRMError(f"Dataverse {subject}: the answer has no 'value' list")
            yield from (row for row in values if isinstance(row, dict))
            next_link = body.get("@odata.nextLink")
            url = next_link if isinstance(next_link, str) and next_link else None

    # -- token ---------------------------------------------------------------------
    def _bearer(self) -> str:
        with self._lock:
            now = time.time()
            if self._token is None or self._token[1] - _TOKEN_MARGIN <= now:
                access = self._credential.get_token(self._settings.scope)
                self._token = (str(access.token), float(access.expires_on))
            return self._token[0]


def _object(response: httpx.Response, subject: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise CRMError(f"Dataverse {subject}: the answer is not JSON") from None
    if not isinstance(body, dict):
        raise CRMError(f"Dataverse {subject}: the answer is not a JSON object")
    return body


__all__ = ["DataverseClient", "key_segment", "odata_string"]
