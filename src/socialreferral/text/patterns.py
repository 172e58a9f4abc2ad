"""Rule annotators: information-seeking patterns, rhetorical questions, purchase intent, spam,
complaint cues (SCION, seed 003; purchase cues of seed 000).

Each family is one compiled alternation with named groups, so a post costs one regex scan
per family.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from socialreferral.text._fastre import alternation_first, word_first

_F = re.IGNORECASE

# SCION: "<Modal/Aux> <Noun/Pronoun> [0-1 token] <Verb>" and "<Wh> <Aux> [0-1 token] <Noun/Pron>"
# written over words instead of POS tags (no tagger data offline), plus its dictionary cues.
INFO_SEEKING = re.compile(
    r"""
    (?P<wh_aux>\b(?:what|when|where|which|who|why|how)\s+(?:can|could|do|does|did|should|would
        |will|is|are|was|to)\b(?:\s+\w+)?\s+(?:i|we|you|u|they|it|my|the|a|someone|anyone)\b)
    | (?P<modal_pronoun>(?:^|[.!?]\s*)(?:can|could|would|will|do|does|is|are|should|has|have
        |did)\s+(?:you|u|someone|anyone|anybody|somebody|i|we|they)\b(?:\s+\w+)?\s+\w+)
    | (?P<how_much>\bhow\s+(?:much|many|long|often|far)\b)
    | (?P<where_is>\bwhere\s+(?:is|are|can|do|does|should|to)\b)
    | (?P<looking_for>\b(?:looking|searching|shopping|hunting)\s+(?:for|around)\b)
    | (?P<recommend>\b(?:any|some)\s+(?:recommendations?|suggestions?|advice|tips|ideas)\b
        |\b(?:recommend|suggest)\s+(?:me\s+)?(?:a|an|some|any|the|good|best)\b)
    | (?P<need_help>\b(?:need|want|seeking)\s+(?:some\s+)?(?:help|advice|info|information)\b)
    | (?P<anyone_know>\b(?:does|do)\s+(?:anyone|anybody|someone|somebody|you)\s+know\b)
    | (?P<anyone_tried>\b(?:has|have)\s+(?:anyone|anybody|someone)\s+(?:tried|used|had)\b)
    | (?P<wondering>\bwondering\s+(?:if|whether|how|what|where|why|when)\b)
    | (?P<tell_me>\b(?:tell|show|explain\s+to)\s+me\s+(?:how|what|where|why|when|if)\b)
    """,
    _F | re.VERBOSE,
)

# Questions that expect no answer: "who cares?", "how awesome is that?", "what could go wrong?"
RHETORICAL = re.compile(
    r"""\bwho\s+(?:cares|knew|asked|does\s+that)\b | \bguess\s+what\b
    | \bwhat\s+could\s+(?:possibly\s+)?go\s+wrong\b | \bam\s+i\s+(?:right|the\s+only\s+one)\b
    | \bhow\s+(?:awesome|cool|great|amazing|sad|cute|funny|crazy|lucky|hard|sweet|beautiful)
      \s+(?:is|was|are)\s+(?:that|this|it)\b
    | \b(?:isn't|ain't|wasn't)\s+(?:it|that|this|life)\s+(?:great|grand|amazing|funny|sad)\b
    | \bwhy\s+(?:not|me|bother)\s*\? | \bwho\s+doesn't\s+love\b | \bwhat's\s+not\s+to\s+love\b
    | \bcan\s+you\s+believe\b | \bdo\s+i\s+look\s+like\b""",
    _F | re.VERBOSE,
)

PURCHASE = re.compile(
    r"""\b(?:looking|shopping|searching)\s+(?:for|around\s+for)\b
    | \b(?:want|wanna|plan(?:ning)?|going|need|ready|hoping)\s+(?:to\s+)?(?:buy|get|purchase
        |apply\s+for|open|take\s+out|sign\s+up\s+for|switch\s+to)\b
    | \bthinking\s+(?:of|about)\s+(?:buying|getting|applying|opening|switching)\b
    | \bin\s+the\s+market\s+for\b | \bneed\s+(?:a|an|new|some)\b
    | \bwhere\s+(?:can|do|should)\s+i\s+(?:buy|get|find|apply)\b
    | \bshould\s+i\s+(?:buy|get|go\s+with|choose)\b
    | \b(?:any|can\s+anyone|could\s+someone|please)\s+(?:recommend|suggest)\w*\b
    | \b(?:recommend|suggest)\s+(?:me\s+)?(?:a|an|some|any|the|good|best)\b
    | \bany\s+good\b | \bbest\s+\w+\s+(?:for|to)\b | \b(?:quote|pricing|price)\s+(?:for|of|on)\b
    | \bhow\s+much\s+(?:is|are|does|for|would)\b""",
    _F | re.VERBOSE,
)
# A cue right after a negation counts against intent: "not looking for", "don't need a".
NEGATED_PURCHASE = re.compile(
    r"\b(?:not|never|no\s+longer|don't|dont|do\s+not|won't|wont|didn't|isn't)\s+(?:\w+\s+)?"
    r"(?:looking|shopping|want|wanna|planning|going|need|thinking|buy|get|ready)\b",
    _F,
)

# "$$+" and "#...(?:#...){5,}" are "\${2,}" and "(?:#...){6,}" starting with a literal, so
# that the literal-first spelling below gets a first-character scan in ``re``.
SPAM = re.compile(
    r"""\b(?:click\s+(?:here|the\s+link|below)|follow\s+(?:me|back|for\s+follow)|f4f
    |(?:free|cheap)\s+(?:followers|likes|iphone|gift\s*cards?|money|bitcoin|crypto)
    |win\s+(?:a|an|free|\$)|giveaway|promo\s+code|discount\s+code|dm\s+(?:me\s+)?for
    |earn\s+\$?\d+|make\s+money|work\s+from\s+home|limited\s+time\s+offer|act\s+now
    |buy\s+now|100%\s+free|casino|viagra|porn|xxx|onlyfans|subscribe\s+to\s+my)\b
    | \$\$+ | \#\w+\W*(?:\#\w+\W*){5,}""",
    _F | re.VERBOSE,
)

COMPLAINT = re.compile(
    r"""\b(?:still\s+(?:waiting|no|not|haven't|hasn't)|worst|terrible|horrible|awful|useless
    |ridiculous|unacceptable|disappointed|disappointing|fed\s+up|sick\s+of|tired\s+of|scam
    |rip\s*off|refund|overcharged|charged\s+twice|never\s+again|cancel(?:led|ing)?\s+my
    |doesn't\s+work|does\s+not\s+work|not\s+working|stopped\s+working|broken|crashed|keeps?
    \s+crashing|no\s+one\s+(?:answers|responds|helps)|on\s+hold|poor\s+service|customer\s+
    service\s+sucks|sucks)\b | \#fail\b""",
    _F | re.VERBOSE,
)


def info_seeking(text: str) -> list[tuple[str, str]]:
    """(pattern name, matched text) for each SCION information-seeking pattern in ``text``."""
    return [(m.lastgroup or "pattern", m.group(0).strip()) for m in INFO_SEEKING.finditer(text)]


def is_rhetorical(text: str) -> bool:
    """True if the post contains a conventional rhetorical question."""
    return RHETORICAL.search(text) is not None


# Word gates: a family's regex runs only when the post contains one of its trigger words.
# Most posts contain none, and the gate (a set intersection) is ~50x cheaper than the scan.
_INFO_WORDS = frozenset(
    [
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "how",
        "can",
        "could",
        "would",
        "will",
        "do",
        "does",
        "is",
        "are",
        "should",
        "has",
        "have",
        "did",
        "looking",
        "searching",
        "shopping",
        "hunting",
        "any",
        "some",
        "recommend",
        "suggest",
        "need",
        "want",
        "seeking",
        "wondering",
        "tell",
        "show",
        "explain",
    ]
)
_RHETORICAL_WORDS = frozenset(
    ["who", "guess", "what", "am", "how", "isn't", "ain't", "wasn't", "why", "what's", "can", "do"]
)
_PURCHASE_WORDS = frozenset(
    [
        "looking",
        "shopping",
        "searching",
        "want",
        "wanna",
        "plan",
        "planning",
        "going",
        "need",
        "ready",
        "hoping",
        "thinking",
        "market",
        "where",
        "should",
        "any",
        "can",
        "could",
        "please",
        "recommend",
        "suggest",
        "best",
        "quote",
        "pricing",
        "price",
        "how",
        "recommendations",
        "suggestions",
    ]
)
_SPAM_WORDS = frozenset(
    [
        "click",
        "follow",
        "f4f",
        "free",
        "cheap",
        "win",
        "giveaway",
        "promo",
        "discount",
        "dm",
        "earn",
        "make",
        "work",
        "limited",
        "act",
        "buy",
        "100",
        "casino",
        "viagra",
        "porn",
        "xxx",
        "onlyfans",
        "subscribe",
    ]
)
_COMPLAINT_WORDS = frozenset(
    [
        "still",
        "worst",
        "terrible",
        "horrible",
        "awful",
        "useless",
        "ridiculous",
        "unacceptable",
        "disappointed",
        "disappointing",
        "fed",
        "sick",
        "tired",
        "scam",
        "rip",
        "ripoff",
        "refund",
        "overcharged",
        "charged",
        "never",
        "cancel",
        "cancelled",
        "canceling",
        "cancelling",
        "doesn't",
        "does",
        "not",
        "stopped",
        "broken",
        "crashed",
        "keeps",
        "keep",
        "no",
        "on",
        "poor",
        "customer",
        "sucks",
        "#fail",
    ]
)


def _named_groups(rx: re.Pattern[str]) -> dict[str, str]:
    # Source of each top-level named group, found by matching parentheses.
    src, out, i = rx.pattern, {}, 0
    while (i := src.find("(?P<", i)) >= 0:
        name = src[i + 4 : src.index(">", i)]
        depth, j = 0, i
        while True:
            if src[j] == "(" and src[j - 1] != "\\":
                depth += 1
            elif src[j] == ")" and src[j - 1] != "\\":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        out[name] = src[i : j + 1]
        i = j
    return out


_S = frozenset
_INFO_GATES: dict[str, tuple[frozenset[str], ...]] = {
    "wh_aux": (_S(["what", "when", "where", "which", "who", "why", "how"]),),
    "modal_pronoun": (
        _S(
            [
                "can",
                "could",
                "would",
                "will",
                "do",
                "does",
                "is",
                "are",
                "should",
                "has",
                "have",
                "did",
            ]
        ),
        _S(["you", "u", "someone", "anyone", "anybody", "somebody", "i", "we", "they"]),
    ),
    "how_much": (_S(["how"]),),
    "where_is": (_S(["where"]),),
    "looking_for": (_S(["looking", "searching", "shopping", "hunting"]),),
    "recommend": (
        _S(
            [
                "recommend",
                "suggest",
                "recommendation",
                "recommendations",
                "suggestion",
                "suggestions",
                "advice",
                "tips",
                "ideas",
            ]
        ),
    ),
    "need_help": (_S(["help", "advice", "info", "information"]),),
    "anyone_know": (_S(["know"]),),
    "anyone_tried": (_S(["tried", "used", "had"]),),
    "wondering": (_S(["wondering"]),),
    "tell_me": (_S(["me"]),),
}
# Literal-first spellings of each pattern's leading word alternation (same spans; see
# text._fastre): `re` then scans for the first letters instead of trying every position.
_INFO_PREFIXES: dict[str, tuple[str, list[str]]] = {
    "wh_aux": (
        r"\b(?:what|when|where|which|who|why|how)",
        ["what", "when", "where", "which", "who", "why", "how"],
    ),
    "how_much": (r"\bhow", ["how"]),
    "where_is": (r"\bwhere", ["where"]),
    "looking_for": (
        r"\b(?:looking|searching|shopping|hunting)",
        ["looking", "searching", "shopping", "hunting"],
    ),
    "need_help": (r"\b(?:need|want|seeking)", ["need", "want", "seeking"]),
    "anyone_know": (r"\b(?:does|do)", ["does", "do"]),
    "anyone_tried": (r"\b(?:has|have)", ["has", "have"]),
    "wondering": (r"\bwondering", ["wondering"]),
    "tell_me": (r"\b(?:tell|show|explain\s+to)", ["tell", "show", r"explain\s+to"]),
}


def _fast_source(name: str, src: str) -> str:
    # The pattern with its leading word alternation spelled literal-first (if listed).
    if name not in _INFO_PREFIXES:
        return src
    prefix, words = _INFO_PREFIXES[name]
    head = f"(?P<{name}>" + prefix
    if not src.startswith(head):
        raise ValueError(f"info-seeking pattern {name} no longer starts with {prefix}")
    return f"(?P<{name}>" + word_first(words) + src[len(head) :]


# Lower-cased input, no IGNORECASE: several times faster in `re`.
_INFO_RES = {
    name: re.compile(_fast_source(name, src), re.VERBOSE)
    for name, src in _named_groups(INFO_SEEKING).items()
}


# ---------------------------------------------------------------------------- word gates
# Each trigger-word set is one bit; ``analyze`` ORs the bits of a post's tokens (precomputed
# per token id) and tests bits instead of intersecting word sets per post. The sets are
# registered by module constants of this module and of ``entities`` (at import, before any
# token is looked up) and never change afterwards: a constant table, not a cache.
_GATE_SETS: list[frozenset[str]] = []
_WORD_BITS: dict[str, int] = {}  # word -> bits of every registered set holding it


def gate_bit(words: Iterable[str]) -> int:
    """Register a trigger-word set (module constants only, at import); returns its bit."""
    bit = 1 << len(_GATE_SETS)
    group = frozenset(words)
    _GATE_SETS.append(group)
    for w in group:
        _WORD_BITS[w] = _WORD_BITS.get(w, 0) | bit
    return bit


def words_mask(words: Iterable[str]) -> int:
    """Bits of every registered set that shares a word with ``words``."""
    bits = _WORD_BITS
    out = 0
    for w in words:
        out |= bits.get(w, 0)
    return out


def token_mask(token: str) -> int:
    """Gate bits of one sentiment token (as :func:`gate_words` sees it: "today's" also
    counts as "today")."""
    bits = _WORD_BITS
    out = bits.get(token, 0)
    if "'" in token:
        out |= bits.get(token.split("'")[0], 0)
    return out


# Per info-seeking pattern: the bits that must all be set (one per trigger-word group).
_INFO_NEED = {name: sum(gate_bit(g) for g in gates) for name, gates in _INFO_GATES.items()}
INFO_BITS = sum(_INFO_NEED.values())
RHETORICAL_BIT = gate_bit(_RHETORICAL_WORDS)
PURCHASE_BIT = gate_bit(_PURCHASE_WORDS)
SPAM_BIT = gate_bit(_SPAM_WORDS)
COMPLAINT_BIT = gate_bit(_COMPLAINT_WORDS)


@functools.cache
def _info_plan(key: int) -> tuple[tuple[str, re.Pattern[str]], ...]:
    # The patterns whose gates ``key`` (a post's INFO bits) satisfies. A memo of a pure
    # function over at most 2**12 keys: it holds constants only, whatever the input.
    return tuple((n, _INFO_RES[n]) for n, need in _INFO_NEED.items() if key & need == need)


def _lowered(rx: re.Pattern[str]) -> re.Pattern[str]:
    # For lower-cased text, spelled literal-first (same spans, see text._fastre).
    verbose = bool(rx.flags & re.VERBOSE)
    return re.compile(alternation_first(rx.pattern, verbose=verbose), rx.flags & ~re.IGNORECASE)


# Case-insensitive scans are several times slower in ``re``; on lower-cased text the plain
# patterns match the same spans, unless lower-casing changed the length or the text holds
# dotless i / long s (U+0131, U+017F), which IGNORECASE matches as "i"/"s"
# (see :func:`lower_equivalent`). Spelled literal-first, the scans cost 10-50 % less.
_RHETORICAL_LOW = _lowered(RHETORICAL)
_PURCHASE_LOW = _lowered(PURCHASE)
_NEGATED_LOW = _lowered(NEGATED_PURCHASE)
_SPAM_LOW = _lowered(SPAM)
_COMPLAINT_LOW = _lowered(COMPLAINT)
# Every COMPLAINT match contains one of these (a cheap test before the scan).
_COMPLAINT_LITERALS = (
    "still",
    "worst",
    "terrible",
    "horrible",
    "awful",
    "useless",
    "ridiculous",
    "unacceptable",
    "disappoint",
    "fed",
    "sick",
    "tired",
    "scam",
    "rip",
    "refund",
    "charged",
    "again",
    "cancel",
    "work",
    "broken",
    "crash",
    "one",
    "hold",
    "poor",
    "sucks",
    "#fail",
)


def lower_equivalent(text: str, low: str) -> bool:
    """Whether plain patterns on ``low`` match exactly as IGNORECASE ones on ``text``."""
    return len(low) == len(text) and "\u0131" not in text and "\u017f" not in text


def _search(
    text: str, low: str, same: bool, rx: re.Pattern[str], rx_low: re.Pattern[str]
) -> str | None:
    # The matched span of the original text (not of ``low``), or None.
    if same:
        m = rx_low.search(low)
        return None if m is None else text[m.start() : m.end()]
    m = rx.search(text)
    return None if m is None else m.group(0)


def info_seeking_masked(text: str, low: str, mask: int) -> list[tuple[str, str]]:
    """:func:`gated_info_seeking` with the post's gate bits instead of its words."""
    if len(low) != len(text):  # lower-casing changed offsets (rare Unicode): slow path
        return info_seeking(text)
    if not mask & INFO_BITS:
        return []
    hits: list[tuple[int, str, str]] = []
    for name, rx in _info_plan(mask & INFO_BITS):
        hits += [(m.start(), name, text[m.start() : m.end()].strip()) for m in rx.finditer(low)]
    if len(hits) > 1:
        hits.sort()
    return [(name, span) for _, name, span in hits]


def rhetorical_masked(text: str, low: str, same: bool, mask: int) -> bool:
    """:func:`gated_rhetorical` with gate bits (``same``: :func:`lower_equivalent`)."""
    if not mask & RHETORICAL_BIT:
        return False
    return (_RHETORICAL_LOW.search(low) if same else RHETORICAL.search(text)) is not None


def purchase_masked(text: str, low: str, same: bool, mask: int) -> str | None:
    """Text of :func:`purchase_cue`'s match, or None."""
    if not mask & PURCHASE_BIT:
        return None
    return _search(text, low, same, PURCHASE, _PURCHASE_LOW)


def negated_purchase(text: str, low: str, same: bool) -> str | None:
    """Text of the ``NEGATED_PURCHASE`` match, or None."""
    return _search(text, low, same, NEGATED_PURCHASE, _NEGATED_LOW)


def spam_masked(text: str, low: str, same: bool, mask: int) -> str | None:
    """Text of :func:`spam_cue`'s match, or None."""
    if not mask & SPAM_BIT and "$$" not in text and text.count("#") < 6:
        return None
    return _search(text, low, same, SPAM, _SPAM_LOW)


def complaint_masked(text: str, low: str, same: bool, mask: int) -> str | None:
    """Text of :func:`complaint_cue`'s match, or None."""
    if not mask & COMPLAINT_BIT:
        return None
    if same and not any(map(low.__contains__, _COMPLAINT_LITERALS)):
        return None
    return _search(text, low, same, COMPLAINT, _COMPLAINT_LOW)


def gated_info_seeking(text: str, words: frozenset[str] | set[str]) -> list[tuple[str, str]]:
    """Information-seeking patterns; each pattern runs only if its trigger words occur.

    Unlike :func:`info_seeking` (one scan, non-overlapping), patterns may overlap here.
    """
    return info_seeking_masked(text, text.lower(), words_mask(words))


def gated_rhetorical(text: str, words: frozenset[str] | set[str]) -> bool:
    return not words.isdisjoint(_RHETORICAL_WORDS) and is_rhetorical(text)


def purchase_cue(text: str, words: frozenset[str] | set[str]) -> re.Match[str] | None:
    return PURCHASE.search(text) if not words.isdisjoint(_PURCHASE_WORDS) else None


def spam_cue(text: str, words: frozenset[str] | set[str]) -> re.Match[str] | None:
    if words.isdisjoint(_SPAM_WORDS) and "$$" not in text and text.count("#") < 6:
        return None
    return SPAM.search(text)


def complaint_cue(text: str, words: frozenset[str] | set[str]) -> re.Match[str] | None:
    return COMPLAINT.search(text) if not words.isdisjoint(_COMPLAINT_WORDS) else None
