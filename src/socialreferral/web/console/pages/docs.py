"""``GET /docs``: Swagger UI from the package (vendored ``swagger-ui-dist``), offline.

FastAPI's own ``/docs`` loads Swagger UI from a CDN and starts it with an inline script:
blank without the internet, and refused by the console's CSP anyway. This page links the
vendored bundle and ``static/swagger-init.js`` instead. ReDoc is not served.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from socialreferral.web.console.templating import render


def docs_router(openapi_url: str = "/openapi.json") -> APIRouter:
    """The offline API documentation page."""
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    async def docs(request: Request) -> Response:
        """Swagger UI over this app's OpenAPI document."""
        return render(request, "docs.html", {"openapi_url": openapi_url})

    return router


__all__ = ["docs_router"]
