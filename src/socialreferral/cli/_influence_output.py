"""How the influence commands print the four panels and the alerts (people's view).

``--json`` output is built in :mod:`socialreferral.cli.influence` from the same objects
(``model_dump(mode="json")``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from socialreferral.cli._common import console

if TYPE_CHECKING:
    from datetime import datetime

    from socialreferral.influence.records import SentimentLabel
    from socialreferral.influence.scores import InfluencerScore
    from socialreferral.influence.spikes import SpikeAlert
    from socialreferral.influence.views import InfluencerMap
    from socialreferral.service.influence import CloudView, TrendView

_BAR = 40


def print_top(keyword: str, at: datetime, panel: dict[SentimentLabel, list[InfluencerScore]],
              *, explain: bool = True) -> None:
    """The Influence Score Dashboard: one table per sentiment, the leader explained."""
    for sentiment, rows in panel.items():
        table = Table(title=f"top {sentiment} influencers on {keyword!r} at "
                            f"{at:%Y-%m-%d %H:%M} UTC", title_justify="left")
        for column in ("name", "handle", "score", "followers", "retweets", "tweet"):
            table.add_column(column, justify="right" if column in (
                "score", "followers", "retweets") else "left")
        for r in rows:
            tweet = r.tweet.text if r.tweet else ""
            table.add_row(escape(r.name), escape(f"@{r.handle}"), f"{r.score:.1f}",
                          f"{r.followers:,}", f"{r.retweets:,}", escape(tweet[:70]))
        console.print(table)
        if explain and rows:
            console.print("  " + escape(rows[0].explanation), highlight=False)
            for pillar in rows[0].pillars:
                console.print(f"    {pillar.name}: {escape(pillar.explanation)}",
                              highlight=False, soft_wrap=True)


def print_map(found: InfluencerMap, places: int = 6) -> None:
    """The Influencer Map as text: the places with most influencers, per sentiment."""
    console.print(f"[bold]influencer map of {escape(repr(found.keyword))}[/]")
    for sentiment, points in found.points.items():
        where = ", ".join(f"{p.place.label} ({p.influencers})" for p in points[:places])
        console.print(f"  {sentiment}: {escape(where) or '-'}; unresolved "
                      f"{found.unresolved[sentiment]}, no location {found.missing[sentiment]}",
                      highlight=False, soft_wrap=True)


def print_words(cloud: CloudView, words: int = 12) -> None:
    """The Hashtag Word Cloud as text: the top words per sentiment with their counts."""
    console.print(f"[bold]word cloud of {escape(repr(cloud.keyword))}, "
                  f"{cloud.start:%m-%d %H:00} to {cloud.end:%m-%d %H:00} UTC[/]")
    for sentiment, counts in cloud.words.items():
        text = ", ".join(f"{w.word} {w.count}" for w in counts[:words])
        console.print(f"  {sentiment}: {escape(text) or '-'}", highlight=False,
                      soft_wrap=True)


def print_trend(view: TrendView) -> None:
    """The Hashtag Trend: one line per hour with a bar, the average sentiment and the
    alerts raised in that hour."""
    marks: dict[datetime, list[str]] = {}
    for alert in view.alerts:
        marks.setdefault(alert.hour, []).append(alert.kind)
    peak = max((p.posts for p in view.points), default=0) or 1
    console.print(f"[bold]hourly trend of {escape(repr(view.keyword))}[/]")
    for p in view.points:
        avg = "" if p.average_sentiment is None else f"{p.average_sentiment:+.2f}"
        bar = "#" * max(round(_BAR * p.posts / peak), 1 if p.posts else 0)
        mark = f"  << {', '.join(marks[p.hour])} alert" if p.hour in marks else ""
        console.print(f"  {p.hour:%m-%d %H:00} {p.posts:5d} {avg:>6s} {bar}{mark}",
                      highlight=False, markup=False, soft_wrap=True)


def print_alerts(alerts: list[SpikeAlert]) -> None:
    """Each alert with its explanation."""
    if not alerts:
        console.print("no alerts", highlight=False)
    for alert in alerts:
        console.print(f"[bold]{escape(alert.alert_id)}[/]", highlight=False)
        console.print("  " + escape(alert.explanation), highlight=False, soft_wrap=True)


__all__ = ["print_alerts", "print_map", "print_top", "print_trend", "print_words"]
