"""analyze: SCION intent types, info-seeking patterns, purchase intent, entities, products."""

from __future__ import annotations

import pytest

from socialreferral.text import IntentClassifier, analyze, extract_entities, info_seeking

CATALOG = {
    "car_loan": ["car loan", "auto loan", "vehicle finance", "loan for a new car"],
    "home_loan": ["mortgage", "home loan", "house loan", "mortgage rates"],
    "credit_card": ["credit card", "cashback card", "travel rewards card"],
}


@pytest.fixture(scope="module")
def clf() -> IntentClassifier:
    return IntentClassifier.from_catalog(CATALOG)


def one(text: str, clf: IntentClassifier | None = None):  # type: ignore[no-untyped-def]
    return analyze([text], clf)[0]


@pytest.mark.parametrize(
    "text",
    [
        "Can someone tell me how to apply for a car loan?",
        "Does anyone know where the nearest branch is?",
        "How much is the annual fee on this card?",
        "I am looking for a good mortgage broker",
    ],
)
def test_questions(text: str) -> None:
    a = one(text)
    assert a.intent == "question"
    assert a.info_seeking and a.actionable


@pytest.mark.parametrize(
    "text", ["Who cares?", "How awesome is that?", "What could possibly go wrong?"]
)
def test_rhetorical_questions_are_not_questions(text: str) -> None:
    assert one(text).intent != "question"


@pytest.mark.parametrize(
    "text",
    [
        "Worst bank ever, still waiting for my refund",
        "The app keeps crashing and customer service is useless",
        "charged twice for the same purchase, unacceptable",
    ],
)
def test_complaints(text: str) -> None:
    a = one(text)
    assert a.intent == "complaint"
    assert a.sentiment == "negative"
    assert a.explanation.intent


def test_spam() -> None:
    a = one("Click here for FREE followers!!! http://spam.example")
    assert a.intent == "spam"
    assert not a.purchase_intent


def test_sharing_and_negation() -> None:
    a = one("No problems, no complaints, great service today!")
    assert a.intent == "sharing"
    assert a.sentiment == "positive"
    assert "negated" in one("not bad at all").explanation.sentiment


def test_money_hashtags_mentions_dates() -> None:
    kinds = [
        (e.kind, e.text)
        for e in extract_entities(
            "Paid $1,200 for #iPhone15 on 3/14, thanks @apple http://t.co/x tomorrow"
        )
    ]
    assert ("money", "$1,200") in kinds
    assert ("hashtag", "#iPhone15") in kinds
    assert ("mention", "@apple") in kinds
    assert ("date", "3/14") in kinds and ("date", "tomorrow") in kinds
    assert ("url", "http://t.co/x") in kinds
    assert [e.kind for e in extract_entities("costs 30 bucks")] == ["money"]
    assert extract_entities("the sun is out") == []


def test_info_seeking_pattern_names() -> None:
    text = "Can anyone recommend a bank? I'm looking for savings"
    assert [n for n, _ in info_seeking(text)] == ["modal_pronoun", "looking_for"]
    names = [p.pattern for p in one(text).info_seeking]
    assert {"modal_pronoun", "recommend", "looking_for"} <= set(names)
    assert [n for n, _ in info_seeking("any recommendations for a bank")] == ["recommend"]


def test_products_and_purchase_intent(clf: IntentClassifier) -> None:
    a, b, c, d = analyze(
        [
            "I am looking for a car loan, any recommendations?",
            "not looking for a credit card, thanks",
            "I'm looking for a good pizza place",
            "just paid off my mortgage!",
        ],
        clf,
    )
    assert a.purchase_intent and a.product == "car_loan"
    assert ("product_term", "loan") in [(e.kind, e.text) for e in a.entities]
    assert not b.purchase_intent and "negated" in b.explanation.purchase_intent
    assert not c.purchase_intent and c.products == ()
    assert d.product == "home_loan" and not d.purchase_intent


def test_catalog_mapping_equals_classifier(clf: IntentClassifier) -> None:
    texts = ["need a new auto loan", "my mortgage rates went up"]
    by_map = [a.product for a in analyze(texts, CATALOG)]
    by_clf = [a.product for a in analyze(texts, clf)]
    assert by_map == by_clf == ["car_loan", "home_loan"]


def test_batch_edge_cases() -> None:
    assert analyze([]) == []
    out = analyze(["", "   ", "ok"])
    assert len(out) == 3 and all(a.products == () for a in out)


def test_fast_constructors_equal_the_dataclass_constructors() -> None:
    import dataclasses

    from socialreferral.text.annotations import (
        Annotation,
        Entity,
        Explanation,
        PatternMatch,
        new_annotation,
        new_entity,
        new_explanation,
        new_pattern,
    )

    ent = new_entity("url", "http://x", 3, 11)
    pat = new_pattern("wh_aux", "how do i")
    exp = new_explanation("a", "b", "c", "d")
    ann = new_annotation("t", "positive", 0.7, "question", True, (), (ent,), (pat,), exp)
    slow = Entity("url", "http://x", 3, 11)
    assert ent == slow and hash(ent) == hash(slow)
    assert pat == PatternMatch("wh_aux", "how do i")
    assert exp == Explanation("a", "b", "c", "d")
    assert ann == Annotation("t", "positive", 0.7, "question", True, (), (ent,), (pat,), exp)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ann.intent = "spam"  # type: ignore[misc]
