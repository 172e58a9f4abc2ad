"""NLTK's English Snowball stemmer, without importing nltk.

``nltk.stem.snowball.SnowballStemmer("english")`` is the stemmer every stemmed feature of
this package was built and trained with (catalog classifiers, keyword matching, care
categories). Importing it imports the whole ``nltk`` package, which pulls in scipy.stats
and scikit-learn: about 1 s of CPU and ~96 MB of memory in every worker process that
stems a word (issue 14's cold start and peak RSS). This module is nltk's English stemmer
(nltk 3.x, ``EnglishStemmer.stem`` with ``ignore_stopwords=False``) as one function,
copied so that the stems stay exactly nltk's: the Snowball project's own English
algorithm has changed since (PyStemmer and snowballstemmer 2.2-3.x stem "added",
"evening", "university", "organic", ... differently), and a different stem would change
every analysis result. ``tests/text/test_snowball_english.py`` checks it against nltk on
the tokens of the repository's fixtures.

Copyright (C) 2001-2026 NLTK Project; authors Peter Michael Stahl, Peter Ljunglof;
algorithm by Dr Martin Porter. Licensed under the Apache License, Version 2.0 (see
``socialreferral/_models/APACHE-2.0.txt``); changes: the method became a function over
module constants, stop words (unused here) were dropped.
"""

# The body of english_stem is nltk's, statement for statement, so that it can be compared
# with nltk line by line: ruff's rewrites of nested ifs into ternaries are not applied.
# ruff: noqa: SIM102, SIM108, SIM114

from __future__ import annotations

__all__ = ["english_stem"]

_VOWELS = "aeiouy"
_DOUBLE_CONSONANTS = ("bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt")
_LI_ENDING = "cdeghkmnrt"
_STEP0_SUFFIXES = ("'s'", "'s", "'")
_STEP1A_SUFFIXES = ("sses", "ied", "ies", "us", "ss", "s")
_STEP1B_SUFFIXES = ("eedly", "ingly", "edly", "eed", "ing", "ed")
_STEP2_SUFFIXES = (
    "ization", "ational", "fulness", "ousness", "iveness", "tional", "biliti", "lessli",
    "entli", "ation", "alism", "aliti", "ousli", "iviti", "fulli", "enci", "anci", "abli",
    "izer", "ator", "alli", "bli", "ogi", "li",
)
_STEP3_SUFFIXES = (
    "ational", "tional", "alize", "icate", "iciti", "ative", "ical", "ness", "ful",
)
_STEP4_SUFFIXES = (
    "ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate", "iti",
    "ous", "ive", "ize", "ion", "al", "er", "ic",
)
_STEP5_SUFFIXES = ("e", "l")
_SPECIAL_WORDS = {
    "skis": "ski", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie",
    "idly": "idl", "gently": "gentl", "ugly": "ugli", "early": "earli", "only": "onli",
    "singly": "singl", "sky": "sky", "news": "news", "howe": "howe", "atlas": "atlas",
    "cosmos": "cosmos", "bias": "bias", "andes": "andes", "inning": "inning",
    "innings": "inning", "outing": "outing", "outings": "outing", "canning": "canning",
    "cannings": "canning", "herring": "herring", "herrings": "herring",
    "earring": "earring", "earrings": "earring", "proceed": "proceed",
    "proceeds": "proceed", "proceeded": "proceed", "proceeding": "proceed",
    "exceed": "exceed", "exceeds": "exceed", "exceeded": "exceed", "exceeding": "exceed",
    "succeed": "succeed", "succeeds": "succeed", "succeeded": "succeed",
    "succeeding": "succeed",
}


def _suffix_replace(original: str, old: str, new: str) -> str:
    return original[: -len(old)] + new


def _r1r2_standard(word: str) -> tuple[str, str]:
    # R1: the region after the first non-vowel following a vowel; R2: the same within R1.
    r1 = ""
    r2 = ""
    for i in range(1, len(word)):
        if word[i] not in _VOWELS and word[i - 1] in _VOWELS:
            r1 = word[i + 1 :]
            break
    for i in range(1, len(r1)):
        if r1[i] not in _VOWELS and r1[i - 1] in _VOWELS:
            r2 = r1[i + 1 :]
            break
    return (r1, r2)


def english_stem(word: str) -> str:
    """The stem of ``word``, exactly as nltk's ``SnowballStemmer("english").stem``."""
    word = word.lower()

    if len(word) <= 2:
        return word

    elif word in _SPECIAL_WORDS:
        return _SPECIAL_WORDS[word]

    # Map the different apostrophe characters to a single consistent one
    word = (
        word.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201b", "'")
    )

    if word.startswith("'"):
        word = word[1:]

    if word.startswith("y"):
        word = "".join(("Y", word[1:]))

    # In-place mutation joined once; a per-match rebuild was O(n**2) on a
    # crafted token (CWE-407).
    chars = list(word)
    for i in range(1, len(chars)):
        if chars[i - 1] in _VOWELS and chars[i] == "y":
            chars[i] = "Y"
    word = "".join(chars)

    step1a_vowel_found = False
    step1b_vowel_found = False

    r1 = ""
    r2 = ""

    if word.startswith(("gener", "commun", "arsen")):
        if word.startswith(("gener", "arsen")):
            r1 = word[5:]
        else:
            r1 = word[6:]

        for i in range(1, len(r1)):
            if r1[i] not in _VOWELS and r1[i - 1] in _VOWELS:
                r2 = r1[i + 1 :]
                break
    else:
        r1, r2 = _r1r2_standard(word)

    # STEP 0
    for suffix in _STEP0_SUFFIXES:
        if word.endswith(suffix):
            word = word[: -len(suffix)]
            r1 = r1[: -len(suffix)]
            r2 = r2[: -len(suffix)]
            break

    # STEP 1a
    for suffix in _STEP1A_SUFFIXES:
        if word.endswith(suffix):
            if suffix == "sses":
                word = word[:-2]
                r1 = r1[:-2]
                r2 = r2[:-2]

            elif suffix in ("ied", "ies"):
                if len(word[: -len(suffix)]) > 1:
                    word = word[:-2]
                    r1 = r1[:-2]
                    r2 = r2[:-2]
                else:
                    word = word[:-1]
                    r1 = r1[:-1]
                    r2 = r2[:-1]

            elif suffix == "s":
                for letter in word[:-2]:
                    if letter in _VOWELS:
                        step1a_vowel_found = True
                        break

                if step1a_vowel_found:
                    word = word[:-1]
                    r1 = r1[:-1]
                    r2 = r2[:-1]
            break

    # STEP 1b
    for suffix in _STEP1B_SUFFIXES:
        if word.endswith(suffix):
            if suffix in ("eed", "eedly"):
                if r1.endswith(suffix):
                    word = _suffix_replace(word, suffix, "ee")

                    if len(r1) >= len(suffix):
                        r1 = _suffix_replace(r1, suffix, "ee")
                    else:
                        r1 = ""

                    if len(r2) >= len(suffix):
                        r2 = _suffix_replace(r2, suffix, "ee")
                    else:
                        r2 = ""
            else:
                for letter in word[: -len(suffix)]:
                    if letter in _VOWELS:
                        step1b_vowel_found = True
                        break

                if step1b_vowel_found:
                    word = word[: -len(suffix)]
                    r1 = r1[: -len(suffix)]
                    r2 = r2[: -len(suffix)]

                    if word.endswith(("at", "bl", "iz")):
                        word = "".join((word, "e"))
                        r1 = "".join((r1, "e"))

                        if len(word) > 5 or len(r1) >= 3:
                            r2 = "".join((r2, "e"))

                    elif word.endswith(_DOUBLE_CONSONANTS):
                        word = word[:-1]
                        r1 = r1[:-1]
                        r2 = r2[:-1]

                    elif (
                        r1 == ""
                        and len(word) >= 3
                        and word[-1] not in _VOWELS
                        and word[-1] not in "wxY"
                        and word[-2] in _VOWELS
                        and word[-3] not in _VOWELS
                    ) or (
                        r1 == ""
                        and len(word) == 2
                        and word[0] in _VOWELS
                        and word[1] not in _VOWELS
                    ):
                        word = "".join((word, "e"))

                        if len(r1) > 0:
                            r1 = "".join((r1, "e"))

                        if len(r2) > 0:
                            r2 = "".join((r2, "e"))
            break

    # STEP 1c
    if len(word) > 2 and word[-1] in "yY" and word[-2] not in _VOWELS:
        word = "".join((word[:-1], "i"))
        if len(r1) >= 1:
            r1 = "".join((r1[:-1], "i"))
        else:
            r1 = ""

        if len(r2) >= 1:
            r2 = "".join((r2[:-1], "i"))
        else:
            r2 = ""

    # STEP 2
    for suffix in _STEP2_SUFFIXES:
        if word.endswith(suffix):
            if r1.endswith(suffix):
                if suffix == "tional":
                    word = word[:-2]
                    r1 = r1[:-2]
                    r2 = r2[:-2]

                elif suffix in ("enci", "anci", "abli"):
                    word = "".join((word[:-1], "e"))

                    if len(r1) >= 1:
                        r1 = "".join((r1[:-1], "e"))
                    else:
                        r1 = ""

                    if len(r2) >= 1:
                        r2 = "".join((r2[:-1], "e"))
                    else:
                        r2 = ""

                elif suffix == "entli":
                    word = word[:-2]
                    r1 = r1[:-2]
                    r2 = r2[:-2]

                elif suffix in ("izer", "ization"):
                    word = _suffix_replace(word, suffix, "ize")

                    if len(r1) >= len(suffix):
                        r1 = _suffix_replace(r1, suffix, "ize")
                    else:
                        r1 = ""

                    if len(r2) >= len(suffix):
                        r2 = _suffix_replace(r2, suffix, "ize")
                    else:
                        r2 = ""

                elif suffix in ("ational", "ation", "ator"):
                    word = _suffix_replace(word, suffix, "ate")

                    if len(r1) >= len(suffix):
                        r1 = _suffix_replace(r1, suffix, "ate")
                    else:
                        r1 = ""

                    if len(r2) >= len(suffix):
                        r2 = _suffix_replace(r2, suffix, "ate")
                    else:
                        r2 = "e"

                elif suffix in ("alism", "aliti", "alli"):
                    word = _suffix_replace(word, suffix, "al")

                    if len(r1) >= len(suffix):
                        r1 = _suffix_replace(r1, suffix, "al")
                    else:
                        r1 = ""

                    if len(r2) >= len(suffix):
                        r2 = _suffix_replace(r2, suffix, "al")
                    else:
                        r2 = ""

                elif suffix == "fulness":
                    word = word[:-4]
                    r1 = r1[:-4]
                    r2 = r2[:-4]

                elif suffix in ("ousli", "ousness"):
                    word = _suffix_replace(word, suffix, "ous")

                    if len(r1) >= len(suffix):
                        r1 = _suffix_replace(r1, suffix, "ous")
                    else:
                        r1 = ""

                    if len(r2) >= len(suffix):
                        r2 = _suffix_replace(r2, suffix, "ous")
                    else:
                        r2 = ""

                elif suffix in ("iveness", "iviti"):
                    word = _suffix_replace(word, suffix, "ive")

                    if len(r1) >= len(suffix):
                        r1 = _suffix_replace(r1, suffix, "ive")
                    else:
                        r1 = ""

                    if len(r2) >= len(suffix):
                        r2 = _suffix_replace(r2, suffix, "ive")
                    else:
                        r2 = "e"

                elif suffix in ("biliti", "bli"):
                    word = _suffix_replace(word, suffix, "ble")

                    if len(r1) >= len(suffix):
                        r1 = _suffix_replace(r1, suffix, "ble")
                    else:
                        r1 = ""

                    if len(r2) >= len(suffix):
                        r2 = _suffix_replace(r2, suffix, "ble")
                    else:
                        r2 = ""

                elif suffix == "ogi" and word[-4] == "l":
                    word = word[:-1]
                    r1 = r1[:-1]
                    r2 = r2[:-1]

                elif suffix in ("fulli", "lessli"):
                    word = word[:-2]
                    r1 = r1[:-2]
                    r2 = r2[:-2]

                elif suffix == "li" and word[-3] in _LI_ENDING:
                    word = word[:-2]
                    r1 = r1[:-2]
                    r2 = r2[:-2]
            break

    # STEP 3
    for suffix in _STEP3_SUFFIXES:
        if word.endswith(suffix):
            if r1.endswith(suffix):
                if suffix == "tional":
                    word = word[:-2]
                    r1 = r1[:-2]
                    r2 = r2[:-2]

                elif suffix == "ational":
                    word = _suffix_replace(word, suffix, "ate")

                    if len(r1) >= len(suffix):
                        r1 = _suffix_replace(r1, suffix, "ate")
                    else:
                        r1 = ""

                    if len(r2) >= len(suffix):
                        r2 = _suffix_replace(r2, suffix, "ate")
                    else:
                        r2 = ""

                elif suffix == "alize":
                    word = word[:-3]
                    r1 = r1[:-3]
                    r2 = r2[:-3]

                elif suffix in ("icate", "iciti", "ical"):
                    word = _suffix_replace(word, suffix, "ic")

                    if len(r1) >= len(suffix):
                        r1 = _suffix_replace(r1, suffix, "ic")
                    else:
                        r1 = ""

                    if len(r2) >= len(suffix):
                        r2 = _suffix_replace(r2, suffix, "ic")
                    else:
                        r2 = ""

                elif suffix in ("ful", "ness"):
                    word = word[: -len(suffix)]
                    r1 = r1[: -len(suffix)]
                    r2 = r2[: -len(suffix)]

                elif suffix == "ative" and r2.endswith(suffix):
                    word = word[:-5]
                    r1 = r1[:-5]
                    r2 = r2[:-5]
            break

    # STEP 4
    for suffix in _STEP4_SUFFIXES:
        if word.endswith(suffix):
            if r2.endswith(suffix):
                if suffix == "ion":
                    if word[-4] in "st":
                        word = word[:-3]
                        r1 = r1[:-3]
                        r2 = r2[:-3]
                else:
                    word = word[: -len(suffix)]
                    r1 = r1[: -len(suffix)]
                    r2 = r2[: -len(suffix)]
            break

    # STEP 5
    if r2.endswith("l") and word[-2] == "l":
        word = word[:-1]
    elif r2.endswith("e"):
        word = word[:-1]
    elif r1.endswith("e"):
        if len(word) >= 4 and (
            word[-2] in _VOWELS
            or word[-2] in "wxY"
            or word[-3] not in _VOWELS
            or word[-4] in _VOWELS
        ):
            word = word[:-1]

    word = word.replace("Y", "y")

    return word
