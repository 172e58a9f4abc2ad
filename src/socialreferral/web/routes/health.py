"""``GET /healthz``: liveness (no port is touched, so it answers while a backend is down)."""

from __future__ import annotations

from fastapi import APIRouter

from socialreferral.web.schemas import Health


def health_router() -> APIRouter:
    """The liveness route."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", response_model=Health, summary="Liveness")
    async def healthz() -> Health:
        """The process is up (no backend is called)."""
        return Health()

    return router


__all__ = ["health_router"]
