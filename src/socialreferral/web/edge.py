"""Pure ASGI middleware at the edge: the body limit and the last-resort error answer.

**Body limit, enforced while the body streams in.** A request announcing a
``Content-Length`` above the limit is answered 413 before a byte of its body is read; a
chunked (or lying) request is counted in the wrapped ``receive`` and stopped with
:class:`~socialreferral.web.errors.RequestBodyTooLarge` as soon as the count passes the
limit. The exception is mapped to 413 by the app's exception handler (Starlette's
``ServerErrorMiddleware`` would otherwise make any escaping exception a 500); should it
escape anyway, this middleware answers 413 itself. Every 413 carries
``Connection: close``, so the server stops reading the rest of the body instead of
draining it.

**Last resort.** Anything that is not a library error and escapes the app (a bug) is
answered 500 here, and logged by exception *type and location* only: no message, no
body, no headers — those may hold secrets or personal data. It is not re-raised, so the
server does not print the traceback either. :class:`UnexpectedErrors` counts them (the
property test asserts client input never gets here).
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from socialreferral.web.errors import RequestBodyTooLarge
from socialreferral.web.redaction import app_logger, redact

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def send_json(send: Send, status: int, body: dict[str, Any],
                    headers: dict[str, str] | None = None) -> None:
    """Send a complete JSON response through raw ASGI ``send``."""
    data = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1"))
            for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})


def declared_length(scope: Scope) -> int | None:
    """The request's ``Content-Length``; ``None`` when absent, ``-1`` when malformed
    (not digits, or several headers that disagree)."""
    values = {v.strip() for k, v in scope.get("headers", ()) if k.lower() == b"content-length"}
    if not values:
        return None
    if len(values) > 1:
        return -1
    value = values.pop()
    if not value.isdigit() or len(value) > 18:
        return -1
    return int(value)


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_body_bytes`` without reading them (module doc)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count the streamed one."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        declared = declared_length(scope)
        if declared == -1:
            await send_json(send, 400, {"error": "InvalidInput", "field": "Content-Length",
                                        "detail": "Content-Length is not a single number"},
                            {"Connection": "close"})
            return
        if declared is not None and declared > limit:
            await send_json(send, 413, _too_large(limit), {"Connection": "close"})
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestBodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except RequestBodyTooLarge:
            if started:
                raise
            await send_json(send, 413, _too_large(limit), {"Connection": "close"})


def _too_large(limit: int) -> dict[str, Any]:
    return {"error": "RequestBodyTooLarge", "field": "body",
            "detail": f"body: larger than the limit of {limit} bytes"}


@dataclass
class UnexpectedErrors:
    """What reached the last resort: a count and the exception types, in order."""

    count: int = 0
    types: list[str] = field(default_factory=list)


class LastResortMiddleware:
    """Answer 500 for anything that escapes the app, logging only its type (module doc)."""

    def __init__(self, app: ASGIApp, *, errors: UnexpectedErrors) -> None:
        self.app = app
        self.errors = errors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; on an unexpected exception answer 500 if nothing was sent yet."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:  # the last resort: anything not handled by meaning
            self.errors.count += 1
            self.errors.types.append(type(exc).__name__)
            frames = traceback.extract_tb(exc.__traceback__)
            where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
            app_logger().error("unexpected %s at %s on %s %s", type(exc).__name__, where,
                               scope.get("method", "?"), redact(str(scope.get("path", ""))))
            if not started:
                await send_json(send, 500, {"error": "InternalError", "field": None,
                                            "detail": "internal error"},
                                {"Connection": "close"})


__all__ = [
    "BodyLimitMiddleware",
    "LastResortMiddleware",
    "UnexpectedErrors",
    "declared_length",
    "send_json",
]
