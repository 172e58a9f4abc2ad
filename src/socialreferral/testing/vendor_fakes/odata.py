"""A small OData v4 ``$filter`` evaluator for the Dataverse fake.

Covers what the Dynamics adapter sends: ``eq``/``ne``/``ge``/``gt``/``le``/``lt`` between
a column and a literal (strings with doubled quotes, integers, ``true``/``false``,
``null``, ``2031-05-17T09:30:00Z`` date-times), ``and``, ``or``, ``not`` and parentheses.
Anything else raises ``ValueError`` (the fake answers 400, as Dataverse would for a
query it cannot parse), so an adapter that starts sending other syntax is noticed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

_TOKEN = re.compile(r"""\s*(?:
    (?P<str>'(?:[^']|'')*')
  | (?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<paren>[()])
  | (?P<word>[A-Za-z_][A-Za-z0-9_@.]*)
)""", re.VERBOSE)

Row = Mapping[str, Any]
Predicate = Callable[[Row], bool]
_COMPARE = {"eq", "ne", "ge", "gt", "le", "lt"}


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise ValueError(f"cannot parse $filter at {text[position:position + 20]!r}")
        position = match.end()
        kind = match.lastgroup or ""
        raw = match.group(kind)
        if kind == "str":
            out.append(("lit", raw[1:-1].replace("''", "'")))
        elif kind == "dt":
            out.append(("lit", datetime.fromisoformat(raw.replace("Z", "+00:00"))))
        elif kind == "num":
            out.append(("lit", float(raw) if "." in raw else int(raw)))
        elif kind == "paren":
            out.append((raw, raw))
        elif raw in ("null", "true", "false"):
            out.append(("lit", {"null": None, "true": True, "false": False}[raw]))
        elif raw in _COMPARE or raw in ("and", "or", "not"):
            out.append((raw, raw))
        else:
            out.append(("name", raw))
    return out


def compile_filter(text: str) -> Predicate:
    """A predicate over rows for the ``$filter`` expression ``text``."""
    tokens = _tokens(text)
    position = 0

    def peek() -> str | None:
        return tokens[position][0] if position < len(tokens) else None

    def take(kind: str) -> Any:
        nonlocal position
        if peek() != kind:
            raise ValueError(f"expected {kind} in $filter {text!r}")
        position += 1
        return tokens[position - 1][1]

    def expression() -> Predicate:
        left = conjunction()
        while peek() == "or":
            take("or")
            left = _either(left, conjunction())
        return left

    def conjunction() -> Predicate:
        left = unary()
        while peek() == "and":
            take("and")
            left = _both(left, unary())
        return left

    def unary() -> Predicate:
        if peek() == "not":
            take("not")
            inner = unary()
            return lambda row: not inner(row)
        if peek() == "(":
            take("(")
            inner = expression()
            take(")")
            return inner
        column = take("name")
        operator = peek()
        if operator not in _COMPARE:
            raise ValueError(f"expected a comparison after {column} in $filter {text!r}")
        take(operator)
        value = take("lit")
        return lambda row: _compare(_value(row.get(column)), operator, value)

    predicate = expression()
    if position != len(tokens):
        raise ValueError(f"unexpected input at the end of $filter {text!r}")
    return predicate


def _either(a: Predicate, b: Predicate) -> Predicate:
    return lambda row: a(row) or b(row)


def _both(a: Predicate, b: Predicate) -> Predicate:
    return lambda row: a(row) and b(row)


def _value(stored: Any) -> Any:
    if isinstance(stored, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", stored):
        return datetime.fromisoformat(stored.replace("Z", "+00:00"))
    return stored


def _compare(left: Any, operator: str, right: Any) -> bool:
    if operator == "eq":
        if isinstance(left, str) and isinstance(right, str):
            return left.lower() == right.lower()  # Dataverse compares case-insensitively
        return bool(left == right)
    if operator == "ne":
        return not _compare(left, "eq", right)
    if left is None or right is None:
        return False
    try:
        return bool({"ge": left >= right, "gt": left > right,
                     "le": left <= right, "lt": left < right}[operator])
    except TypeError:
        return False


__all__ = ["compile_filter"]
