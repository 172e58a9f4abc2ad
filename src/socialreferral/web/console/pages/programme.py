"""The referral programme page (seed 000 §4.8), its JSON twin and the CSV export.

==================================  =================================================
``GET /console/programme``          the page: funnel chart and table, conversion
                                    rates, new customers, rewards by status with
                                    amounts, by product, channel and week
``GET /console/programme.csv``      the same figures as long-form CSV (download)
``GET /api/programme``              :class:`~socialreferral.service.programme.ProgrammeReport`
``GET /api/programme/csv``          the CSV, for scripts
==================================  =================================================

Roles: the ``programme`` area's (marketer, admin).
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from socialreferral.bootstrap import Providers
from socialreferral.service.programme import ProgrammeReport, build_programme, programme_csv
from socialreferral.web.console.areas import area_routers, include_area
from socialreferral.web.console.charts import bar_chart, column_chart
from socialreferral.web.console.templating import money, render
from socialreferral.web.schemas import error_responses

WEEKS_SHOWN = 12


def _csv_response(report: ProgrammeReport) -> Response:
    stamp = report.generated_at.strftime("%Y%m%d-%H%M")
    return Response(programme_csv(report), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="programme-{stamp}.csv"',
        "Cache-Control": "no-store"})


def install_programme(app: FastAPI, providers: Providers) -> None:
    """Add the programme routes to ``app``."""
    pages, api = area_routers("programme")
    currency = providers.settings.referral.currency

    def report() -> ProgrammeReport:
        return build_programme(providers.repositories, currency=currency,
                               now=datetime.now(UTC))

    @pages.get("")
    async def programme_page(request: Request) -> Response:
        """The programme page."""
        built = await run_in_threadpool(report)
        total = built.funnel.total
        weeks = built.by_week[-WEEKS_SHOWN:]
        charts = {
            "funnel": bar_chart([(s.name, s.count) for s in total.stages],
                                title="Referral funnel: count per stage"),
            "products": bar_chart([(s.key, s.leads) for s in built.by_product],
                                  title="Leads per product"),
            "channels": bar_chart([(s.key, s.leads) for s in built.by_channel],
                                  title="Leads per channel"),
            "weeks": column_chart([(s.key, s.leads) for s in weeks],
                                  title="Leads per week"),
            "rewards": bar_chart(
                [(t.status, float(t.amount)) for t in built.rewards_by_status],
                title=f"Reward amount per status ({built.currency})", css_class="bar-good",
                value_label=lambda v: money(v, built.currency)),
        }
        return render(request, "programme.html", {"report": built, "charts": charts,
                                                  "weeks": weeks})

    @pages.get(".csv")
    async def programme_csv_page(request: Request) -> Response:
        """The CSV export."""
        return _csv_response(await run_in_threadpool(report))

    @api.get("", response_model=ProgrammeReport, summary="The referral programme report",
             responses=error_responses(401, 403))
    async def programme_json() -> ProgrammeReport:
        """Funnel with conversion rates, new customers, rewards by status, and the same
        figures by product, channel and ISO week (the programme page's data)."""
        return await run_in_threadpool(report)

    @api.get("/csv", response_class=Response, summary="The programme report as CSV",
             responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                              "description": "dimension,key,metric,value rows"},
                        **error_responses(401, 403)})
    async def programme_csv_api() -> Response:
        """Long-form CSV: ``dimension,key,metric,value``, one figure per row."""
        return _csv_response(await run_in_threadpool(report))

    include_area(app, "programme", pages, api)


__all__ = ["install_programme"]
