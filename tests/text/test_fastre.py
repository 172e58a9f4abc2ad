"""Literal-first regex spellings find exactly the spans of the ``\\b``-anchored originals."""

from __future__ import annotations

import re

import pytest

from socialreferral.text import entities, patterns
from socialreferral.text._fastre import alternation_first, digit_first, word_first

TEXTS = [
    "what can i do? how much is it, where is the bank. whatever can you do",
    "somewhat is it: xhow much / showhow much / nowhere is / so_what can i",
    "do you know; does anyone know? has anyone tried it, have anyone had it",
    "tell me how, show me what, explain to me why; retell me how",
    "see you today! today's plan, xtoday, tomorrow night, this weekend, last night",
    "next week or next month; context week; mondays monday wednesday_sunday sunday",
    "12/3 and 1/2/2020, a1/2, 2020-01-02, x2020-01-02, \u0663/4, \u0661\u0662/\u0663",
    "looking for a card, overlooking for, need help, want info, seeking advice",
    "wondering if, i'm wondering whether, awondering if",
    "want to buy a car, not looking for one, don't need a loan; wanna get  it, xneed a",
    "click here!! free followers $$$ win a car #a #b #c #d #e #f 100% free, f4f, 1100% free",
    "who cares? how awesome is that. isn't it great, why not ? still waiting, rip off #fail",
]


def test_word_first_matches_the_boundary_anchored_alternation() -> None:
    words = ["does", "do", "what", "whatever", r"this\s+week"]
    slow = re.compile(r"\b(?:does|do|what|whatever|this\s+week)\b")
    fast = re.compile(word_first(words) + r"\b")
    text = "do does what whatever xwhat _do this  week athis week whatever's"
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in slow.finditer(text)]
    assert [m.group(0) for m in fast.finditer("xdo do")] == ["do"]


def test_word_first_rejects_a_non_letter_start() -> None:
    with pytest.raises(ValueError, match="letter"):
        word_first([r"\bwhat"])


def test_alternation_first_matches_the_original_alternation() -> None:
    source = r"\b(?:(?:a|ab)c|b\w*)\s+x\b | \bdo(?:es)?\b | \$\$+"
    slow = re.compile(source, re.VERBOSE)
    fast = re.compile(alternation_first(source, verbose=True), re.VERBOSE)
    text = "abc x ac x bzz x xbz x does do $$ $ doesn't abcx x _do"
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in slow.finditer(text)]
    found = [m.group(0) for m in fast.finditer(text)]
    assert found == ["abc x", "ac x", "bzz x", "does", "do", "$$"]


def test_alternation_first_rejects_what_it_cannot_respell() -> None:
    with pytest.raises(ValueError, match="must start with"):
        alternation_first(r"\bwhat|who", verbose=False)
    with pytest.raises(ValueError, match="after another kind"):
        alternation_first(r"\$+|\bwhat", verbose=False)
    with pytest.raises(ValueError, match="repeated group"):
        alternation_first(r"\b(?:a|b)+", verbose=False)


@pytest.mark.parametrize("text", TEXTS)
def test_rule_scans_equal_the_reference_patterns(text: str) -> None:
    low = text.lower()
    for reference, fast in [
        (patterns.PURCHASE, patterns._PURCHASE_LOW),
        (patterns.NEGATED_PURCHASE, patterns._NEGATED_LOW),
        (patterns.SPAM, patterns._SPAM_LOW),
        (patterns.RHETORICAL, patterns._RHETORICAL_LOW),
        (patterns.COMPLAINT, patterns._COMPLAINT_LOW),
    ]:
        assert [m.span() for m in fast.finditer(low)] == [
            m.span() for m in reference.finditer(text)
        ], reference.pattern[:30]


def test_digit_first_matches_the_boundary_anchored_digit() -> None:
    slow = re.compile(r"\b\d(?:\d?/\d)")
    fast = re.compile(digit_first(r"\d?/\d"))
    text = "1/2 a1/2 _3/4 12/3 x12/3 \u0663/4"
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in slow.finditer(text)]
    assert [m.group(0) for m in fast.finditer(text)] == ["1/2", "12/3", "\u0663/4"]


@pytest.mark.parametrize("text", TEXTS)
def test_info_seeking_scans_equal_the_reference_patterns(text: str) -> None:
    low = text.lower()
    for name, src in patterns._named_groups(patterns.INFO_SEEKING).items():
        reference = re.compile(src, re.VERBOSE)
        fast = patterns._INFO_RES[name]
        assert [m.span() for m in fast.finditer(low)] == [
            m.span() for m in reference.finditer(low)
        ], name


@pytest.mark.parametrize("text", TEXTS)
def test_date_scans_equal_the_reference_patterns(text: str) -> None:
    low = text.lower()
    relative = re.compile(entities._RELATIVE_DATE)
    numeric = re.compile(entities._NUMERIC_DATE)
    assert [m.span() for m in entities._RELATIVE_DATE_RE.finditer(low)] == [
        m.span() for m in relative.finditer(low)
    ]
    assert [m.span() for m in entities._NUM_DATE.finditer(low)] == [
        m.span() for m in numeric.finditer(low)
    ]


def test_scans_find_what_they_should() -> None:
    low = "where is it? today at 12/3, see you next week"
    assert [m.group(0) for m in entities._RELATIVE_DATE_RE.finditer(low)] == [
        "today",
        "next week",
    ]
    assert [m.group(0) for m in entities._NUM_DATE.finditer(low)] == ["12/3"]
    assert [m.group(0) for m in patterns._INFO_RES["where_is"].finditer(low)] == ["where is"]
