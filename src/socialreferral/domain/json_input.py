"""Parsing untrusted JSON with bounds: size, nesting depth, valid text.

Every boundary that takes JSON from outside (a queue message, a webhook body, a form, a
settings payload) parses it here, so that nothing deeper than :data:`MAX_DEPTH` reaches
code that walks documents recursively, and every failure is one typed
:class:`~socialreferral.errors.InvalidInput` naming the field — never a ``RecursionError``
or a ``UnicodeDecodeError`` escaping from a handler.
"""

from __future__ import annotations

import json
import re
from typing import Any

from socialreferral.errors import InvalidInput

MAX_DEPTH = 32
"""Deepest nesting accepted (our own formats need 6; Meta deliveries about 8)."""

# JSON may spell a lone UTF-16 surrogate ("\udc00"); Python decodes it into a str that
# cannot be encoded as UTF-8 (SQLite, hashing, HTTP all fail on it), so such strings are
# repaired with U+FFFD. The escape test on the raw text keeps the common case free.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json(raw: bytes | bytearray | str, *, field: str = "body",
               max_depth: int = MAX_DEPTH, max_bytes: int | None = None) -> Any:
    """Parse ``raw`` as JSON; ``InvalidInput(field=field)`` when it is too large, not
    UTF-8, not JSON, or nested deeper than ``max_depth``."""
    if max_bytes is not None and len(raw) > max_bytes:
        raise InvalidInput(f"{len(raw)} bytes exceeds the limit of {max_bytes}", field=field)
    try:
        text = raw if isinstance(raw, str) else bytes(raw).decode("utf-8")
        value = json.loads(text)
    except RecursionError:
        raise InvalidInput(f"nested deeper than {max_depth} levels", field=field) from None
    except UnicodeDecodeError:
        raise InvalidInput("not UTF-8 text", field=field) from None
    except ValueError as exc:
        raise InvalidInput(f"not valid JSON: {exc}", field=field) from None
    check_depth(value, field=field, max_depth=max_depth)
    if _SURROGATE_ESCAPE.search(text) is not None:
        value = _repair_surrogates(value)
    return value


def parse_json_object(raw: bytes | bytearray | str, *, field: str = "body",
                      max_depth: int = MAX_DEPTH,
                      max_bytes: int | None = None) -> dict[str, Any]:
    """:func:`parse_json` that also requires a JSON object at the top."""
    value = parse_json(raw, field=field, max_depth=max_depth, max_bytes=max_bytes)
    if not isinstance(value, dict):
        raise InvalidInput("expected a JSON object", field=field)
    return value


def check_depth(value: Any, *, field: str = "body", max_depth: int = MAX_DEPTH) -> None:
    """``InvalidInput`` if ``value`` (parsed JSON) nests deeper than ``max_depth``.

    Iterative, so checking a hostile document cannot itself exhaust the stack.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            raise InvalidInput(f"nested deeper than {max_depth} levels", field=field)
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, dict | list))


def _repair_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_repair_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_repair_surrogates(k): _repair_surrogates(v) for k, v in value.items()}
    return value


__all__ = ["MAX_DEPTH", "check_depth", "parse_json", "parse_json_object"]
