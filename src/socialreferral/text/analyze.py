"""``analyze``: per-post sentiment, SCION intent type, purchase intent, products, entities and
information-seeking patterns, each with a one-line explanation.

Batch-first: the sentiment and product models run once over the whole batch as sparse matrix
products; per post we only run a few compiled regexes. On one core this handles well over
10,000 short posts/s (``benchmarks/analyze_throughput.py``).

Intent rules follow SCION (seed 003), in this order:

* ``spam``: spam cues (click here, free followers, giveaway, hashtag walls, ...);
* ``question``: at least one information-seeking pattern and not a rhetorical question;
* ``complaint``: negative sentiment or an explicit complaint cue ("still waiting", "refund");
* ``sharing``: everything else (news, opinions, pictures, greetings).

SCION also requires a "relevant entity" for the first three; we do not, because without a
catalog every post would be spam. When a catalog is given, ``products`` says which posts are
relevant and ``purchase_intent`` requires a matched product.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias, cast

import numpy as np

from socialreferral.text._lexicon import valence
from socialreferral.text._seeds import BACKGROUND
from socialreferral.text._tokenize import (
    _WORD,
    NEG_SUFFIX,
    gate_words,
    sentiment_tokens,
    stem,
    stemmed_words,
)
from socialreferral.text.annotations import (
    Annotation,
    Entity,
    Explanation,
    IntentType,
    PatternMatch,
    ProductMatch,
    Sentiment,
)
from socialreferral.text.entities import gated_entities
from socialreferral.text.intent import IntentClassifier
from socialreferral.text.patterns import (
    NEGATED_PURCHASE,
    complaint_cue,
    gated_info_seeking,
    gated_rhetorical,
    purchase_cue,
    spam_cue,
)
from socialreferral.text.sentiment import SentimentModel

Catalog: TypeAlias = Mapping[str, Sequence[str]] | IntentClassifier
MAX_PRODUCTS = 3


def _product_classifier(catalog: Catalog | None) -> IntentClassifier | None:
    if catalog is None or isinstance(catalog, IntentClassifier):
        return catalog
    return IntentClassifier.from_catalog(catalog)


def _sentiment_reason(tokens: list[str], label: str) -> str:
    lex = valence()
    hits = [t for t in tokens if t in lex]
    negated = [t[: -len(NEG_SUFFIX)] for t in hits if t.endswith(NEG_SUFFIX)]
    words = [t[: -len(NEG_SUFFIX)] if t.endswith(NEG_SUFFIX) else t for t in hits][:4]
    reason = f"{label}: model score"
    if words:
        reason += "; opinion words " + ", ".join(repr(w) for w in words)
    if negated:
        reason += "; negated " + ", ".join(repr(w) for w in negated[:3])
    return reason


def _product_terms(clf: IntentClassifier, label_idx: int, text: str) -> tuple[str, ...]:
    # Surface words whose stem carries positive weight for the matched product.
    vocab = clf.words.vocab
    row = clf.coef[label_idx]
    out = []
    for w in _WORD.findall(text.lower()):
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
        for m in _WORD.finditer(low)
        if m.group(0) in wanted
    ]


def analyze(
    texts: Sequence[str],
    catalog: Catalog | None = None,
    *,
    sentiment_model: SentimentModel | None = None,
) -> list[Annotation]:
    """Annotate a batch of posts.

    Args:
        texts: the posts (short social-media texts).
        catalog: products to match, either ``{product_id: [seed phrases, ...]}`` (a
            classifier is bootstrapped from the phrases on each call: build one with
            :meth:`IntentClassifier.from_catalog` and pass it when you call ``analyze``
            repeatedly) or a trained :class:`IntentClassifier`. ``None``: no product matching.
        sentiment_model: defaults to :meth:`SentimentModel.default` (shipped, offline).

    Returns:
        One :class:`Annotation` per post, in order.
    """
    if not texts:
        return []
    model = sentiment_model or SentimentModel.default()
    clf = _product_classifier(catalog)

    tokens = [sentiment_tokens(t) for t in texts]
    scores = model.decision_tokens(tokens)
    best = scores.argmax(axis=1)
    # Margin between the best and second-best score, squashed to (0, 1): a confidence.
    top2 = np.sort(scores, axis=1)[:, -2:]
    conf = 1.0 / (1.0 + np.exp(-3.0 * (top2[:, 1] - top2[:, 0])))

    if clf is not None:
        docs = [stemmed_words(t) for t in texts]
        proba = clf.proba_tokens(docs)
        known = clf.known_content(docs)
        threshold = clf.threshold or 0.0
        order = np.argsort(-proba, axis=1)[:, :MAX_PRODUCTS]

    out: list[Annotation] = []
    for i, text in enumerate(texts):
        sentiment = cast(Sentiment, model.labels[int(best[i])])
        words = gate_words(tokens[i])
        patterns = [PatternMatch(n, s) for n, s in gated_info_seeking(text, words)]
        rhetorical = bool(patterns) and gated_rhetorical(text, words)
        entities = gated_entities(text, words)

        products: list[ProductMatch] = []
        if clf is not None and known[i]:
            for j in order[i]:
                p = float(proba[i, j])
                if p < threshold:
                    break
                if clf.labels[j] == BACKGROUND:
                    continue
                products.append(
                    ProductMatch(clf.labels[j], round(p, 4), _product_terms(clf, int(j), text))
                )
            if products:
                entities += _product_entities(text, products[0].terms)
                entities.sort(key=lambda e: e.start)

        spam = spam_cue(text, words)
        complaint = complaint_cue(text, words)
        intent: IntentType
        if spam:
            intent, why = "spam", f"spam cue {spam.group(0).strip()!r}"
        elif patterns and not rhetorical:
            intent, why = "question", f"information-seeking pattern {patterns[0].pattern!r}"
        elif sentiment == "negative" or complaint:
            intent = "complaint"
            why = f"complaint cue {complaint.group(0)!r}" if complaint else "negative sentiment"
        else:
            intent = "sharing"
            why = "rhetorical question" if rhetorical else "no question, complaint or spam cue"

        cue = purchase_cue(text, words)
        negated = NEGATED_PURCHASE.search(text) if cue else None
        if cue is None:
            purchase, pwhy = False, "no purchase cue"
        elif negated is not None:
            purchase, pwhy = False, f"purchase cue negated: {negated.group(0)!r}"
        elif intent == "spam":
            purchase, pwhy = False, "spam"
        elif clf is not None and not products:
            purchase, pwhy = False, f"cue {cue.group(0)!r} but no catalog product"
        else:
            purchase = True
            pwhy = f"cue {cue.group(0)!r}" + (f" for {products[0].product}" if products else "")

        if clf is None:
            prod_why = "no catalog"
        elif products:
            top = products[0]
            prod_why = f"{top.product} (p={top.score:.2f}) on " + (
                ", ".join(repr(t) for t in top.terms) or "phrasing"
            )
        else:
            prod_why = "no product above the rejection threshold"

        out.append(
            Annotation(
                text=text,
                sentiment=sentiment,
                sentiment_confidence=round(float(conf[i]), 4),
                intent=intent,
                purchase_intent=purchase,
                products=tuple(products),
                entities=tuple(entities),
                info_seeking=tuple(patterns),
                explanation=Explanation(
                    sentiment=_sentiment_reason(tokens[i], sentiment),
                    intent=why,
                    purchase_intent=pwhy,
                    products=prod_why,
                ),
            )
        )
    return out
