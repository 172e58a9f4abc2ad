"""The worker's analyzers on the paper's kind of posts (seed 000, Section 7).

KeywordAnalyzer (keyword phrases and cues) and TextAnalyticsAnalyzer (the text package's
models) behind the ActivityAnalyzer protocol, and make_analyzer.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from socialreferral.domain.crm import Product
from socialreferral.domain.social import EventKind, SocialEvent
from socialreferral.text._tokenize import is_negator, words
from socialreferral.text.activity import (
    ActivityAnalyzer,
    KeywordAnalyzerSettings,
)
from socialreferral.text.keyword_analyzer import KeywordAnalyzer

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
    # The text package's one tokenizer: "n't" words stay whole and are negators.
    tokens = words("Don\u2019t NEED it, can't")
    assert tokens == ["don't", "need", "it", "can't"]
    assert [is_negator(t) for t in tokens] == [True, False, False, True]


def test_keyword_prepare_is_idempotent_and_follows_the_catalog(analyzer: KeywordAnalyzer) -> None:
    analyzer.prepare(CATALOG)
    prepared = analyzer._prepared
    analyzer.prepare(list(CATALOG))  # same catalog: nothing rebuilt
    assert analyzer._prepared is prepared
    changed = [p for p in CATALOG if p.product_id != "car-loan"]
    (signal,) = analyzer.analyze([_event("looking for a car loan")], changed)
    assert signal.product_id != "car-loan"
    assert analyzer._prepared is not prepared


def test_cue_negation_reaches_three_words_back(analyzer: KeywordAnalyzer) -> None:
    (near,) = analyzer.analyze([_event("I don't really need a credit card")], CATALOG)
    assert not near.purchase_intent
    (far,) = analyzer.analyze(
        [_event("no, my friend, I am looking for a credit card")], CATALOG)
    assert far.purchase_intent  # "no" is five words before the cue


# -- TextAnalyticsAnalyzer (socialreferral.text behind the ActivityAnalyzer protocol) --------
from socialreferral.demo.bank import CHATTER  # noqa: E402
from socialreferral.demo.bank import products as demo_products  # noqa: E402
from socialreferral.domain.settings import ReferralSettings  # noqa: E402
from socialreferral.text import Annotator, IntentClassifier, make_analyzer  # noqa: E402
from socialreferral.text.activity import AnalyzerSettings  # noqa: E402
from socialreferral.text.catalog_analyzer import (  # noqa: E402
    CatalogClassifiers,
    TextAnalyticsAnalyzer,
    catalog_key,
)


@pytest.fixture(scope="module")
def classifiers() -> CatalogClassifiers:
    """Catalog classifiers shared by this module's analyzers (a build takes seconds)."""
    return CatalogClassifiers()


@pytest.fixture(scope="module")
def text_analyzer(classifiers: CatalogClassifiers) -> TextAnalyticsAnalyzer:
    return TextAnalyticsAnalyzer(classifiers=classifiers)


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
    real_build = IntentClassifier.from_catalog
    real_annotate = Annotator.annotate

    def build(mapping: dict[str, list[str]], **kwargs: object) -> object:
        builds.append(mapping)
        return real_build(mapping, **kwargs)

    def counting(self: Annotator, texts: list[str], catalog: object = None) -> object:
        calls.append(len(texts))
        return real_annotate(self, texts, catalog)  # type: ignore[arg-type]

    monkeypatch.setattr(IntentClassifier, "from_catalog", build)
    monkeypatch.setattr(Annotator, "annotate", counting)
    # The classifier cache is an object: analyzers share classifiers only when given one.
    shared = CatalogClassifiers()
    first = TextAnalyticsAnalyzer(classifiers=shared)
    second = TextAnalyticsAnalyzer(classifiers=shared)
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
    # An analyzer with its own cache builds its own classifier: no hidden process state.
    TextAnalyticsAnalyzer().analyze(events, catalog)
    assert len(builds) == 3


def test_catalog_cache_is_bounded_lru() -> None:
    cache = CatalogClassifiers(max_size=2)
    catalogs = [[Product(product_id=f"p{i}", name=f"thing {i}", seed_phrases=(f"widget {i}",))]
                for i in range(3)]
    first = cache.get(catalogs[0])
    cache.get(catalogs[1])
    assert cache.get(catalogs[0]) is first  # recently used: kept
    cache.get(catalogs[2])  # evicts catalogs[1], the least recently used
    assert len(cache) == 2
    assert cache.get(catalogs[0]) is first
    with pytest.raises(ValueError, match="max_size"):
        CatalogClassifiers(max_size=0)


def test_prepare_builds_once_and_is_cheap_after(
    monkeypatch: pytest.MonkeyPatch, classifiers: CatalogClassifiers
) -> None:
    analyzer = TextAnalyticsAnalyzer(classifiers=classifiers)
    assert analyzer.annotator._scorer is None
    catalog = demo_products()
    analyzer.prepare(catalog)
    assert analyzer.annotator._scorer is not None  # sentiment model loaded by prepare
    # The per-token caches fill as posts arrive (issue 14: warming the whole vocabulary
    # cost every worker 1 s); Annotator.prepare() still warms them when asked.
    warmed = len(analyzer.annotator.table)
    assert warmed == 0
    builds: list[object] = []
    monkeypatch.setattr(IntentClassifier, "from_catalog",
                        lambda *a, **k: builds.append(a) or None)
    size = len(classifiers)
    analyzer.prepare(list(reversed(catalog)))
    analyzer.prepare(catalog)
    assert builds == [] and len(classifiers) == size
    assert len(analyzer.annotator.table) == warmed  # nothing done twice
    analyzer.annotator.prepare()
    assert len(analyzer.annotator.table) > 10_000  # the tokens the sentiment model knows


def test_make_analyzer_builds_what_settings_name() -> None:
    text = make_analyzer(AnalyzerSettings())
    keyword = make_analyzer(AnalyzerSettings(kind="keyword", min_intent=0.7))
    assert isinstance(text, TextAnalyticsAnalyzer) and isinstance(text, ActivityAnalyzer)
    assert isinstance(keyword, KeywordAnalyzer) and isinstance(keyword, ActivityAnalyzer)
    assert keyword.settings.min_intent == 0.7
    assert make_analyzer(AnalyzerSettings()) is not text  # each call: its own caches
    tuned = make_analyzer(AnalyzerSettings(catalog_cache_size=3, max_tokens=5_000))
    assert isinstance(tuned, TextAnalyticsAnalyzer)
    assert tuned.classifiers.max_size == 3 and tuned.annotator.table.max_tokens == 5_000


def test_catalog_key_ignores_order_and_inactive_products(classifiers: CatalogClassifiers) -> None:
    catalog = demo_products()
    assert catalog_key(catalog) == catalog_key(list(reversed(catalog)))
    inactive = [p.model_copy(update={"active": p.product_id != "shares"}) for p in catalog]
    assert "shares" not in dict(catalog_key(inactive))
    assert classifiers.get(catalog) is classifiers.get(list(reversed(catalog)))
    assert classifiers.get([]) is None


def test_text_analyzer_inactive_products_never_match(text_analyzer: TextAnalyticsAnalyzer) -> None:
    catalog = [p.model_copy(update={"active": p.product_id != "personal-loan"})
               for p in demo_products()]
    (signal,) = text_analyzer.analyze([_event("I am looking for a car loan")], catalog)
    assert signal.product_id != "personal-loan"
    assert not text_analyzer.analyze([_event("looking for a car loan")], [])[0].purchase_intent


def test_text_analyzer_min_product_score_from_settings(classifiers: CatalogClassifiers) -> None:
    strict = TextAnalyticsAnalyzer(AnalyzerSettings(min_product_score=0.999),
                                   classifiers=classifiers)
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
    with pytest.raises(ValueError, match="language"):
        ReferralSettings.model_validate({"analyzer": {"language": "klingon"}})


def test_sentence_model_location_is_a_setting(tmp_path: object) -> None:
    settings = ReferralSettings.model_validate(
        {"analyzer": {"product_features": "hybrid", "sentence_model_dir": str(tmp_path)}}
    ).analyzer
    analyzer = TextAnalyticsAnalyzer(settings)
    assert analyzer.classifiers.features == "hybrid"
    assert analyzer.classifiers.sentence_model_dir == tmp_path
    from socialreferral.errors import ConfigurationError
    from socialreferral.text.embeddings import EncoderUnavailable

    # An empty folder is not a model: a typed configuration error naming where it looked.
    with pytest.raises(EncoderUnavailable, match=str(tmp_path)) as caught:
        analyzer.prepare(demo_products())
    assert isinstance(caught.value, ConfigurationError)


def test_analysis_leaves_no_state_in_text_modules(classifiers: CatalogClassifiers) -> None:
    """Every cache belongs to an object: analysing new words changes no module's globals."""
    import random
    import sys
    import types

    analyzers = [TextAnalyticsAnalyzer(classifiers=classifiers), KeywordAnalyzer()]
    for analyzer in analyzers:  # import and warm everything once
        analyzer.analyze([_event("looking for a car loan?")], demo_products())

    def containers() -> dict[tuple[str, str, str], int]:
        # Sizes of every container a text module holds, directly or as an attribute of a
        # module-level object (a table, a cache instance).
        out = {}
        for name, module in list(sys.modules.items()):
            if not name.startswith("socialreferral.text"):
                continue
            for key, value in vars(module).items():
                if key.startswith("__") or isinstance(value, type | types.ModuleType):
                    continue
                if isinstance(value, dict | list | set):
                    out[(name, key, "")] = len(value)
                for attr, inner in getattr(value, "__dict__", {}).items():
                    if isinstance(inner, dict | list | set):
                        out[(name, key, attr)] = len(inner)
        return out

    before = containers()
    rng = random.Random(7)
    novel = [" ".join("".join(rng.choices("bcdfgklmnprstvz", k=7)) + "s" for _ in range(12))
             for _ in range(40)]
    for analyzer in analyzers:
        analyzer.analyze([_event(t, str(i)) for i, t in enumerate(novel)], demo_products())
    assert containers() == before
