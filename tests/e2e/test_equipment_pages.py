"""A real browser on the equipment board, a machine's page and the live alarm inbox.

`supplymesh serve` runs with its embedded MQTT broker over a SQLite database seeded with a
plant, two machines, two hours of telemetry and one alarm. While the board and then the
inbox are open, the machine publishes out-of-limit readings over MQTT: the server's rules
raise alarms, the feed carries them to the page, which shows them without a reload; the user
acknowledges the newest one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from supplymesh.bootstrap import build_database
from supplymesh.devices import alarms, credentials, kpi
from supplymesh.devices.alarm_model import Alarm, AlarmRule
from supplymesh.devices.alarms import AlarmEngine
from supplymesh.devices.model import Device, DeviceMetric
from supplymesh.devices.payload import encode, topic_for
from supplymesh.devices.store import Incoming, TelemetryStore
from supplymesh.network.model import Site
from supplymesh.network.services import NewEnterprise, register_enterprise
from supplymesh.platform.schema import migrate
from supplymesh.platform.settings import Settings
from supplymesh.platform.uow import Database
from tests.devices.world import DeviceClient, DeviceKey, wait_until
from tests.e2e.test_web_map import CHROMIUM, CHROMIUM_ARGS
from tests.support.server import Server, free_port

pytestmark = pytest.mark.e2e
PASSWORD = "plant-password-1"
METRICS: dict[str, tuple[float | None, float | None]] = {"state": (None, None)}
METRICS |= {"part_count": (0.0, 1e12), "scrap_count": (0.0, 1e12)}
METRICS |= {"temperature": (10.0, 90.0), "vibration": (0.0, 10.0), "spindle_speed": (0.0, 12e3)}


@dataclass(frozen=True)
class Plant:
    url: str
    database_url: str
    home: Path
    mqtt_port: int
    m1: DeviceKey
    m2: int


def _seed(db: Database) -> tuple[DeviceKey, int]:
    ent, _ = register_enterprise(
        db, NewEnterprise("ACME", "甲机械厂", ["manufacturer"], "acme.admin", PASSWORD)
    )
    with db.unit_of_work(db.context_for(ent.id, None, "admin")) as uow:
        site = Site(code="P1", name="一号工厂", kind="plant", timezone="Asia/Shanghai")
        uow.add(site)
        uow.flush()
        ids = []
        for code in ("M1", "M2"):
            device = Device(site_id=site.id, code=code, name=f"加工中心 {code}")
            device.attributes = {kpi.IDEAL_CYCLE_ATTRIBUTE: 30}
            uow.add(device)
            uow.flush()
            for name, (low, high) in METRICS.items():
                uow.add(DeviceMetric(device_id=device.id, name=name, min_value=low, max_value=high))
            ids.append(device.id)
        issued = credentials.issue(uow, ids[0])
        credentials.issue(uow, ids[1])
        for metric, high in (("temperature", 90.0), ("vibration", 10.0), ("spindle_speed", 12e3)):
            uow.add(
                AlarmRule(
                    name=f"{metric} high",
                    kind="threshold",
                    severity="major",
                    device_id=ids[0],
                    metric=metric,
                    high=high,
                )
            )
        uow.commit()
    key = DeviceKey(ids[0], "M1", issued.username, issued.secret, "ACME", "P1")
    # Two hours of minute readings: M1 runs (counting parts), overheating at the last one,
    # that raises the seeded alarm; M2 reports a fault.
    store = TelemetryStore(db)
    store.subscribe(AlarmEngine(db))
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start = now - timedelta(hours=2)
    messages = [
        Incoming(key.topic("status"), encode(start, 1, {"state": 1}, "running")),
        Incoming(topic_for("ACME", "P1", "M2", "status"), encode(start, 1, {"state": 2}, "fault")),
    ]
    for minute in range(120):
        ts = start + timedelta(minutes=minute)
        values = {
            "temperature": 95.0 if minute == 119 else 60.0 + minute % 7,
            "vibration": 2.0 + (minute % 5) / 10,
            "part_count": float(minute * 2),
            "scrap_count": float(minute // 30),
        }
        messages.append(Incoming(key.topic(), encode(ts, 10 + minute, values)))
    batch = store.store_batch(messages)
    assert not batch.rejected, batch.rejected
    return key, ids[1]


@pytest.fixture
def plant(tmp_path: Path) -> Iterator[Plant]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: run make test (it installs it)")
    url_db = f"sqlite:///{tmp_path / 'var' / 'supplymesh.db'}"
    db = build_database(Settings(database_url=url_db, home=tmp_path))
    migrate(db.engine)
    m1, m2 = _seed(db)
    db.engine.dispose()
    server = Server(url_db, tmp_path)
    mqtt_port = free_port()
    server.env["SUPPLYMESH_MQTT_PORT"] = str(mqtt_port)
    server.start()
    try:
        yield Plant(server.url, url_db, tmp_path, mqtt_port, m1, m2)
    finally:
        server.stop()


def _alarms(plant: Plant) -> list[tuple[str, str]]:
    db = build_database(Settings(database_url=plant.database_url, home=plant.home))
    try:
        with db.system() as uow:
            rows = uow.session.execute(
                select(AlarmRule.metric, Alarm.state)
                .join(AlarmRule, AlarmRule.id == Alarm.rule_id)
                .order_by(Alarm.id)
            )
            return [(str(m), str(s)) for m, s in rows]
    finally:
        db.engine.dispose()


def _clear_elsewhere(plant: Plant, alarm_id: int) -> None:
    db = build_database(Settings(database_url=plant.database_url, home=plant.home))
    try:
        with db.system() as uow:
            alarm = uow.session.get(Alarm, alarm_id)
            assert alarm is not None
            enterprise_id = alarm.enterprise_id
        with db.unit_of_work(db.context_for(enterprise_id, None, "admin")) as uow:
            alarms.clear(uow, alarm_id, None)
    finally:
        db.engine.dispose()


def _publish(plant: Plant, seq: int, **metrics: float) -> None:
    """M1 sends one reading over MQTT to the server's embedded broker."""
    device = DeviceClient(plant.m1, plant.mqtt_port)
    assert device.connect(plant.mqtt_port)
    try:
        device.publish(plant.m1.topic(), encode(datetime.now(UTC), seq, metrics))
    finally:
        device.close()


def test_board_machine_page_and_a_live_alarm_acknowledged(plant: Plant) -> None:
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="zh-CN").new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{plant.url}/equipment")
            page.fill("input[name=username]", "acme.admin")
            page.fill("input[name=password]", PASSWORD)
            page.click("#login-form button[type=submit]")
            expect(page).to_have_url(f"{plant.url}/equipment")

            m1 = page.locator(".machine-tile[data-machine='M1']")
            m2 = page.locator(".machine-tile[data-machine='M2']")
            expect(m1).to_have_attribute("data-state", "running")
            expect(m1.locator("[data-field=state]")).to_have_text("运行")
            expect(m2).to_have_attribute("data-state", "fault")
            expect(m1.locator("[data-field=alarms]")).to_have_text("1")
            expect(m1.locator("[data-field=output]")).to_have_text("238")  # 119 × 2 parts
            expect(page.locator("[data-total=faults]")).to_have_text("1")
            # An alarm raised while the board is open reaches it through the feed.
            _publish(plant, 10_000, vibration=12.5)
            expect(m1.locator("[data-field=alarms]")).to_have_text("2", timeout=15_000)
            expect(page.locator("[data-total=alarms]")).to_have_text("2")

            m1.click()
            expect(page).to_have_url(f"{plant.url}/equipment/machines/{plant.m1.device_id}")
            expect(page.locator("body")).to_have_attribute("data-charts-ready", "24h")
            drawn = page.evaluate(
                """() => {
                  const el = document.getElementById('chart-temperature');
                  const chart = echarts.getInstanceByDom(el);
                  const option = chart.getOption();
                  const series = option.series[0];
                  return {
                    points: series.data.length,
                    limits: series.markLine.data.map((l) => l.yAxis),
                    canvas: !!document.querySelector('#chart-temperature canvas'),
                    timeline: echarts.getInstanceByDom(
                      document.getElementById('chart-timeline')).getOption().series[0].data.length,
                  };
                }"""
            )
            assert drawn["points"] >= 100 and drawn["canvas"], drawn
            assert drawn["limits"] == [10, 90], drawn
            assert drawn["timeline"] >= 1, drawn
            page.click("[data-range='1h']")
            expect(page.locator("body")).to_have_attribute("data-charts-ready", "1h")
            expect(page.locator("#machine-alarms tr[data-alarm]")).to_have_count(2)

            page.goto(f"{plant.url}/alarms")
            expect(page.locator("#alarm-live")).to_have_attribute("data-live", "1")
            rows = page.locator("#alarm-rows tr[data-alarm]")
            expect(rows).to_have_count(2)
            _publish(plant, 10_001, spindle_speed=13_000.0)
            expect(rows).to_have_count(3, timeout=15_000)  # arrived live, no reload
            expect(page.locator("[data-count=active]")).to_have_text("3")
            assert wait_until(lambda: ("spindle_speed", "active") in _alarms(plant))

            newest = rows.first
            expect(newest).to_contain_text("M1")
            newest.locator("button[data-action=acknowledge]").click()
            expect(page.locator("#notice")).to_have_text("告警已确认。")
            assert ("spindle_speed", "acknowledged") in _alarms(plant)
            page.click("a[data-tab=acknowledged]")
            acknowledged = page.locator("#alarm-rows tr[data-alarm]")
            expect(acknowledged).to_have_count(1)
            # Someone clears it elsewhere (no feed event reaches this page): the stale form
            # is refused and the refusal shown, not swallowed.
            _clear_elsewhere(plant, int(acknowledged.get_attribute("data-alarm") or 0))
            acknowledged.locator("button[data-action=clear]").click()
            expect(page.locator("#alert")).to_contain_text("已被他人修改")
        finally:
            browser.close()
    # The refused clear answers 409 on purpose; the browser logs that status.
    assert [e for e in errors if "409 (Conflict)" not in e] == [], errors
