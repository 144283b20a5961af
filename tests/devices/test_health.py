"""Health index and RUL band: the trend model on its own, then on stored telemetry via HTTP."""

from __future__ import annotations

import random
from datetime import timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from supplymesh.devices import health as health_service
from supplymesh.devices.model import Device, DeviceMetric
from supplymesh.devices.payload import encode
from supplymesh.devices.store import Incoming, TelemetryStore
from supplymesh.network.model import Site
from supplymesh.planning.maintenance.health import HealthParams, SensorSeries, assess, assess_sensor
from supplymesh.platform.db import utcnow
from supplymesh.platform.uow import Database
from tests.api.helpers import make_tenant
from tests.devices.world import DeviceKey, FakeFleet, make_device

LIMIT = 95.0
START, SLOPE, NOISE = 50.0, 3.0, 0.6  # degC, degC per hour, degC


def _degrading(hours: float, per_hour: int = 60, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(0, hours, 1 / per_hour)
    return t, START + SLOPE * t + rng.normal(0, NOISE, t.size)


def _true_rul(t_now: float) -> float:
    return (LIMIT - (START + SLOPE * t_now)) / SLOPE


def test_a_degrading_sensor_loses_health_and_its_band_holds_the_true_crossing() -> None:
    t, y = _degrading(12)
    previous = 101.0
    for cut_h in (2, 4, 6, 8, 10, 12):
        keep = t <= cut_h
        h = assess_sensor(SensorSeries("temp", t[keep], y[keep], LIMIT))
        assert h is not None and h.rul_h is not None and h.rul_low_h is not None
        assert h.health < previous  # falls monotonically as the machine wears
        previous = h.health
        truth = _true_rul(float(t[keep].max()))
        assert h.rul_high_h is not None
        assert h.rul_low_h <= truth <= h.rul_high_h, (cut_h, h)
        assert abs(h.rul_h - truth) < 0.15 * truth + 0.5
    assert previous < 25  # 12 h in, most of the margin is gone


def test_flat_sensors_have_no_rul_and_past_the_limit_is_zero() -> None:
    rng = np.random.default_rng(1)
    t = np.linspace(0, 5, 300)
    flat = assess_sensor(SensorSeries("vib", t, 2.0 + rng.normal(0, 0.1, t.size), 11.0))
    assert flat is not None and flat.rul_h is None and flat.health > 95
    over = assess_sensor(SensorSeries("temp", t, np.linspace(90, 99, t.size), LIMIT))
    assert over is not None and over.health == 0 and over.rul_h == 0
    assert assess_sensor(SensorSeries("x", np.array([]), np.array([]), 1.0)) is None


def test_falling_sensors_and_the_machine_takes_its_worst_sensor() -> None:
    t, y = _degrading(6)
    pressure = 8.0 - 0.5 * t  # bar, fails below 3 bar: 10 h from start, 4 h from the end
    result = assess(
        [
            SensorSeries("temp", t, y, LIMIT),
            SensorSeries("pressure", t, pressure, 3.0, rising=False),
        ],
        HealthParams(confidence=0.9),
    )
    assert result.limiting == "pressure"
    assert result.rul_h == pytest.approx(4.0, abs=0.05)
    assert result.health == min(s.health for s in result.sensors)


def test_params_are_checked() -> None:
    with pytest.raises(ValueError, match="confidence"):
        HealthParams(confidence=1.0)
    with pytest.raises(ValueError, match="min_points"):
        HealthParams(min_points=2)


def _machine(db: Database, fleet: FakeFleet, code: str) -> DeviceKey:
    key = make_device(db, fleet, code, ("temperature", "part_count"))
    with db.system() as uow:
        for m in uow.session.scalars(
            select(DeviceMetric).where(DeviceMetric.device_id == key.device_id)
        ):
            m.min_value, m.max_value = (10.0, LIMIT) if m.name == "temperature" else (0, 1e12)
        uow.commit()
    return key


def test_live_machines_health_from_stored_telemetry(client: TestClient, db: Database) -> None:
    tenant = make_tenant(db, client, "ACME")
    r = client.post(
        "/api/v1/sites",
        headers=tenant.headers,
        json={"code": "P1", "name": "Plant", "kind": "plant"},
    )
    assert r.status_code == 201, r.text
    fleet = FakeFleet(tenant.id, "ACME", "P1")
    worn, fine = _machine(db, fleet, "WORN"), _machine(db, fleet, "FINE")
    now = utcnow().replace(second=0, microsecond=0)
    hours = 8
    t, y = _degrading(hours, per_hour=60, seed=3)
    rng = random.Random(5)
    items: list[Incoming] = []
    for seq, (th, value) in enumerate(zip(t, y, strict=True), start=1):
        ts = now - timedelta(hours=hours) + timedelta(hours=float(th))
        items.append(
            Incoming(
                worn.topic(),
                encode(ts, seq, {"temperature": float(value), "part_count": float(seq)}),
            )
        )
        items.append(
            Incoming(
                fine.topic(),
                encode(ts, seq, {"temperature": 55 + rng.gauss(0, 0.6), "part_count": float(seq)}),
            )
        )
    assert TelemetryStore(db).store_batch(items).stored_messages == len(items)

    previous = 101.0
    for back_h in (6, 4, 2, 0):  # the index as it would have read at earlier moments
        with db.system() as uow:
            dev = uow.session.get(Device, worn.device_id)
            assert dev is not None
            h = health_service.assess_device(uow, dev, now - timedelta(hours=back_h))
        assert h.result.health is not None and h.result.health < previous
        previous = h.result.health
    body = client.get(f"/api/v1/devices/{worn.device_id}/health", headers=tenant.headers).json()
    truth = _true_rul(hours - 1 / 60)
    assert body["limiting"] == "temperature"
    assert [s["name"] for s in body["sensors"]] == ["temperature"]  # counters are not health
    assert body["rul_low_h"] <= truth <= body["rul_high_h"]
    assert body["health"] == pytest.approx(100 * (LIMIT - (START + SLOPE * hours)) / 45, abs=6)

    with db.system() as uow:
        site_id = uow.session.scalar(select(Site.id).where(Site.code == "P1"))
    site = client.get(f"/api/v1/sites/{site_id}/health", headers=tenant.headers)
    assert site.status_code == 200, site.text
    assert [d["code"] for d in site.json()] == ["WORN", "FINE"]  # worst first
    assert site.json()[1]["rul_h"] is None and site.json()[1]["health"] > 90
    other = make_tenant(db, client, "OTHER")
    assert client.get(f"/api/v1/sites/{site_id}/health", headers=other.headers).status_code == 404
    assert client.get(f"/api/v1/devices/{worn.device_id}/health").status_code == 401


def test_a_health_rule_raises_an_alarm_when_the_model_sees_wear(
    client: TestClient, db: Database
) -> None:
    from supplymesh.devices.alarm_model import Alarm
    from supplymesh.devices.alarms import AlarmEngine

    tenant = make_tenant(db, client, "WEAR")
    site = {"code": "P1", "name": "Plant", "kind": "plant"}
    assert client.post("/api/v1/sites", headers=tenant.headers, json=site).status_code == 201
    fleet = FakeFleet(tenant.id, "WEAR", "P1")
    worn, fine = _machine(db, fleet, "WORN"), _machine(db, fleet, "FINE")
    bad = {"name": "健康度", "kind": "health", "severity": "major"}
    refused = client.post("/api/v1/alarm-rules", headers=tenant.headers, json=bad)
    assert refused.status_code == 422 and "health index" in refused.text
    rule = client.post("/api/v1/alarm-rules", headers=tenant.headers, json={**bad, "low": 60})
    assert rule.status_code == 201, rule.text

    now = utcnow().replace(second=0, microsecond=0)
    hours = 8
    t, y = _degrading(hours, per_hour=60, seed=3)  # ends near 74 degC of a 95 limit
    items = [
        Incoming(
            key.topic(),
            encode(
                now - timedelta(hours=hours) + timedelta(hours=float(th)),
                seq,
                {"temperature": float(value if key is worn else 55.0 + (seq % 3) * 0.1)},
            ),
        )
        for key in (worn, fine)
        for seq, (th, value) in enumerate(zip(t, y, strict=True), start=1)
    ]
    assert TelemetryStore(db).store_batch(items).stored_messages == len(items)
    engine = AlarmEngine(db)
    engine.check_models(now - timedelta(hours=6))  # early on the worn machine is still fine
    with db.system() as uow:
        assert uow.session.scalars(select(Alarm)).all() == []
    engine.check_models(now)
    with db.system() as uow:
        alarms = uow.session.scalars(select(Alarm)).all()
    assert [a.device_id for a in alarms] == [worn.device_id]
    assert alarms[0].value is not None and alarms[0].value < 60
    engine.check_models(now)  # still worn: the same alarm, counted again, not a second one
    with db.system() as uow:
        again = uow.session.scalars(select(Alarm)).all()
    assert len(again) == 1 and again[0].count == 2
