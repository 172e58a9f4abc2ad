"""From incoming posts to tracked-post records: keyword match, sentiment, words, place.

:class:`PostTracker` is the one step that needs models (the sentiment model and the
gazetteer); everything after it (:mod:`socialreferral.influence.aggregates`) only counts.
It is pure: the same posts give the same records. Its only state is caches: a bounded memo
of resolved locations (profiles repeat across posts) and the sentiment model's per-token
rows (a :class:`~socialreferral.text.sentiment_stream.SentimentStream`, bounded).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from socialreferral.errors import InvalidInput
from socialreferral.influence.gazetteer import Gazetteer
from socialreferral.influence.keywords import KeywordMatcher, TrackingConfig
from socialreferral.influence.records import (
    KEPT_TEXT,
    IncomingPost,
    LocationStatus,
    Place,
    SentimentLabel,
    TrackedPost,
)
from socialreferral.influence.words import cloud_words
from socialreferral.text import SentimentModel
from socialreferral.text.sentiment_stream import SentimentStream

MAX_BATCH = 10_000
_MEMO = 50_000


class PostTracker:
    """Match posts to tracked keywords and build one :class:`TrackedPost` per match.

    Args:
        config: the tracked keywords.
        gazetteer: resolves profile locations; defaults to :meth:`Gazetteer.default`.
        sentiment_model: defaults to the shipped :meth:`SentimentModel.default`.
    """

    def __init__(
        self,
        config: TrackingConfig,
        *,
        gazetteer: Gazetteer | None = None,
        sentiment_model: SentimentModel | None = None,
    ) -> None:
        self.config = config
        self.matcher = KeywordMatcher(config.keywords)
        self._gazetteer = gazetteer
        self._model = sentiment_model
        self._places: dict[str, Place | None] = {}
        self._stream: SentimentStream | None = None

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer in use (built on first use when none was given)."""
        if self._gazetteer is None:
            self._gazetteer = Gazetteer.default()
        return self._gazetteer

    def locate(self, location: str) -> tuple[Place | None, LocationStatus]:
        """Resolve a profile's free-text location: the place and whether it resolved."""
        text = location.strip()
        if not text:
            return None, "missing"
        if text in self._places:
            place = self._places[text]
        else:
            place = self.gazetteer.resolve(text)
            if len(self._places) >= _MEMO:
                self._places.clear()
            self._places[text] = place
        return place, "resolved" if place is not None else "unresolved"

    def _sentiments(self, texts: list[str]) -> list[tuple[SentimentLabel, float]]:
        if not texts:
            return []
        if self._stream is None:  # kept: each slice pays only for tokens it is first with
            self._stream = SentimentStream(self._model or SentimentModel.default())
        model = self._stream.model
        proba = np.asarray(self._stream.predict_proba(texts), dtype=np.float64)
        labels: list[SentimentLabel] = [
            lab if lab in ("negative", "neutral", "positive") else "neutral"  # type: ignore[misc]
            for lab in model.labels
        ]
        pos = model.labels.index("positive") if "positive" in model.labels else None
        neg = model.labels.index("negative") if "negative" in model.labels else None
        score = np.zeros(len(texts))
        if pos is not None:
            score += proba[:, pos]
        if neg is not None:
            score -= proba[:, neg]
        best = proba.argmax(axis=1).tolist()
        return [(labels[b], round(float(s), 3)) for b, s in zip(best, score.tolist(), strict=True)]

    def track(self, posts: Sequence[IncomingPost]) -> list[TrackedPost]:
        """Tracked records for the posts about at least one keyword, in input order."""
        if len(posts) > MAX_BATCH:
            raise InvalidInput(f"at most {MAX_BATCH} posts per call", field="posts")
        matched = [(p, keys) for p in posts if (keys := self.matcher.match(p.text))]
        sentiments = self._sentiments([p.text for p, _ in matched])
        out: list[TrackedPost] = []
        for (post, keys), (label, score) in zip(matched, sentiments, strict=True):
            place, status = self.locate(post.author_location)
            for key in keys:
                out.append(
                    TrackedPost(
                        keyword=key,
                        post_id=post.post_id,
                        author_id=post.author_id,
                        author_handle=post.author_handle,
                        author_name=post.author_name,
                        created_at=post.created_at,
                        text=post.text[:KEPT_TEXT],
                        retweets=post.retweets,
                        likes=post.likes,
                        sentiment=label,
                        sentiment_score=score,
                        words=cloud_words(post.text, self.matcher.forms(key)),
                        metrics=post.metrics,
                        place=place,
                        location=status,
                    )
                )
        return out


__all__ = ["MAX_BATCH", "PostTracker"]
