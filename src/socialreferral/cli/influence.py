"""Influence commands: ``socialreferral influence track|top|map|words|trend|alerts|
keywords|recompute|demo`` (seed 002, TwitterTalker).

``track`` takes recorded webhook deliveries (a folder, as ``referral ingest`` reads) or the
demo stream (``--demo``) straight into influence analytics; the panels read what is
stored. Every command takes ``--json`` (machine-readable on stdout). ``demo`` runs the
generator with a planted crisis in a temporary directory and prints the four panels and
the alert.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from socialreferral.cli._common import (
    DataDirOption,
    JsonOption,
    SettingsOption,
    console,
    fail,
    fail_from,
    note,
    open_providers,
)
from socialreferral.cli._influence_output import (
    print_alerts,
    print_map,
    print_top,
    print_trend,
    print_words,
)
from socialreferral.errors import SocialReferralError

if TYPE_CHECKING:
    from socialreferral.bootstrap import Providers
    from socialreferral.demo.influence import FeedResult, SimulatedClock
    from socialreferral.service.influence import InfluenceAnalytics, TrackResult

commands = typer.Typer(
    name="influence",
    help="Influencer and campaign analytics: track keywords, top influencers, map, word "
         "clouds, hourly trend and spike alerts.",
    no_args_is_help=True,
)
keywords_group = typer.Typer(name="keywords", help="List, add and remove tracked keywords.",
                             no_args_is_help=True)
commands.add_typer(keywords_group)

Keyword = Annotated[str, typer.Argument(help="keyword or its key, e.g. unitedairlines or "
                                        "'#UnitedAirlines'")]
When = Annotated[str | None, typer.Option(help="ISO 8601 time with a timezone (default now)")]
Seed = Annotated[int, typer.Option(help="demo stream seed")]
Days = Annotated[int, typer.Option(min=9, max=60, help="demo stream days (≥ 9: a week "
                                   "of history for the baseline)")]
Posts = Annotated[int, typer.Option(min=1_000, max=500_000, help="demo stream posts")]


def _when(value: str | None, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise fail(f"--{field}: not an ISO 8601 time: {value!r}") from None
    if parsed.tzinfo is None:
        raise fail(f"--{field}: give a timezone, e.g. {value}+00:00")
    return parsed


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def _analytics(providers: Providers, clock: SimulatedClock | None = None,
               quiet: bool = False) -> InfluenceAnalytics:
    from socialreferral.tasks.influence import influence_analytics

    def notify(alert: Any) -> None:  # the CLI prints alerts itself
        return None

    return influence_analytics(providers, clock=clock, notify=notify if quiet else None)


def _totals(result: TrackResult) -> dict[str, int]:
    return {k: getattr(result, k) for k in ("received", "matched", "records", "new",
                                            "counted", "duplicates", "stale")}


# ---------------------------------------------------------------------- keywords
@keywords_group.command("list")
def keywords_list(settings: SettingsOption = None, data_dir: DataDirOption = None,
                  as_json: JsonOption = False) -> None:
    """The tracked keywords: configured ones and those added."""
    with open_providers(settings, data_dir) as providers:
        found = _analytics(providers).keywords.all()
    if as_json:
        _echo_json([{"key": i.keyword.key, **i.keyword.model_dump(mode="json"),
                     "source": i.source} for i in found])
        return
    if not found:
        console.print("no keywords are tracked (add one: socialreferral influence keywords "
                      "add TERM)", highlight=False)
    for i in found:
        extra = f" aliases {', '.join(i.keyword.aliases)}" if i.keyword.aliases else ""
        console.print(f"{i.keyword.key:20s} {i.keyword.kind:10s} {i.source:8s} "
                      f"{i.keyword.term!r}{extra}", highlight=False, markup=False)


@keywords_group.command("add")
def keywords_add(
    term: Annotated[str, typer.Argument(help="the keyword or hashtag, e.g. '#UnitedAirlines'")],
    kind: Annotated[str, typer.Option(help="brand, competitor or topic")] = "brand",
    alias: Annotated[list[str] | None, typer.Option(help="another spelling (repeatable)")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="a phrase that vetoes a match "
                                                      "(repeatable)")] = None,
    settings: SettingsOption = None, data_dir: DataDirOption = None,
) -> None:
    """Track a keyword from now on."""
    from pydantic import ValidationError

    from socialreferral.influence.keywords import TrackedKeyword

    try:
        keyword = TrackedKeyword(term=term, kind=kind,  # type: ignore[arg-type]
                                 aliases=tuple(alias or ()), exclude=tuple(exclude or ()))
    except ValidationError as exc:
        raise fail(f"{'.'.join(map(str, exc.errors()[0]['loc']))}: "
                   f"{exc.errors()[0]['msg']}") from None
    with open_providers(settings, data_dir) as providers:
        created = _analytics(providers).keywords.add(keyword, datetime.now(UTC))
    console.print(f"{'tracking' if created else 'updated'} {keyword.key!r}", highlight=False)


@keywords_group.command("remove")
def keywords_remove(key: Keyword, settings: SettingsOption = None,
                    data_dir: DataDirOption = None) -> None:
    """Stop tracking an added keyword (its data stays)."""
    from socialreferral.influence.keywords import keyword_key

    with open_providers(settings, data_dir) as providers:
        _analytics(providers).keywords.remove(keyword_key(key))
    console.print(f"no longer tracking {keyword_key(key)!r}", highlight=False)


# ---------------------------------------------------------------------- track
@commands.command()
def track(
    directory: Annotated[Path | None, typer.Argument(
        help="folder of recorded deliveries (*.json with headers+body, or *.body)",
        exists=True, file_okay=False)] = None,
    source: Annotated[str, typer.Option(help="the webhook channel of the deliveries")] = "x",
    verify: Annotated[bool, typer.Option(help="check each delivery's signature with the "
                                         "channel's secret")] = True,
    demo: Annotated[bool, typer.Option("--demo", help="track the generated demo stream "
                                       "instead (its keywords are added)")] = False,
    seed: Seed = 1, days: Days = 10, posts: Posts = 15_000,
    scan: Annotated[bool, typer.Option(help="afterwards, check the tracked hours for "
                                       "spikes")] = True,
    settings: SettingsOption = None, data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Track recorded deliveries, or the demo stream, into influence analytics."""
    if (directory is None) == (not demo):
        raise fail("give a folder of recorded deliveries, or --demo")
    with open_providers(settings, data_dir, create_data_dir=demo) as providers:
        if demo:
            fed = _feed_demo(providers, seed, days, posts, quiet=as_json)
            totals, alerts = fed.totals, [a for _, a in fed.raised]
            first, last = fed.start, fed.end
        else:
            assert directory is not None
            totals, first, last = _track_directory(providers, directory, source, verify)
            alerts = []
        if scan and first is not None and last is not None:
            analytics = _analytics(providers, quiet=True)
            for info in analytics.keywords.all():
                alerts.extend(analytics.scan_alerts(info.keyword.key, first,
                                                    last + timedelta(hours=1)))
    if as_json:
        _echo_json({**_totals(totals), "alerts": [a.model_dump(mode="json") for a in alerts]})
        return
    console.print(f"{totals.received} posts read, {totals.matched} about a tracked keyword: "
                  f"{totals.records} records, {totals.new} new, {totals.counted} counted, "
                  f"{totals.duplicates} already counted", highlight=False)
    if alerts:
        print_alerts(alerts)


def _track_directory(providers: Providers, directory: Path, source: str,
                     verify: bool) -> tuple[TrackResult, datetime | None, datetime | None]:
    from socialreferral.providers.local.social import replay
    from socialreferral.service.influence import TrackResult, track_delivery

    analytics = _analytics(providers)
    if analytics.keywords.config() is None:
        raise fail("no keywords are tracked: add some to [influence] keywords or with "
                   "`socialreferral influence keywords add`")
    channel = providers.registry.channel(source)
    totals = TrackResult()
    first = last = None
    for delivery in replay(directory):
        try:
            result = track_delivery(analytics, channel, delivery.body, delivery.headers,
                                    providers.secrets, verify=verify,
                                    max_body_bytes=providers.settings.web.max_body_bytes)
        except SocialReferralError as exc:
            note(f"{delivery.source}: refused: {exc}")
            continue
        for name in _totals(result):
            setattr(totals, name, getattr(totals, name) + getattr(result, name))
        for stamp in _times(channel, delivery.body):
            first = stamp if first is None or stamp < first else first
            last = stamp if last is None or stamp > last else last
    return totals, first, last


def _times(channel: Any, body: bytes) -> list[datetime]:
    try:
        return [e.created_at for e in channel.parse(body).events]
    except SocialReferralError:
        return []


def _feed_demo(providers: Providers, seed: int, days: int, posts: int, *,
               quiet: bool) -> FeedResult:
    from socialreferral.demo.influence import (
        SimulatedClock,
        demo_config,
        feed,
        track_demo_keywords,
    )
    from socialreferral.influence.demo_stream import DemoStream

    stream = DemoStream(demo_config(seed=seed, days=days, posts=posts))
    clock = SimulatedClock(stream.config.start)
    analytics = _analytics(providers, clock, quiet=True)
    added = track_demo_keywords(analytics, stream.tracking, datetime.now(UTC))
    if added and not quiet:
        note(f"now tracking the demo's keywords: {', '.join(added)}")
    analytics.prepare()
    with Progress(TextColumn("tracking the demo stream"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=console, disable=quiet, transient=True) as bar:
        task = bar.add_task("track", total=None)
        return feed(analytics, clock, stream,
                    progress=lambda done, total: bar.update(task, completed=done, total=total))


# ---------------------------------------------------------------------- panels
@commands.command()
def top(keyword: Keyword, k: Annotated[int, typer.Option(min=1, max=50)] = 5, at: When = None,
        settings: SettingsOption = None, data_dir: DataDirOption = None,
        as_json: JsonOption = False) -> None:
    """Top influencers per sentiment (name, score, followers, retweets, their tweet)."""
    when = _when(at, "at") or datetime.now(UTC)
    with open_providers(settings, data_dir) as providers:
        analytics = _analytics(providers)
        panel = analytics.top(keyword, k=k, at=when)
        key = analytics.known(keyword)
    if as_json:
        _echo_json({"keyword": key, "at": when.isoformat(),
                    **{s: [r.model_dump(mode="json") for r in rows]
                       for s, rows in panel.items()}})
        return
    print_top(key, when, panel)


@commands.command("map")
def map_(keyword: Keyword, per_sentiment: Annotated[int, typer.Option(min=1, max=1_000)] = 100,
         at: When = None, settings: SettingsOption = None, data_dir: DataDirOption = None,
         as_json: JsonOption = False) -> None:
    """Where the top influencers of each sentiment are (unplaced ones counted)."""
    when = _when(at, "at") or datetime.now(UTC)
    with open_providers(settings, data_dir) as providers:
        found = _analytics(providers).influencer_map(keyword, per_sentiment=per_sentiment,
                                                     at=when)
    if as_json:
        _echo_json(found.model_dump(mode="json"))
        return
    print_map(found)


@commands.command()
def words(keyword: Keyword, hours: Annotated[int, typer.Option(min=1, max=24 * 366)] = 168,
          end: When = None, top: Annotated[int, typer.Option(min=1, max=500)] = 30,
          settings: SettingsOption = None, data_dir: DataDirOption = None,
          as_json: JsonOption = False) -> None:
    """Word-cloud frequencies per sentiment over the last --hours before --end."""
    until = _when(end, "end")
    start = (until or datetime.now(UTC)) - timedelta(hours=hours)
    with open_providers(settings, data_dir) as providers:
        cloud = _analytics(providers).word_cloud(keyword, start=start, end=until, top=top)
    if as_json:
        _echo_json({"keyword": cloud.keyword, "start": cloud.start.isoformat(),
                    "end": cloud.end.isoformat(),
                    **{s: [w.model_dump() for w in ws] for s, ws in cloud.words.items()}})
        return
    print_words(cloud, top)


@commands.command()
def trend(keyword: Keyword, hours: Annotated[int, typer.Option(min=1, max=24 * 366)] = 48,
          end: When = None, settings: SettingsOption = None, data_dir: DataDirOption = None,
          as_json: JsonOption = False) -> None:
    """Hourly posts and average sentiment for the last --hours before --end, alerts marked."""
    until = _when(end, "end")
    start = (until or datetime.now(UTC)) - timedelta(hours=hours)
    with open_providers(settings, data_dir) as providers:
        view = _analytics(providers).trend(keyword, start=start, end=until)
    if as_json:
        _echo_json({"keyword": view.keyword, "start": view.start.isoformat(),
                    "end": view.end.isoformat(),
                    "hours": [p.model_dump(mode="json") for p in view.points],
                    "alerts": [a.model_dump(mode="json") for a in view.alerts]})
        return
    print_trend(view)


@commands.command()
def alerts(keyword: Annotated[str | None, typer.Option(help="only this keyword")] = None,
           limit: Annotated[int, typer.Option(min=1, max=1_000)] = 20,
           settings: SettingsOption = None, data_dir: DataDirOption = None,
           as_json: JsonOption = False) -> None:
    """Spike alerts, newest first, with their explanations."""
    with open_providers(settings, data_dir) as providers:
        found = _analytics(providers).alerts(keyword, limit=limit)
    if as_json:
        _echo_json([{**s.alert.model_dump(mode="json"), "first_seen": s.first_seen,
                     "notified_at": s.notified_at} for s in found])
        return
    print_alerts([s.alert for s in found])


@commands.command()
def recompute(keyword: Annotated[list[str] | None, typer.Option(
                  help="only this keyword (repeatable)")] = None,
              settings: SettingsOption = None, data_dir: DataDirOption = None,
              as_json: JsonOption = False) -> None:
    """Check the aggregates against their stored posts and repair drift; scan for alerts."""
    with open_providers(settings, data_dir) as providers:
        report = _analytics(providers).recompute(keyword or None)
    rows = [{"keyword": r.keyword, "posts": r.posts, "authors": r.authors, "hours": r.hours,
             "authors_fixed": r.authors_fixed, "hours_fixed": r.hours_fixed,
             "removed": r.removed} for r in report.keywords]
    if as_json:
        _echo_json({"keywords": rows, "alerts": [a.model_dump(mode="json")
                                                 for a in report.alerts],
                    "notified": report.notified})
        return
    for row in rows:
        console.print(f"{row['keyword']}: {row['posts']} posts, {row['authors']} authors, "
                      f"{row['hours']} hour shards; fixed {row['authors_fixed']} author and "
                      f"{row['hours_fixed']} hour entries, removed {row['removed']}",
                      highlight=False)
    if report.alerts:
        print_alerts(report.alerts)


# ---------------------------------------------------------------------- demo
@commands.command("demo")
def demo_command(seed: Seed = 1, days: Days = 10, posts: Posts = 15_000,
                 keyword: Annotated[str, typer.Option(help="the keyword the panels show")] =
                 "unitedairlines",
                 data_dir: DataDirOption = None, settings: SettingsOption = None,
                 as_json: JsonOption = False) -> None:
    """Generate airline chatter with a planted crisis, track it as if live, and print the
    four panels and the alerts."""
    temp = None
    if data_dir is None and settings is None:
        temp = tempfile.TemporaryDirectory(prefix="socialreferral-influence-")
        data_dir = Path(temp.name)
    try:
        with open_providers(settings, data_dir, create_data_dir=True) as providers:
            fed = _feed_demo(providers, seed, days, posts, quiet=as_json)
            assert fed.end is not None
            # The end of the stream's last hour: the panels as seen then.
            at = datetime.fromtimestamp(-(-int(fed.end.timestamp()) // 3600) * 3600, UTC)
            analytics = _analytics(providers)
            panel = analytics.top(keyword, at=at)
            found = analytics.influencer_map(keyword, at=at)
            cloud = analytics.word_cloud(keyword, end=at, top=12)
            for info in analytics.keywords.all():  # what the periodic task does: the
                # alerts of finished hours get their final figures
                analytics.scan_alerts(info.keyword.key, at - timedelta(days=1), at)
            view = analytics.trend(keyword, start=at - timedelta(hours=36), end=at)
            stored = analytics.alerts(keyword)
    except SocialReferralError as exc:
        raise fail_from(exc) from None
    finally:
        if temp is not None:
            temp.cleanup()
    if as_json:
        _echo_json({
            **_totals(fed.totals), "seconds": round(fed.seconds, 1),
            "top": {s: [r.model_dump(mode="json") for r in rows] for s, rows in panel.items()},
            "map": found.model_dump(mode="json"),
            "words": {s: [w.model_dump() for w in ws] for s, ws in cloud.words.items()},
            "trend": [p.model_dump(mode="json") for p in view.points],
            "alerts": [s.alert.model_dump(mode="json") for s in stored],
            "raised": [{"at": at_.isoformat(), "alert_id": a.alert_id} for at_, a in fed.raised],
            "planted": [p.model_dump(mode="json") for p in fed.planted]})
        return
    console.print(f"tracked {fed.totals.received:,} generated posts ({fed.totals.records:,} "
                  f"keyword records) in {fed.seconds:.1f} s, slice by slice as if live",
                  highlight=False)
    print_top(keyword, at, panel)
    print_map(found)
    print_words(cloud)
    print_trend(view)
    for spike in fed.planted:
        mood = ("" if spike.negative_share is None
                else f", {spike.negative_share:.0%} negative")
        console.print(f"[bold]planted[/]: {spike.kind} on {spike.keyword!r} from "
                      f"{spike.start:%m-%d %H:%M} UTC for {spike.hours} h, "
                      f"{spike.volume_factor}x volume{mood}", highlight=False)
    for raised_at, alert in fed.raised:
        console.print(f"[bold]raised[/] at {raised_at:%m-%d %H:%M} UTC (live): "
                      f"{alert.alert_id}", highlight=False)
    print_alerts([s.alert for s in stored])


__all__ = ["commands"]
