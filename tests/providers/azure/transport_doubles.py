"""azure-core transport doubles for tests that need answers an emulator cannot give.

:class:`Intercepting` passes every request to a real transport (so the Cosmos SDK still
talks to the emulator for account and container metadata) except those its ``hook``
answers itself: a real 404 for a missing item, a transactional batch outcome, a 429.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from azure.core.pipeline.transport import HttpResponse, HttpTransport, RequestsTransport
from azure.core.utils import CaseInsensitiveDict


class CannedResponse(HttpResponse):
    """A complete response with a JSON (or empty) body."""

    def __init__(
        self, request: Any, status: int, body: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(request, None)
        self.status_code = status
        self.reason = "canned"
        self._body = b"" if body is None else json.dumps(body).encode()
        self.headers = CaseInsensitiveDict({"content-type": "application/json", **(headers or {})})
        self.content_type = "application/json"

    def body(self) -> bytes:
        return self._body


Hook = Callable[[Any], HttpResponse | None]


class Intercepting(HttpTransport):
    """Answer requests with ``hook(request)`` when it returns a response, else forward."""

    def __init__(self, hook: Hook) -> None:
        self.hook = hook
        self.inner = RequestsTransport()
        self.requests: list[Any] = []

    def __enter__(self) -> Intercepting:
        self.inner.__enter__()
        return self

    def __exit__(self, *args: Any) -> None:
        self.inner.__exit__(*args)

    def open(self) -> None:
        self.inner.open()

    def close(self) -> None:
        self.inner.close()

    def send(self, request: Any, **kwargs: Any) -> HttpResponse:
        self.requests.append(request)
        answer = self.hook(request)
        if answer is not None:
            return answer
        return self.inner.send(request, **kwargs)
