"""What the requests-based SDK adapters (tweepy for X, linkedin-api-client) share: one
documented hook on the SDK's own ``requests.Session``.

Both SDKs hard-code their API host (``https://api.twitter.com``,
``https://api.linkedin.com``), take no base URL and set no timeout, but expose the
``requests.Session`` they send with. :func:`configure_session` mounts a transport adapter
on it (``Session.mount``, requests' documented per-prefix hook) that sets the timeout
and, when the settings name another host (an egress gateway, a loopback fake), forwards
requests for the SDK's host there with the same path and query. Nothing in the SDK is
patched; with the default host the requests go out unchanged.
"""

from __future__ import annotations

from typing import Any

from socialreferral.providers import import_sdk


def _adapter(timeout: float, source: str | None, target: str | None,
             provider: str, extra: str) -> Any:
    adapters = import_sdk("requests.adapters", provider=provider, extra=extra)

    class HostAdapter(adapters.HTTPAdapter):  # type: ignore[misc, name-defined]
        """requests' HTTPAdapter with a default timeout, forwarding ``source`` to
        ``target`` when both are given."""

        def send(self, request: Any, **kwargs: Any) -> Any:
            if source and target and request.url.startswith(source + "/"):
                request.url = target + request.url[len(source):]
            kwargs["timeout"] = kwargs.get("timeout") or timeout
            return super().send(request, **kwargs)

    return HostAdapter()


def configure_session(session: Any, *, default_host: str, api_url: str, timeout: float,
                      ca_bundle: str | None, provider: str, extra: str) -> None:
    """Timeout, trust and (when ``api_url`` differs from ``default_host``) the host
    forwarding on an SDK's ``requests.Session`` (module docstring)."""
    if ca_bundle:
        session.verify = ca_bundle
    session.mount("https://", _adapter(timeout, None, None, provider, extra))
    if api_url.rstrip("/") != default_host:
        session.mount(default_host + "/", _adapter(timeout, default_host, api_url.rstrip("/"),
                                                   provider, extra))


__all__ = ["configure_session"]
