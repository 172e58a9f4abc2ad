"""Do other Snowball stemmers give nltk's English stems? Why the worker uses a copy of nltk's.

Run from the repository root::

    PYTHONPATH=src python benchmarks/stemmer_parity.py [--data-dir ../shared/data]

Every distinct word (the tokenizer's word pattern) of the shared data sets, the test
fixtures and the sources is stemmed by nltk's ``SnowballStemmer("english")`` (the
reference: every stemmed feature and model of the package was built with it), by
``socialreferral.text._snowball_english.english_stem`` (nltk's code, copied so that a
worker need not import nltk), and by PyStemmer and snowballstemmer when installed. Printed:
words, differing stems, a few examples, and the time per 100,000 stems.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from _common import REPO, parser

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SUFFIXES = {".csv", ".tsv", ".txt", ".json", ".jsonl", ".py", ".md", ""}


def corpus_words(folders: list[Path]) -> list[str]:
    """Distinct lower-cased words of the text files under ``folders``."""
    found: set[str] = set()
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in _SUFFIXES:
                text = path.read_text(encoding="utf-8", errors="ignore").lower()
                found.update(_WORD.findall(text.replace("\u2019", "'")))
    return sorted(found)


def candidates() -> dict[str, Callable[[str], str]]:
    """The stemmers to compare (those installed)."""
    from nltk.stem.snowball import SnowballStemmer

    from socialreferral.text._snowball_english import english_stem

    out: dict[str, Callable[[str], str]] = {
        "nltk SnowballStemmer": SnowballStemmer("english").stem,
        "socialreferral copy": english_stem,
    }
    try:
        import Stemmer  # type: ignore[import-not-found,unused-ignore]  # PyStemmer

        out[f"PyStemmer {Stemmer.version()}"] = Stemmer.Stemmer("english").stemWord
    except ImportError:
        pass
    try:
        import snowballstemmer  # type: ignore[import-not-found,unused-ignore]

        out[f"snowballstemmer {getattr(snowballstemmer, '__version__', '')}".strip()] = (
            snowballstemmer.stemmer("english").stemWord)
    except ImportError:
        pass
    return out


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    args = p.parse_args()
    if not args.data_dir.is_dir():
        p.error(f"no data folder {args.data_dir} (pass --data-dir)")
    words = corpus_words([args.data_dir, REPO / "tests", REPO / "benchmarks" / "fixtures",
                          REPO / "src"])
    stemmers = candidates()
    reference = stemmers.pop("nltk SnowballStemmer")
    started = time.perf_counter()
    expected = [reference(w) for w in words]
    base = time.perf_counter() - started
    print(f"{len(words):,} distinct words; nltk: {1e5 * base / len(words):.2f} s per 100,000")
    for name, stem in stemmers.items():
        started = time.perf_counter()
        got = [stem(w) for w in words]
        seconds = time.perf_counter() - started
        differ = [(w, e, g) for w, e, g in zip(words, expected, got, strict=True) if e != g]
        print(f"{name:<28} {len(differ):>6} differ  {1e5 * seconds / len(words):.2f} s per "
              f"100,000  e.g. {', '.join(f'{w}: {e}/{g}' for w, e, g in differ[:5])}")


if __name__ == "__main__":
    main()
