"""Spike alerts as records: what rose, by how much, who and what drove it.

These are the models :class:`~socialreferral.influence.SpikeDetector` returns and a
repository stores, and :func:`explain_alert`, which writes an alert's explanation from its
own fields (so an alert whose drivers were erased is explained again without them). Kept
apart from the detector so that storing and serving alerts does not load numpy.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from socialreferral.domain._base import DomainModel
from socialreferral.influence.records import SentimentLabel

AlertKind = Literal["volume", "negativity"]


class Driver(DomainModel):
    """An author who drove an alert's hour."""

    author_id: str
    handle: str
    posts: int
    negative: int


class AlertPost(DomainModel):
    """One of the hour's most engaging posts."""

    post_id: str
    author_id: str = ""
    author_handle: str
    text: str
    retweets: int
    likes: int
    sentiment: SentimentLabel


class RisingWord(DomainModel):
    """A word far more frequent this hour than in the history."""

    word: str
    count: int
    lift: float


class SpikeAlert(DomainModel):
    """One alert (see the module docstring)."""

    alert_id: str
    keyword: str
    kind: AlertKind
    hour: datetime
    partial: bool
    posts: int
    expected_posts: float
    negative: int
    negative_share: float
    expected_negative_share: float
    ratio: float
    z: float
    drivers: tuple[Driver, ...]
    top_posts: tuple[AlertPost, ...]
    rising_words: tuple[RisingWord, ...]
    explanation: str


class SpikeEpisode(DomainModel):
    """Consecutive alert hours of one kind on one keyword, with the strongest hour."""

    keyword: str
    kind: AlertKind
    start: datetime
    end: datetime
    hours: int
    peak: SpikeAlert


def explain_alert(alert: SpikeAlert) -> str:
    """The alert's one-paragraph explanation, from its own fields.

    What rose and by how much, the loudest drivers, the most engaging post and the rising
    words. Built from the fields (not kept apart from them) so that an alert whose drivers
    or posts were removed (erasure of a person) is explained again without them.
    """
    at, kind = alert.hour, alert.kind
    ratio = alert.ratio
    if kind == "volume":
        what = (
            f"{alert.posts} posts vs {alert.expected_posts:.0f} expected "
            f"({ratio:.1f}x, z={alert.z:.1f})"
        )
    else:
        what = (
            f"{alert.negative_share:.0%} negative ({alert.negative} of {alert.posts}) vs "
            f"{alert.expected_negative_share:.0%} usual (z={alert.z:.1f}); volume "
            f"{ratio:.1f}x expected"
        )
    who = ", ".join(f"@{d.handle or d.author_id} ({d.posts} posts)" for d in alert.drivers[:3])
    top = alert.top_posts
    lead = f"; top post by @{top[0].author_handle}: {top[0].text[:80]!r}" if top else ""
    words = alert.rising_words
    rising = f"; rising words: {', '.join(w.word for w in words[:5])}" if words else ""
    text = (
        f"{kind} spike on {alert.keyword!r} at {at:%Y-%m-%d %H:00} UTC"
        f"{' (hour in progress)' if alert.partial else ''}: {what}; driven by "
        f"{who or 'many authors'}{lead}{rising}"
    )
    return text[:2000]


__all__ = [
    "AlertKind",
    "AlertPost",
    "Driver",
    "RisingWord",
    "SpikeAlert",
    "SpikeEpisode",
    "explain_alert",
]
