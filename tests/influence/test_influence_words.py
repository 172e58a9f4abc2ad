"""Word-cloud words: stop words, the keyword, URLs and mentions out; opinion words in."""

from __future__ import annotations

from socialreferral.influence import KeywordMatcher, TrackedKeyword, cloud_words
from socialreferral.influence.records import MAX_WORDS

FORMS = KeywordMatcher([TrackedKeyword(term="United Airlines", aliases=("@united",))]).forms(
    "unitedairlines"
)


def test_cloud_words_drop_noise_and_keep_opinions() -> None:
    text = (
        "RT @bob: United Airlines lost my bags AGAIN!!! Worst service, not good "
        "https://t.co/abc #delayed #UnitedAirlines 3 hours"
    )
    words = cloud_words(text, FORMS)
    assert words == ("lost", "bags", "again", "worst", "service", "good", "delayed", "hours")
    for gone in ("rt", "bob", "united", "airlines", "https", "my", "not", "3", "unitedairlines"):
        assert gone not in words


def test_each_word_once_per_post_and_bounded() -> None:
    assert cloud_words("late late LATE flight") == ("late", "flight")
    many = " ".join(f"word{chr(97 + i % 26)}{chr(97 + i // 26)}" for i in range(200))
    assert len(cloud_words(many)) == MAX_WORDS


def test_without_keyword_forms_the_keyword_stays() -> None:
    assert "united" in cloud_words("United Airlines crew")
