"""KeywordAnalyzer on the paper's kind of posts (seed 000, Section 7)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from socialreferral.domain.analysis import (
    ActivityAnalyzer,
    KeywordAnalyzer,
    KeywordAnalyzerSettings,
    tokenize,
)
from socialreferral.domain.crm import Product
from socialreferral.domain.social import EventKind, SocialEvent

CATALOG = [
    Product(product_id="home-loan", name="Home Loan", seed_phrases=("house loan", "mortgage")),
    Product(product_id="car-loan", name="Car Loan", seed_phrases=("vehicle loan", "auto loan")),
    Product(product_id="student-loan", name="Student Loan", seed_phrases=("education loan",)),
    Product(product_id="credit-card", name="Credit Card", seed_phrases=("credit cards",)),
    Product(
        product_id="term-insurance",
        name="Term Insurance",
        seed_phrases=("life insurance", "life cover"),
    ),
]


@pytest.fixture(scope="module")
def analyzer() -> KeywordAnalyzer:
    return KeywordAnalyzer()


def _event(text: str, eid: str = "e1") -> SocialEvent:
    return SocialEvent(
        event_id=eid,
        network="demo",
        kind=EventKind.POST,
        author_id="a",
        text=text,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("I am looking for a car loan", "car-loan"),
        ("can anyone suggest the best house loan", "home-loan"),
        ("what are the procedure for applying for a student loan?", "student-loan"),
        ("Need a new credit card, any recommendations?", "credit-card"),
        ("Looking for LOANS for my car", "car-loan"),  # stems + words in any order
        ("we're planning to get life insurance, advice welcome", "term-insurance"),
        ("I'm not looking for a loan but I need a credit card", "credit-card"),
    ],
)
def test_purchase_intent_detected(analyzer: KeywordAnalyzer, text: str, product: str) -> None:
    (signal,) = analyzer.analyze([_event(text)], CATALOG)
    assert signal.purchase_intent, signal.explanation.lines()
    assert signal.product_id == product
    assert 0.5 < signal.score <= 1.0
    assert signal.explanation.total == pytest.approx(signal.score)


@pytest.mark.parametrize(
    "text",
    [
        "I am not looking for a car loan",
        "I don't need a credit card",
        "Got my car loan approved today, love it",  # product, no intent
        "looking for a good pizza place",  # intent, no product
        "loan",  # a single shared word is not a product
        "",
    ],
)
def test_no_purchase_intent(analyzer: KeywordAnalyzer, text: str) -> None:
    (signal,) = analyzer.analyze([_event(text)], CATALOG)
    assert not signal.purchase_intent


def test_negation_is_explained(analyzer: KeywordAnalyzer) -> None:
    (signal,) = analyzer.analyze([_event("not looking for a car loan")], CATALOG)
    assert signal.product_id == "car-loan"
    assert signal.explanation.factor("negation").value == 1.0
    assert "looking for" in signal.explanation.factor("negation").note


def test_mention_without_intent_keeps_product(analyzer: KeywordAnalyzer) -> None:
    (signal,) = analyzer.analyze([_event("my mortgage payment went through")], CATALOG)
    assert signal.product_id == "home-loan" and not signal.purchase_intent


def test_one_signal_per_event_in_order(analyzer: KeywordAnalyzer) -> None:
    events = [
        _event("looking for a car loan", "a"),
        _event("hello", "b"),
        _event("best credit card?", "c"),
    ]
    assert [s.event_id for s in analyzer.analyze(events, CATALOG)] == ["a", "b", "c"]


def test_inactive_products_never_match(analyzer: KeywordAnalyzer) -> None:
    catalog = [p.model_copy(update={"active": p.product_id != "car-loan"}) for p in CATALOG]
    (signal,) = analyzer.analyze([_event("looking for a car loan")], catalog)
    assert signal.product_id != "car-loan"


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("love this bank, great service", "positive"),
        ("terrible app, worst support", "negative"),
        ("not bad at all", "positive"),
        ("opening hours on monday", "neutral"),
    ],
)
def test_sentiment(analyzer: KeywordAnalyzer, text: str, sentiment: str) -> None:
    assert analyzer.analyze([_event(text)], CATALOG)[0].sentiment == sentiment


def test_thresholds_come_from_settings() -> None:
    strict = KeywordAnalyzer(KeywordAnalyzerSettings(min_intent=0.95), stem=str)
    (signal,) = strict.analyze([_event("best car loan")], CATALOG)  # "best" is a weak cue
    assert signal.product_id == "car-loan" and not signal.purchase_intent


def test_protocol_and_tokenizer(analyzer: KeywordAnalyzer) -> None:
    assert isinstance(analyzer, ActivityAnalyzer)
    assert tokenize("Don't NEED it, can't") == ["do", "not", "need", "it", "can", "not"]
