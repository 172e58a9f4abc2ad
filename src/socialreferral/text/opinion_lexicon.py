"""Opinion and complaint cues: word lists and phrase rules (SCION's opinion phrases, seed 003),
shared by the care ranker's features and ``analyze``'s complaint intent.

Everything here is immutable data plus one loader: :func:`default_lexicon` builds a
:class:`Lexicon` from these lists and VADER's valence lexicon (read from the
``vaderSentiment`` wheel, no network). A :class:`~socialreferral.care.CareRanker` builds its
lexicon once; nothing is cached process-wide except the parsed VADER file.

Texts are matched after :func:`normalize`: lower-cased, apostrophes removed (``don't`` →
``dont``), so one spelling covers ``don't``, ``don\u2019t`` and ``dont``.

The complaint cues are written to generalise beyond one brand or sector: they name the
*shape* of a complaint (a service that failed, waiting, money taken, an expectation that
reality broke, a negated positive, a threat to leave) rather than product words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from socialreferral.text.tokenpatterns import TokenPatterns

__all__ = [
    "CARE_NOUNS",
    "INABILITY",
    "NEGATIVE_EMOJI",
    "NEGATIVE_HASHTAG_ENDINGS",
    "NOT_FAILURES",
    "POSITIVE_EMOJI",
    "RULES",
    "RULE_SPEC",
    "Lexicon",
    "default_lexicon",
    "normalize",
]


def _words(text: str) -> list[str]:
    """Whitespace-separated words of a literal word list."""
    return text.split()


def normalize(text: str) -> str:
    """Lower-case ``text`` and drop apostrophes (``Don't`` -> ``dont``)."""
    # chained replace: several times faster than str.translate with a mapping
    return text.lower().replace("'", "").replace("\u2019", "").replace("\u2018", "")


NEGATORS = frozenset(
    _words(
        """not no never none nobody nothing neither nor nowhere cannot cant dont wont isnt
        arent wasnt werent aint didnt doesnt couldnt shouldnt wouldnt hasnt havent hadnt
        without hardly barely unable nope noone"""
    )
)
# A negation scope ends at punctuation or a contrast word ("not bad, but slow").
SCOPE_END = frozenset(_words(". , ! ? ; : but however although though"))
NEGATION_SCOPE = 3  # tokens after a negator that it can flip

# "cant <verb>" is a failure whatever the verb ("cant change it in settings"), except these.
INABILITY = frozenset(_words("cant cannot unable couldnt"))
NOT_FAILURES = frozenset(_words("wait believe stop thank complain imagine express tell say"))

# What a customer expects a service to do: negated, each is a service-failure phrase
# ("doesnt work", "never arrived", "no response", "cant login", "not received").
EXPECTED_ACTIONS = frozenset(
    _words(
        """work works working worked load loads loading open opens opening connect
        connecting connected arrive arrived arriving come came show showed shown deliver
        delivered delivery receive received get got gotten help helped helping helpful
        respond responded response reply replied answer answered answering call called
        fix fixed resolved sorted refund refunded update updated updates login log sign
        access play playing stream streaming charge charging send sent sending pick
        picked find found let allow allowed available accept accepted process processed
        return returned hear heard contact contacted turn responding replying signal
        service internet wifi power connection confirmation email emails text texts
        notification change order pay book check use download install upload watch see
        view reach talk speak buy add remove reset transfer withdraw register verify
        track redeem apply able allowed allow getting process told"""
    )
)

# VADER-positive words that are functional in customer-care language ("please help",
# "customer care", "yes", "like", "free delivery"): never a positive opinion phrase here.
FUNCTIONAL = frozenset(
    _words(
        """help helps helped helping support supported care cares like likes yes yeah yep
        save saved credit credits kind kindly clear free definitely pretty sure please
        share sharing shared friend friends ok okay well true lol haha hope hopefully
        wish want matter important interested promise promised fine agree agreed welcome
        accept accepted allow allowed able chance hug hugs huge play playing win winner
        reward rewards trust trusted respect safe safety security secure joke joking
        ready"""
    )
)

# Positive words whose negation is a complaint ("not happy", "not acceptable"); VADER's
# positive words are added by the loader.
EXTRA_POSITIVE = frozenset(
    _words(
        """thank thanks thx ty appreciate appreciated kudos shoutout cheers love loved
        loving lovely great awesome amazing excellent perfect fantastic brilliant
        wonderful helpful happy glad pleased impressed satisfied smooth fast quick easy
        friendly best favorite favourite recommend yay woohoo congrats congratulations
        enjoy enjoyed delicious"""
    )
)

# Domain negatives VADER lacks or under-weights: failures, delays, money, frustration.
EXTRA_NEGATIVE = frozenset(
    _words(
        """broken broke crash crashed crashes crashing glitch glitches glitchy bug bugs
        buggy error errors fail failed fails failing failure outage outages down slow
        slower laggy lag freezing freezes frozen stuck stranded delay delayed delays
        late later cancelled canceled cancel cancellation missing lost wrong incorrect
        damaged defective faulty expired locked declined denied rejected fraud
        fraudulent stolen unacceptable ridiculous useless pathetic trash garbage rubbish
        joke worst terrible horrible awful disgusting disgusted disappointed
        disappointing disappointment frustrated frustrating frustration annoyed annoying
        furious fuming angry mad upset sick tired fed shame shameful incompetent
        incompetence rude unprofessional clueless nightmare issue issues problem
        problems trouble complaint complain complaining wtf smh ugh ffs sucks suck
        sucked waiting waited wait hold unhappy dissatisfied poor bad worse hell mess
        messed screwed unreliable nonexistent unresponsive ignored ignoring lied lying
        misleading spotty dropped dropping disconnected inconvenience inconvenient again
        still yet"""
    )
)

# Words that are negative only in context, counted once per post at most ("again" alone is
# no complaint, "down again" is): these never start a phrase on their own.
WEAK_NEGATIVE = frozenset(_words("again still yet wait waiting waited hold late later down"))

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

# Multi-word rules over tokens (see tokenpatterns): family "neg" are complaint shapes,
# each match one negative opinion phrase of its kind; "info" are SCION's 11
# information-seeking patterns (written over words: no POS tagger offline); "rhetorical"
# questions expect no answer; "buy" is purchase intent; "spam" are spam cues.
_NUMBERS = "a|an|#|two|three|four|five|six|several|few|many|multiple"
_UNITS = "hours|hour|hrs|hr|days|day|weeks|week|months|month|mins|min|minutes|minute"
_INGS = "working|loading|responding|charging|syncing|playing|streaming|connecting"
RULE_SPEC: dict[str, dict[str, list[str]]] = {
    "neg": {
        "waiting": [
            "still waiting|no|not|nothing|havent|hasnt|cant|dont|doesnt|isnt|wont|unable"
            "|having|getting|charging|broken|down",
            "been|keep|kept|left waiting",
            "been|keep|kept|left on hold",
            "waiting|waited|wait for|on|over|since",
            "on hold",
            f"for|over|after|in|nearly|almost|past {_NUMBERS} {_UNITS}",
            "#|third|fourth|fifth|several|multiple|many times|time",
        ],
        "no_response": [
            "no one|body|word|resolution|way",
            "no longer",
            "ignored|ignoring",
            "left on read",
        ],
        "money": [
            "refund|refunds|refunded|overcharged|overcharging|overcharge|compensation"
            "|compensate|compensated|scam|scammed|scamming|ripoff",
            "money back",
            "double|wrongly charged|charging|charge",
            "charged|charging me|us|twice|again|for|extra|my",
            "extra|hidden|late|cancellation|overdraft|ridiculous fee|fees|charge|charges",
            "rip|ripped off",
        ],
        "failure": [
            "keep|keeps crashing|freezing|dropping|disconnecting|logging|signing|saying"
            "|asking|telling|charging|failing|getting",
            f"stopped {_INGS}",
            "is|are|was|went|been|goes down",
            "keeps|keep going down",
            "down again",
            "no|lost|losing|dropped|dropping|drop signal|service|connection|internet|wifi",
        ],
        "contrast": [
            "supposed to",
            "was told",
            "they|you said|told|promised",
            "promised",
            "i|we|im am|are? paying",
            "i|we have been paying",
            "paid for",
            "what|whats is? the point",
            "how hard|difficult is it",
            "how is this|that|it ok|okay|acceptable|fair|possible",
            "what|whats is? going on",
            "why is|are|do|does|did|cant|wont|isnt|doesnt|didnt|arent|would|tf",
            "why the hell",
            "why on earth",
            "how come",
            "fix|sort it|this|your|the|my",
            "get it together",
            "come on",
            "seriously",
            "expected better",
            "not good enough",
        ],
        "impatience": ["? ?", "already ?|!", "any|an update", "hello ?"],
        "churn": [
            "never again|using|buying|flying|ordering|recommend|recommending|shopping",
            "never coming back",
            "switch|switching|moving|going to another",
            "switch|switching|moving|going to a different",
            "cancel|cancelling|canceling|cancelled|canceled my",
            "leave|leaving|left you|your|for",
            "last time",
            "wont be back|using|buying|ordering|flying",
        ],
        "sarcasm": [
            "thanks|thank for nothing",
            "thanks a lot",
            "gotta|i love how|when|that",
            "got to love how|when|that",
            "love how",
        ],
    },
    "info": {
        "wh_aux": [
            "what|when|where|which|who|why|how can|could|do|does|did|should|would|will|is"
            "|are|was|to *? i|we|you|u|they|it|my|the|a|someone|anyone",
        ],
        "modal_pronoun": [
            "^ can|could|would|will|do|does|is|are|should|has|have|did you|u|someone|anyone"
            "|anybody|somebody|i|we|they *? *",
        ],
        "how_much": ["how much|many|long|often|far|do|does|can"],
        "where_is": ["where is|are|can|do|does|should|to"],
        "looking_for": ["looking|searching|shopping|hunting for|around"],
        "recommend": [
            "any|some recommendations|recommendation|suggestions|suggestion|advice|tips|ideas",
            "recommend|suggest me? a|an|some|any|the|good|best",
        ],
        "need_help": ["need|want|seeking some? help|advice|info|information"],
        "anyone_know": ["does|do anyone|anybody|someone|somebody|you know"],
        "anyone_tried": ["has|have anyone|anybody|someone tried|used|had"],
        "wondering": ["wondering if|whether|how|what|where|why|when"],
        "tell_me": ["tell|show me how|what|where|why|when|if", "explain to me how|what|why"],
    },
    "rhetorical": {
        "rhetorical": [
            "who cares|knew|asked",
            "guess what",
            "what could go wrong",
            "how awesome|cool|great|amazing|sad|cute|funny|crazy|lucky|sweet is|was",
            "can you believe",
        ],
    },
    "buy": {
        "purchase": [
            "looking|shopping|searching for",
            "looking|shopping|searching around for",
            "want|wanna|planning|going|ready|hoping to? buy|purchase|order|upgrade",
            "want|wanna|planning|going|ready|hoping to? get a|an|the|new",
            "want|wanna|planning|going|ready|hoping to? sign up",
            "want|wanna|planning|going|ready|hoping to? switch to",
            "thinking of|about buying|getting|upgrading|switching",
            "in the market for",
            "where can|do|should i buy|get|order",
            "should i buy|get|upgrade",
            "how much is|are|does|for",
            "preorder|preordered|preordering",
            "pre order|ordered",
            "in stock",
        ],
    },
    "spam": {
        "spam": [
            "click here|below",
            "click the link",
            "follow me|back",
            "f4f|giveaway|casino|viagra|onlyfans",
            "promo code",
            "free|cheap followers|likes|iphone|giftcard|money|bitcoin|crypto",
            "free|cheap gift card|cards",
            "win a|an|free",
            "dm me? for",
            "earn #",
            "make money",
            "work from home",
            "limited time offer",
            "act now",
            "buy now",
            "subscribe to my",
        ],
    },
}
RULES = TokenPatterns(RULE_SPEC)
# Negative hashtags: #fail, #epicfail, #disappointed ...
NEGATIVE_HASHTAG_ENDINGS = ("fail", "fails", "neveragain", "badservice", "worstservice")

# Words that make a post relevant to customer care when no brand dictionary is configured:
# the things customers talk to a company about (SCION's "relevant entity").
CARE_NOUNS = frozenset(
    _words(
        """account app application order orders delivery package parcel shipment tracking
        flight flights booking reservation ticket tickets seat baggage luggage bag bags
        gate phone phones device laptop tv router modem internet wifi network signal
        service services plan bill billing invoice payment payments card cards credit
        debit bank loan mortgage transfer balance fee fees charge charges price prices
        refund store shop website site online customer support agent rep representative
        manager staff driver driver product products item items warranty subscription
        membership premium update software game games console battery screen password
        login email code coupon voucher points miles reward rewards claim policy
        insurance delivery food meal restaurant train trains bus ride trip car vehicle
        repair appointment technician call chat"""
    )
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
    positive = (vpos | EXTRA_POSITIVE | extra_positive) - negative - negators - FUNCTIONAL
    return Lexicon(
        positive=frozenset(positive),
        negative=frozenset(negative),
        weak_negative=WEAK_NEGATIVE,
        expected_actions=EXPECTED_ACTIONS,
        negators=negators,
        care_nouns=CARE_NOUNS | extra_nouns,
    )
