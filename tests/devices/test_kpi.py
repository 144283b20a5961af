"""OEE from a scripted day of telemetry stored through the store, on SQLite and PostgreSQL.

Plant in Shanghai (UTC+8), shifts A 08:00-16:00 and B 16:00-24:00 local, i.e. 00:00-08:00
and 08:00-16:00 UTC on Monday 2 March 2026. Hand calculation (minutes):

M1, ideal cycle 60 s:
  A: running 00:00-03:00, fault 03:00-03:45, running 03:45-07:30, fault 07:30-(08:30)
     planned 480, run 405, breakdowns 75, 2 failures; 350 parts, 5 rejects (3 startup)
     OEE = 345 good × 1 min / 480.
  B: fault until 08:30 (no new failure), running 08:30-12:00, idle 12:00-12:02 (small stop),
     running 12:02-15:00, setup 15:00-15:20, running 15:20-16:00
     planned 480, run 430 (running 428), breakdowns 30, setup 20; the part counter restarts
     at 10:00: 30 + 300 = 330 parts, 5 rejects (1 startup) → OEE = 325 / 480.
M2, same line, ideal cycle 30 s: runs all of A (800 parts, no rejects: 400 ideal minutes),
  planned stop in B.
Line, shift A: (345 + 400) / (480 + 480); line, day: (670 + 400) / (960 + 480).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from supplymesh.devices import kpi
from supplymesh.devices.model import Device, DeviceMetric
from supplymesh.devices.payload import encode, topic_for
from supplymesh.devices.store import Incoming, TelemetryStore
from supplymesh.network.model import Calendar, Machine, Site, WorkCenter
from supplymesh.platform.uow import Database
from tests.api.helpers import make_tenant

DAY = datetime(2026, 3, 2, tzinfo=UTC)
CODES = {"idle": 0, "running": 1, "fault": 2, "setup": 3, "planned_stop": 4}
SHIFTS = [
    {"name": "A", "start": "08:00", "end": "16:00", "weekdays": [0, 1, 2, 3, 4]},
    {"name": "B", "start": "16:00", "end": "00:00", "weekdays": [0, 1, 2, 3, 4]},
]


def t(hhmm: str) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return DAY + timedelta(hours=h, minutes=m)


M1_STATES = [
    ("-00:30", "running"),
    ("03:00", "fault"),
    ("03:45", "running"),
    ("07:30", "fault"),
    ("08:30", "running"),
    ("12:00", "idle"),
    ("12:02", "running"),
    ("15:00", "setup"),
    ("15:20", "running"),
    ("16:00", "idle"),
]
M1_PARTS = [("-00:01", 5000), ("03:00", 5150), ("07:30", 5350), ("08:30", 5350), ("10:00", 30)]
M1_PARTS += [("16:00", 330)]
M1_SCRAP = [("-00:01", 100), ("00:05", 103), ("05:00", 105), ("08:35", 106), ("14:00", 110)]
M2_STATES = [("00:00", "running"), ("08:00", "planned_stop")]
M2_PARTS = [("00:00", 0), ("08:00", 800)]
M2_SCRAP = [("00:00", 0), ("08:00", 0)]


def _at(text: str) -> datetime:
    if text.startswith("-"):
        return DAY - (t(text[1:]) - DAY)
    return t(text)


def _world(db: Database, enterprise_id: int) -> tuple[int, int, int, int]:
    """A plant, a line with a two-shift calendar, two machines with their devices."""
    with db.unit_of_work(db.context_for(enterprise_id, None, "admin")) as uow:
        site = Site(code="P1", name="Plant 1", kind="plant", timezone="Asia/Shanghai")
        cal = Calendar(code="2S", name="Two shifts", shifts=SHIFTS, exceptions=[])
        uow.add(site)
        uow.add(cal)
        uow.flush()
        line = WorkCenter(site_id=site.id, code="L1", name="Line 1", calendar_id=cal.id)
        uow.add(line)
        uow.flush()
        ids = []
        for code, ideal in (("M1", 60), ("M2", 30)):
            machine = Machine(site_id=site.id, work_center_id=line.id, code=code, name=code)
            uow.add(machine)
            uow.flush()
            device = Device(site_id=site.id, machine_id=machine.id, code=code, name=code)
            device.attributes = {kpi.IDEAL_CYCLE_ATTRIBUTE: ideal}
            uow.add(device)
            uow.flush()
            for name in ("state", "part_count", "scrap_count", "temperature"):
                uow.add(DeviceMetric(device_id=device.id, name=name))
            ids.append(device.id)
        from supplymesh.devices import credentials

        for i in ids:
            credentials.issue(uow, i)
        uow.commit()
        return site.id, line.id, ids[0], ids[1]


def _messages(
    ent: str,
    code: str,
    states: list[tuple[str, str]],
    parts: list[tuple[str, int]],
    scrap: list[tuple[str, int]],
) -> list[Incoming]:
    """Status messages on every change, counters in telemetry, and a reading every 10 minutes
    of an unrelated metric (as a real machine would send)."""
    topic = topic_for(ent, "P1", code, "{}")
    out: list[Incoming] = []
    seq = 0
    for when, state in states:
        seq += 1
        body = encode(_at(when), seq, {"state": CODES[state]}, state)
        out.append(Incoming(topic.replace("{}", "status"), body))
    for name, series in (("part_count", parts), ("scrap_count", scrap)):
        for when, value in series:
            seq += 1
            body = encode(_at(when), seq, {name: value})
            out.append(Incoming(topic.replace("{}", "telemetry"), body))
    for minute in range(0, 24 * 60, 10):
        seq += 1
        body = encode(DAY + timedelta(minutes=minute), seq, {"temperature": 40.0})
        out.append(Incoming(topic.replace("{}", "telemetry"), body))
    return out


def test_oee_of_a_stored_day_equals_the_hand_calculation(client: TestClient, db: Database) -> None:
    tenant = make_tenant(db, client, "ACME")
    site_id, line_id, m1, m2 = _world(db, tenant.id)
    store = TelemetryStore(db)
    msgs = _messages("ACME", "M1", M1_STATES, M1_PARTS, M1_SCRAP)
    msgs += _messages("ACME", "M2", M2_STATES, M2_PARTS, M2_SCRAP)
    for i in range(0, len(msgs), 97):  # batches as the ingestor makes them
        batch = store.store_batch(msgs[i : i + 97])
        assert not batch.rejected, batch.rejected

    r = client.get(
        "/api/v1/kpi/oee",
        headers=tenant.headers,
        params={"site": site_id, "from": DAY.isoformat(), "to": t("16:00").isoformat()},
    )
    assert r.status_code == 200, r.text
    rows: list[dict[str, Any]] = r.json()["rows"]

    def row(level: str, id_: int, shift: str | None) -> dict[str, Any]:
        (found,) = [
            x
            for x in rows
            if x["level"] == level
            and x["id"] == id_
            and (x["period"]["name"] if x["period"] else None) == shift
        ]
        return found

    a, b, whole = row("machine", m1, "A"), row("machine", m1, "B"), row("machine", m1, None)
    assert a["planned_min"] == "480.00" and a["run_min"] == "405.00"
    assert a["availability"] == "0.8438"  # 405 / 480
    assert a["performance"] == str((Decimal(350) / 405).quantize(Decimal("0.0001")))
    assert a["quality"] == str((Decimal(345) / 350).quantize(Decimal("0.0001")))
    assert a["oee"] == "0.7188"  # 345 / 480
    assert (a["output"], a["good"], a["failures"]) == ("350", "345", 2)
    assert a["losses_min"]["breakdowns"] == "75.00"
    assert a["losses_min"]["startup_rejects"] == "3.00"
    assert a["mttr_min"] == "37.50"
    assert b["oee"] == str((Decimal(325) / 480).quantize(Decimal("0.0001")))
    assert (b["output"], b["failures"], b["run_min"]) == ("330", 0, "430.00")
    assert b["downtime_min"] == {"fault": "30.00", "setup": "20.00"}
    assert b["losses_min"]["small_stops_idling"] == "2.00"
    assert b["utilisation"] == str((Decimal(428) / 480).quantize(Decimal("0.0001")))
    assert whole["oee"] == str((Decimal(670) / 960).quantize(Decimal("0.0001")))
    assert whole["mttr_min"] == "52.50"  # (75 + 30) / 2 failures

    other = row("machine", m2, "A")
    assert other["oee"] == "0.8333" and row("machine", m2, "B")["planned_min"] == "0.00"
    assert row("line", line_id, "A")["oee"] == str((Decimal(745) / 960).quantize(Decimal("0.0001")))
    line_day = row("line", line_id, None)
    assert line_day["oee"] == str((Decimal(1070) / 1440).quantize(Decimal("0.0001")))
    assert line_day["machines"] == 2 and row("line", line_id, "B")["machines"] == 2
    assert row("site", site_id, None)["oee"] == line_day["oee"]

    by_day = client.get(
        "/api/v1/kpi/oee",
        headers=tenant.headers,
        params={
            "machine": m1,
            "from": DAY.isoformat(),
            "to": t("16:00").isoformat(),
            "by": "day",
        },
    ).json()["rows"]
    day_row = [x for x in by_day if x["level"] == "machine" and x["period"]]
    assert len(day_row) == 1 and day_row[0]["oee"] == whole["oee"]
    assert day_row[0]["period"]["day"] == "2026-03-02"


def test_kpi_needs_a_login_and_a_sane_range(client: TestClient, db: Database) -> None:
    tenant = make_tenant(db, client, "ACME")
    assert client.get("/api/v1/kpi/oee").status_code == 401
    bad = client.get(
        "/api/v1/kpi/oee",
        headers=tenant.headers,
        params={"from": t("10:00").isoformat(), "to": t("09:00").isoformat()},
    )
    assert bad.status_code == 422 and "09:00" in bad.text
    ancient = client.get(
        "/api/v1/kpi/oee", headers=tenant.headers, params={"to": "0001-01-01T00:00:00+00:00"}
    )
    assert ancient.status_code == 422 and "0001-01-01" in ancient.text


def test_other_tenants_machines_are_not_counted(client: TestClient, db: Database) -> None:
    acme = make_tenant(db, client, "ACME")
    other = make_tenant(db, client, "OTHER")
    site_id, _line, _m1, _m2 = _world(db, acme.id)
    r = client.get("/api/v1/kpi/oee", headers=other.headers, params={"site": site_id})
    assert r.status_code == 200 and r.json()["rows"] == []
    with db.system() as uow:
        assert len(uow.session.scalars(select(Device)).all()) == 2


def test_time_before_a_machine_first_reports_is_not_planned(
    client: TestClient, db: Database
) -> None:
    tenant = make_tenant(db, client, "ACME")
    site_id, _line, _m1, _m2 = _world(db, tenant.id)
    with db.unit_of_work(db.context_for(tenant.id, None, "admin")) as uow:
        device = Device(site_id=site_id, code="M3", name="No calendar")  # planned all day
        uow.add(device)
        uow.flush()
        uow.add(DeviceMetric(device_id=device.id, name="state"))
        from supplymesh.devices import credentials

        credentials.issue(uow, device.id)
        uow.commit()
        m3 = device.id
    topic = topic_for("ACME", "P1", "M3", "status")
    store = TelemetryStore(db)
    store.store_batch([Incoming(topic, encode(t("12:00"), 1, {"state": 1}, "running"))])
    r = client.get(
        "/api/v1/kpi/oee",
        headers=tenant.headers,
        params={"machine": m3, "from": DAY.isoformat(), "to": t("16:00").isoformat()},
    )
    whole = [x for x in r.json()["rows"] if x["level"] == "machine" and x["period"] is None]
    assert whole[0]["planned_min"] == "240.00" and whole[0]["availability"] == "1.0000"
    assert whole[0]["oee"] is None  # no ideal cycle time: said, not guessed
    assert "no ideal cycle time" in whole[0]["notes"][0]
