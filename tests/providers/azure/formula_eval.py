"""A small evaluator for the subset of the Azure Batch autoscale formula language that the
generated formulas use, so tests can check what a formula *decides*, not only its text.

Covered: ``name = expr;`` statements, numbers, ``+ - * /``, comparisons, ``a ? b : c``,
``min``/``max``/``ceil`` over numbers and sample vectors, ``TimeInterval_Second``,
``$X.GetSample(n)`` (the last n samples), ``$X.GetSample(interval)`` (the samples of the
last interval, one every 30 s), ``$X.GetSamplePercent(interval)``, ``$CurrentDedicatedNodes``
and the ``taskcompletion`` keyword. Not covered: everything else in the language, and
Batch's own parser (which may still reject what this accepts).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SAMPLE_SECONDS = 30
_TOKEN = re.compile(
    r"\s*(?:(\d+(?:\.\d+)?)|(\$?[A-Za-z_][A-Za-z0-9_]*)|(>=|<=|==|!=|[-+*/?:(),.<>=;]))"
)


@dataclass(frozen=True)
class Interval:
    """A time interval value (``TimeInterval_Second * n``)."""

    seconds: float


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise SyntaxError(f"cannot read formula at {text[pos:pos + 20]!r}")
        out.append(next(g for g in match.groups() if g is not None))
        pos = match.end()
    return out


class _Parser:
    def __init__(
        self, tokens: list[str], env: dict[str, Any], history: Mapping[str, Sequence[float]]
    ) -> None:
        self.tokens, self.pos, self.env, self.history = tokens, 0, env, history

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.tokens[self.pos]
        if expected is not None and token != expected:
            raise SyntaxError(f"expected {expected!r}, found {token!r}")
        self.pos += 1
        return token

    def statements(self) -> None:
        while self.peek() is not None:
            name = self.take()
            self.take("=")
            self.env[name] = self.expr()
            self.take(";")

    def expr(self) -> Any:
        condition = self.comparison()
        if self.peek() != "?":
            return condition
        self.take("?")
        yes = self.expr()
        self.take(":")
        no = self.expr()
        return yes if condition else no

    def comparison(self) -> Any:
        left = self.additive()
        ops = {">": float.__gt__, "<": float.__lt__, ">=": float.__ge__, "<=": float.__le__,
               "==": float.__eq__, "!=": float.__ne__}  # fmt: skip
        if self.peek() in ops:
            op = ops[self.take()]
            return 1.0 if op(float(left), float(self.additive())) else 0.0
        return left

    def additive(self) -> Any:
        value = self.term()
        while self.peek() in ("+", "-"):
            value = value + self.term() if self.take() == "+" else value - self.term()
        return value

    def term(self) -> Any:
        value = self.unary()
        while self.peek() in ("*", "/"):
            op, other = self.take(), self.unary()
            if isinstance(value, Interval):
                value = Interval(value.seconds * other)
            else:
                value = value * other if op == "*" else value / other
        return value

    def unary(self) -> Any:
        if self.peek() == "-":
            self.take()
            return -self.unary()
        return self.primary()

    def primary(self) -> Any:
        token = self.take()
        if token == "(":
            value = self.expr()
            self.take(")")
            return value
        if re.fullmatch(r"\d+(?:\.\d+)?", token):
            return float(token)
        if token == "TimeInterval_Second":
            return Interval(1.0)
        if token == "taskcompletion":
            return token
        if self.peek() == "(":
            return self.call(token)
        if self.peek() == ".":
            self.take(".")
            method = self.take()
            self.take("(")
            arg = self.expr()
            self.take(")")
            return self.sample(token, method, arg)
        return self.env[token]

    def call(self, name: str) -> Any:
        self.take("(")
        args = [self.expr()]
        while self.peek() == ",":
            self.take(",")
            args.append(self.expr())
        self.take(")")
        flat = [float(v) for a in args for v in (a if isinstance(a, list) else [a])]
        functions = {"min": min, "max": max}
        if name == "ceil":
            return float(math.ceil(flat[0]))
        return float(functions[name](flat))

    def sample(self, variable: str, method: str, arg: Any) -> Any:
        samples = list(self.history[variable])
        if isinstance(arg, Interval):
            wanted = int(arg.seconds // SAMPLE_SECONDS) + 1
            if method == "GetSamplePercent":
                return 100.0 * min(len(samples), wanted) / wanted
            return samples[-wanted:]
        if method == "GetSample":
            return samples[-int(arg):]
        raise SyntaxError(f"unsupported {variable}.{method}({arg})")


def evaluate(
    formula: str, history: Mapping[str, Sequence[float]], current_nodes: int
) -> dict[str, Any]:
    """Run ``formula`` on sample ``history`` (oldest first, one sample every 30 s, for
    ``$ActiveTasks``, ``$RunningTasks`` and ``$PendingTasks``); return every variable."""
    env: dict[str, Any] = {"$CurrentDedicatedNodes": float(current_nodes)}
    _Parser(_tokens(formula), env, history).statements()
    return env
