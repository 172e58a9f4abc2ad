"""Errors to HTTP answers, by meaning; one JSON shape (:class:`ErrorBody`) for all.

=====================================================  ======  =============================
error                                                  status  why
=====================================================  ======  =============================
``SignatureInvalid`` (webhook signature, link token)   403     the sender cannot prove who
                                                               it is; never retried
``NotAuthenticated`` (no valid API key)                401     with ``WWW-Authenticate``
``RoleRequired`` (a key without the scope)             403
``InvalidInput`` (names the field)                     400     the request itself is wrong
FastAPI's ``RequestValidationError``                   422     parameters of the wrong type
``NotFound`` (``UnknownChannel``, records), no route   404
``RequestBodyTooLarge``, ``MessageTooLarge``,          413     over a size limit
``DocumentTooLarge``
rate limit (:mod:`socialreferral.web.ratelimit`)       429     with ``Retry-After``
``TransientError``, ``ConcurrencyConflict``            503     with ``Retry-After``: the
``ConfigurationError`` (``ChannelNotConfigured``)              network redelivers later
any other library error                                500     logged by type
=====================================================  ======  =============================

The detail of a 5xx answer is generic ("temporarily unavailable"): the real message (which
may name a missing secret) goes to the server log only. Anything that is not a library
error is caught by :class:`~socialreferral.web.edge.LastResortMiddleware`.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from socialreferral.errors import (
    AccessDenied,
    ConcurrencyConflict,
    ConfigurationError,
    DocumentTooLarge,
    InvalidInput,
    MessageTooLarge,
    NotAuthenticated,
    NotFound,
    SignatureInvalid,
    SocialReferralError,
    TransientError,
)
from socialreferral.web.redaction import app_logger
from socialreferral.web.schemas import ErrorBody

RETRY_AFTER_TRANSIENT = 30
RETRY_AFTER_NOT_CONFIGURED = 300
_REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
            405: "MethodNotAllowed", 406: "NotAcceptable", 413: "PayloadTooLarge",
            415: "UnsupportedMediaType", 422: "InvalidInput", 429: "RateLimited"}


class RequestBodyTooLarge(InvalidInput):
    """The request body exceeds the configured limit (raised while it streams in)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"larger than the limit of {limit} bytes", field="body")


def status_for(exc: SocialReferralError) -> tuple[int, dict[str, str]]:
    """The HTTP status (and extra headers) that ``exc`` means."""
    if isinstance(exc, NotAuthenticated):
        return 401, {"WWW-Authenticate": 'Bearer realm="socialreferral"'}
    if isinstance(exc, SignatureInvalid | AccessDenied):
        return 403, {}
    if isinstance(exc, RequestBodyTooLarge | MessageTooLarge | DocumentTooLarge):
        return 413, {"Connection": "close"} if isinstance(exc, RequestBodyTooLarge) else {}
    if isinstance(exc, InvalidInput):
        return 400, {}
    if isinstance(exc, NotFound):
        return 404, {}
    if isinstance(exc, TransientError | ConcurrencyConflict):
        return 503, {"Retry-After": str(RETRY_AFTER_TRANSIENT)}
    if isinstance(exc, ConfigurationError):
        # A missing channel secret is the server's problem: the sender should retry.
        return 503, {"Retry-After": str(RETRY_AFTER_NOT_CONFIGURED)}
    return 500, {}


def error_json(status: int, error: str, detail: str, field: str | None = None,
               headers: Mapping[str, str] | None = None) -> JSONResponse:
    """An :class:`ErrorBody` response."""
    body = ErrorBody(error=error, detail=detail, field=field)
    return JSONResponse(body.model_dump(), status_code=status, headers=dict(headers or {}))


def _where(request: Request) -> str:
    return f"{request.method} {request.url.path}"


async def library_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer a :class:`SocialReferralError` by meaning (module docstring)."""
    assert isinstance(exc, SocialReferralError)
    status, headers = status_for(exc)
    field = getattr(exc, "field", None)
    log = app_logger()
    if status >= 500:
        # The message may name a secret or a backend: log it, answer generically.
        log.warning("%s -> %d %s: %s", _where(request), status, type(exc).__name__, exc)
        detail = ("temporarily unavailable, retry later" if status == 503
                  else "internal error")
        return error_json(status, type(exc).__name__, detail, None, headers)
    log.info("%s -> %d %s%s", _where(request), status, type(exc).__name__,
             f" ({field})" if field else "")
    return error_json(status, type(exc).__name__, str(exc), field, headers)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's parameter validation, answered like :class:`InvalidInput` (422)."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {}
    field = ".".join(str(p) for p in first.get("loc", ())) or None
    app_logger().info("%s -> 422 RequestValidationError (%s)", _where(request), field)
    return error_json(422, "InvalidInput", str(first.get("msg", "invalid request")), field)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own errors (no such route, method not allowed, ...), in our shape."""
    assert isinstance(exc, StarletteHTTPException)
    cause = exc.__cause__
    if isinstance(cause, SocialReferralError):  # e.g. the body limit hit inside FastAPI
        return await library_error(request, cause)
    name = _REASONS.get(exc.status_code, "HTTPError")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names only the first route that matched the path; list them all.
        headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
    return error_json(exc.status_code, name, str(exc.detail), None, headers)


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI schema documents for the paths ``path`` matches."""
    segments = path.split("/")
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        parts = template.split("/")
        if len(parts) == len(segments) and all(
                p == s or (p.startswith("{") and p.endswith("}") and s)
                for p, s in zip(parts, segments, strict=True)):
            methods.update(m.upper() for m in operations)
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers above on ``app``."""
    app.add_exception_handler(SocialReferralError, library_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)


__all__ = [
    "RETRY_AFTER_NOT_CONFIGURED",
    "RETRY_AFTER_TRANSIENT",
    "RequestBodyTooLarge",
    "allowed_methods",
    "error_json",
    "install_error_handlers",
    "status_for",
]
