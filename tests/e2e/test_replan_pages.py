"""A planner in a real browser: the forecast chart, then edit and release a proposal.

The tiny demo is generated into a fresh SQLite database; a forecast and proposals for one
item are made through the replan services (as the API would), the server runs as
`supplymesh serve`, and what the browser did is checked in the database.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from supplymesh.bootstrap import build_database
from supplymesh.inventory.model import Order, OrderKind, OrderLine
from supplymesh.network.demo import generate
from supplymesh.platform.schema import migrate
from supplymesh.platform.settings import Settings
from supplymesh.replan.forecasting import ForecastRequest, run_forecast
from supplymesh.replan.model import ReplenishmentProposal
from supplymesh.replan.proposals import ReplenishRequest, run_replenishment
from tests.e2e.test_web_map import CHROMIUM, CHROMIUM_ARGS
from tests.replan.conftest import context_of
from tests.support.server import Server

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Planner:
    url: str
    database_url: str
    home: Path
    proposal_id: int


@pytest.fixture
def planner(tmp_path: Path) -> Iterator[Planner]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: run make test (it installs it)")
    url_db = f"sqlite:///{tmp_path / 'var' / 'supplymesh.db'}"
    db = build_database(Settings(database_url=url_db, home=tmp_path))
    migrate(db.engine)
    generate(db, scale="tiny", seed=1)
    ctx = context_of(db)
    with db.unit_of_work(ctx) as uow:
        run_forecast(uow, ForecastRequest(horizon_days=14, item_codes=("HC-QN20P-WH",)))
        uow.commit()
    with db.unit_of_work(ctx) as uow:
        result = run_replenishment(uow, ReplenishRequest(paths=20, simulation_days=60))
        uow.commit()
        first = min(result.proposals, key=lambda p: (p.order_date, p.id)).id
    db.engine.dispose()
    process = Server(url_db, tmp_path).start()
    try:
        yield Planner(process.url, url_db, tmp_path, first)
    finally:
        process.stop()


def test_a_planner_reads_the_forecast_and_releases_an_edited_proposal(planner: Planner) -> None:
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="zh-CN").new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{planner.url}/plan/forecast")
            page.fill("input[name=username]", "yjretail.admin")
            page.fill("input[name=password]", "demo1234")
            page.click("#login-form button[type=submit]")
            expect(page).to_have_url(f"{planner.url}/plan/forecast")
            expect(page.locator("h1")).to_have_text("需求预测")
            expect(page.locator("#series-select option")).to_have_count(3)
            expect(page.locator("#forecast-chart canvas")).to_have_count(1)
            sizes = page.evaluate(
                "() => window.forecastChart.getOption().series"
                ".map(s => s.data.filter(v => v != null).length)"
            )
            assert sizes[0] > 0 and sizes[3] == 14  # history shown, 14 forecast medians
            third = page.locator("#series-select option").nth(2).get_attribute("value")
            page.select_option("#series-select", index=2)
            expect(page).to_have_url(f"{planner.url}/plan/forecast?series={third}")
            expect(page.locator("#forecast-chart canvas")).to_have_count(1)

            page.goto(f"{planner.url}/plan/proposals")
            row = page.locator(f"tr[data-proposal='{planner.proposal_id}']")
            row.locator("input[name=quantity]").fill("123")
            row.locator("button[data-action=edit]").click()
            expect(page.locator("#notice")).to_have_text("建议已保存。")
            expect(row.locator("[data-status]")).to_have_attribute("data-status", "edited")
            expect(row.locator("td.qty")).to_have_text("123")
            row.locator("button[data-action=release]").click()
            expect(page.locator("#notice")).to_have_text("建议已下达：订单已生成。")
            expect(row).to_have_count(0)  # no longer open
            page.goto(f"{planner.url}/plan/proposals?state=released")
            expect(row.locator(".order-number")).to_contain_text("PO-")

            page.goto(f"{planner.url}/plan/health")
            expect(page.locator("#health-table tbody tr")).to_have_count(15)

            # the benchmark page charts this project's recorded bench runs
            results = planner.home / "benchmarks" / "results"
            results.mkdir(parents=True)
            recorded = Path(__file__).parents[2] / "benchmarks" / "results"
            for name in ("forecast-m3-round3-quiet.json", "replenish-jd.json"):
                shutil.copyfile(recorded / name, results / name)
            page.goto(f"{planner.url}/plan/benchmarks")
            expect(page.locator("#forecast-bench-chart canvas")).to_have_count(1)
            expect(page.locator("#replenish-bench-chart canvas")).to_have_count(1)
            models = page.evaluate("() => window.benchCharts.forecast.getOption().yAxis[0].data")
            assert "auto" in models and "AutoARIMA" in models
            policies = page.evaluate("() => window.benchCharts.replenish.getOption().yAxis[0].data")
            assert len(policies) == 12 and policies[0].startswith("ours_e2e")
        finally:
            browser.close()
    assert errors == []

    db = build_database(Settings(database_url=planner.database_url, home=planner.home))
    try:
        with db.system() as uow:
            proposal = uow.session.get(ReplenishmentProposal, planner.proposal_id)
            assert proposal is not None and proposal.state == "released"
            order = uow.session.get(Order, proposal.order_id)
            assert order is not None and order.kind == OrderKind.PURCHASE
            lines = list(
                uow.session.scalars(select(OrderLine).where(OrderLine.order_id == order.id))
            )
            assert [line.quantity for line in lines] == [Decimal(123)]
    finally:
        db.engine.dispose()
