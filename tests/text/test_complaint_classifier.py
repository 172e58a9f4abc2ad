"""ComplaintClassifier: a trained complaint detector stacked on the complaint cues."""

from __future__ import annotations

import pytest

from socialreferral.text import ComplaintClassifier

COMPLAINTS = [
    "my internet is down again, third time this week",
    "the app doesn't work since the update",
    "I can't login to my account",
    "package never arrived and no one answers the phone",
    "been on hold for 2 hours @acme",
    "you charged me twice for the same order",
    "not happy with the service at all",
    "flight delayed again #fail",
]
NOT_COMPLAINTS = [
    "thanks for the quick help, all sorted now!",
    "love the new update, great job",
    "what time do you open on sunday?",
    "can you tell me how to change my address",
    "no problems, no complaints, great service today",
    "just landed in lisbon, the crew were lovely",
    "is the new card available in blue?",
    "happy friday everyone",
]
MORE_COMPLAINTS = [
    "my card was declined again and nobody called back",
    "the transfer failed and the money is gone",
    "worst customer service, waited an hour for nothing",
    "app keeps crashing when I open my statement",
]
MORE_OTHER = [
    "great to see the branch open late on thursdays",
    "does the savings account pay monthly interest?",
    "thank you, the new app looks really nice",
    "see you at the conference next week",
]


def _fitted() -> ComplaintClassifier:
    texts = COMPLAINTS + MORE_COMPLAINTS + NOT_COMPLAINTS + MORE_OTHER
    labels = ["complaint"] * (len(COMPLAINTS) + len(MORE_COMPLAINTS)) + ["other"] * (
        len(NOT_COMPLAINTS) + len(MORE_OTHER)
    )
    return ComplaintClassifier(features="tfidf", inner_folds=3).fit(texts, labels)


def test_stacked_classifier_learns_from_the_cues_and_separates_new_posts() -> None:
    clf = _fitted()
    # The stacker relies on the cue count: more net negative cues, more complaint.
    assert clf.coef[1] > 0
    new = [
        "still waiting for my refund, this is unacceptable",
        "the website is broken and no one answers",
        "lovely staff at the branch today, thank you",
        "what are your opening hours on saturday?",
    ]
    assert clf.predict(new) == ["complaint", "complaint", "other", "other"]
    proba = clf.predict_proba(new)
    assert proba.shape == (4,)
    assert proba[0] > 0.5 > proba[2]
    assert clf.predict([]) == []


def test_labels_other_than_the_positive_one_are_other() -> None:
    texts = COMPLAINTS[:6] + NOT_COMPLAINTS[:6]
    labels = ["complaint"] * 6 + ["praise", "question"] * 3
    clf = ComplaintClassifier(features="tfidf", inner_folds=3).fit(texts, labels)
    assert set(clf.predict(texts)) <= {"complaint", "other"}


def test_bad_input_gives_clear_errors() -> None:
    with pytest.raises(ValueError, match="inner_folds"):
        ComplaintClassifier(inner_folds=1)
    with pytest.raises(ValueError, match="length"):
        ComplaintClassifier(features="tfidf").fit(["a", "b"], ["complaint"])
    with pytest.raises(ValueError, match="at least"):
        ComplaintClassifier(features="tfidf").fit(["awful", "fine"], ["complaint", "other"])
    with pytest.raises(RuntimeError, match="not fitted"):
        ComplaintClassifier().predict(["awful"])
