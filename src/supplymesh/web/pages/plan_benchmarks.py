"""The benchmark page: how the forecast models and replenishment policies fared, as charts.

Reads the bench JSON files under ``<home>/benchmarks/results`` (`replan.bench_results`); the
charts are drawn by `static/js/plan_benchmarks.js` with the self-hosted ECharts. A file is
picked by its name from the folder's listing, so a request can never name a path.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import HTMLResponse

from supplymesh.replan.bench_results import read_folder, results_dir
from supplymesh.web.context import WebDep, render
from supplymesh.web.nav import NavEntry, PageSet, web_router

router = web_router()


def _pick(names: list[str], wanted: str) -> str | None:
    """The file asked for if it is listed, else the most recently written one."""
    if wanted in names:
        return wanted
    return names[-1] if names else None


@router.get("/plan/benchmarks", response_class=HTMLResponse)
def benchmarks_page(web: WebDep, forecast: str = "", replenish: str = "") -> HTMLResponse:
    """Forecast accuracy per model and replenishment cost per policy, from the bench files."""
    settings = web.request.app.state.container.settings
    folder = read_folder(results_dir(settings.home))
    f_name = _pick([b.name for b in folder.forecast], forecast)
    r_name = _pick([b.name for b in folder.replenish], replenish)
    f_bench = next((b for b in folder.forecast if b.name == f_name), None)
    r_bench = next((b for b in folder.replenish if b.name == r_name), None)
    t = web.t
    config: dict[str, Any] = {
        "labels": {
            "holding": t("bench.holding"),
            "stockout": t("bench.stockout"),
            "ours": t("bench.ours"),
            "reference": t("bench.reference"),
        },
        "forecast": vars(f_bench) if f_bench else None,
        "replenish": vars(r_bench) if r_bench else None,
    }
    return render(
        web,
        "plan_benchmarks.html",
        title=t("nav.plan_benchmarks"),
        active="plan_benchmarks",
        folder=folder,
        forecast=f_bench,
        replenish=r_bench,
        config=json.dumps(config, ensure_ascii=False).replace("</", "<\\/"),
    )


PAGES = PageSet(
    router,
    (
        NavEntry(
            "plan_benchmarks", "/plan/benchmarks", "nav.plan_benchmarks", "list", "planning", 44
        ),
    ),
)
