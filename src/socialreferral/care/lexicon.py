"""Word lists and phrase rules behind the care features (SCION's opinion phrases, seed 003).

Everything here is immutable data plus one loader: :func:`default_lexicon` builds a
:class:`Lexicon` from these lists and VADER's valence lexicon (read from the
``vaderSentiment`` wheel, no network). A :class:`~socialreferral.care.CareRanker` builds its
lexicon once; nothing is cached process-wide except the parsed VADER file.

Texts are matched after :func:`normalize`: lower-cased, apostrophes removed (``don't`` →
``dont``), so one spelling covers ``don't``, ``don’t`` and ``dont``.

The complaint cues are written to generalise beyond one brand or sector: they name the
*shape* of a complaint (a service that failed, waiting, money taken, an expectation that
reality broke, a negated positive, a threat to leave) rather than product words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = [
    "NEGATIVE_EMOJI",
    "POSITIVE_EMOJI",
    "Lexicon",
    "default_lexicon",
    "normalize",
]

_APOSTROPHES = str.maketrans({"'": None, "\u2019": None, "\u2018": None, "`": None})


def normalize(text: str) -> str:
    """Lower-case ``text`` and drop apostrophes (``Don’t`` → ``dont``)."""
    return text.lower().translate(_APOSTROPHES)


NEGATORS = frozenset(
    "not no never none nobody nothing neither nor nowhere cannot cant dont wont isnt arent "
    "wasnt werent aint didnt doesnt couldnt shouldnt wouldnt hasnt havent hadnt without "
    "hardly barely unable nope noone".split()
)
# A negation scope ends at punctuation or a contrast word ("not bad, but slow").
SCOPE_END = frozenset(". , ! ? ; : but however although though".split())
NEGATION_SCOPE = 3  # tokens after a negator that it can flip

# What a customer expects a service to do: negated, each is a service-failure phrase
# ("doesnt work", "never arrived", "no response", "cant login", "not received").
EXPECTED_ACTIONS = frozenset(
    """work works working worked load loads loading open opens opening connect connecting
    connected arrive arrived arriving come came show showed shown deliver delivered delivery
    receive received get got gotten help helped helping helpful respond responded response
    reply replied answer answered answering call called fix fixed resolved sorted refund
    refunded update updated updates login log sign access play playing stream streaming
    charge charging send sent sending pick picked find found let allow allowed available
    accept accepted process processed return returned hear heard contact contacted turn
    responding replying signal service internet wifi power connection confirmation
    email emails text texts notification""".split()
)

# Positive words whose negation is a complaint ("not happy", "not acceptable"); VADER's
# positive words are added by the loader.
EXTRA_POSITIVE = frozenset(
    """thank thanks thx ty appreciate appreciated kudos shoutout cheers love loved loving
    lovely great awesome amazing excellent perfect fantastic brilliant wonderful helpful
    happy glad pleased impressed satisfied smooth fast quick easy friendly best favorite
    favourite recommend yay woohoo congrats congratulations enjoy enjoyed delicious""".split()
)

# Domain negatives VADER lacks or under-weights: failures, delays, money, frustration.
EXTRA_NEGATIVE = frozenset(
    """broken broke crash crashed crashes crashing glitch glitches glitchy bug bugs buggy
    error errors fail failed fails failing failure outage outages down slow slower laggy lag
    freezing freezes frozen stuck stranded delay delayed delays late later cancelled canceled
    cancel cancellation missing lost wrong incorrect damaged defective faulty expired locked
    declined denied rejected fraud fraudulent stolen unacceptable ridiculous useless pathetic trash garbage
    rubbish joke worst terrible horrible awful disgusting disgusted disappointed
    disappointing disappointment frustrated frustrating frustration annoyed annoying
    furious fuming angry mad upset sick tired fed shame shameful incompetent incompetence
    rude unprofessional clueless nightmare issue issues problem problems trouble
    complaint complain complaining wtf smh ugh ffs sucks suck sucked waiting waited wait
    hold unhappy dissatisfied poor bad worse hell mess messed screwed unreliable
    nonexistent unresponsive ignored ignoring lied lying misleading spotty dropped
    dropping disconnected inconvenience inconvenient again still yet""".split()
)

# Words that are negative only in context, counted once per post at most ("again" alone is
# no complaint, "down again" is): these never start a phrase on their own.
WEAK_NEGATIVE = frozenset("again still yet wait waiting waited hold late later down".split())

NEGATIVE_EMOJI = frozenset(
    "\U0001f621\U0001f620\U0001f624\U0001f92c\U0001f612\U0001f644\U0001f611\U0001f61e"
    "\U0001f614\U0001f629\U0001f62b\U0001f62d\U0001f622\U0001f494\U0001f44e\U0001f926"
    "\U0001f615\U0001f61f\U0001f623\U0001f616\U0001f630\U0001f625\U0001f613\U0001f92f"
    "\U0001f610\U0001f643\U0001f4a9"
)
POSITIVE_EMOJI = frozenset(
    "\U0001f600\U0001f603\U0001f604\U0001f601\U0001f60a\U0001f60d\U0001f970\U0001f618"
    "\u2764\U0001f495\U0001f496\U0001f497\U0001f499\U0001f49a\U0001f49b\U0001f49c\U0001f44d"
    "\U0001f64f\U0001f44f\U0001f389\U0001f60e\U0001f642\U0001f917\U0001f64c\U0001f4af"
    "\u2728\U0001f973"
)

# Multi-word complaint shapes, matched on normalize(text). Each match is one negative
# opinion phrase; the group name is the cue kind shown in explanations.
_PHRASES = r"""
  (?P<waiting>\bstill\s+(?:waiting|no|not|nothing|havent|hasnt|cant|dont|doesnt|isnt|wont
      |unable|having|getting|charging|broken|down)\b
    | \b(?:been|keep|kept|left)\s+(?:waiting|on\s+hold)\b
    | \b(?:waiting|waited|wait)\s+(?:for|on|over|since)\b
    | \bon\s+hold\b
    | \b(?:for|over|after|in|nearly|almost)\s+(?:an?|\d+|two|three|four|five|six|several
      |few|many|multiple)\s+(?:hours?|hrs?|days?|weeks?|months?|mins?|minutes?)\b
    | \b(?:\d+(?:st|nd|rd|th)?|third|fourth|fifth|several|multiple|many)\s+times?\b)
| (?P<no_response>\bno\s+(?:one|body|word|resolution|way)\b | \bno\s+longer\b
    | \bignor(?:ed|ing)\b | \bleft\s+on\s+read\b)
| (?P<money>\brefunds?\b | \bmoney\s+back\b | \b(?:over|double|wrongly)\s*charg\w*
    | \bcharg(?:ed|ing)\s+(?:me|us|twice|again|for|extra|my)\b | \bcompensat\w*
    | \b(?:extra|hidden|late|cancellation|overdraft|ridiculous)\s+(?:fee|fees|charge|charges)\b
    | \bripp?(?:ed)?\s*off\b | \bscam\w*)
| (?P<failure>\bkeeps?\s+(?:crash|freez|dropp|disconnect|logg|sign|say|ask|tell|charg|fail)\w*
    | \bstopped\s+\w*ing\b
    | \b(?:is|are|was|went|been|goes|keeps?\s+going)\s+down\b | \bdown\s+again\b
    | \b(?:no|lost|losing|dropp?(?:ed|ing)?)\s+(?:signal|service|connection|internet|wifi)\b)
| (?P<contrast>\bsupposed\s+to\b | \bwas\s+told\b | \b(?:they|you)\s+(?:said|told|promised)\b
    | \bpromised\b | \b(?:i|we)\s*(?:m|am|are|have\s+been)?\s+paying\b | \bpaid\s+for\b
    | \bwhat\s+(?:is|s)?\s*the\s+point\b | \bhow\s+(?:hard|difficult)\s+is\s+it\b
    | \bhow\s+is\s+(?:this|that|it)\s+(?:ok|okay|acceptable|fair|possible)\b
    | \bwhats?\s+(?:is\s+)?going\s+on\b | \bwhy\s+(?:is|are|do|does|did|cant|wont|isnt
      |doesnt|didnt|arent|would|the\s+hell|tf|on\s+earth)\b
    | \bhow\s+come\b | \b(?:fix|sort)\s+(?:it|this|your|the|my)\b | \bget\s+it\s+together\b
    | \bcome\s+on\b | \bseriously\b | \bexpected\s+better\b | \bnot\s+good\s+enough\b)
| (?P<churn>\bnever\s+(?:again|coming\s+back|using|buying|flying|ordering|recommend\w*
      |shopping)\b | \b(?:switch\w*|moving|going)\s+to\s+(?:another|a\s+different)\b
    | \bcancel\w*\s+my\b | \b(?:leave|leaving|left)\s+(?:you|your|for)\b | \blast\s+time\b
    | \bwont\s+be\s+(?:back|using|buying|ordering|flying)\b)
| (?P<sarcasm>\bthanks?\s+(?:for\s+nothing|a\s+lot\s+(?:for|\.\.\.))\b
    | \b(?:gotta|got\s+to|i)\s+love\s+(?:how|when|that)\b | \blove\s+how\b
    | \b(?:great|awesome|nice|fantastic|brilliant)\s+(?:job|work|service)\b(?=.*(?:not|no|never|\?))
    | \#\w*fail\b | \#(?:disappointed|frustrated|unhappy|badservice|neveragain)\b)
"""
PHRASES = re.compile(_PHRASES, re.VERBOSE)

# Tokens that can start a phrase match: the regex runs only on posts containing one
# (most posts contain one, but short praise and greetings skip the scan).
PHRASE_TRIGGERS = frozenset(
    """still been keep kept left waiting waited wait on for over after in nearly almost
    times time no nobody noone havent ignored ignoring refund refunds money charged charging
    charge double overcharged wrongly compensate compensation compensated extra hidden late
    cancellation overdraft ridiculous rip ripped ripoff scam scammed doesnt dont didnt wont
    isnt not never cant cannot wasnt stopped keeps keep is are was went goes down lost losing
    drop dropped dropping supposed told they you promised i we paid what whats how why fix
    sort get come seriously expected switch switching moving going cancel leave leaving
    last thanks thank gotta got love great awesome nice fantastic brilliant""".split()
    + [str(d) for d in range(10)]
)
# Quick test for tokens like "3rd", "10" (numbers start waiting/"times" phrases).
DIGITS = frozenset("0123456789")

# Information-seeking patterns (SCION's 11 rules, over words: no POS tagger offline).
INFO_SEEKING = re.compile(
    r"""(?P<wh_aux>\b(?:what|when|where|which|who|why|how)\s+(?:can|could|do|does|did|should
        |would|will|is|are|was|to)\b(?:\s+\w+)?\s+(?:i|we|you|u|they|it|my|the|a|someone|anyone)\b)
    | (?P<modal_pronoun>(?:^|[.!?]\s*|@\w+\s+)(?:can|could|would|will|do|does|is|are|should
        |has|have|did)\s+(?:you|u|someone|anyone|anybody|somebody|i|we|they)\b(?:\s+\w+)?\s+\w+)
    | (?P<how_much>\bhow\s+(?:much|many|long|often|far|do|does|can)\b)
    | (?P<where_is>\bwhere\s+(?:is|are|can|do|does|should|to)\b)
    | (?P<looking_for>\b(?:looking|searching|shopping|hunting)\s+(?:for|around)\b)
    | (?P<recommend>\b(?:any|some)\s+(?:recommendations?|suggestions?|advice|tips|ideas)\b
        |\b(?:recommend|suggest)\s+(?:me\s+)?(?:a|an|some|any|the|good|best)\b)
    | (?P<need_help>\b(?:need|want|seeking)\s+(?:some\s+)?(?:help|advice|info|information)\b)
    | (?P<anyone_know>\b(?:does|do)\s+(?:anyone|anybody|someone|somebody|you)\s+know\b)
    | (?P<anyone_tried>\b(?:has|have)\s+(?:anyone|anybody|someone)\s+(?:tried|used|had)\b)
    | (?P<wondering>\bwondering\s+(?:if|whether|how|what|where|why|when)\b)
    | (?P<tell_me>\b(?:tell|show|explain\s+to)\s+me\s+(?:how|what|where|why|when|if)\b)""",
    re.VERBOSE,
)
INFO_TRIGGERS = frozenset(
    """what when where which who why how can could would will do does is are should has
    have did looking searching shopping hunting any some recommend suggest need want seeking
    wondering tell show explain""".split()
)
# Questions that expect no answer ("who cares?", "how awesome is that?").
RHETORICAL = re.compile(
    r"""\bwho\s+(?:cares|knew|asked)\b | \bguess\s+what\b | \bwhat\s+could\s+go\s+wrong\b
    | \bhow\s+(?:awesome|cool|great|amazing|sad|cute|funny|crazy|lucky|sweet)\s+(?:is|was)\b
    | \bcan\s+you\s+believe\b""",
    re.VERBOSE,
)

SPAM = re.compile(
    r"""\b(?:click\s+(?:here|the\s+link)|follow\s+(?:me|back)|f4f|giveaway|promo\s+code
    |(?:free|cheap)\s+(?:followers|likes|iphone|gift\s*cards?|money|bitcoin|crypto)
    |win\s+(?:a|an|free)|dm\s+(?:me\s+)?for|earn\s+\$?\d+|make\s+money|work\s+from\s+home
    |limited\s+time\s+offer|act\s+now|buy\s+now|casino|viagra|onlyfans|subscribe\s+to\s+my)\b""",
    re.VERBOSE,
)
SPAM_TRIGGERS = frozenset(
    """click follow f4f giveaway promo free cheap win dm earn make work limited act buy casino
    viagra onlyfans subscribe""".split()
)

# Words that make a post relevant to customer care when no brand dictionary is configured:
# the things customers talk to a company about (SCION's "relevant entity").
CARE_NOUNS = frozenset(
    """account app application order orders delivery package parcel shipment tracking
    flight flights booking reservation ticket tickets seat baggage luggage bag bags gate
    phone phones device laptop tv router modem internet wifi network signal service
    services plan bill billing invoice payment payments card cards credit debit bank loan
    mortgage transfer balance fee fees charge charges price prices refund store shop
    website site online customer support agent rep representative manager staff driver
    driver product products item items warranty subscription membership premium update
    software game games console battery screen password login email code coupon voucher
    points miles reward rewards claim policy insurance delivery food meal restaurant
    train trains bus ride trip car vehicle repair appointment technician call chat""".split()
)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Polarity and cue word sets used by :func:`~socialreferral.care.features.extract`."""

    positive: frozenset[str]
    negative: frozenset[str]
    weak_negative: frozenset[str]
    expected_actions: frozenset[str]
    negators: frozenset[str]
    care_nouns: frozenset[str]

    def codes(self) -> dict[str, int]:
        """One small integer per token: what it can do in a phrase (bit flags)."""
        out: dict[str, int] = {}
        for words, bit in (
            (self.positive, POS),
            (self.negative, NEG),
            (self.weak_negative, WEAK),
            (self.expected_actions, ACTION),
            (self.negators, NEGATOR),
            (SCOPE_END, STOP),
            (self.care_nouns, NOUN),
        ):
            for w in words:
                out[w] = out.get(w, 0) | bit
        return out


# Token code bits (see Lexicon.codes).
POS, NEG, WEAK, ACTION, NEGATOR, STOP, NOUN = 1, 2, 4, 8, 16, 32, 64


@lru_cache(maxsize=1)
def _vader_words() -> tuple[frozenset[str], frozenset[str]]:
    """(positive, negative) words of VADER's lexicon with |valence| >= 1.5 (read once)."""
    text = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text("utf-8")
    pos: set[str] = set()
    neg: set[str] = set()
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0].isalpha():
            continue
        try:
            v = float(parts[1])
        except ValueError:
            continue
        if v >= 1.5:
            pos.add(parts[0])
        elif v <= -1.5:
            neg.add(parts[0])
    return frozenset(pos), frozenset(neg)


def default_lexicon(
    *,
    extra_positive: frozenset[str] = frozenset(),
    extra_negative: frozenset[str] = frozenset(),
    extra_nouns: frozenset[str] = frozenset(),
) -> Lexicon:
    """The shipped lexicon, optionally extended (e.g. with a brand's product names)."""
    vpos, vneg = _vader_words()
    negators = NEGATORS
    negative = (vneg | EXTRA_NEGATIVE | extra_negative) - negators - WEAK_NEGATIVE
    positive = (vpos | EXTRA_POSITIVE | extra_positive) - negative - negators
    return Lexicon(
        positive=frozenset(positive),
        negative=frozenset(negative),
        weak_negative=WEAK_NEGATIVE,
        expected_actions=EXPECTED_ACTIONS,
        negators=negators,
        care_nouns=CARE_NOUNS | extra_nouns,
    )
