"""A small HTTPS fake of the Key Vault secrets REST API, for the real ``SecretClient``.

No Key Vault emulator exists. This fake serves, over TLS with a trustme CA, the routes the
SDK calls for get/set/versions/list/delete/recover/purge, and Key Vault's challenge
authentication: a request without the expected bearer token gets 401 with a
``WWW-Authenticate: Bearer authorization=..., resource=...`` challenge, which makes the
SDK ask the credential for a token and retry. ``created`` timestamps have whole-second
resolution, as the service's do.

The list of secrets is paged like the service's (``maxresults``, default 25, and a
``nextLink``); names in ``managed`` are reported as certificate-backed (``managed: true``).

Not covered: RBAC decisions, throttling, secret attributes (expiry, content type, tags),
paging over many versions, the service's exact error texts.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from werkzeug import Request, Response

TENANT = "00000000-0000-0000-0000-0000000000aa"
TOKEN = "fake-vault-token"
CHALLENGE = (
    f'Bearer authorization="https://login.microsoftonline.com/{TENANT}", '
    'resource="https://vault.azure.net"'
)


@dataclass
class _Version:
    version: str
    value: str
    created: int


@dataclass
class KeyVaultFake:
    """State and request handler; ``requests`` records (method, path, authorised)."""

    live: dict[str, list[_Version]] = field(default_factory=dict)
    deleted: dict[str, list[_Version]] = field(default_factory=dict)
    managed: set[str] = field(default_factory=set)
    requests: list[tuple[str, str, bool]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, request: Request) -> Response:
        authorised = request.headers.get("Authorization") == f"Bearer {TOKEN}"
        self.requests.append((request.method, request.path, authorised))
        if not authorised:
            return Response(status=401, headers={"WWW-Authenticate": CHALLENGE})
        base = request.host_url.rstrip("/")
        with self.lock:
            return self._route(request, base)

    def _route(self, request: Request, base: str) -> Response:
        method, path = request.method, request.path.rstrip("/")
        if path == "/secrets" and method == "GET":
            return self._list(request, base)
        if match := re.fullmatch(r"/secrets/([A-Za-z0-9-]+)", path):
            name = match[1]
            if method == "PUT":
                return self._set(name, json.loads(request.get_data())["value"], base)
            if method == "GET":
                return self._get(name, None, base)
            if method == "DELETE":
                return self._delete(name, base)
        if match := re.fullmatch(r"/secrets/([A-Za-z0-9-]+)/versions", path):
            return self._versions(match[1], base)
        if match := re.fullmatch(r"/secrets/([A-Za-z0-9-]+)/([A-Za-z0-9]+)", path):
            return self._get(match[1], match[2], base)
        if match := re.fullmatch(r"/deletedsecrets/([A-Za-z0-9-]+)", path):
            name = match[1]
            if name not in self.deleted:
                return _error(404, "SecretNotFound", f"Deleted Secret not found: {name}")
            if method == "DELETE":
                del self.deleted[name]
                return Response(status=204)
            return _json(self._deleted_bundle(name, base))
        if match := re.fullmatch(r"/deletedsecrets/([A-Za-z0-9-]+)/recover", path):
            name = match[1]
            if name not in self.deleted:
                return _error(404, "SecretNotFound", f"Deleted Secret not found: {name}")
            self.live[name] = self.deleted.pop(name)
            return _json(_bundle(name, self.live[name][-1], base))
        return _error(400, "BadParameter", f"fake does not serve {method} {path}")

    def _set(self, name: str, value: str, base: str) -> Response:
        if name in self.deleted:
            body = {
                "error": {
                    "code": "Conflict",
                    "message": f"Secret {name} is currently in a deleted but recoverable state",
                    "innererror": {"code": "ObjectIsDeletedButRecoverable"},
                }
            }
            return _json(body, 409)
        version = _Version(uuid.uuid4().hex, value, int(time.time()))
        self.live.setdefault(name, []).append(version)
        return _json(_bundle(name, version, base))

    def _get(self, name: str, version: str | None, base: str) -> Response:
        versions = self.live.get(name, [])
        chosen = [v for v in versions if version is None or v.version == version]
        if not chosen:
            return _error(404, "SecretNotFound", f"A secret with (name/id) {name} was not found")
        return _json(_bundle(name, chosen[-1], base))

    def _versions(self, name: str, base: str) -> Response:
        if name not in self.live:
            return _error(404, "SecretNotFound", f"A secret with (name/id) {name} was not found")
        items = [
            {"id": f"{base}/secrets/{name}/{v.version}", "attributes": _attributes(v)}
            for v in reversed(self.live[name])  # the service does not promise an order
        ]
        return _json({"value": items, "nextLink": None})

    def _list(self, request: Request, base: str) -> Response:
        size = int(request.args.get("maxresults", "25"))
        start = int(request.args.get("$skiptoken", "0"))
        names = sorted(self.live)
        items = [
            {"id": f"{base}/secrets/{name}", "attributes": _attributes(self.live[name][-1]),
             **({"managed": True} if name in self.managed else {})}
            for name in names[start : start + size]
        ]
        following = start + size
        api = request.args.get("api-version", "7.5")
        next_link = (f"{base}/secrets?api-version={api}&$skiptoken={following}&maxresults={size}"
                     if following < len(names) else None)
        return _json({"value": items, "nextLink": next_link})

    def _delete(self, name: str, base: str) -> Response:
        if name not in self.live:
            return _error(404, "SecretNotFound", f"A secret with (name/id) {name} was not found")
        self.deleted[name] = self.live.pop(name)
        return _json(self._deleted_bundle(name, base))

    def _deleted_bundle(self, name: str, base: str) -> dict[str, Any]:
        bundle = _bundle(name, self.deleted[name][-1], base)
        now = int(time.time())
        bundle |= {
            "recoveryId": f"{base}/deletedsecrets/{name}",
            "deletedDate": now,
            "scheduledPurgeDate": now + 90 * 86400,
        }
        return bundle


def _attributes(version: _Version) -> dict[str, Any]:
    return {
        "enabled": True,
        "created": version.created,
        "updated": version.created,
        "recoveryLevel": "Recoverable+Purgeable",
    }


def _bundle(name: str, version: _Version, base: str) -> dict[str, Any]:
    return {
        "value": version.value,
        "id": f"{base}/secrets/{name}/{version.version}",
        "attributes": _attributes(version),
    }


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def _error(status: int, code: str, message: str) -> Response:
    return _json({"error": {"code": code, "message": message}}, status)


class RecordingCredential:
    """A tiny ``TokenCredential`` test double: hands out :data:`TOKEN`, records scopes."""

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[str, ...], str | None]] = []

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> Any:
        from azure.core.credentials import AccessToken

        self.calls.append((scopes, tenant_id))
        return AccessToken(TOKEN, int(time.time()) + 3600)
