"""Literal-first spellings of word-anchored regexes (same matches, faster scans in ``re``).

``re`` scans quickly for the possible first characters of a pattern only when the pattern
starts with a literal, a character class, or an alternation of literals. A pattern starting
with ``\\b`` gets no such prefix, so the matcher is tried at every position of the text.
:func:`word_first` writes ``\\b(?:w1|w2|...)`` as ``(?:a(?<!\\wa)(?:...)|b(?<!\\wb)(?:...))``:
the first letter is matched before the boundary test (a look-behind over that letter and
the character before it), which finds exactly the same spans: ``\\b`` before a word
character holds iff the previous character is not a word character.
"""

from __future__ import annotations

__all__ = ["digit_first", "word_first"]


def word_first(alternatives: list[str]) -> str:
    """``\\b(?:alt1|alt2|...)`` spelled literal-first.

    Each alternative must start with a lower-case ASCII letter written literally (the rest
    may be any regex). Alternatives keep their order within their first letter; two
    alternatives with different first letters never match at the same place, so the
    leftmost-first choice of ``re`` is unchanged.
    """
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        first = alt[0]
        if not ("a" <= first <= "z"):
            raise ValueError(f"alternative must start with a letter: {alt!r}")
        groups.setdefault(first, []).append(alt[1:])
    parts = [f"{c}(?<!\\w{c})(?:{'|'.join(rests)})" for c, rests in groups.items()]
    return "(?:" + "|".join(parts) + ")"


def digit_first(rest: str) -> str:
    """``\\b\\d(?:rest)`` spelled literal-first: ``\\d(?<!\\w\\d)(?:rest)``."""
    return f"\\d(?<!\\w\\d)(?:{rest})"
