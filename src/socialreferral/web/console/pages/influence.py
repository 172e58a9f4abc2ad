"""The influencer dashboard (seed 002): TwitterTalker's four panels for one keyword.

================================================================  ========================
``GET /console/influence?keyword=&at=``                           the four panels: top-5
                                                                  influencers per
                                                                  sentiment, the map,
                                                                  word clouds, the trend
``GET /console/influence/clouds/{key}/{sentiment}.png?at=``       one word cloud (PNG)
``/api/influence/...``                                            the influence REST API
                                                                  (web/routes/influence.py)
                                                                  behind the same guard
================================================================  ========================

Roles: the ``influence`` area's (marketer, admin). Every figure comes from
:class:`~socialreferral.service.influence.InfluenceAnalytics` (the panels' use cases);
this module only draws them: the map with :mod:`~socialreferral.web.console.geo`, the
clouds with :mod:`~socialreferral.web.console.wordclouds`, the trend with
:func:`~socialreferral.web.console.charts.trend_chart`. ``at`` (ISO 8601 with a
timezone, default now) is the moment the panels show: the trend covers the 48 hours
before it, the clouds the 7 days before it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from socialreferral.bootstrap import Providers
from socialreferral.errors import InvalidInput, NotFound
from socialreferral.influence.views import InfluencerMap
from socialreferral.service.influence import InfluenceAnalytics
from socialreferral.service.influence.analytics import TrendView
from socialreferral.web.console.areas import area_routers, include_area, include_guarded
from socialreferral.web.console.charts import TrendHour, trend_chart
from socialreferral.web.console.geo import MapMarker, world_map
from socialreferral.web.console.templating import render
from socialreferral.web.console.wordclouds import cloud_png

SENTIMENTS = ("positive", "negative", "neutral")
TOP = 5
TREND_HOURS = 48
CLOUD_HOURS = 24 * 7
CLOUD_WORDS = 60
MAP_PER_SENTIMENT = 100
MAX_AT_CHARS = 40


def parse_at(value: str | None, now: datetime) -> datetime:
    """The ``at`` parameter (module docstring): the end of that hour, or of this one."""
    when = now
    if value:
        if len(value) > MAX_AT_CHARS:
            raise InvalidInput("not a valid time", field="at")
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput("not a valid time (ISO 8601 with a timezone)",
                               field="at") from None
        if when.tzinfo is None:
            raise InvalidInput("give the time with a timezone (e.g. Z)", field="at")
    hour = when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return hour + timedelta(hours=1) if hour != when else hour


def map_markers(found: InfluencerMap) -> list[MapMarker]:
    """Positive and negative influencers' places as markers (neutral ones are left off
    the map, as in TwitterTalker: the map contrasts the two camps)."""
    markers = []
    for side in ("positive", "negative"):
        for point in found.points.get(side, ()):
            shown = ", ".join("@" + h for h in point.handles[:5])
            more = f" and {len(point.handles) - 5} more" if len(point.handles) > 5 else ""
            markers.append(MapMarker(
                latitude=point.place.latitude, longitude=point.place.longitude,
                count=point.influencers, side=side,
                label=f"{point.place.name}: {point.influencers} {side} "
                      f"influencer(s) {shown}{more}"))
    return markers


def trend_hours(view: TrendView) -> list[TrendHour]:
    """The trend's hours with their alerts' explanations."""
    alerts: dict[datetime, list[str]] = {}
    for alert in view.alerts:
        alerts.setdefault(alert.hour, []).append(alert.explanation)
    return [TrendHour(label=p.hour.strftime("%m-%d %H:00"), posts=p.posts,
                      sentiment=p.average_sentiment, alerts=tuple(alerts.get(p.hour, ())))
            for p in view.points]


def install_influence(app: FastAPI, providers: Providers,
                      analytics: InfluenceAnalytics | None = None) -> None:
    """Add the dashboard (and the influence API under ``/api/influence``) to ``app``;
    ``analytics`` is the app's when it has one."""
    from socialreferral.tasks.influence import influence_analytics  # composition root
    from socialreferral.web.routes.influence import influence_router

    pages, _ = area_routers("influence")
    service = analytics or influence_analytics(providers)

    def keywords() -> list[str]:
        # the brand's own keywords first: the page opens on the first one
        tracked = service.keywords.all()
        ordered = sorted(tracked, key=lambda i: i.keyword.kind != "brand")
        return [i.keyword.key for i in ordered]

    def panels(key: str, at: datetime) -> dict[str, Any]:
        top = service.top(key, k=TOP, at=at)
        found = service.influencer_map(key, per_sentiment=MAP_PER_SENTIMENT, at=at)
        cloud = service.word_cloud(key, start=at - timedelta(hours=CLOUD_HOURS), end=at,
                                   top=CLOUD_WORDS)
        view = service.trend(key, start=at - timedelta(hours=TREND_HOURS), end=at)
        return {
            "top": top, "map": found,
            "map_svg": world_map(map_markers(found),
                                 title=f"Where the top influencers on {key} are: "
                                       "positive in green, negative in red"),
            "words": cloud.words, "trend": view,
            "trend_svg": trend_chart(trend_hours(view),
                                     title=f"Posts per hour on {key} (columns) and average "
                                           "sentiment (line); triangles mark spike alerts"),
            "posts": sum(p.posts for p in view.points),
        }

    def page_context(request: Request) -> dict[str, Any]:
        at = parse_at(request.query_params.get("at"), service.clock())
        known = keywords()
        key = (request.query_params.get("keyword") or (known[0] if known else ""))[:100]
        context: dict[str, Any] = {"keywords": known, "key": key, "at": at,
                                   "at_param": at.strftime("%Y-%m-%dT%H:%MZ"),
                                   "sentiments": SENTIMENTS}
        if key:
            context.update(panels(service.known(key), at))
        return context

    @pages.get("")
    async def influence_page(request: Request) -> Response:
        """The four panels for one keyword."""
        context = await run_in_threadpool(page_context, request)
        return render(request, "influence.html", context)

    @pages.get("/clouds/{key}/{sentiment}.png")
    async def cloud_image(key: str, sentiment: str, request: Request) -> Response:
        """One sentiment's word cloud as a PNG."""
        if sentiment not in SENTIMENTS:
            raise NotFound("no such sentiment")
        at = parse_at(request.query_params.get("at"), service.clock())

        def draw() -> bytes:
            cloud = service.word_cloud(key, start=at - timedelta(hours=CLOUD_HOURS), end=at,
                                       top=CLOUD_WORDS)
            words = [(w.word, w.count) for w in cloud.words.get(sentiment, [])]  # type: ignore[call-overload]
            return cloud_png(words, sentiment)

        image = await run_in_threadpool(draw)
        return Response(image, media_type="image/png",
                        headers={"Cache-Control": "private, max-age=300"})

    include_area(app, "influence", pages)
    include_guarded(app, "influence", influence_router(service, prefix="/influence"),
                    prefix="/api")


__all__ = ["install_influence", "map_markers", "parse_at", "trend_hours"]
