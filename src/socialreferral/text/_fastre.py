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

__all__ = ["alternation_first", "digit_first", "word_first"]


def word_first(alternatives: list[str]) -> str:
    """``\\b(?:alt1|alt2|...)`` spelled literal-first.

    Each alternative must start with a lower-case ASCII letter or a digit written literally
    (the rest may be any regex). Alternatives keep their order within their first
    character; two alternatives with different first characters never match at the same
    place, so the leftmost-first choice of ``re`` is unchanged.
    """
    return "(?:" + "|".join(_word_parts(alternatives)) + ")"


def _word_parts(alternatives: list[str]) -> list[str]:
    # word_first's alternatives, one per first character, each starting with that literal.
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        first = alt[0]
        if not ("a" <= first <= "z" or "0" <= first <= "9"):
            raise ValueError(f"alternative must start with a letter or digit: {alt!r}")
        groups.setdefault(first, []).append(alt[1:])
    return [f"{c}(?<!\\w{c})(?:{'|'.join(rests)})" for c, rests in groups.items()]


def digit_first(rest: str) -> str:
    """``\\b\\d(?:rest)`` spelled literal-first: ``\\d(?<!\\w\\d)(?:rest)``."""
    return f"\\d(?<!\\w\\d)(?:{rest})"


def alternation_first(source: str, *, verbose: bool) -> str:
    """A regex whose top-level alternatives start with ``\\b``, spelled literal-first.

    Each alternative ``\\b(?:w1|w2|...)rest`` (groups nest: ``\\b(?:(?:a|b)x|c)y``) becomes
    ``w1 rest``, ``w2 rest``, ... for :func:`word_first`: trying ``(?:a|b)rest`` at a place
    tries ``a rest``, then ``b rest``, the same order. Alternatives that do not start with
    ``\\b`` (``\\$+``, ...) must come last and start with no word character; they are kept
    as they are, after the rest. ``verbose``: the source is ``re.VERBOSE`` (and has no
    comments): whitespace before an alternative is then skipped, other whitespace kept.
    """
    words: list[str] = []
    others: list[str] = []
    for alt in _split(source):
        alt = alt.lstrip() if verbose else alt
        if alt.startswith("\\b"):
            if others:
                raise ValueError(f"a \\b alternative after another kind: {alt!r}")
            words += _expand(alt[2:], verbose)
        elif alt[:1].isalnum() or alt[:1] == "_":
            raise ValueError(f"alternative must start with \\b: {alt!r}")
        else:
            others.append(alt)
    # Flat, not one group: ``re`` finds a first-character set only when every top-level
    # alternative starts with a literal.
    return "|".join([*_word_parts(words), *others])


def _expand(alt: str, verbose: bool) -> list[str]:
    # ``(?:a|b)rest`` -> [a rest, b rest], recursively; anything else stays whole.
    alt = alt.lstrip() if verbose else alt
    if not alt.startswith("(?:"):
        return [alt]
    end = _group_end(alt)
    rest = alt[end + 1 :]
    if rest[:1] in ("?", "*", "+", "{"):  # a repeated group: cannot be distributed
        raise ValueError(f"alternative starts with a repeated group: {alt!r}")
    return [x for member in _split(alt[3:end]) for x in _expand(member + rest, verbose)]


def _scan(source: str) -> list[tuple[int, int]]:
    # (index, depth) of every "|" and ")" outside escapes and character classes.
    out = []
    depth, i, in_class = 0, 0, False
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if source[i + 1 : i + 2] == "]":  # "[]...]": a leading "]" is literal
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            out.append((i, depth))
            depth -= 1
        elif c == "|":
            out.append((i, depth))
        i += 1
    return out


def _split(source: str) -> list[str]:
    # The top-level alternatives of ``source``.
    cuts = [i for i, depth in _scan(source) if depth == 0 and source[i] == "|"]
    return [source[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(source)], strict=True)]


def _group_end(source: str) -> int:
    # Index of the ")" closing the group that opens at index 0.
    return next(i for i, depth in _scan(source) if depth == 1 and source[i] == ")")
