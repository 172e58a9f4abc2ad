"""The influence API: tracked keywords and the four dashboard panels, with alerts.

===================================================  ========================================
``GET    /influence/keywords``                       tracked keywords (configured and added)
``POST   /influence/keywords``                       track a keyword (201 new, 200 replaced)
``DELETE /influence/keywords/{key}``                 stop tracking an added keyword (204)
``GET    /influence/keywords/{key}/top``             top influencers per sentiment
``GET    /influence/keywords/{key}/map``             influencer map per sentiment
``GET    /influence/keywords/{key}/words``           word-cloud frequencies per sentiment
``GET    /influence/keywords/{key}/trend``           hourly volume and sentiment, alerts marked
``GET    /influence/alerts``                         alerts, newest first, with explanations
``GET    /influence/alerts/{alert_id}``              one alert
===================================================  ========================================

Mounted when ``[web] influence_api = true``. There is no authentication here yet: the
console brings operators and roles, and mounts this router with its guard —
``influence_router(analytics, dependencies=[Depends(requires({Role.MARKETER,
Role.ADMIN}))], prefix="/api/influence")`` — which is why the guard is a parameter. Until
then, expose it only behind an authenticating proxy.

Query parameters are bounded (``k`` ≤ 50, ``per_sentiment`` ≤ 1,000, ``top`` ≤ 500, ranges
≤ 31 days, ``limit`` ≤ 1,000); times must carry a timezone. Errors are the app's
:class:`~socialreferral.web.schemas.ErrorBody`: 400 invalid input (the field named), 404 an
unknown keyword or alert, 422 a parameter of the wrong type, 503 a backend unavailable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, params
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from socialreferral.domain.json_input import parse_json_object
from socialreferral.errors import InvalidInput, UnknownAlert
from socialreferral.influence.keywords import TrackedKeyword
from socialreferral.service.influence import InfluenceAnalytics
from socialreferral.web.influence_schemas import (
    AlertList,
    AlertOut,
    InfluencerMapPanel,
    KeywordIn,
    KeywordList,
    KeywordOut,
    TopInfluencersPanel,
    TrendPanel,
    WordCloudPanel,
)
from socialreferral.web.schemas import error_responses

MAX_RANGE_HOURS = 31 * 24
_KEYWORD_BODY_BYTES = 16_384

Key = Annotated[str, Path(min_length=1, max_length=100, description="The keyword's key, "
                          "as listed by GET /influence/keywords (e.g. unitedairlines)")]
# Times are strings of one strict shape (a timezone required), parsed here: a lax
# datetime parameter would also take "0.5" as seconds since 1970.
ISO_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$"
When = Annotated[str | None, Query(pattern=ISO_TIME, max_length=40,
                                   description="ISO 8601 with a timezone; default now",
                                   examples=["2024-01-09T19:00:00Z"])]
Start = Annotated[str | None, Query(pattern=ISO_TIME, max_length=40,
                                    description="ISO 8601 with a timezone")]
End = Annotated[str | None, Query(pattern=ISO_TIME, max_length=40,
                                  description="ISO 8601 with a timezone; default: the end "
                                  "of the current hour")]


def _time(value: str | None, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("not a valid time", field=field) from None


def influence_router(analytics: InfluenceAnalytics, *,
                     dependencies: Sequence[params.Depends] = (),
                     prefix: str = "/influence") -> APIRouter:
    """The influence routes over ``analytics``; ``dependencies`` guard every route (the
    console's role check), ``prefix`` is where they are mounted."""
    router = APIRouter(prefix=prefix, tags=["influence"], dependencies=list(dependencies))
    read_errors = error_responses(400, 404, 422, 429, 503)

    @router.get("/keywords", response_model=KeywordList,
                responses=error_responses(422, 429, 503),
                summary="Tracked keywords")
    def keywords() -> KeywordList:
        """Every tracked keyword: configured ones (``source: settings``) and those added
        by marketers (``source: added``)."""
        return KeywordList(keywords=[KeywordOut.of(i) for i in analytics.keywords.all()])

    @router.post("/keywords", status_code=201, response_model=KeywordOut,
                 responses={200: {"model": KeywordOut, "description": "Replaced an added "
                                  "keyword of the same key"},
                            **error_responses(400, 413, 422, 429, 503)},
                 openapi_extra={"requestBody": {"required": True, "content": {
                     "application/json": {"schema": KeywordIn.model_json_schema()}}}},
                 summary="Track a keyword or hashtag")
    async def add_keyword(request: Request, response: Response) -> KeywordOut:
        """Track a keyword from now on (its ``key`` names it in every other route). A
        keyword configured in the settings cannot be replaced here (400)."""
        body = parse_json_object(await request.body(), field="body",
                                 max_bytes=_KEYWORD_BODY_BYTES)
        try:
            keyword = TrackedKeyword.model_validate(KeywordIn.model_validate(body).model_dump())
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"]) or "body"
            raise InvalidInput(str(error["msg"]), field=where) from None
        created = await run_in_threadpool(analytics.keywords.add, keyword, analytics.clock())
        if not created:
            response.status_code = 200
        info = next(i for i in analytics.keywords.all() if i.keyword.key == keyword.key)
        return KeywordOut.of(info)

    @router.delete("/keywords/{key}", status_code=204, response_class=Response,
                   responses=error_responses(400, 404, 422, 429, 503),
                   summary="Stop tracking an added keyword")
    def remove_keyword(key: Key) -> Response:
        """Stop tracking a keyword a marketer added; its collected data stays readable.
        A configured keyword is removed in the settings (400)."""
        analytics.keywords.remove(key)
        return Response(status_code=204)

    @router.get("/keywords/{key}/top", response_model=TopInfluencersPanel,
                responses=read_errors, summary="Top influencers per sentiment")
    def top(key: Key, k: Annotated[int, Query(ge=1, le=50)] = 5,
            at: When = None) -> TopInfluencersPanel:
        """The ``k`` most influential authors of each stance on the keyword, each with
        score 0-100 and its Reach, Resonance and Relevance explained."""
        when = _time(at, "at") or analytics.clock()
        panel = analytics.top(key, k=k, at=when)
        return TopInfluencersPanel(keyword=analytics.known(key), at=when, **panel)

    @router.get("/keywords/{key}/map", response_model=InfluencerMapPanel,
                responses=read_errors, summary="Influencer map per sentiment")
    def influencer_map(key: Key,
                       per_sentiment: Annotated[int, Query(ge=1, le=1_000)] = 100,
                       at: When = None) -> InfluencerMapPanel:
        """Places of each stance's top ``per_sentiment`` influencers (grouped by place),
        and how many could not be placed."""
        when = _time(at, "at") or analytics.clock()
        found = analytics.influencer_map(key, per_sentiment=per_sentiment, at=when)
        return InfluencerMapPanel.of(found, when)

    @router.get("/keywords/{key}/words", response_model=WordCloudPanel,
                responses=read_errors, summary="Word-cloud frequencies per sentiment")
    def words(key: Key, start: Start = None, end: End = None,
              top: Annotated[int, Query(ge=1, le=500)] = 50) -> WordCloudPanel:
        """The ``top`` words of each sentiment's posts in ``[start, end)`` (default: the
        last 7 days; at most 31 days)."""
        cloud = analytics.word_cloud(key, start=_time(start, "start"), end=_time(end, "end"),
                                     top=top,
                                     max_hours=MAX_RANGE_HOURS)
        return WordCloudPanel(keyword=cloud.keyword, start=cloud.start, end=cloud.end,
                              **cloud.words)

    @router.get("/keywords/{key}/trend", response_model=TrendPanel,
                responses=read_errors, summary="Hourly volume and sentiment, alerts marked")
    def trend(key: Key, start: Start = None, end: End = None) -> TrendPanel:
        """Every hour of ``[start, end)`` (default: the last 48; at most 31 days): posts by
        sentiment and the average sentiment, with the alerts raised in those hours."""
        return TrendPanel.of(analytics.trend(key, start=_time(start, "start"),
                                             end=_time(end, "end"), max_hours=MAX_RANGE_HOURS))

    @router.get("/alerts", response_model=AlertList, responses=read_errors,
                summary="Spike alerts with explanations")
    def alerts(keyword: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
               start: Start = None, end: End = None,
               limit: Annotated[int, Query(ge=1, le=1_000)] = 100) -> AlertList:
        """Alerts on volume and negativity, newest hour first: what rose, by how much,
        the authors and posts that drove it, the rising words."""
        found = analytics.alerts(keyword, start=_time(start, "start"), end=_time(end, "end"),
                                 limit=limit)
        return AlertList(alerts=[AlertOut.of(s) for s in found])

    @router.get("/alerts/{alert_id}", response_model=AlertOut,
                responses=error_responses(404, 422, 429, 503), summary="One spike alert")
    def alert(alert_id: Annotated[str, Path(min_length=1, max_length=300)]) -> AlertOut:
        """One alert by its id (``<keyword>:<kind>:<hour>``)."""
        stored = analytics.repositories.influence_alerts.get(alert_id)
        if stored is None:
            raise UnknownAlert(f"no alert {alert_id!r}")
        return AlertOut.of(stored)

    return router


__all__ = ["MAX_RANGE_HOURS", "influence_router"]
