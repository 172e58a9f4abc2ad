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


# -- TextAnalyticsAnalyzer (socialreferral.text behind the ActivityAnalyzer protocol) --------
from socialreferral.demo.bank import CHATTER  # noqa: E402
from socialreferral.demo.bank import products as demo_products  # noqa: E402
from socialreferral.domain import text_analysis  # noqa: E402
from socialreferral.domain.analysis import AnalyzerSettings  # noqa: E402
from socialreferral.domain.settings import ReferralSettings  # noqa: E402
from socialreferral.domain.text_analysis import (  # noqa: E402
    TextAnalyticsAnalyzer,
    catalog_classifier,
    catalog_key,
)


@pytest.fixture(scope="module")
def text_analyzer() -> TextAnalyticsAnalyzer:
    return TextAnalyticsAnalyzer()


@pytest.mark.parametrize(
    ("text", "product"),
    [
        # The paper's sentences (seed 000, Section 7) against the demo bank's catalog, where
        # "car loan" is a seed phrase of the personal loan.
        ("I am looking for a car loan", "personal-loan"),
        ("can anyone suggest the best house loan", "home-loan"),
        ("what are the procedure for applying for a student loan", "student-loan"),
        ("need a good health insurance urgently, any recommendation?", "medical-insurance"),
        ("how do I apply for a credit card?", "credit-card"),
    ],
)
def test_text_analyzer_paper_sentences(
    text_analyzer: TextAnalyticsAnalyzer, text: str, product: str
) -> None:
    (signal,) = text_analyzer.analyze([_event(text)], demo_products())
    assert signal.purchase_intent, signal.explanation.lines()
    assert signal.product_id == product
    assert 0.5 < signal.score <= 1.0
    assert signal.explanation.total == pytest.approx(signal.score)
    assert signal.explanation.summary == f"purchase intent for {product}"


def test_text_analyzer_explanation_cites_terms_and_cue(
    text_analyzer: TextAnalyticsAnalyzer,
) -> None:
    (signal,) = text_analyzer.analyze([_event("I am looking for a car loan")], demo_products())
    relevance = signal.explanation.factor("relevance").note
    assert "personal-loan" in relevance and "'car'" in relevance and "'loan'" in relevance
    assert "looking for" in signal.explanation.factor("intent").note
    assert signal.explanation.factor("sentiment").contribution == 0.0


@pytest.mark.parametrize("text", [c for c in CHATTER if "loan" not in c])
def test_text_analyzer_chatter_matches_nothing(
    text_analyzer: TextAnalyticsAnalyzer, text: str
) -> None:
    (signal,) = text_analyzer.analyze([_event(text)], demo_products())
    assert not signal.purchase_intent and signal.product_id is None
    assert signal.score == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "I am not looking for a loan, just saying hi",
        "I am not looking for a car loan",
        "Got my car loan approved today, love it",  # product, no intent
        "looking for a good pizza place",  # intent, no product
        "I'm not applying for a loan, are you?",
        "",
    ],
)
def test_text_analyzer_no_purchase_intent(text_analyzer: TextAnalyticsAnalyzer, text: str) -> None:
    (signal,) = text_analyzer.analyze([_event(text)], demo_products())
    assert not signal.purchase_intent, signal.explanation.lines()


def test_text_analyzer_one_call_per_batch_and_one_classifier_per_catalog(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    catalog = [Product(product_id="boat-loan", name="boat loan",
                       seed_phrases=("loan for a boat", "yacht finance"))]
    builds: list[object] = []
    calls: list[int] = []
    real_build = text_analysis.IntentClassifier.from_catalog
    real_analyze = text_analysis.analyze

    def build(mapping: dict[str, list[str]]) -> object:
        builds.append(mapping)
        return real_build(mapping)

    def counting(texts: list[str], **kwargs: object) -> object:
        calls.append(len(texts))
        return real_analyze(texts, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(text_analysis.IntentClassifier, "from_catalog", build)
    monkeypatch.setattr(text_analysis, "analyze", counting)
    first, second = TextAnalyticsAnalyzer(), TextAnalyticsAnalyzer()
    events = [_event("looking for a boat loan", "a"), _event("hello", "b"),
              _event("any good yacht finance?", "c")]
    signals = first.analyze(events, catalog)
    second.analyze(events, list(reversed(catalog)))
    assert [s.event_id for s in signals] == ["a", "b", "c"]
    assert [s.product_id for s in signals] == ["boat-loan", None, "boat-loan"]
    assert calls == [3, 3]  # the whole batch at once
    assert builds == [{"boat-loan": ["boat loan", "loan for a boat", "yacht finance"]}]
    # Another phrase is another catalog: built again, once.
    changed = [catalog[0].model_copy(update={"seed_phrases": ("loan for a boat",)})]
    first.analyze(events, changed)
    first.analyze(events, changed)
    assert len(builds) == 2


def test_catalog_key_ignores_order_and_inactive_products() -> None:
    catalog = demo_products()
    assert catalog_key(catalog) == catalog_key(list(reversed(catalog)))
    inactive = [p.model_copy(update={"active": p.product_id != "shares"}) for p in catalog]
    assert "shares" not in dict(catalog_key(inactive))
    assert catalog_classifier(catalog) is catalog_classifier(list(reversed(catalog)))
    assert catalog_classifier([]) is None


def test_text_analyzer_inactive_products_never_match(text_analyzer: TextAnalyticsAnalyzer) -> None:
    catalog = [p.model_copy(update={"active": p.product_id != "personal-loan"})
               for p in demo_products()]
    (signal,) = text_analyzer.analyze([_event("I am looking for a car loan")], catalog)
    assert signal.product_id != "personal-loan"
    assert not text_analyzer.analyze([_event("looking for a car loan")], [])[0].purchase_intent


def test_text_analyzer_min_product_score_from_settings() -> None:
    strict = TextAnalyticsAnalyzer(AnalyzerSettings(min_product_score=0.999))
    (signal,) = strict.analyze([_event("I am looking for a car loan")], demo_products())
    assert signal.product_id is None and not signal.purchase_intent
    assert "below min_product_score" in signal.explanation.factor("relevance").note


def test_text_analyzer_is_the_default_and_keyword_settings_still_load() -> None:
    settings = ReferralSettings()
    assert settings.analyzer.kind == "text"
    assert isinstance(TextAnalyticsAnalyzer(), ActivityAnalyzer)
    keyword = ReferralSettings.model_validate(
        {"analyzer": {"kind": "keyword", "min_intent": 0.7}}).analyzer
    assert keyword.kind == "keyword" and keyword.min_intent == 0.7
    with pytest.raises(ValueError, match="kind"):
        ReferralSettings.model_validate({"analyzer": {"kind": "bert"}})
