"""Normalisers for person attributes before record linkage (pure string functions).

Linkage compares *normalised* values: the same person writes ``"Dr. Ann-Marie O'Neil"`` on
one network and ``"annmarie oneil"`` on another, or ``J.Smith+news@GoogleMail.com`` and
``jsmith@gmail.com``. Each function here returns the canonical form, or ``None`` when the
value carries no information (empty, a placeholder such as ``"N/A"``, or unparseable), so
that "unknown" is never compared as if it were a value.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from socialreferral.people.nicknames import canonical_first_name

# Placeholders people and forms put in fields they do not want to fill in.
_PLACEHOLDERS = frozenset(
    {
        "",
        "-",
        "--",
        "?",
        ".",
        "na",
        "n/a",
        "n.a.",
        "none",
        "null",
        "nil",
        "nan",
        "unknown",
        "not known",
        "not available",
        "x",
        "xx",
        "xxx",
        "test",
        "tbd",
        "0",
        "00",
        "000",
    }
)
_NAME_TITLES = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "dame",
        "herr",
        "frau",
        "jr",
        "sr",
        "ii",
        "iii",
    }
)
_NON_LETTERS = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[a-z]{2,}$")
# Domains whose mailboxes ignore dots in the local part (Gmail) or are aliases of another.
_DOTLESS_DOMAINS = frozenset({"gmail.com"})
_DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}
_HANDLE_URL = re.compile(r"^(?:https?://)?(?:www\.)?[a-z0-9.-]+\.[a-z]{2,}/(?:in/|@)?", re.I)


def ascii_fold(value: str) -> str:
    """Lower-case ``value`` and strip accents (``"Zoë"`` -> ``"zoe"``, ``"ß"`` -> ``"ss"``)."""
    value = value.replace("ß", "ss").replace("ẞ", "ss")
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def is_placeholder(value: str | None) -> bool:
    """True if ``value`` is missing or one of the usual "no value" placeholders."""
    return value is None or value.strip().lower() in _PLACEHOLDERS


def name(value: str | None) -> str | None:
    """A person-name part: letters only, titles dropped, hyphens and apostrophes removed.

    Hyphens become spaces (``"ann-marie"`` → ``"ann marie"``) and apostrophes disappear
    (``"o'neil"`` → ``"oneil"``), the two spellings people actually alternate between.
    """
    if is_placeholder(value):
        return None
    assert value is not None
    folded = ascii_fold(value).replace("'", "").replace("\u2019", "").replace("-", " ")
    words = [w for w in _SPACES.split(_NON_LETTERS.sub(" ", folded)) if w]
    words = [w for w in words if w not in _NAME_TITLES]
    joined = " ".join(words)
    return joined if joined and joined not in _PLACEHOLDERS else None


def first_name_key(value: str | None) -> str | None:
    """The canonical given name behind a nickname (``"bob"`` → ``"robert"``), or the name."""
    if value is None:
        return None
    first_word = value.split(" ", 1)[0]
    return canonical_first_name(first_word)


def date_of_birth(value: str | None, *, day_first: bool = True) -> str | None:
    """A date of birth as ``YYYY-MM-DD``.

    Accepts ISO dates (with or without separators), ``DD/MM/YYYY`` (or ``MM/DD/YYYY`` when
    ``day_first`` is false, unless the first number cannot be a month) and two-separator
    forms with ``.`` or ``-``. Eight digits that are not a valid calendar date (a typo such
    as ``19651332``) are kept as ``YYYY-MM-DD`` text: the digits still carry evidence and
    the comparisons are on text, never on parsed dates. Anything else is unknown.
    """
    if is_placeholder(value):
        return None
    assert value is not None
    text = value.strip()
    parts = _DIGITS.findall(text)
    if len(parts) == 1 and len(parts[0]) == 8:
        y, m, d = parts[0][:4], parts[0][4:6], parts[0][6:]
        if not 1800 <= int(y) <= 2200:  # DDMMYYYY without separators
            d, m, y = parts[0][:2], parts[0][2:4], parts[0][4:]
        return _ymd(y, m, d)
    if len(parts) >= 3:
        a, b, c = parts[:3]
        if len(a) == 4:
            return _ymd(a, b, c)
        if len(c) == 4:
            first, second = int(a), int(b)
            if day_first and first <= 31:
                day, month = (a, b) if second <= 12 else (b, a)
            else:
                month, day = (a, b) if first <= 12 else (b, a)
            return _ymd(c, month, day)
    return None


def _ymd(year: str, month: str, day: str) -> str | None:
    if len(year) != 4 or not (1 <= len(month) <= 2 and 1 <= len(day) <= 2):
        return None
    y, m, d = int(year), int(month), int(day)
    if not 1800 <= y <= 2200 or m == 0 or d == 0:
        return None
    try:
        date(y, m, d)
    except ValueError:
        if m > 19 or d > 39:  # not a one-keystroke typo of a real date either
            return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def email(value: str | None) -> str | None:
    """A mailbox in canonical form: lower case, ``+tag`` removed, Gmail dots removed."""
    if is_placeholder(value):
        return None
    assert value is not None
    text = value.strip().lower().removeprefix("mailto:")
    if not _EMAIL.match(text):
        return None
    local, domain = text.rsplit("@", 1)
    domain = _DOMAIN_ALIASES.get(domain, domain)
    local = local.split("+", 1)[0]
    if domain in _DOTLESS_DOMAINS:
        local = local.replace(".", "")
    if not local:
        return None
    return f"{local}@{domain}"


def email_user(canonical_email: str | None) -> str | None:
    """The local part of a canonical e-mail with punctuation removed (``j.smith`` → ``jsmith``).

    People keep their user name across providers (``jsmith@gmail.com``,
    ``jsmith@outlook.com``); comparing it separately catches those variants.
    """
    if canonical_email is None:
        return None
    user = _NON_ALNUM.sub("", canonical_email.rsplit("@", 1)[0])
    return user if len(user) >= 3 else None


def phone(value: str | None, *, significant_digits: int = 9) -> str | None:
    """The last ``significant_digits`` digits of a phone number.

    Comparing the national significant number's tail makes ``+44 7700 900123``,
    ``07700900123`` and ``0044 7700 900 123`` equal without a numbering-plan database.
    """
    if is_placeholder(value):
        return None
    assert value is not None
    digits = "".join(_DIGITS.findall(value))
    if len(digits) < min(7, significant_digits) or len(set(digits)) == 1:
        return None
    return digits[-significant_digits:]


def place(value: str | None) -> str | None:
    """A city or street text: folded to ASCII lower case, punctuation collapsed to spaces."""
    if is_placeholder(value):
        return None
    assert value is not None
    text = _SPACES.sub(" ", _NON_ALNUM.sub(" ", ascii_fold(value))).strip()
    return text or None


def tokens(value: str | None) -> list[str] | None:
    """Sorted distinct words of a normalised text (order-free comparisons of addresses)."""
    if value is None:
        return None
    words = sorted(set(value.split(" ")))
    return words or None


def postcode(value: str | None) -> str | None:
    """A postcode in upper case without spaces or punctuation."""
    if is_placeholder(value):
        return None
    assert value is not None
    text = _NON_ALNUM.sub("", ascii_fold(value)).upper()
    return text or None


def handle(value: str | None) -> str | None:
    """A social handle without ``@``, profile-URL prefix or punctuation, in lower case."""
    if is_placeholder(value):
        return None
    assert value is not None
    text = _HANDLE_URL.sub("", value.strip()).lstrip("@").split("?", 1)[0].strip("/")
    text = _NON_ALNUM.sub("", ascii_fold(text))
    return text if len(text) >= 2 else None


def network(value: str | None) -> str | None:
    """A network name in lower case letters and digits (``"LinkedIn"`` → ``"linkedin"``)."""
    if is_placeholder(value):
        return None
    assert value is not None
    text = _NON_ALNUM.sub("", ascii_fold(value))
    return text or None


__all__ = [
    "ascii_fold",
    "date_of_birth",
    "email",
    "email_user",
    "first_name_key",
    "handle",
    "is_placeholder",
    "name",
    "network",
    "phone",
    "place",
    "postcode",
    "tokens",
]
