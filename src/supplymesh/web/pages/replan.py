"""Planning pages: the forecast chart per item × site and the inventory-health view.

The chart shows the last weeks of history, the forecast median and its 10–90% band, and
promotions as shaded areas; its data are embedded in the page as JSON and drawn by
`static/js/replan_forecast.js` with the self-hosted ECharts.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import or_, select

from supplymesh.network.model import Promotion
from supplymesh.platform.errors import DomainError
from supplymesh.replan import forecasting
from supplymesh.replan.health import inventory_health
from supplymesh.replan.model import ForecastRun
from supplymesh.replan.series import load_histories
from supplymesh.web.context import Web, WebDep, render
from supplymesh.web.nav import NavEntry, PageSet, web_router

router = web_router()
HISTORY_SHOWN_DAYS = 56


def _json(value: Any) -> str:
    # Safe inside <script type="application/json">: no "</" can close the element early.
    return json.dumps(value, ensure_ascii=False, default=str).replace("</", "<\\/")


def _chart(web: Web, run: ForecastRun, ref: forecasting.SeriesRef) -> dict[str, Any]:
    values = forecasting.values_of(web.uow, run, ref.item_id, ref.site_id).get(
        (ref.item_id, ref.site_id), []
    )
    histories = [
        h
        for h in load_histories(web.uow, [ref.sku], history_days=HISTORY_SHOWN_DAYS)
        if h.site_id == ref.site_id
    ]
    history: list[list[Any]] = []
    first: date | None = values[0].day if values else None
    if histories:
        h = histories[0]
        history = [
            [(h.start + timedelta(days=i)).isoformat(), float(v)] for i, v in enumerate(h.values)
        ]
        first = h.start
    last = values[-1].day if values else None
    promos = []
    if first and last:
        for p in web.uow.session.scalars(
            select(Promotion).where(
                Promotion.item_id == ref.item_id,
                or_(Promotion.site_id.is_(None), Promotion.site_id == ref.site_id),
                # Dates, not ISO strings: PostgreSQL refuses date >= varchar.
                Promotion.end_date >= first,
                Promotion.start_date <= last,
            )
        ):
            promos.append([p.name, p.start_date.isoformat(), p.end_date.isoformat()])
    return {
        "history": history,
        "days": [v.day.isoformat() for v in values],
        "p10": [float(v.p10) for v in values],
        "p50": [float(v.p50) for v in values],
        "p90": [float(v.p90) for v in values],
        "promotions": promos,
        "labels": {
            "history": web.t("replan.history"),
            "p50": web.t("replan.p50"),
            "band": web.t("replan.band"),
            "promotion": web.t("replan.promotion"),
        },
    }


TIER_ORDER = ("dc", "region", "item", "category", "total")


def _tiers(web: Web, run: ForecastRun, ref: forecasting.SeriesRef) -> list[dict[str, Any]]:
    """The chosen item's tiers of a reconciled run, with their horizon totals (p10/p50/p90).

    The category and total rows are the enterprise's: the planner sees the same numbers
    that every tier above this store plans on.
    """
    if run.reconciliation is None:
        return []
    rows = []
    for (level, node), values in forecasting.aggregates_of(web.uow, run).items():
        if values[0].item_id not in (None, ref.item_id):
            continue
        rows.append(
            {
                "level": level,
                "label": web.t(f"replan.level.{level}"),
                "node": node,
                "model": values[0].model,
                "p10": sum(v.p10 for v in values),
                "p50": sum(v.p50 for v in values),
                "p90": sum(v.p90 for v in values),
            }
        )
    return sorted(rows, key=lambda r: (TIER_ORDER.index(r["level"]), r["node"]))


@router.get("/plan/forecast", response_class=HTMLResponse)
def forecast_page(web: WebDep, series: str = "", done: str = "") -> HTMLResponse:
    """The latest forecast run: pick a series, see its chart and the run's messages."""
    run = forecasting.latest_run(web.uow)
    refs = forecasting.series_of(web.uow, run) if run is not None else []
    chosen = next((r for r in refs if f"{r.item_id}-{r.site_id}" == series), None)
    if chosen is None and refs:
        chosen = refs[0]
    config = _chart(web, run, chosen) if run is not None and chosen is not None else None
    return render(
        web,
        "replan_forecast.html",
        title=web.t("nav.plan_forecast"),
        active="plan_forecast",
        run=run,
        refs=refs,
        chosen=chosen,
        tiers=_tiers(web, run, chosen) if run is not None and chosen is not None else [],
        config=_json(config) if config is not None else "",
        notice=web.t("replan.done.forecast") if done == "forecast" else "",
        alert="",
    )


@router.post("/plan/forecast/run", response_model=None)
def run_forecast(web: WebDep, horizon_days: Annotated[str, Form()] = "28") -> Response:
    """Run a new forecast over the caller's demand (small horizons keep it quick)."""
    try:
        days = int(horizon_days) if horizon_days.strip().isdigit() else 28
        request = forecasting.ForecastRequest(horizon_days=days)
        forecasting.run_forecast(web.uow, request, _compute(web))
        web.uow.commit()
    except DomainError as exc:
        web.uow.session.rollback()
        return render(
            web,
            "replan_forecast.html",
            title=web.t("nav.plan_forecast"),
            active="plan_forecast",
            run=None,
            refs=[],
            chosen=None,
            config="",
            notice="",
            alert=web.t("error.invalid", detail=exc.message),
            status_code=exc.status,
        )
    return RedirectResponse("/plan/forecast?done=forecast", status_code=303)


def _compute(web: Web) -> forecasting.Compute:
    settings = web.request.app.state.container.settings
    return forecasting.Compute(dask_address=settings.dask_address)


@router.get("/plan/health", response_class=HTMLResponse)
def health_page(web: WebDep) -> HTMLResponse:
    """Days of cover, excess and at-risk stock per item × site."""
    rows = inventory_health(web.uow)
    counts = {s: sum(1 for r in rows if r.status == s) for s in ("at_risk", "excess", "ok")}
    return render(
        web,
        "replan_health.html",
        title=web.t("nav.plan_health"),
        active="plan_health",
        rows=rows,
        counts=counts,
    )


PAGES = PageSet(
    router,
    (
        NavEntry("plan_forecast", "/plan/forecast", "nav.plan_forecast", "item", "planning", 40),
        NavEntry("plan_health", "/plan/health", "nav.plan_health", "stock", "planning", 42),
    ),
)
