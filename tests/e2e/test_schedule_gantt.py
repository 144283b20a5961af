"""A planner runs and publishes a plant's schedule in a real browser and reads the Gantt.

The server runs as `supplymesh serve` over a prepared SQLite plant (two work centres, three
machines, a day-shift calendar); the chart is checked through its ECharts instance.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from supplymesh.bootstrap import build_database
from supplymesh.platform.db import utcnow
from supplymesh.platform.schema import migrate
from supplymesh.platform.settings import Settings
from supplymesh.production.model import Schedule
from tests.e2e.test_web_map import CHROMIUM, CHROMIUM_ARGS
from tests.production.world import World, build_world
from tests.support.server import Server

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Plant:
    url: str
    database_url: str
    home: Path
    world: World


@pytest.fixture
def plant(tmp_path: Path) -> Iterator[Plant]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: run make test (it installs it)")
    url_db = f"sqlite:///{tmp_path / 'var' / 'supplymesh.db'}"
    db = build_database(Settings(database_url=url_db, home=tmp_path))
    migrate(db.engine)
    world = build_world(db)
    world.stock("C1", 10_000)
    due = utcnow() + timedelta(days=5)
    world.work_order("P1", 120, due)
    world.work_order("P2", 90, due)
    world.work_order("P1", 60, utcnow() - timedelta(hours=1), priority=9)  # late whatever
    world.work_order("P3", 10, due)  # no C2 anywhere: blocked
    db.engine.dispose()
    process = Server(url_db, tmp_path).start()
    try:
        yield Plant(process.url, url_db, tmp_path, world)
    finally:
        process.stop()


def test_planner_runs_and_publishes_a_schedule_shown_as_a_gantt(plant: Plant) -> None:
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="zh-CN").new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{plant.url}/production/schedule")
            page.fill("input[name=username]", plant.world.username)
            page.fill("input[name=password]", plant.world.password)
            page.click("#login-form button[type=submit]")
            expect(page.locator("h1")).to_have_text("生产排程")
            expect(page.locator("#no-schedule")).to_be_visible()

            page.fill("input[name=time_limit_s]", "1")
            page.click("#run-button")
            expect(page.locator("#schedule-status")).to_have_text("草稿")
            page.wait_for_function("window.scheduleGantt !== undefined")
            counts = page.evaluate(
                """() => {
                  const option = window.scheduleGantt.getOption();
                  const ops = option.series.find((s) => s.id === "operations");
                  const down = option.series.find((s) => s.id === "downtime");
                  return {
                    bars: ops.data.length,
                    down: down.data.length,
                    rows: option.yAxis[0].data,
                    frozen: ops.markLine.data.length,
                  };
                }"""
            )
            assert counts["bars"] == 6  # three schedulable orders, two steps each
            assert counts["rows"] == ["ASM-01", "CUT-01", "CUT-02"]
            assert counts["down"] > 0 and counts["frozen"] == 1
            expect(page.locator("#blocked-list")).to_contain_text("C2")
            expect(page.locator("#order-table tr.late")).to_have_count(1)
            expect(page.locator("#order-table tbody tr")).to_have_count(3)

            page.click("#publish-button")
            expect(page.locator("#schedule-status")).to_have_text("已发布")
            expect(page.locator("#publish-button")).to_have_count(0)
        finally:
            browser.close()
    assert errors == []
    db = build_database(Settings(database_url=plant.database_url, home=plant.home))
    with db.system() as uow:
        statuses = list(uow.session.scalars(select(Schedule.status)))
    db.engine.dispose()
    assert statuses == ["published"]
