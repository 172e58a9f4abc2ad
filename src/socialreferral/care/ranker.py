"""``CareRanker``: the care queue's scorer (seed 003, Eq. 1-4), no training needed.

    >>> from socialreferral.care import CareRanker
    >>> ranker = CareRanker()                       # the seed's defaults, no settings
    >>> [s.intent for s in ranker.score(["@acme my order never arrived, still waiting"])]
    ['complaint']

Per post: features (:mod:`~socialreferral.care.features`) → business function
(:class:`~socialreferral.care.categorizer.Categorizer`) → intent → AScore (Eq. 1) →
AuthorScore (Eq. 2) → BFI (Eq. 3 or a ranking) → RankScore (Eq. 4) → actionability
refinements. A ranker is immutable; :meth:`CareRanker.with_profile` returns another one
with a different weight profile, so a service can switch profiles at run time by swapping
one reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from socialreferral.care.actionability import Refinement, refine
from socialreferral.care.annotate import Annotated, Annotator
from socialreferral.care.categorizer import Categorization, Categorizer
from socialreferral.care.features import relevant_comment_count
from socialreferral.care.intents import classify_intent
from socialreferral.care.lexicon import Lexicon, default_lexicon
from socialreferral.care.models import MAX_TEXT, CarePost, CareScore, PostFeatures, trusted
from socialreferral.care.scores import (
    ActionCounts,
    author_terms,
    bfi_from_counts,
    bfi_value,
)
from socialreferral.care.settings import AScoreWeights, CareSettings, WeightProfile
from socialreferral.care.tone import ToneModel as CareTone
from socialreferral.errors import InvalidInput

__all__ = ["MAX_BATCH", "CareRanker", "ToneModel"]

MAX_BATCH = 1_000_000  # posts per score() call

# The tone model: care.tone.ToneModel (default), or anything with predict_proba(texts) ->
# (n, 3) in negative/neutral/positive order, such as socialreferral.text.SentimentModel.
ToneModel = Any


class CareRanker:
    """Scores posts for the care queue; see the module docstring.

    Args:
        settings: the care configuration (``CareSettings()`` when omitted).
        profile: the weight profile to use (default: ``settings.active_profile``).
        tone_model: a sentiment model for the tone term; default: the shipped
            :meth:`socialreferral.care.tone.ToneModel.default` when
            ``settings.use_tone_model``; any model with ``predict_proba`` (such as
            ``socialreferral.text.SentimentModel``); ``False`` disables it (tone = 0: the
            paper's phrase counts only).
        lexicon: the opinion/cue lexicon (default: :func:`default_lexicon`).
    """

    def __init__(
        self,
        settings: CareSettings | None = None,
        *,
        profile: str | None = None,
        tone_model: ToneModel | bool | None = None,
        lexicon: Lexicon | None = None,
        _categorizer: Categorizer | None = None,
        _annotator: Annotator | None = None,
    ) -> None:
        self.settings = settings or CareSettings()
        name = profile or self.settings.active_profile
        if name not in self.settings.profiles:
            raise InvalidInput(
                f"unknown profile {name!r}; known: {sorted(self.settings.profiles)}",
                field="profile",
            )
        self.profile: WeightProfile = self.settings.profiles[name]
        self.lexicon = lexicon or default_lexicon()
        self._codes = self.lexicon.codes()
        self.categorizer = _categorizer or Categorizer(self.settings.functions)
        if tone_model is None or tone_model is True:
            tone_model = self._default_tone() if self.settings.use_tone_model else None
        self.tone_model = tone_model or None
        self._annotator = _annotator or Annotator(
            self._codes,
            self.categorizer,
            self.tone_model if isinstance(self.tone_model, CareTone) else None,
        )
        terms = author_terms(None, self.settings.author)
        self._new_author = (terms, terms[0][1] * terms[1][1] * terms[2][1])
        self._terms = _TermTuples(self.profile.ascore)

    @staticmethod
    def _default_tone() -> ToneModel:
        return CareTone.default()

    def with_profile(self, name: str) -> CareRanker:
        """The same ranker with another weight profile (shares the built parts and caches,
        so switching is cheap)."""
        return CareRanker(
            self.settings,
            profile=name,
            tone_model=self.tone_model or False,
            lexicon=self.lexicon,
            _categorizer=self.categorizer,
            _annotator=self._annotator,
        )

    # ------------------------------------------------------------------ scoring
    def score(
        self,
        posts: Sequence[str | CarePost],
        *,
        bfi_counts: ActionCounts | None = None,
        helpful_members: frozenset[str] = frozenset(),
    ) -> list[CareScore]:
        """Score ``posts`` (strings or :class:`CarePost`), in input order.

        Args:
            bfi_counts: (actionable, total) per business function over a recent window, for
                Eq. 3 (see :func:`~socialreferral.care.scores.count_actionable`).
            helpful_members: author ids of community members known to answer well; a
                question in a thread where one is active gets "let_community_answer".
        """
        if isinstance(posts, str | bytes) or not isinstance(posts, Sequence):
            raise InvalidInput("expected a sequence of posts", field="posts")
        if len(posts) > MAX_BATCH:
            raise InvalidInput(f"at most {MAX_BATCH} posts per call", field="posts")
        texts = [self._text(p, i) for i, p in enumerate(posts)]
        notes, tone_array = self._annotator.annotate(texts)
        if self.tone_model is not None and self._annotator.tone is None:  # external model
            proba = np.asarray(self.tone_model.predict_proba(texts), dtype=np.float64)
            tone_array = proba[:, 0] - proba[:, 2]
        tones = tone_array.tolist()
        observed = bfi_from_counts(bfi_counts, self.settings.bfi) if bfi_counts else {}
        bfi_cache: dict[tuple[str, ...], tuple[float, str]] = {}
        return [
            self._score_one(post, note, text, tone, observed, helpful_members, bfi_cache)
            for post, note, text, tone in zip(posts, notes, texts, tones, strict=True)
        ]

    @staticmethod
    def _text(post: str | CarePost, index: int) -> str:
        if isinstance(post, str):
            if len(post) > MAX_TEXT:
                raise InvalidInput(f"longer than {MAX_TEXT} characters", field=f"posts[{index}]")
            return post
        if isinstance(post, CarePost):
            return post.text
        raise InvalidInput(
            f"expected str or CarePost, got {type(post).__name__}", field=f"posts[{index}]"
        )

    def _score_one(
        self,
        post: str | CarePost,
        note: Annotated,
        text: str,
        tone: float,
        observed: Mapping[str, float],
        helpful_members: frozenset[str],
        bfi_cache: dict[tuple[str, ...], tuple[float, str]],
    ) -> CareScore:
        settings = self.settings
        raw = note.raw
        function, candidates, matched = note.function, note.candidates, note.matched
        entities = raw.entities
        if matched:
            entities += tuple(["term:" + t for terms in matched.values() for t in terms])
        intent, _why = classify_intent(raw, tone)
        record = post if isinstance(post, CarePost) else None
        n_comments = 0
        if record is not None and record.comments:
            n_comments = relevant_comment_count(
                frozenset(raw.tokens),
                [c.text for c in record.comments if not c.is_brand],
                self.lexicon,
                dictionary_terms=self.categorizer.terms,
            )
        terms, ascore = self._terms.of(
            len(entities), len(raw.negative) - len(raw.positive), n_comments,
            bool(raw.info_seeking), tone, raw.purchase, intent == "sharing")
        if record is None or record.author is None:
            a_terms, author = self._new_author
        else:
            a_terms = author_terms(record.author, settings.author)
            author = a_terms[0][1] * a_terms[1][1] * a_terms[2][1]
        found = bfi_cache.get(candidates)
        if found is None:
            found = bfi_cache[candidates] = bfi_value(
                candidates, settings.bfi, observed, self.profile.bfi
            )
        bfi, source = found
        verdict = self._refine(record, text, intent, helpful_members)
        features = trusted(
            PostFeatures,
            {
                "entities": entities,
                "negative_phrases": raw.negative,
                "positive_phrases": raw.positive,
                "info_seeking": raw.info_seeking,
                "relevant_comments": n_comments,
                "purchase_intent": raw.purchase,
                "tone": tone,
                "relevant": raw.relevant,
            },
        )
        # trusted(): every value is computed here from validated inputs, and this is the
        # hot path (tens of thousands of posts per second).
        return trusted(
            CareScore,
            {
                "post_id": record.post_id if record else "",
                "rank_score": author * bfi * ascore,
                "ascore": ascore,
                "author_score": author,
                "bfi": bfi,
                "intent": intent,
                "actionable": verdict.actionable,
                "business_function": function,
                "function_candidates": candidates,
                "profile": self.profile.name,
                "reasons": verdict.reasons,
                "suggestion": verdict.suggestion,
                "features": features,
                "ascore_terms": terms,
                "author_terms": a_terms,
                "bfi_source": source,
            },
        )

    def _refine(
        self,
        record: CarePost | None,
        text: str,
        intent: str,
        helpful_members: frozenset[str],
    ) -> Refinement:
        settings = self.settings
        if record is None and not settings.competitors:
            if intent in settings.actionable_intents:
                return (
                    _RESPOND[intent]
                    if intent in _RESPOND
                    else Refinement(True, (f"{intent} needing a response",), "respond")
                )
            return _NOT_ACTIONABLE.get(intent) or Refinement(
                False, (f"intent {intent} is not actionable",), "none"
            )
        return refine(
            text=text,
            intent=intent,  # type: ignore[arg-type]
            author_id=record.author_id if record else "",
            is_brand=record.is_brand if record else False,
            created_at=record.created_at if record else None,
            comments=record.comments if record else (),
            brand_ids=settings.brand_ids,
            competitors=settings.competitors,
            actionable_intents=settings.actionable_intents,
            helpful_members=helpful_members,
        )

    def categorize(self, text: str) -> Categorization:
        """The business-function decision alone."""
        return self.categorizer.categorize(text)


class _TermTuples:
    """Eq. 1's terms for one weight profile, as :func:`~socialreferral.care.scores.
    ascore_terms` builds them, with the constant ``(name, value, weight)`` tuples built
    once: most posts share them (no question, no purchase, a few entities), and fewer new
    containers per post mean less work for the garbage collector on the hot path. The sum
    is taken over the same products in the same order, so AScore is the same float."""

    __slots__ = ("_comments", "_entities", "_flags", "_sentiment", "_weights")

    def __init__(self, weights: AScoreWeights) -> None:
        self._weights = (weights.sentiment, weights.comments, weights.tone,
                         weights.entity_cap)
        cap = weights.entity_cap
        self._entities = tuple(("entities", float(n), weights.entities)
                               for n in range(cap + 1))
        self._sentiment: dict[int, tuple[str, float, float]] = {}
        self._comments: dict[int, tuple[str, float, float]] = {}
        self._flags = {
            (name, on): (name, 1.0 if on else 0.0, weight)
            for name, weight in (("question", weights.question),
                                 ("purchase", weights.purchase),
                                 ("sharing", weights.sharing))
            for on in (False, True)
        }

    def _cached(self, table: dict[int, tuple[str, float, float]], name: str, value: int,
                weight: float) -> tuple[str, float, float]:
        found = table.get(value)
        if found is None:
            found = (name, float(value), weight)
            if len(table) < 256:
                table[value] = found
        return found

    def of(self, n_entities: int, net_negative: int, n_comments: int, question: bool,
           tone: float, purchase: bool, sharing: bool,
           ) -> tuple[tuple[tuple[str, float, float], ...], float]:
        """The seven terms and AScore (their weighted sum, left to right)."""
        w_sent, w_cmt, w_tone, cap = self._weights
        flags = self._flags
        terms = (
            self._entities[n_entities if n_entities < cap else cap],
            self._cached(self._sentiment, "sentiment", net_negative, w_sent),
            self._cached(self._comments, "comments", n_comments, w_cmt),
            flags["question", question],
            ("tone", tone, w_tone),
            flags["purchase", purchase],
            flags["sharing", sharing],
        )
        return terms, sum([value * weight for _, value, weight in terms])


_RESPOND = {
    i: Refinement(True, (f"{i} needing a response",), "respond")
    for i in ("question", "complaint", "sharing", "spam")
}
_NOT_ACTIONABLE = {
    i: Refinement(False, (f"intent {i} is not actionable",), "none")
    for i in ("question", "complaint", "sharing", "spam")
}
