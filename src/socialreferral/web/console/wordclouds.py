"""Word clouds per sentiment as PNG images, drawn with the ``wordcloud`` package.

The influence back-end counts the words (:meth:`~socialreferral.service.influence.
InfluenceAnalytics.word_cloud`); this module only lays them out. ``wordcloud`` is the
well-kept library for the layout (it places the biggest words first and packs the rest
with an integral image); its own SVG output carries inline ``style`` attributes, which the
console's Content-Security-Policy forbids, so the clouds are PNG images served from the
console's origin (``img-src 'self'``). The font is the DejaVu-derived Droid Sans Mono
that ships inside the ``wordcloud`` wheel: nothing is fetched.

Rendering takes a few hundred milliseconds, so images are kept per (words, sentiment) in
a small per-process cache. A word is drawn as pixels, never as markup: a word that is a
``<script>`` is harmless in a PNG.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache

from socialreferral.providers import import_sdk

PALETTES: dict[str, tuple[str, ...]] = {
    # dark shades only: every word keeps at least 4.5:1 contrast on white
    "positive": ("#1c6b36", "#14532d", "#2f6f3e", "#1f5130"),
    "negative": ("#a4161a", "#7f1d1d", "#9b2226", "#6a040f"),
    "neutral": ("#0b5cad", "#1e3a5f", "#334e68", "#243b53"),
}
WIDTH, HEIGHT = 520, 300
SEED = 7  # the same words give the same picture (cacheable, stable screenshots)


def cloud_png(words: Sequence[tuple[str, int]], sentiment: str) -> bytes:
    """A PNG of ``words`` (word, count) coloured for ``sentiment``; an empty cloud is a
    blank image."""
    return _render(tuple((w[:40], int(c)) for w, c in words if c > 0), sentiment)


@lru_cache(maxsize=64)
def _render(words: tuple[tuple[str, int], ...], sentiment: str) -> bytes:
    wordcloud = import_sdk("wordcloud", provider="word clouds", extra="web")
    palette = PALETTES.get(sentiment, PALETTES["neutral"])

    def colour(word: str, **_: object) -> str:
        # by the word, not at random: the same words keep their colours
        return palette[sum(map(ord, word)) % len(palette)]

    cloud = wordcloud.WordCloud(
        width=WIDTH, height=HEIGHT, background_color="white", random_state=SEED,
        color_func=colour, prefer_horizontal=0.95, max_words=80, min_font_size=10,
        relative_scaling=0.5)
    buffer = io.BytesIO()
    if words:
        cloud.generate_from_frequencies(dict(words))
        cloud.to_image().save(buffer, format="PNG", optimize=True)
    else:
        from PIL import Image

        Image.new("RGB", (WIDTH, HEIGHT), "white").save(buffer, format="PNG")
    return buffer.getvalue()


__all__ = ["HEIGHT", "PALETTES", "WIDTH", "cloud_png"]
