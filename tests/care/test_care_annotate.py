"""The single-pass annotator equals the separate reference passes (golden test)."""

from __future__ import annotations

import random

import numpy as np

from socialreferral.care import Categorizer
from socialreferral.care.annotate import Annotator
from socialreferral.care.features import extract
from socialreferral.care.lexicon import RULE_SPEC, default_lexicon, normalize
from socialreferral.care.settings import DEFAULT_FUNCTIONS
from socialreferral.care.tone import ToneModel

VOCAB = sorted(
    {
        w
        for kinds in RULE_SPEC.values()
        for pats in kinds.values()
        for p in pats
        for slot in p.split()
        for w in slot.rstrip("?").split("|")
        if w not in ("*", "#", "^")
    }
    | {
        "not",
        "never",
        "cant",
        "happy",
        "work",
        "refund",
        "bad",
        "great",
        "account",
        "app",
        "warranty",
        "customer",
        "service",
        "oil",
        "change",
        "@acme",
        "#fail",
        "#love",
        "2024",
        "3",
        "\U0001f621",
        "\U0001f60d",
        ",",
        ".",
        "!",
        "?",
        "but",
        "thanks",
        "help",
        "order",
    }
)


def generated_posts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    posts = []
    for _ in range(n):
        words = [rng.choice(VOCAB) for _ in range(rng.randint(0, 25))]
        posts.append(" ".join(words) + rng.choice(["", " https://t.co/x", " $20", " Don't!"]))
    return posts


def test_annotator_equals_reference_passes() -> None:
    lexicon = default_lexicon()
    codes = lexicon.codes()
    tone = ToneModel.default()
    categorizer = Categorizer(DEFAULT_FUNCTIONS)
    posts = generated_posts(400)
    notes, tones = Annotator(codes, categorizer, tone).annotate(posts)
    reference = [extract(p, codes) for p in posts]
    assert [n.raw for n in notes] == reference
    expected = tone.tone_tokens([r.tokens for r in reference])
    np.testing.assert_allclose(tones, expected, atol=1e-5)
    for note, ref in zip(notes, reference, strict=True):
        assert (note.function, note.candidates, note.matched) == categorizer.route(ref.tokens)
    assert normalize(posts[0]) is not None


def test_annotator_without_tone_gives_zeros() -> None:
    notes, tones = Annotator(
        default_lexicon().codes(), Categorizer(DEFAULT_FUNCTIONS), None
    ).annotate(["@acme still waiting", ""])
    assert list(tones) == [0.0, 0.0] and notes[1].raw.tokens == []


def test_one_ranker_scores_from_several_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from socialreferral.care import CareRanker

    ranker = CareRanker()
    batches = [generated_posts(60, seed=s) for s in range(8)]
    alone = [
        [x.rank_score for x in CareRanker(tone_model=ranker.tone_model).score(b)] for b in batches
    ]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda b: [x.rank_score for x in ranker.score(b)], batches))
    np.testing.assert_allclose(np.asarray(together), np.asarray(alone), atol=1e-9)
