"""``analyze`` and :class:`Annotator`: per-post sentiment, SCION intent type, purchase intent,
products, entities and information-seeking patterns, each with a one-line explanation.

Batch-first: posts are tokenised to integer ids (whitespace chunks cached), then sentiment,
negation scopes, lexicon hits and the word gates of the rule annotators are numpy over the
whole batch; per post we only run the few compiled regexes its gates allow and build the
result objects (``benchmarks/analyze_throughput.py``).

The per-token caches that make this fast belong to an :class:`Annotator` (its token table
and the arrays derived from it); a long-lived caller keeps one and calls
:meth:`Annotator.annotate` batch after batch. :func:`analyze` is the one-shot form: a fresh
annotator per call, so nothing outlives the call.

Intent rules follow SCION (seed 003), in this order (a question asked in anger is a
complaint, as in the care ranker):

* ``spam``: spam cues (click here, free followers, giveaway, hashtag walls, ...);
* ``complaint``: negative evidence outweighs positive (:mod:`socialreferral.text.
  complaints`: the shared cue set of failures, waiting, money taken, expectation-reality
  contrasts, negated positives, threats to leave, plus the sentiment model's tone);
* ``question``: at least one information-seeking pattern and not a rhetorical question;
* ``sharing``: everything else (news, opinions, pictures, greetings).

SCION also requires a "relevant entity" for the first three; we do not, because without a
catalog every post would be spam. When a catalog is given, ``products`` says which posts are
relevant and ``purchase_intent`` requires a matched product.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeAlias, cast

import numpy as np
import numpy.typing as npt

from socialreferral.text._lexicon import valence
from socialreferral.text._seeds import BACKGROUND
from socialreferral.text._sentiment_ids import SentimentScorer
from socialreferral.text._token_ids import (
    MAX_TOKENS,
    ChunkContent,
    TokenArrays,
    TokenBatch,
    TokenTable,
    encode,
)
from socialreferral.text._tokenize import NEG_SUFFIX, WORD
from socialreferral.text.annotations import (
    Annotation,
    Entity,
    IntentType,
    ProductMatch,
    Sentiment,
    new_annotation,
    new_explanation,
    new_pattern,
)
from socialreferral.text.complaints import COMPLAINT_MARGIN, TONE_GAIN, ComplaintCues
from socialreferral.text.entities import entities_masked
from socialreferral.text.intent import IntentClassifier
from socialreferral.text.patterns import (
    INFO_BITS,
    PURCHASE_BIT,
    RHETORICAL_BIT,
    SPAM_BIT,
    info_seeking_masked,
    lower_equivalent,
    negated_purchase,
    purchase_masked,
    rhetorical_masked,
    spam_masked,
    token_mask,
)
from socialreferral.text.sentiment import SentimentModel

Catalog: TypeAlias = Mapping[str, Sequence[str]] | IntentClassifier
MAX_PRODUCTS = 3


def _product_classifier(catalog: Catalog | None) -> IntentClassifier | None:
    if catalog is None or isinstance(catalog, IntentClassifier):
        return catalog
    return IntentClassifier.from_catalog(catalog)


def _lexicon_units(strings: list[str]) -> npt.NDArray[np.bool_]:
    lex = valence()
    return np.array([u in lex for s in strings for u in (s, s + NEG_SUFFIX)], dtype=bool)


def _gate_masks(strings: list[str]) -> npt.NDArray[np.int64]:
    return np.array([token_mask(s) for s in strings], np.int64)


def _post_masks(batch: TokenBatch, gates: TokenArrays) -> list[int]:
    # OR of the gate bits of each post's tokens (gate_words + word sets, as bit tests).
    n = len(batch)
    out = np.zeros(n, dtype=np.int64)
    lens = np.diff(batch.ends, prepend=0)
    full = lens > 0
    if full.any():
        per_token = gates.get()[batch.base]
        out[full] = np.bitwise_or.reduceat(per_token, (batch.ends - lens)[full])
    masks: list[int] = out.tolist()
    return masks


def _product_terms(
    clf: IntentClassifier, label_idx: int, text: str, stem: Callable[[str], str]
) -> tuple[str, ...]:
    # Surface words whose stem carries positive weight for the matched product.
    vocab = clf.words.vocab
    row = clf.coef[label_idx]
    out = []
    for w in WORD.findall(text.lower()):
        j = vocab.get(stem(w))
        if j is not None and row[j] > 0.5:
            out.append(w)
    return tuple(dict.fromkeys(out))


def _product_entities(text: str, terms: tuple[str, ...]) -> list[Entity]:
    if not terms:
        return []
    wanted = set(terms)
    low = text.lower()
    return [
        Entity("product_term", text[m.start() : m.end()], m.start(), m.end())
        for m in WORD.finditer(low)
        if m.group(0) in wanted
    ]


def _products(
    clf: IntentClassifier,
    known: npt.NDArray[np.intp],
    docs: list[list[str]],
    texts: Sequence[str],
    stem: Callable[[str], str],
) -> dict[int, list[ProductMatch]]:
    # Posts with at least one product above the rejection threshold -> their matches.
    # ``known``: the posts worth scoring, ``docs`` their stems. A post sharing no content
    # word with the catalog never matches, so the caller passes only the others (rows of
    # proba_tokens do not depend on the rest of the batch); embedding models match
    # paraphrases that share no word with the catalog, so they get every post.
    out: dict[int, list[ProductMatch]] = {}
    if len(known) == 0:
        return out
    subset = known.tolist()
    # Embedding models need the posts themselves, and decide with their own rule
    # (probability and nearest-neighbour similarity), not the probability alone.
    raw = [texts[i] for i in subset] if clf.uses_embeddings else None
    proba = clf.proba_tokens(docs, raw)
    threshold = clf.threshold or 0.0
    order = np.argsort(-proba, axis=1)[:, :MAX_PRODUCTS]
    top = proba[np.arange(len(known)), order[:, 0]]
    accepted = top >= threshold
    if raw is not None and clf.decision_threshold != threshold:
        accepted = clf.confidence(raw) >= clf.decision_threshold
    for r in np.flatnonzero(accepted).tolist():
        i = int(known[r])
        products: list[ProductMatch] = []
        for rank, j in enumerate(order[r].tolist()):
            p = float(proba[r, j])
            if p < threshold and rank > 0:
                break
            if clf.labels[j] == BACKGROUND:
                continue
            products.append(
                ProductMatch(clf.labels[j], round(p, 4), _product_terms(clf, j, texts[i], stem))
            )
        if products:
            out[i] = products
    return out


def _tone(
    scores: npt.NDArray[np.float32], labels: Sequence[str], negative_bias: float = 0.0
) -> npt.NDArray[np.float64]:
    # P(negative) - P(positive), the probabilities as SentimentModel.predict_proba gives them
    # but without the model's negative_bias: that shifts which label wins, and the complaint
    # weights (TONE_GAIN, COMPLAINT_MARGIN) were chosen on the unshifted tone.
    if "negative" not in labels or "positive" not in labels:
        return np.zeros(len(scores))
    s = scores.astype(np.float64)
    if negative_bias:
        s[:, labels.index("negative")] -= negative_bias
    s *= 3.0
    s -= s.max(axis=1, keepdims=True)
    e = np.exp(s)
    p = e / e.sum(axis=1, keepdims=True)
    return np.asarray(p[:, labels.index("negative")] - p[:, labels.index("positive")])


def _complaint_reason(terms: list[str], score: float) -> str:
    if not terms:
        return f"negative tone ({score:+.2f})"
    shown = ", ".join(repr(t) for t in terms[:4])
    return f"negative evidence outweighs positive ({score:+.2f}): {shown}"


class Annotator:
    """Annotates batches of posts; owns the caches that make repeated batches fast.

    Args:
        sentiment_model: defaults to :meth:`SentimentModel.default` (shipped, offline,
            shared read-only), loaded on the first batch or by :meth:`prepare`.
        max_tokens: bound of the token table and of each per-token cache (see
            :class:`~socialreferral.text._token_ids.TokenTable`); beyond it they start over.

    Cached, all per object and bounded: token ids of canonical tokens and of whitespace
    chunks, stems of chunks, per-token rule-gate bits, lexicon flags and sentiment rows, and
    the opinion-word part of explanations. Results never depend on what is cached (tested
    against the per-post reference). Thread-safe: concurrent :meth:`annotate` calls
    serialise on the token table while they tokenise and score.
    """

    def __init__(
        self, sentiment_model: SentimentModel | None = None, *, max_tokens: int = MAX_TOKENS
    ) -> None:
        self._model = sentiment_model
        self.table = TokenTable(max_tokens)
        self._scorer: SentimentScorer | None = None
        self._warm_generation = -1  # table generation that prepare() warmed
        # Per token id: its rule-gate bits; per unit id: whether it is a lexicon word.
        self._gates = TokenArrays(_gate_masks, table=self.table)
        self._lexicon_units = TokenArrays(_lexicon_units, per_token=2, table=self.table)
        # Complaint cues per token (the shared cue set, see text.complaints).
        self._complaints = ComplaintCues(self.table)
        # Chunk -> holds a content word of the last catalog classifier (see _content).
        self._content_cache: ChunkContent | None = None
        # Opinion-word suffix of the sentiment reason, per sequence of unit ids.
        self._suffixes: dict[tuple[int, ...], str] = {}
        self._suffixes_generation = -1
        self._max_suffixes = max(1, max_tokens * 2 // 3)

    @property
    def sentiment_model(self) -> SentimentModel:
        """The sentiment model in use (loads the default on first access)."""
        with self.table.lock:
            return self._sentiment_scorer().model

    def prepare(self) -> None:
        """Load the sentiment model and compute the per-token data of every token it knows.

        The first batches then pay only for words the model has never seen (about 1-2 s
        here instead of spread over the first batches). Idempotent and cheap once done;
        after the table starts over (``max_tokens``) it warms again.
        """
        with self.table.lock:
            scorer = self._sentiment_scorer()
            table = self.table
            if self._warm_generation == table.generation:
                return
            for term in scorer.model.words.vocab:  # unigrams and both halves of bigrams
                for part in term.split(" "):
                    table.unit(part)
            cues = self._complaints
            for arrays in (
                table.flags,
                scorer.units,
                self._gates,
                self._lexicon_units,
                cues.units,
                cues.bits,
                cues.gate_words,
                cues.keys,
            ):
                arrays.get()
            self._warm_generation = table.generation

    def _sentiment_scorer(self) -> SentimentScorer:
        # Called with table.lock held: one scorer per annotator.
        if self._scorer is None:
            model = self._model or SentimentModel.default()
            self._scorer = model.scorer(self.table)
        return self._scorer

    def _opinion_suffixes(self, batch: TokenBatch) -> list[str]:
        # Per post, the opinion-word part of the sentiment reason: its lexicon words in
        # order (first 4) and the negated ones (first 3). Cached per sequence of unit ids.
        out = [""] * len(batch)
        hit = np.flatnonzero(self._lexicon_units.get()[batch.units])
        if len(hit) == 0:
            return out
        table = self.table
        cache = self._suffixes
        if self._suffixes_generation != table.generation or len(cache) > self._max_suffixes:
            cache.clear()
            self._suffixes_generation = table.generation
        owner_ids = batch.owner[hit]
        cuts = (np.flatnonzero(np.diff(owner_ids)) + 1).tolist()
        owners = owner_ids.tolist()
        units = batch.units[hit].tolist()
        strings = table.strings
        for a, b in zip([0, *cuts], [*cuts, len(units)], strict=True):
            key = tuple(units[a:b])
            suffix = cache.get(key)
            if suffix is None:
                suffix = "; opinion words " + ", ".join([repr(strings[u >> 1]) for u in key[:4]])
                negated = [repr(strings[u >> 1]) for u in key if u & 1][:3]
                if negated:
                    suffix += "; negated " + ", ".join(negated)
                cache[key] = suffix
            out[owners[a]] = suffix
        return out

    def _content(self, clf: IntentClassifier) -> ChunkContent | None:
        # Per-chunk "holds a catalog content word" cache for ``clf`` (kept for the last
        # catalog used). None for embedding models: they score every post.
        if clf.uses_embeddings:
            return None
        content = clf.content_words()
        cache = self._content_cache
        if cache is None or cache.content is not content or cache.table is not self.table:
            cache = self._content_cache = ChunkContent(content, self.table)
        return cache

    def annotate(self, texts: Sequence[str], catalog: Catalog | None = None) -> list[Annotation]:
        """Annotate a batch of posts (see :func:`analyze` for the arguments and result)."""
        if not texts:
            return []
        clf = _product_classifier(catalog)
        table = self.table
        with table.lock:  # token ids are valid while the lock is held
            scorer = self._sentiment_scorer()
            model = scorer.model
            if clf is None:
                batch = encode(texts, table)
            elif clf.uses_embeddings:
                batch = encode(texts, table, stems=True)
            else:
                batch = encode(texts, table, content=self._content(clf))
            scores = scorer.decision(batch)
            masks = _post_masks(batch, self._gates)
            opinion = self._opinion_suffixes(batch)
            cue_scores = self._complaints.scores(batch)
            complaint_score = cue_scores.cues + TONE_GAIN * _tone(
                scores, model.labels, model.negative_bias
            )
            complaining = np.flatnonzero(complaint_score > COMPLAINT_MARGIN).tolist()
            complaint_why = dict(
                zip(
                    complaining,
                    map(
                        _complaint_reason,
                        cue_scores.terms_of(batch, complaining),
                        complaint_score[complaining].tolist(),
                    ),
                    strict=True,
                )
            )
        best = scores.argmax(axis=1).tolist()
        # Margin between the best and second-best score, squashed to (0, 1): a confidence.
        top2 = np.sort(scores, axis=1)[:, -2:]
        conf = [
            round(c, 4) for c in (1.0 / (1.0 + np.exp(-3.0 * (top2[:, 1] - top2[:, 0])))).tolist()
        ]
        matched: dict[int, list[ProductMatch]] = {}
        if clf is not None:
            known = (
                np.arange(len(texts)) if batch.candidates is None else np.array(batch.candidates)
            )
            matched = _products(clf, known, batch.stems or [], texts, table.stemmer.stem)
        labels = cast(tuple[Sentiment, ...], model.labels)
        reasons = {label: f"{label}: model score" for label in labels}
        no_catalog = "no catalog" if clf is None else "no product above the rejection threshold"

        out: list[Annotation] = []
        lows = batch.lower
        # The bit tests below only skip calls whose own gates would return nothing.
        for i, text in enumerate(texts):
            low = lows[i]
            mask = masks[i]
            same = text.isascii() or lower_equivalent(text, low)  # isascii: O(1)
            sentiment = labels[best[i]]
            found = info_seeking_masked(text, low, mask) if mask & INFO_BITS or not same else None
            patterns = [new_pattern(n, s) for n, s in found] if found else []
            rhetorical = bool(
                found and mask & RHETORICAL_BIT and rhetorical_masked(text, low, same, mask)
            )
            entities = entities_masked(text, low, mask)
            products = matched.get(i, ())
            if products:
                entities += _product_entities(text, products[0].terms)
                entities.sort(key=lambda e: e.start)

            spam = (
                spam_masked(text, low, same, mask)
                if mask & SPAM_BIT or "$$" in text or text.count("#") >= 6
                else None
            )
            intent: IntentType
            if spam is not None:
                intent, why = "spam", f"spam cue {spam.strip()!r}"
            elif i in complaint_why:
                intent, why = "complaint", complaint_why[i]
            elif patterns and not rhetorical:
                intent, why = "question", f"information-seeking pattern {patterns[0].pattern!r}"
            else:
                intent = "sharing"
                why = "rhetorical question" if rhetorical else "no question, complaint or spam cue"

            cue = purchase_masked(text, low, same, mask) if mask & PURCHASE_BIT else None
            if cue is None:
                purchase, pwhy = False, "no purchase cue"
            elif (negated := negated_purchase(text, low, same)) is not None:
                purchase, pwhy = False, f"purchase cue negated: {negated!r}"
            elif intent == "spam":
                purchase, pwhy = False, "spam"
            elif clf is not None and not products:
                purchase, pwhy = False, f"cue {cue!r} but no catalog product"
            else:
                purchase = True
                pwhy = f"cue {cue!r}" + (f" for {products[0].product}" if products else "")

            if products:
                top = products[0]
                prod_why = f"{top.product} (p={top.score:.2f}) on " + (
                    ", ".join([repr(t) for t in top.terms]) or "phrasing"
                )
            else:
                prod_why = no_catalog

            out.append(
                new_annotation(
                    text,
                    sentiment,
                    conf[i],
                    intent,
                    purchase,
                    tuple(products),
                    tuple(entities),
                    tuple(patterns),
                    new_explanation(reasons[sentiment] + opinion[i], why, pwhy, prod_why),
                )
            )
        return out


def analyze(
    texts: Sequence[str],
    catalog: Catalog | None = None,
    *,
    sentiment_model: SentimentModel | None = None,
) -> list[Annotation]:
    """Annotate a batch of posts (one-shot: a fresh :class:`Annotator` per call).

    Args:
        texts: the posts (short social-media texts).
        catalog: products to match, either ``{product_id: [seed phrases, ...]}`` (a
            classifier is bootstrapped from the phrases on each call: build one with
            :meth:`IntentClassifier.from_catalog` and pass it when you call ``analyze``
            repeatedly) or a trained :class:`IntentClassifier`. ``None``: no product matching.
        sentiment_model: defaults to :meth:`SentimentModel.default` (shipped, offline).

    Returns:
        One :class:`Annotation` per post, in order.

    To annotate stream after stream, keep an :class:`Annotator`: its per-token caches stay
    warm between batches (about twice the throughput of a cold first pass).
    """
    return Annotator(sentiment_model).annotate(texts, catalog)
