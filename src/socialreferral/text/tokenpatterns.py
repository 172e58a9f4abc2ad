"""Word-sequence patterns matched over a token list (a tiny rule language).

SCION writes its annotators as declarative rules (AQL over SystemT). Ours are word
sequences, because Python's ``re`` tries every branch of a large alternation at every
character (about 2 µs per character for the care rules), while a dictionary lookup per
token finds the few positions where a rule can start.

A pattern is slots separated by spaces:

- ``a|b|c``  one of these tokens;
- ``#``      a number token ("3", "3rd", "2017");
- ``*``      any word token (not punctuation);
- a slot followed by ``?`` is optional (``me?``, ``*?``);
- ``^`` first: only at the start of a sentence or clause (first token, or after
  ``. ! ? , ; :``, an opener such as "hi" or "please", or a ``@mention``).

Patterns are grouped by *family* (``neg``, ``info``, ...) and *kind* (``waiting``, ...). In
each family, matches do not overlap; at one position the first listed pattern wins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Match", "TokenPatterns"]

_ANY = frozenset({"*"})
_NUM = "#"
# A sentence can also start after a comma or an opener ("hi, can you", "please can you").
_SENTENCE_END = frozenset(
    [
        ".",
        "!",
        "?",
        ",",
        ";",
        ":",
        "hi",
        "hello",
        "hey",
        "please",
        "so",
        "also",
        "and",
        "but",
        "ok",
        "okay",
        "thanks",
    ]
)


@dataclass(frozen=True, slots=True)
class Match:
    """One rule match: family, kind and the token span ``[start, end)``."""

    family: str
    kind: str
    start: int
    end: int


Slot = tuple[frozenset[str], bool]  # words (or {"*"} / {"#"}), optional


def _parse(pattern: str) -> tuple[bool, tuple[Slot, ...]]:
    parts = pattern.split()
    at_start = bool(parts) and parts[0] == "^"
    if at_start:
        parts = parts[1:]
    slots: list[Slot] = []
    for part in parts:
        optional = part.endswith("?") and part != "?"
        words = part[:-1] if optional else part
        slots.append((frozenset(words.split("|")), optional))
    if not slots or slots[0][1]:
        raise ValueError(f"a pattern starts with a required slot: {pattern!r}")
    return at_start, tuple(slots)


def _fits(words: frozenset[str], tok: str) -> bool:
    if tok in words:
        return True
    if words is _ANY or "*" in words:
        return tok[0].isalnum()
    return _NUM in words and tok[0].isdigit()


def _match(slots: tuple[Slot, ...], toks: Sequence[str], j: int) -> int:
    """End index of ``slots`` matched from ``toks[j]``, or -1."""
    if not slots:
        return j
    words, optional = slots[0]
    if j < len(toks) and _fits(words, toks[j]):
        end = _match(slots[1:], toks, j + 1)
        if end >= 0:
            return end
    return _match(slots[1:], toks, j) if optional else -1


def _match_required(slots: tuple[Slot, ...], toks: Sequence[str], j: int) -> int:
    """As :func:`_match` for slots that are all required (no backtracking needed)."""
    if j + len(slots) > len(toks):
        return -1
    for words, _ in slots:
        tok = toks[j]
        if tok not in words and not _fits(words, tok):
            return -1
        j += 1
    return j


# (order, family, kind, at_start, remaining slots, matcher, tokens already matched)
_Entry = tuple[int, str, str, bool, tuple[Slot, ...], Callable[..., int], int]


class TokenPatterns:
    """Compiled patterns: ``{family: {kind: [pattern, ...]}}``, listed in priority order.

    Patterns are indexed by their first two tokens when the second slot is a required
    word list (most are), else by the first token alone, so a common first word ("i",
    "is", "for") costs one extra dictionary lookup, not a scan of its patterns.
    """

    def __init__(self, spec: Mapping[str, Mapping[str, Sequence[str]]]) -> None:
        self.families = tuple(spec)
        one: dict[str, list[_Entry]] = {}
        two: dict[tuple[str, str], list[_Entry]] = {}
        order = 0
        for family, kinds in spec.items():
            for kind, patterns in kinds.items():
                for pattern in patterns:
                    at_start, slots = _parse(pattern)
                    order += 1
                    paired = len(slots) > 1 and not slots[1][1] and "*" not in slots[1][0]
                    rest = slots[2:] if paired else slots[1:]
                    matcher = _match if any(opt for _, opt in rest) else _match_required
                    entry = (order, family, kind, at_start, rest, matcher, 2 if paired else 1)
                    for w1 in slots[0][0]:
                        if paired:
                            for w2 in slots[1][0]:
                                two.setdefault((w1, w2), []).append(entry)
                        else:
                            one.setdefault(w1, []).append(entry)
        self._one = {k: tuple(v) for k, v in one.items()}
        self._two = {k: tuple(v) for k, v in two.items()}
        self._firsts = frozenset(self._one) | frozenset(w for w, _ in self._two)
        self._number_first = _NUM in self._firsts
        self.triggers = frozenset(w for w in self._firsts if w not in ("*", _NUM))

    def can_start(self, tok: str) -> bool:
        """True if some pattern can start at this token."""
        return tok in self._firsts or (self._number_first and tok[:1].isdigit())

    def find(self, toks: Sequence[str], positions: Sequence[int] | None = None) -> list[Match]:
        """Every match in ``toks`` (non-overlapping within a family), in token order.

        ``positions``: the only indices worth trying (ascending), when the caller already
        knows where patterns can start (see :meth:`can_start`).
        """
        one, two, firsts = self._one, self._two, self._firsts
        n = len(toks)
        busy: dict[str, int] = {}
        out: list[Match] = []
        for i in range(n) if positions is None else positions:
            tok = toks[i]
            if tok not in firsts:
                if not (self._number_first and tok[0].isdigit()):
                    continue
                tok = _NUM
            entries = one.get(tok, ())
            if i + 1 < n:
                nxt = toks[i + 1]
                pair = two.get((tok, nxt))
                if pair is None and nxt[0].isdigit():
                    pair = two.get((tok, _NUM))
                if pair:
                    entries = tuple(sorted(entries + pair)) if entries else pair
            if not entries:
                continue
            done: set[str] = set()
            for _, family, kind, at_start, rest, matcher, skip in entries:
                if family in done or busy.get(family, 0) > i:
                    continue
                if at_start and i and not (toks[i - 1] in _SENTENCE_END or toks[i - 1][0] == "@"):
                    continue
                end = matcher(rest, toks, i + skip)
                if end >= 0:
                    out.append(Match(family, kind, i, end))
                    busy[family] = end
                    done.add(family)
        return out
