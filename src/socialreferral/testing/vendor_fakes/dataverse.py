"""A fake Dynamics 365 environment: the Dataverse Web API and an Entra ID token endpoint.

Serve it with ``LoopbackServer(DataverseFake(), tls=True)`` and point ``[dynamics]
environment_url`` *and* ``authority`` at the server's URL (``disable_instance_discovery
= true``, ``ca_bundle`` = the server's ``ca_path``): ``azure-identity``/MSAL then fetch
the OpenID metadata and a client-credentials token from it, and the adapter's httpx
client calls the Web API on it.

What it does, from the documented shapes in ``tests/fixtures/dynamics/``:

* ``GET /{tenant}/v2.0/.well-known/openid-configuration``, ``POST /{tenant}/oauth2/v2.0/token``
  (client credentials; the secret must match); Web API calls without a current bearer
  token get 401;
* entity sets ``products``, ``campaigns``, ``leads``, ``opportunities``, ``tasks``,
  ``campaignresponses``: ``POST`` (create), ``PATCH set(<alternate key>)`` (upsert),
  ``GET set(<key>)``, ``GET set?$filter&$select&$orderby`` with ``Prefer:
  odata.maxpagesize`` paging through ``@odata.nextLink``, ``DELETE set(<guid>)``;
  ``createdon``/``modifiedon`` kept to the second, as the service does;
* alternate keys: ``sr_externalid`` on every set, ``sr_normalisedemail`` and
  ``sr_normalisedphone`` on leads (a conflict is 412 ``0x80060892``; empty values do not
  collide); the default duplicate detection rule for leads (same ``emailaddress1``,
  case-insensitive) when a create says ``MSCRM.SuppressDuplicateDetection: false``
  (500 ``0x80040333``);
* ``QualifyLead`` (a contact and an opportunity), ``DeleteRecordChangeHistory``;
* fault injection: :meth:`DataverseFake.throttle` (429 + ``Retry-After``, ``0x80072322``),
  :meth:`DataverseFake.revoke_tokens` (current tokens refused with 401).

Not covered: security roles and privileges, business rules and plug-ins, the real
duplicate-detection rule engine (only the default lead rule on e-mail), ``$expand``,
``$batch``, change tracking, the Prefer ``return=representation`` body on PATCH, option
set validation, audit history itself, and Dataverse's exact error texts beyond the codes.
"""

from __future__ import annotations

import re
import secrets
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from socialreferral.testing.vendor_fakes.odata import compile_filter
from socialreferral.testing.vendor_fakes.server import FakeRequest, FakeResponse

API = "/api/data/v9.2/"
TENANT = "00000000-0000-0000-0000-0000000000d5"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
CLIENT_SECRET = "fake-dataverse-client-secret"

#: Documented error bodies (tests/fixtures/dynamics/ keeps them with their sources).
DUPLICATE_DETECTED = {"error": {
    "code": "0x80040333", "message": "A record was not created or updated because a "
    "duplicate of the current record already exists."}}
KEY_CONFLICT = {"error": {"code": "0x80060892", "message": "A record that has the attribute "
                          "values {keys} already exists."}}
THROTTLED = {"error": {"code": "0x80072322", "message": "Number of requests exceeded the limit "
                       "of 6000 over time window of 300 seconds."}}
NOT_FOUND = {"error": {"code": "0x80040217", "message": "{entity} With Id = {key} Does Not Exist"}}

PRIMARY_KEYS = {"products": "productid", "campaigns": "campaignid", "leads": "leadid",
                "opportunities": "opportunityid", "tasks": "activityid",
                "campaignresponses": "activityid", "contacts": "contactid"}
ALTERNATE_KEYS = {"leads": ("sr_externalid", "sr_normalisedemail", "sr_normalisedphone")}
_KEY = re.compile(r"^(?P<set>[a-z]+)\((?P<key>.*)\)(?P<rest>/.*)?$")


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


class DataverseFake:
    """In-memory Dataverse: tables of rows, tokens, counters, injected faults."""

    def __init__(self, *, token_lifetime: int = 3599) -> None:
        self.tables: dict[str, dict[str, dict[str, Any]]] = {s: {} for s in PRIMARY_KEYS}
        self.tokens: set[str] = set()
        self.token_lifetime = token_lifetime
        self.token_requests = 0
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.audit_purged: list[str] = []
        self._throttle: list[float] = []
        self._lock = threading.RLock()

    # -- fault injection -----------------------------------------------------------
    def throttle(self, times: int = 1, retry_after: float = 1.0) -> None:
        """Answer the next ``times`` Web API calls with 429 and ``Retry-After``."""
        with self._lock:
            self._throttle.extend([retry_after] * times)

    def revoke_tokens(self) -> None:
        """Refuse every token issued so far (a revoked or expired grant)."""
        with self._lock:
            self.tokens.clear()

    def rows(self, entity_set: str) -> list[dict[str, Any]]:
        """A copy of every row of ``entity_set``."""
        with self._lock:
            return [dict(row) for row in self.tables[entity_set].values()]

    # -- dispatch ------------------------------------------------------------------
    def __call__(self, request: FakeRequest) -> FakeResponse:
        path = request.path
        if path.endswith("/.well-known/openid-configuration"):
            return self._openid(request)
        if path.endswith("/oauth2/v2.0/token"):
            return self._token(request)
        if not path.startswith(API):
            return FakeResponse.json({"error": {"code": "0x80060888",
                                                "message": "Resource not found"}}, 404)
        with self._lock:
            self.requests.append((request.method, path[len(API):], {
                k: v for k, v in request.headers.items()
                if k.startswith("mscrm.") or k in ("prefer", "if-match")}))
            bearer = request.headers.get("authorization", "")
            if not bearer.startswith("Bearer ") or bearer[7:] not in self.tokens:
                return FakeResponse(401, b"", {"WWW-Authenticate": "Bearer"})
            if self._throttle:
                wait = self._throttle.pop(0)
                return FakeResponse.json(THROTTLED, 429, {"Retry-After": f"{wait:g}"})
            try:
                return self._api(request, unquote(path[len(API):]))
            except ValueError as exc:
                return FakeResponse.json({"error": {"code": "0x80060888",
                                                    "message": str(exc)}}, 400)

    def _openid(self, request: FakeRequest) -> FakeResponse:
        base = f"{request.base_url}/{TENANT}"
        return FakeResponse.json({
            "issuer": f"{base}/v2.0", "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post",
                                                      "client_secret_basic"],
            "response_types_supported": ["code", "id_token"], "tenant_region_scope": None})

    def _token(self, request: FakeRequest) -> FakeResponse:
        form = request.form()
        with self._lock:
            self.token_requests += 1
            if (form.get("grant_type") != "client_credentials"
                    or form.get("client_id") != CLIENT_ID
                    or form.get("client_secret") != CLIENT_SECRET
                    or not form.get("scope", "").endswith("/.default")):
                return FakeResponse.json({"error": "invalid_client",
                                          "error_description": "AADSTS7000215: Invalid client "
                                          "secret provided."}, 401)
            token = secrets.token_urlsafe(24)
            self.tokens.add(token)
        return FakeResponse.json({"token_type": "Bearer", "expires_in": self.token_lifetime,
                                  "ext_expires_in": self.token_lifetime, "access_token": token})

    def _api(self, request: FakeRequest, path: str) -> FakeResponse:
        if path == "DeleteRecordChangeHistory" and request.method == "POST":
            target = request.json().get("Target", {})
            self.audit_purged.append(str(target.get("leadid")))
            return FakeResponse.json({"DeletedEntriesCount": 1})
        match = _KEY.match(path)
        if match is None:
            if path not in self.tables:
                raise ValueError(f"unknown entity set {path!r}")
            if request.method == "POST":
                return self._create(path, request)
            if request.method == "GET":
                return self._query(path, request)
            raise ValueError(f"{request.method} on a collection")
        entity_set, key, rest = match["set"], match["key"], match["rest"]
        if entity_set not in self.tables:
            raise ValueError(f"unknown entity set {entity_set!r}")
        if rest == "/Microsoft.Dynamics.CRM.QualifyLead" and request.method == "POST":
            return self._qualify(key)
        row_id = self._find(entity_set, key)
        if request.method == "GET":
            if row_id is None:
                return self._not_found(entity_set, key)
            row = self.tables[entity_set][row_id]
            select = request.query.get("$select")
            return FakeResponse.json(_selected(row, select))
        if request.method == "PATCH":
            return self._upsert(entity_set, key, row_id, request)
        if request.method == "DELETE":
            if row_id is None:
                return self._not_found(entity_set, key)
            del self.tables[entity_set][row_id]
            return FakeResponse(204)
        raise ValueError(f"{request.method} on a row")

    # -- rows ----------------------------------------------------------------------
    def _find(self, entity_set: str, key: str) -> str | None:
        """The primary key of the row ``key`` names (a GUID or ``column='value'``)."""
        table = self.tables[entity_set]
        if "=" not in key:
            return key if key in table else None
        column, _, literal = key.partition("=")
        value = literal.strip("'").replace("''", "'")
        return next((str(pk) for pk, row in table.items() if row.get(column) == value), None)

    def _conflict(self, entity_set: str, row: dict[str, Any], own: str | None) -> str | None:
        keys = ("sr_externalid", *ALTERNATE_KEYS.get(entity_set, ()))
        for pk, held in self.tables[entity_set].items():
            if pk == own:
                continue
            for column in dict.fromkeys(keys):
                if row.get(column) not in (None, "") and held.get(column) == row.get(column):
                    return str(column)
        return None

    def _create(self, entity_set: str, request: FakeRequest) -> FakeResponse:
        row = dict(request.json())
        clash = self._conflict(entity_set, row, None)
        if clash is not None:
            body = {"error": dict(KEY_CONFLICT["error"])}
            body["error"]["message"] = body["error"]["message"].format(keys=clash)
            return FakeResponse.json(body, 412)
        if (entity_set == "leads" and row.get("emailaddress1")
                and request.headers.get("mscrm.suppressduplicatedetection", "").lower() == "false"
                and any(str(h.get("emailaddress1") or "").lower() == row["emailaddress1"].lower()
                        for h in self.tables["leads"].values())):
            return FakeResponse.json(DUPLICATE_DETECTED, 500)
        pk = str(uuid.uuid4())
        row.update({PRIMARY_KEYS[entity_set]: pk, "createdon": _now(), "modifiedon": _now()})
        row.setdefault("statecode", 0)
        self.tables[entity_set][pk] = row
        location = f"{request.base_url}{API}{entity_set}({pk})"
        if "return=representation" in request.headers.get("prefer", ""):
            return FakeResponse.json(row, 201, {"OData-EntityId": location})
        return FakeResponse(204, b"", {"OData-EntityId": location})

    def _upsert(self, entity_set: str, key: str, row_id: str | None,
                request: FakeRequest) -> FakeResponse:
        changes = dict(request.json())
        if "=" in key:  # the key's column is part of the row
            column, _, literal = key.partition("=")
            changes[column] = literal.strip("'").replace("''", "'")
        clash = self._conflict(entity_set, changes, row_id)
        if clash is not None:
            return FakeResponse.json(KEY_CONFLICT, 412)
        if row_id is None:
            if "=" not in key:
                return self._not_found(entity_set, key)
            row_id = str(uuid.uuid4())
            self.tables[entity_set][row_id] = {PRIMARY_KEYS[entity_set]: row_id,
                                               "createdon": _now(), "statecode": 0}
        row = self.tables[entity_set][row_id]
        for column, value in changes.items():
            if column.endswith("@odata.bind"):
                continue
            row[column] = value
        row["modifiedon"] = _now()
        return FakeResponse(204, b"", {"OData-EntityId":
                                       f"{request.base_url}{API}{entity_set}({row_id})"})

    def _query(self, entity_set: str, request: FakeRequest) -> FakeResponse:
        query = request.query
        offset = int(query.get("$skiptoken", "0") or 0)
        rows = list(self.tables[entity_set].values())
        if query.get("$filter"):
            keep: Callable[[dict[str, Any]], bool] = compile_filter(query["$filter"])
            rows = [row for row in rows if keep(row)]
        for clause in reversed([c.strip() for c in query.get("$orderby", "").split(",")
                                if c.strip()]):
            column, _, direction = clause.partition(" ")
            rows.sort(key=_sort_key(column), reverse=direction.strip() == "desc")
        size = 5000
        prefer = re.search(r"odata\.maxpagesize=(\d+)", request.headers.get("prefer", ""))
        if prefer:
            size = int(prefer.group(1))
        page = rows[offset:offset + size]
        body: dict[str, Any] = {
            "@odata.context": f"{request.base_url}{API}$metadata#{entity_set}",
            "value": [_selected(row, query.get("$select")) for row in page]}
        if offset + size < len(rows):
            rest = {k: v for k, v in query.items() if k != "$skiptoken"}
            params = "&".join(f"{k}={v}" for k, v in rest.items())
            body["@odata.nextLink"] = (f"{request.base_url}{API}{entity_set}?"
                                       f"{params}&$skiptoken={offset + size}").replace("?&", "?")
        return FakeResponse.json(body)

    def _qualify(self, key: str) -> FakeResponse:
        lead = self.tables["leads"].get(key)
        if lead is None:
            return self._not_found("leads", key)
        contact, opportunity = str(uuid.uuid4()), str(uuid.uuid4())
        self.tables["contacts"][contact] = {"contactid": contact, "lastname": lead.get("lastname"),
                                            "originatingleadid": key}
        self.tables["opportunities"][opportunity] = {
            "opportunityid": opportunity, "name": lead.get("subject"), "statecode": 0,
            "originatingleadid": key, "createdon": _now(), "modifiedon": _now()}
        lead.update({"statecode": 1, "statuscode": 3, "modifiedon": _now()})
        return FakeResponse.json({"value": [
            {"@odata.type": "#Microsoft.Dynamics.CRM.contact", "contactid": contact},
            {"@odata.type": "#Microsoft.Dynamics.CRM.opportunity", "opportunityid": opportunity},
        ]})

    @staticmethod
    def _not_found(entity_set: str, key: str) -> FakeResponse:
        body = {"error": dict(NOT_FOUND["error"])}
        body["error"]["message"] = f"{entity_set} With Id = {key} Does Not Exist"
        return FakeResponse.json(body, 404)


def _sort_key(column: str) -> Callable[[dict[str, Any]], str]:
    return lambda row: str(row.get(column) or "")


def _selected(row: dict[str, Any], select: str | None) -> dict[str, Any]:
    if not select:
        return dict(row)
    return {c: row.get(c) for c in select.split(",")}


__all__ = ["API", "CLIENT_ID", "CLIENT_SECRET", "TENANT", "DataverseFake"]
