"""Synthetic training texts from a product catalog (seed 003's bootstrapping case).

With no labelled posts yet, each product has only a handful of seed phrases. We place every
phrase in neutral carrier sentences that are *shared by all products*: the carriers teach the
classifier nothing about any one product (their words get ~zero weight), but they put the
phrase in post-like context so word bigrams and the confidence scale match real posts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

CARRIERS = (
    "{p}",
    "i am looking for {p}",
    "can anyone recommend a good {p}?",
    "need {p} asap",
    "any advice on {p}",
    "thinking about getting {p}",
    "how do i get {p}?",
    "best {p} out there?",
)


# Label of the background class added to every catalog: everyday phrases that belong to no
# product, so a one-product catalog is still a two-class problem and unrelated posts have
# somewhere to go. Predictions of this class are reported as ``None``.
BACKGROUND = "__none__"
BACKGROUND_PHRASES = (
    "something",
    "this thing",
    "my day",
    "the weather",
    "some food",
    "a good time",
    "tickets for the game",
    "new shoes",
)


def catalog_texts(
    catalog: Mapping[str, Sequence[str]],
) -> tuple[list[str], list[str], list[int]]:
    """Texts, labels and group ids (one group per seed phrase) for a catalog.

    The product id itself (``"car_loan"`` → ``"car loan"``) counts as one more phrase.
    Groups let cross-validation hold out *all* carriers of a phrase together, so the
    rejection threshold is not fitted on near-copies of the phrases it is tested on.
    """
    texts: list[str] = []
    labels: list[str] = []
    groups: list[int] = []
    g = 0
    if BACKGROUND in catalog:
        raise ValueError(f"{BACKGROUND!r} is reserved")
    entries = [*catalog.items(), (BACKGROUND, BACKGROUND_PHRASES)]
    for product, phrases in entries:
        if not phrases:
            raise ValueError(f"product {product!r} has no seed phrases")
        name = product.replace("_", " ").replace("-", " ").strip().lower()
        names = [name] if product != BACKGROUND else []
        unique = list(dict.fromkeys([*names, *(p.strip().lower() for p in phrases if p.strip())]))
        for phrase in unique:
            for carrier in CARRIERS:
                texts.append(carrier.format(p=phrase))
                labels.append(product)
                groups.append(g)
            g += 1
    return texts, labels, groups
