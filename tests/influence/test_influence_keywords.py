"""Keyword configuration and matching: hashtags, case, plurals, handles, exclusions."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from socialreferral.influence import KeywordMatcher, TrackedKeyword, TrackingConfig, keyword_key
from socialreferral.influence.keywords import fold, split_words

KEYWORDS = (
    TrackedKeyword(term="United Airlines", aliases=("@united", "#UnitedAirlines")),
    TrackedKeyword(term="#FathersDay"),
    TrackedKeyword(term="Trump", kind="topic", exclude=("trump card",)),
    TrackedKeyword(term="Friday Feeling"),
    TrackedKeyword(term="Delta", kind="competitor"),
)
MATCHER = KeywordMatcher(KEYWORDS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Flying UNITED AIRLINES today", ["unitedairlines"]),
        ("@united lost my bag", ["unitedairlines"]),
        ("#unitedairlines again", ["unitedairlines"]),
        ("United Airline's crew rocks", ["unitedairlines"]),
        ("united we stand", []),  # "@united" is a handle, not the word
        ("the airlines united", []),  # a phrase is contiguous and ordered
        ("Happy fathers day!", ["fathersday"]),
        ("Happy Father's Day", ["fathersday"]),
        ("#FathersDayWeekend is here", ["fathersday"]),  # split at case changes
        ("#fathersday", ["fathersday"]),
        ("Trump rally tonight", ["trump"]),
        ("TRUMPS", ["trump"]),
        ("played my trump card", []),  # exclusion
        ("#FridayFeeling yay", ["fridayfeeling"]),
        ("friday feelings", ["fridayfeeling"]),
        ("@Delta vs @united on #FathersDay", ["unitedairlines", "fathersday", "delta"]),
        ("nothing to see", []),
    ],
)
def test_matching(text: str, expected: list[str]) -> None:
    assert MATCHER.match(text) == expected


def test_keys_and_forms() -> None:
    assert keyword_key("#FathersDay") == keyword_key("Fathers Day") == "fathersday"
    assert KEYWORDS[0].key == "unitedairlines"
    forms = MATCHER.forms("unitedairlines")
    assert {"united", "airline", "unitedairlines"} <= forms


def test_fold_and_split() -> None:
    assert [fold(w) for w in ["Airlines", "father's", "parties", "boxes", "bus", "news"]] == [
        "airline",
        "father",
        "party",
        "box",
        "bus",
        "new",
    ]
    assert split_words("FathersDayWeekend") == ["Fathers", "Day", "Weekend"]
    assert split_words("NYCMarathon") == ["NYC", "Marathon"]


def test_configuration_is_validated() -> None:
    with pytest.raises(ValidationError):
        TrackingConfig(
            keywords=(TrackedKeyword(term="#FathersDay"), TrackedKeyword(term="Fathers Day"))
        )
    with pytest.raises(ValidationError):
        TrackedKeyword(term="###")
    with pytest.raises(ValidationError):
        TrackingConfig(keywords=())
    cfg = TrackingConfig(keywords=KEYWORDS)
    assert cfg.keyword("delta").kind == "competitor"
    with pytest.raises(KeyError):
        cfg.keyword("nope")


def test_long_posts_are_bounded() -> None:
    text = "filler " * 5000 + "United Airlines"
    assert MATCHER.match(text) == []  # only the first tokens are read
    assert MATCHER.match("United Airlines " + "filler " * 5000) == ["unitedairlines"]
