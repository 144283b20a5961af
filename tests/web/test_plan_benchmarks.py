"""The benchmark page charts the bench JSON under <home>/benchmarks/results, and only that."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from supplymesh.platform.settings import Settings
from supplymesh.platform.uow import Database
from tests.web.seed import PASSWORD_A, seed
from tests.web.test_pages import signed_in


def _forecast(metric_auto: float) -> dict[str, Any]:
    rows = [
        {"period": "YEARLY", "model": "Theta", "series": 2, "smape": 9.0},
        {"period": "ALL", "model": "Theta", "series": 3, "smape": 12.0},
        {"period": "ALL", "model": "AutoETS", "series": 3, "smape": 11.0},
        {"period": "ALL", "model": "auto", "series": 3, "smape": metric_auto},
    ]
    summary = {
        "format": "m3",
        "primary_metric": "smape",
        "best_baseline": "AutoETS",
        "best_baseline_value": 11.0,
        "auto_value": metric_auto,
        "improvement_pct": 100 * (11.0 - metric_auto) / 11.0,
        "series": 3,
    }
    return {"summary": summary, "rows": rows}


def _config(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="bench-config">(.*?)</script>', html)
    assert found
    return dict(json.loads(found.group(1)))


@pytest.fixture
def results(settings: Settings) -> Path:
    folder = settings.home / "benchmarks" / "results"
    folder.mkdir(parents=True)
    return folder


def test_the_page_charts_forecast_and_replenishment_runs(
    db: Database, client_factory: Callable[[], TestClient], results: Path
) -> None:
    seed(db)
    (results / "forecast-old.json").write_text(json.dumps(_forecast(10.5)), encoding="utf-8")
    (results / "forecast-new.json").write_text(json.dumps(_forecast(10.0)), encoding="utf-8")
    replenish = {
        "summary": {"pairs": 7},
        "rows": [
            {
                "policy": "ours_e2e",
                "kind": "ours",
                "total_cost": 30.0,
                "holding_cost": 20.0,
                "stockout_cost": 10.0,
            },
            {
                "policy": "E2E_RNN",
                "kind": "reference",
                "total_cost": 40.0,
                "holding_cost": 15.0,
                "stockout_cost": 25.0,
            },
        ],
    }
    (results / "replenish-jd.json").write_text(json.dumps(replenish), encoding="utf-8")
    (results / "forecast-broken.json").write_text("{not json", encoding="utf-8")
    (results / "forecast-series-rate.json").write_text('{"rate": 1}', encoding="utf-8")

    client = signed_in(client_factory, "a.admin", PASSWORD_A)
    page = client.get("/plan/benchmarks?forecast=forecast-old.json")
    assert page.status_code == 200
    config = _config(page.text)
    # the run asked for, only its rows over all series, in the file's order
    assert config["forecast"]["name"] == "forecast-old.json"
    assert config["forecast"]["models"] == ["Theta", "AutoETS", "auto"]
    assert config["forecast"]["values"] == [12.0, 11.0, 10.5]
    assert config["replenish"]["policies"] == ["ours_e2e", "E2E_RNN"]
    assert config["replenish"]["stockout"] == [10.0, 25.0]
    # a broken file is named with its reason; another script's output is not a bench run
    assert "forecast-broken.json" in page.text and "JSONDecodeError" in page.text
    assert 'value="forecast-series-rate.json"' not in page.text
    assert "/assets/echarts/echarts.min.js" in page.text

    # a name that is not in the folder's listing (here a path) falls back to a listed file
    other = _config(client.get("/plan/benchmarks?forecast=../../../etc/passwd").text)
    assert other["forecast"]["name"] in {"forecast-old.json", "forecast-new.json"}


def test_no_results_says_how_to_make_them(
    db: Database, client_factory: Callable[[], TestClient]
) -> None:
    seed(db)
    client = signed_in(client_factory, "a.admin", PASSWORD_A)
    page = client.get("/plan/benchmarks")
    assert page.status_code == 200 and 'id="no-bench"' in page.text
    assert client_factory().get("/plan/benchmarks", follow_redirects=False).status_code in (
        302,
        303,
        307,
    )
