"""The token rule language, the feature extractor and the tone model."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialreferral.care.features import extract, tokenize
from socialreferral.care.lexicon import default_lexicon, normalize
from socialreferral.care.tokenpatterns import TokenPatterns
from socialreferral.care.tone import ToneModel, tone_features


def test_token_patterns_slots() -> None:
    rules = TokenPatterns(
        {
            "f": {
                "opt": ["recommend me? a|an good"],
                "num": ["for # days"],
                "any": ["can you * *"],
                "start": ["^ is it"],
            }
        }
    )
    kinds = lambda text: [m.kind for m in rules.find(tokenize(normalize(text)))]  # noqa: E731
    assert kinds("recommend a good one") == ["opt"]
    assert kinds("recommend me an good one") == ["opt"]
    assert kinds("waited for 3 days") == ["num"]
    assert kinds("can you help me") == ["any"]
    assert kinds("can you") == []
    assert kinds("is it open?") == ["start"]
    assert kinds("@acme is it open") == ["start"]
    assert kinds("then is it open") == []


def test_token_patterns_do_not_overlap_within_a_family() -> None:
    rules = TokenPatterns({"f": {"a": ["x y"], "b": ["y z"]}, "g": {"c": ["y z"]}})
    found = [(m.family, m.kind) for m in rules.find(["x", "y", "z"])]
    assert found == [("f", "a"), ("g", "c")]


def test_patterns_must_start_with_a_required_slot() -> None:
    with pytest.raises(ValueError):
        TokenPatterns({"f": {"a": ["x? y"]}})


def test_tokenize_keeps_mentions_hashtags_emoji_and_drops_urls() -> None:
    toks = tokenize(normalize("@Acme don\u2019t work #Fail 😡 https://t.co/x1"))
    assert toks == ["@acme", "dont", "work", "#fail", "😡"]


def test_extract_finds_the_complaint_shapes() -> None:
    codes = default_lexicon().codes()
    raw = extract("@acme why is my refund STILL not here?? I was told 3 days. #fail", codes)
    kinds = {p.split(":")[0] for p in raw.negative}
    assert {"contrast", "waiting", "impatience", "money", "hashtag"} <= kinds
    assert raw.relevant and "mention:@acme" in raw.entities
    help_me = extract("please help, can you check my order?", codes)
    assert not help_me.positive  # "help" and "please" are not praise in care language
    assert help_me.info_seeking == ("modal_pronoun",)
    rhetorical = extract("who cares about the delay", codes)
    assert rhetorical.info_seeking == ()


def test_tone_features_mark_negation() -> None:
    feats = tone_features(["not", "good", ",", "great", "@x", "42"])
    assert "good_NEG" in feats and "great" in feats and "@user" in feats and "<num>" in feats


def test_tone_model_fits_saves_and_loads(tmp_path: Path) -> None:
    texts = [
        "awful service",
        "terrible delay",
        "worst app",
        "great help",
        "love it",
        "amazing staff",
        "the store opens at 9",
        "my order number is 5",
    ] * 3
    labels = ["negative"] * 3 + ["positive"] * 3 + ["neutral"] * 2
    model = ToneModel().fit(texts, labels * 3, C=10.0, min_df=1)
    assert model.predict(["awful delay", "love the staff"]) == ["negative", "positive"]
    path = tmp_path / "tone.npz"
    model.save(path)
    again = ToneModel.load(path)
    assert again.predict(["awful delay", "love the staff"]) == ["negative", "positive"]
    tones = again.tone_tokens([tokenize("awful"), tokenize("love"), []])
    assert tones[0] > 0 > tones[1]


def test_default_tone_model_ships() -> None:
    model = ToneModel.default()
    assert model.predict(["worst customer service ever", "thank you so much, amazing"]) == [
        "negative",
        "positive",
    ]
