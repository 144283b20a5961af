"""Alarm rules on stored telemetry, the alarm lifecycle and the live feed (both backends)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from supplymesh.devices.alarm_model import Alarm
from supplymesh.devices.alarms import FEED, AlarmEngine
from supplymesh.devices.model import Device
from supplymesh.devices.payload import encode
from supplymesh.devices.store import Incoming, TelemetryStore
from supplymesh.network.model import User
from supplymesh.platform.db import utcnow
from supplymesh.platform.uow import Database
from tests.api.helpers import Tenant, make_tenant
from tests.devices.world import DeviceKey, FakeFleet, make_device


class Plant:
    """A tenant with one device whose batches go through a store wired to an alarm engine."""

    def __init__(self, db: Database, client: TestClient, code: str = "ACME") -> None:
        self.client = client
        self.tenant: Tenant = make_tenant(db, client, code)
        r = client.post(
            "/api/v1/sites",
            headers=self.tenant.headers,
            json={"code": "P1", "name": "Plant", "kind": "plant"},
        )
        assert r.status_code == 201, r.text
        self.key: DeviceKey = make_device(db, FakeFleet(self.tenant.id, code, "P1"), "M1")
        self.engine = AlarmEngine(db)
        self.store = TelemetryStore(db)
        self.store.subscribe(self.engine)
        self.seq = 0
        self.db = db

    def rule(self, **fields: Any) -> dict[str, Any]:
        body = {"name": "too hot", "device_id": self.key.device_id, **fields}
        r = self.client.post("/api/v1/alarm-rules", headers=self.tenant.headers, json=body)
        assert r.status_code == 201, r.text
        rule: dict[str, Any] = r.json()
        return rule

    def send(self, ts: datetime | None = None, **metrics: float) -> None:
        self.seq += 1
        data = encode(ts or utcnow(), self.seq, metrics)
        batch = self.store.store_batch([Incoming(self.key.topic(), data)])
        assert batch.stored_messages == 1, batch

    def alarms(self, **params: Any) -> list[dict[str, Any]]:
        r = self.client.get("/api/v1/alarms", headers=self.tenant.headers, params=params)
        assert r.status_code == 200, r.text
        found: list[dict[str, Any]] = r.json()
        return found

    def admin_id(self) -> int:
        with self.db.system() as uow:
            found = uow.session.scalar(select(User.id).where(User.username == self.tenant.username))
        assert found is not None
        return int(found)


def test_threshold_fires_after_n_samples_dedups_and_clears(
    client: TestClient, db: Database
) -> None:
    plant = Plant(db, client)
    plant.rule(kind="threshold", metric="temp", high=80, consecutive=3, severity="critical")
    plant.send(temp=85)
    plant.send(temp=90, vib=1)
    assert plant.alarms() == []  # two breaching samples are not yet three
    plant.send(temp=95)
    [alarm] = plant.alarms(state="active")
    assert alarm["severity"] == "critical" and alarm["count"] == 1 and alarm["value"] == 95
    assert alarm["escalate_to_user_id"] == plant.admin_id()  # no owner attribute: the admin
    plant.send(temp=96)
    [alarm] = plant.alarms()
    assert alarm["count"] == 2 and alarm["value"] == 96  # bumped, not a second alarm
    plant.send(temp=50)
    [alarm] = plant.alarms()
    assert alarm["state"] == "cleared" and alarm["cleared_at"] is not None
    assert plant.alarms(state="active") == []
    plant.send(temp=99)
    plant.send(temp=99)
    plant.send(temp=99)
    assert [a["state"] for a in plant.alarms()] == ["active", "cleared"]  # history is kept
    assert plant.alarms(severity="minor") == []
    assert len(plant.alarms(device_id=plant.key.device_id)) == 2


def test_rate_of_change_per_minute(client: TestClient, db: Database) -> None:
    plant = Plant(db, client)
    plant.rule(kind="rate", metric="vib", high=20, window_s=120, severity="minor")
    t0 = utcnow() - timedelta(minutes=3)
    plant.send(t0, vib=10)
    plant.send(t0 + timedelta(seconds=30), vib=20)  # 20 per minute: not above the limit
    assert plant.alarms() == []
    plant.send(t0 + timedelta(seconds=60), vib=40)  # 30 per minute over the last minute
    [alarm] = plant.alarms()
    assert alarm["severity"] == "minor" and alarm["value"] == 30.0


def test_missing_heartbeat_with_injected_now(client: TestClient, db: Database) -> None:
    plant = Plant(db, client)
    with db.unit_of_work(db.context_for(plant.tenant.id, None, "admin")) as uow:
        user = User(
            username="acme.fitter", display_name="Fitter", password_hash="x", role="operator"
        )
        uow.add(user)
        uow.flush()
        device = uow.session.get(Device, plant.key.device_id)
        assert device is not None
        device.attributes = {"owner_user_id": user.id}
        uow.commit()
    plant.rule(kind="heartbeat", silence_s=60, severity="warning")
    now = utcnow()
    plant.engine.check_heartbeats(now + timedelta(seconds=30))
    assert plant.alarms() == []
    plant.engine.check_heartbeats(now + timedelta(seconds=120))
    [alarm] = plant.alarms()
    assert alarm["state"] == "active" and alarm["escalate_to_user_id"] == user.id
    plant.engine.check_heartbeats(now + timedelta(seconds=180))
    assert plant.alarms()[0]["count"] == 2
    plant.send(temp=20)  # the device speaks again
    assert plant.alarms()[0]["state"] == "cleared"


def test_acknowledge_then_clear_and_illegal_moves(client: TestClient, db: Database) -> None:
    plant = Plant(db, client)
    plant.rule(kind="threshold", metric="temp", low=0, high=90)
    plant.send(temp=-5)
    [alarm] = plant.alarms()
    url, headers = f"/api/v1/alarms/{alarm['id']}", plant.tenant.headers
    r = client.post(f"{url}/acknowledge", headers=headers, json={"version": 99})
    assert r.status_code == 409, r.text
    r = client.post(
        f"{url}/acknowledge",
        headers=headers,
        json={"version": alarm["version"], "note": "fitter on the way"},
    )
    assert r.status_code == 200, r.text
    acked = r.json()
    assert acked["state"] == "acknowledged" and acked["ack_note"] == "fitter on the way"
    assert acked["acknowledged_by"] == plant.admin_id()
    r = client.post(f"{url}/acknowledge", headers=headers, json={})
    assert r.status_code == 409 and r.json()["allowed_transitions"] == ["cleared"], r.text
    plant.send(temp=-6)  # still breaching: the acknowledged alarm is bumped, not duplicated
    [again] = plant.alarms()
    assert again["state"] == "acknowledged" and again["count"] == 2
    r = client.post(f"{url}/clear", headers=headers, json={"version": again["version"]})
    assert r.status_code == 200 and r.json()["state"] == "cleared", r.text
    r = client.post(f"{url}/clear", headers=headers, json={})
    body = r.json()
    assert r.status_code == 409 and body["current_state"] == "cleared", r.text
    assert body["allowed_transitions"] == []


def test_other_enterprise_sees_nothing(client: TestClient, db: Database) -> None:
    plant = Plant(db, client)
    plant.rule(kind="threshold", metric="temp", high=80)
    plant.send(temp=100)
    [alarm] = plant.alarms()
    rival = make_tenant(db, client, "RIVAL")
    assert client.get("/api/v1/alarms", headers=rival.headers).json() == []
    assert client.get("/api/v1/alarm-rules", headers=rival.headers).json() == []
    r = client.get(f"/api/v1/alarms/{alarm['id']}", headers=rival.headers)
    assert r.status_code == 404, r.text
    r = client.post(f"/api/v1/alarms/{alarm['id']}/acknowledge", headers=rival.headers, json={})
    assert r.status_code == 404, r.text
    assert client.get("/api/v1/alarms/stream", params={"max_events": 1}).status_code == 401


def test_stream_delivers_a_created_alarm(client: TestClient, db: Database) -> None:
    plant = Plant(db, client)
    plant.rule(kind="threshold", metric="temp", high=80)
    lines: list[str] = []

    def read() -> None:
        with client.stream(
            "GET", "/api/v1/alarms/stream", headers=plant.tenant.headers, params={"max_events": 1}
        ) as r:
            assert r.status_code == 200 and r.headers["content-type"].startswith(
                "text/event-stream"
            )
            lines.extend(line for line in r.iter_lines() if line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = utcnow() + timedelta(seconds=10)
    while not FEED.has_subscribers(plant.tenant.id) and utcnow() < deadline:
        threading.Event().wait(0.02)
    plant.send(temp=120)
    reader.join(timeout=10)
    assert not reader.is_alive(), "the stream did not deliver the alarm in time"
    assert "event: alarm.created" in lines, lines
    data = next(line for line in lines if line.startswith("data: "))
    assert f'"device_id": {plant.key.device_id}' in data and '"state": "active"' in data
    with db.system() as uow:
        assert uow.session.scalar(select(Alarm.id).where(Alarm.device_id == plant.key.device_id))


def test_rule_change_reaches_the_engine_and_stale_updates_conflict(
    client: TestClient, db: Database
) -> None:
    plant = Plant(db, client)
    rule = plant.rule(kind="threshold", metric="temp", high=80)
    plant.send(temp=70)
    assert plant.alarms() == []
    url, headers = f"/api/v1/alarm-rules/{rule['id']}", plant.tenant.headers
    body = {k: rule[k] for k in ("name", "kind", "device_id", "metric")}
    r = client.put(url, headers=headers, json={**body, "high": 60, "version": 99})
    assert r.status_code == 409, r.text
    r = client.put(url, headers=headers, json={**body, "high": 60, "version": rule["version"]})
    assert r.status_code == 200 and r.json()["high"] == 60, r.text
    plant.send(temp=70)  # the cached rule was reloaded: 70 is now too hot
    [alarm] = plant.alarms()
    assert alarm["rule_id"] == rule["id"] and alarm["value"] == 70
    r = client.post("/api/v1/alarm-rules", headers=headers, json={"name": "x", "kind": "threshold"})
    assert r.status_code == 422, r.text  # a threshold without a metric and bounds is refused
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get("/api/v1/alarm-rules", headers=headers).json() == []


def test_a_short_excursion_inside_one_batch_still_raises_its_alarm(
    client: TestClient, db: Database
) -> None:
    plant = Plant(db, client)
    plant.rule(kind="threshold", metric="temp", high=80, severity="major")
    now = utcnow()
    batch = []
    for i, temp in enumerate((50.0, 95.0, 55.0)):  # breach then back in range, one delivery
        plant.seq += 1
        data = encode(now + timedelta(seconds=i), plant.seq, {"temp": temp})
        batch.append(Incoming(plant.key.topic(), data))
    assert plant.store.store_batch(batch).stored_messages == 3
    [alarm] = plant.alarms()
    assert alarm["state"] == "active" and alarm["value"] == 95
    plant.send(temp=52)  # the next delivery in range clears it
    [alarm] = plant.alarms()
    assert alarm["state"] == "cleared"
