"""The English stemmer copied from nltk stems exactly as nltk does (issue 14: the worker
no longer imports nltk, and no stem may change)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from nltk.stem.snowball import SnowballStemmer

from socialreferral.text._snowball_english import english_stem
from socialreferral.text._tokenize import Stemmer, snowball_stemmer

ROOT = Path(__file__).resolve().parents[2]
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Inputs that exercise every branch: special words, apostrophes, y handling, the
# gener/commun/arsen prefixes, short words, and suffixes at the very start of a word.
EDGE_CASES = [
    "", "a", "'", "''", "'s", "y", "yy", "ion", "xion", "\u2019s", "Yelling", "GENERAL",
    "generously", "communism", "arsenal", "ogi", "logi", "bli", "li", "eed", "feed",
    "agreed", "ties", "dies", "sses", "us", "gas", "this", "succeeding", "news's", "skies",
    "dying", "added", "evening", "university", "organic", "hopefully", "relational",
]


def _fixture_words() -> set[str]:
    # Every word of the repository's own fixtures and sources (no external data set).
    found: set[str] = set()
    for folder in (ROOT / "tests", ROOT / "benchmarks" / "fixtures", ROOT / "src"):
        for path in folder.rglob("*"):
            if path.suffix in {".py", ".json", ".jsonl", ".tsv", ".csv", ".txt", ".md"}:
                text = path.read_text(encoding="utf-8", errors="ignore").lower()
                found.update(_WORD.findall(text.replace("\u2019", "'")))
    return found


def test_same_stems_as_nltk_on_every_fixture_word() -> None:
    nltk_stem = SnowballStemmer("english").stem
    words = sorted(_fixture_words())
    assert len(words) > 5_000  # the fixtures really were read
    differ = [(w, nltk_stem(w), english_stem(w)) for w in words if nltk_stem(w) != english_stem(w)]
    assert differ == []


def test_same_stems_as_nltk_on_edge_cases_and_random_strings() -> None:
    nltk_stem = SnowballStemmer("english").stem
    rng = random.Random(14)
    made = ["".join(rng.choice("aeiouybcdlnstgi'") for _ in range(rng.randint(1, 12)))
            for _ in range(20_000)]
    for word in [*EDGE_CASES, *made]:
        assert english_stem(word) == nltk_stem(word), word


def test_english_stemmer_does_not_import_nltk() -> None:
    import subprocess
    import sys

    code = ("import sys; from socialreferral.text._tokenize import Stemmer; "
            "s = Stemmer(); s.words('Refunds were added this evening'); "
            "from socialreferral.care.categorizer import Categorizer; "
            "print('nltk' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""})
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize("language", ["german", "spanish"])
def test_other_languages_are_still_nltk(language: str) -> None:
    stem = snowball_stemmer(language)
    reference = SnowballStemmer(language).stem
    for word in ("häuser", "laufen", "corriendo", "naciones"):
        assert stem(word) == reference(word)
    assert Stemmer(language).words("Corriendo naciones") == [
        reference("corriendo"), reference("naciones")]
