"""Translate portable :class:`~socialreferral.records.Filter` lists into Cosmos SQL.

Kept separate from :mod:`socialreferral.providers.azure.cosmos` so the adapter module stays
about I/O. Values always travel as parameters; field names (which come from code, not from
users) are validated and quoted with JSON string escaping.

The reference semantics (:func:`socialreferral.ports.matches`) say a missing field matches
nothing but ``ne`` and that comparing unlike types is false; Cosmos already treats both as
``undefined`` (false) for ``=``/``<``/..., so only ``ne`` needs explicit type tests.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from socialreferral.errors import InvalidInput
from socialreferral.records import Filter

_OPERATORS = {"eq": "=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def field_ref(name: str) -> str:
    """``c.doc["name"]``, rejecting names that are not plain printable identifiers."""
    if not isinstance(name, str) or not name or not name.isprintable() or len(name) > 255:
        raise InvalidInput("must be a non-empty printable field name", field="where")
    return f"c.doc[{json.dumps(name)}]"


def _type_test(value: Any) -> str:
    if value is None:
        return "IS_NULL"
    if isinstance(value, bool):
        return "IS_BOOL"
    if isinstance(value, int | float):
        return "IS_NUMBER"
    if isinstance(value, str):
        return "IS_STRING"
    if isinstance(value, list | tuple):
        return "IS_ARRAY"
    return "IS_OBJECT"


def build_query(
    collection: str,
    filters: Sequence[Filter],
    *,
    now: float,
    order_by: str | None,
    descending: bool,
    tie_break: bool,
) -> tuple[str, list[dict[str, Any]]]:
    """SQL text and parameters selecting live documents of ``collection`` that match.

    ``c.pk = @pk`` is in the SQL as well as in the request's partition key: the real
    service scopes by the header, @vercel/cosmosdb-server only by the SQL.
    ``tie_break`` adds ``c.id`` as a second ORDER BY term, which the real service accepts
    only with a composite index on (field, id).
    """
    parameters: list[dict[str, Any]] = [
        {"name": "@pk", "value": collection},
        {"name": "@now", "value": now},
    ]
    clauses = [
        "c.pk = @pk",
        "(NOT IS_DEFINED(c.expires_at) OR IS_NULL(c.expires_at) OR c.expires_at > @now)",
    ]
    for index, item in enumerate(filters):
        ref, param = field_ref(item.field), f"@p{index}"
        value = list(item.value) if item.op == "in" else item.value
        parameters.append({"name": param, "value": value})
        if item.op == "in":
            if not isinstance(item.value, list | tuple | set | frozenset):
                raise InvalidInput("'in' needs a list of values", field="where")
            clauses.append(f"ARRAY_CONTAINS({param}, {ref})")
        elif item.op == "ne":
            test = _type_test(item.value)
            clauses.append(f"(NOT IS_DEFINED({ref}) OR NOT {test}({ref}) OR {ref} != {param})")
        elif item.op in _OPERATORS:
            clauses.append(f"{ref} {_OPERATORS[item.op]} {param}")
        else:
            raise InvalidInput(f"unknown operator {item.op!r}", field="where")
    direction = "DESC" if descending else "ASC"
    if order_by is None:
        order = f"c.id {direction}"
    elif tie_break:
        order = f"{field_ref(order_by)} {direction}, c.id {direction}"
    else:
        order = f"{field_ref(order_by)} {direction}"
    return f"SELECT * FROM c WHERE {' AND '.join(clauses)} ORDER BY {order}", parameters


__all__ = ["build_query", "field_ref"]
