"""Errors to HTTP answers, by meaning; one JSON shape (:class:`ErrorBody`) for all.

=====================================================  ======  =============================
error                                                  status  why
=====================================================  ======  =============================
``SignatureInvalid`` (webhook signature, link token,  403     the sender cannot prove who
CSRF token)                                                    it is; never retried
``NotAuthenticated`` (no console session, no valid     401     with ``WWW-Authenticate``
API key)                                                       for API-key routes
``AccountLocked``                                      429     with ``Retry-After``
``RoleRequired`` (logged in without the role, a key    403
without the scope)
``InvalidInput`` (names the field)                     400     the request itself is wrong
FastAPI's ``RequestValidationError``                   422     parameters of the wrong type
``NotFound`` (``UnknownChannel``, records), no route   404
``StateConflict`` (a care item another agent holds,    409     valid, but the record's state
an agent at the cap, a move the status refuses)                refuses it now
``Unsupported`` (the SocialChannel cannot reply in     501     the deployment cannot do it;
public or in private)                                          the message names what
``RequestBodyTooLarge``, ``MessageTooLarge``,          413     over a size limit
``DocumentTooLarge``
rate limit (:mod:`socialreferral.web.ratelimit`)       429     with ``Retry-After``
``TransientError``, ``ConcurrencyConflict``            503     with ``Retry-After``: the
``ConfigurationError`` (``ChannelNotConfigured``)              network redelivers later
any other library error                                500     logged by type
=====================================================  ======  =============================

Pages answer errors as pages: when the app has an ``html_errors`` renderer in its state
(the console installs one) and it takes the request (console pages, a prospect's pages),
the same status comes with an HTML page instead of the JSON body.

The detail of a 5xx answer is generic ("temporarily unavailable"): the real message (which
may name a missing secret) goes to the server log only. Anything that is not a library
error is caught by :class:`~socialreferral.web.edge.LastResortMiddleware`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from socialreferral.errors import (
    AccountLocked,
    ConcurrencyConflict,
    ConfigurationError,
    DocumentTooLarge,
    InvalidInput,
    MessageTooLarge,
    NotAuthenticated,
    NotFound,
    RoleRequired,
    SignatureInvalid,
    SocialReferralError,
    StateConflict,
    TokenInvalid,
    TransientError,
    Unsupported,
)
from socialreferral.web.redaction import app_logger
from socialreferral.web.schemas import ErrorBody

RETRY_AFTER_TRANSIENT = 30
RETRY_AFTER_NOT_CONFIGURED = 300
HtmlErrors = Callable[[Request, int, Exception, str], Response | None]
"""``(request, status, error, detail)`` -> an HTML page, or None to answer JSON."""
_REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
            405: "MethodNotAllowed", 406: "NotAcceptable", 409: "Conflict",
            413: "PayloadTooLarge",
            415: "UnsupportedMediaType", 422: "InvalidInput", 429: "RateLimited"}


class RequestBodyTooLarge(InvalidInput):
    """The request body exceeds the configured limit (raised while it streams in)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"larger than the limit of {limit} bytes", field="body")


def status_for(exc: SocialReferralError) -> tuple[int, dict[str, str]]:
    """The HTTP status (and extra headers) that ``exc`` means."""
    if isinstance(exc, AccountLocked):
        return 429, {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, NotAuthenticated):
        return 401, {"WWW-Authenticate": 'Bearer realm="socialreferral"'}
    if isinstance(exc, SignatureInvalid | RoleRequired | TokenInvalid):
        return 403, {}
    if isinstance(exc, RequestBodyTooLarge | MessageTooLarge | DocumentTooLarge):
        return 413, {"Connection": "close"} if isinstance(exc, RequestBodyTooLarge) else {}
    if isinstance(exc, InvalidInput):
        return 400, {}
    if isinstance(exc, NotFound):
        return 404, {}
    if isinstance(exc, StateConflict):
        return 409, {}
    if isinstance(exc, Unsupported):
        return 501, {}
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


def _as_page(request: Request, status: int, exc: Exception, detail: str,
             headers: Mapping[str, str]) -> Response | None:
    """The app's HTML rendering of an error, if it has one and takes this request."""
    renderer: HtmlErrors | None = getattr(request.app.state, "html_errors", None)
    page = renderer(request, status, exc, detail) if renderer is not None else None
    if page is not None:
        for name, value in headers.items():
            page.headers.setdefault(name, value)
    return page


async def library_error(request: Request, exc: Exception) -> Response:
    """Answer a :class:`SocialReferralError` by meaning (module docstring)."""
    assert isinstance(exc, SocialReferralError)
    status, headers = status_for(exc)
    field = getattr(exc, "field", None)
    log = app_logger()
    if status >= 500 and status != 501:
        # The message may name a secret or a backend: log it, answer generically.
        log.warning("%s -> %d %s: %s", _where(request), status, type(exc).__name__, exc)
        detail = ("temporarily unavailable, retry later" if status == 503
                  else "internal error")
        return (_as_page(request, status, exc, detail, headers)
                or error_json(status, type(exc).__name__, detail, None, headers))
    log.info("%s -> %d %s%s", _where(request), status, type(exc).__name__,
             f" ({field})" if field else "")
    return (_as_page(request, status, exc, str(exc), headers)
            or error_json(status, type(exc).__name__, str(exc), field, headers))


async def validation_error(request: Request, exc: Exception) -> Response:
    """FastAPI's parameter validation, answered like :class:`InvalidInput` (422)."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {}
    field = ".".join(str(p) for p in first.get("loc", ())) or None
    app_logger().info("%s -> 422 RequestValidationError (%s)", _where(request), field)
    detail = str(first.get("msg", "invalid request"))
    return (_as_page(request, 422, exc, detail, {})
            or error_json(422, "InvalidInput", detail, field))


async def http_error(request: Request, exc: Exception) -> Response:
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
    return (_as_page(request, exc.status_code, exc, str(exc.detail), headers)
            or error_json(exc.status_code, name, str(exc.detail), None, headers))


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
    "HtmlErrors",
    "RequestBodyTooLarge",
    "allowed_methods",
    "error_json",
    "install_error_handlers",
    "status_for",
]
