"""The console's static files: served from the package under ``/static``, never a CDN.

``static/console.css`` and ``static/console.js`` are the console's own; ``static/vendor/``
holds third-party assets vendored from the npm registry with their licences
(``static/vendor/README.md``): htmx for partial updates and Swagger UI for the offline
API docs. Files are served with a long cache lifetime only where their URL changes when
they do (the vendored versions are in the path).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from starlette.staticfiles import StaticFiles

STATIC_PREFIX = "/static"
HTMX_VERSION = "2.0.11"
SWAGGER_UI_VERSION = "5.35.0"

ASSET_URLS = {
    "css": f"{STATIC_PREFIX}/console.css",
    "js": f"{STATIC_PREFIX}/console.js",
    "htmx": f"{STATIC_PREFIX}/vendor/htmx/htmx.min.js",
    "swagger_js": f"{STATIC_PREFIX}/vendor/swagger-ui/swagger-ui-bundle.js",
    "swagger_css": f"{STATIC_PREFIX}/vendor/swagger-ui/swagger-ui.css",
    "swagger_init": f"{STATIC_PREFIX}/swagger-init.js",
}
"""Every asset a template links to (templates use these, never a literal path)."""


def static_dir() -> Path:
    """The packaged ``static/`` folder."""
    return Path(str(files("socialreferral.web.console") / "static"))


def static_files() -> StaticFiles:
    """The ASGI app serving ``static/`` (mounted at :data:`STATIC_PREFIX`)."""
    return StaticFiles(directory=static_dir(), check_dir=True)


__all__ = ["ASSET_URLS", "HTMX_VERSION", "STATIC_PREFIX", "SWAGGER_UI_VERSION", "static_dir",
           "static_files"]
