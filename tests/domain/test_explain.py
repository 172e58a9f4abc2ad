"""Explanations."""

from __future__ import annotations

import pytest

from socialreferral.domain.explain import Explanation


def test_from_weighted() -> None:
    e = Explanation.from_weighted("why", [("a", 0.5, 2.0), ("b", 1.0, 0.25, "note")])
    assert e.total == pytest.approx(1.25)
    assert e.factor("b").note == "note"
    assert e.lines()[0] == "why" and "b: value=1 x weight=0.25 = 0.25 (note)" in e.lines()[2]
    with pytest.raises(KeyError):
        e.factor("c")
