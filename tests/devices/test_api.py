"""The device registry, credentials and telemetry through HTTP (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from supplymesh.devices import credentials
from supplymesh.devices.payload import encode
from supplymesh.devices.store import Incoming, TelemetryStore
from supplymesh.network.services import create_user
from supplymesh.platform.uow import Database
from tests.api.helpers import Tenant, make_tenant
from tests.conftest import login

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _device(client: TestClient, tenant: Tenant, code: str = "M1") -> dict[str, object]:
    r = client.post(
        "/api/v1/sites",
        headers=tenant.headers,
        json={"code": "P1", "name": "Plant", "kind": "plant"},
    )
    assert r.status_code in (201, 409), r.text
    r = client.post(
        "/api/v1/machines",
        headers=tenant.headers,
        json={"site_code": "P1", "code": "CNC-1", "name": "CNC"},
    )
    assert r.status_code in (201, 409), r.text
    r = client.post(
        "/api/v1/devices",
        headers=tenant.headers,
        json={
            "site_code": "P1",
            "machine_code": "CNC-1",
            "code": code,
            "name": "Controller",
            "attributes": {"vendor": "Fanuc", "firmware": "3.2"},
        },
    )
    assert r.status_code == 201, r.text
    body: dict[str, object] = r.json()
    return body


def test_registry_metrics_and_credentials_round_trip(client: TestClient, db: Database) -> None:
    acme = make_tenant(db, client, "ACME")
    device = _device(client, acme)
    device_id = device["id"]
    assert device["mqtt_username"] == str(device_id) and device["attributes"]["vendor"] == "Fanuc"  # type: ignore[index]
    r = client.post(
        f"/api/v1/devices/{device_id}/metrics",
        headers=acme.headers,
        json={"name": "temp", "unit": "degC", "min_value": 0, "max_value": 90},
    )
    assert r.status_code == 201, r.text
    r = client.post(
        f"/api/v1/devices/{device_id}/metrics",
        headers=acme.headers,
        json={"name": "vib", "min_value": 5, "max_value": 1},
    )
    assert r.status_code == 422
    listed = client.get(f"/api/v1/devices/{device_id}/metrics", headers=acme.headers).json()
    assert [(m["name"], m["unit"], m["max_value"]) for m in listed] == [("temp", "degC", 90.0)]

    issued = client.post(f"/api/v1/devices/{device_id}/credentials", headers=acme.headers)
    assert issued.status_code == 201, issued.text
    secret = issued.json()["secret"]
    assert credentials.authenticate(db, str(device_id), secret) is not None
    again = client.post(f"/api/v1/devices/{device_id}/credentials", headers=acme.headers)
    assert again.status_code == 409
    rotated = client.post(f"/api/v1/devices/{device_id}/credentials/rotate", headers=acme.headers)
    assert rotated.status_code == 201
    assert credentials.authenticate(db, str(device_id), secret) is None
    new_secret = rotated.json()["secret"]
    assert credentials.authenticate(db, str(device_id), new_secret) is not None
    creds = client.get(f"/api/v1/devices/{device_id}/credentials", headers=acme.headers).json()
    assert [c["revoked_at"] is None for c in creds] == [False, True]
    assert all("secret" not in c and "digest" not in c for c in creds)
    revoked = client.post(
        f"/api/v1/devices/{device_id}/credentials/{creds[1]['id']}/revoke", headers=acme.headers
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert credentials.authenticate(db, str(device_id), new_secret) is None

    conn = client.get(f"/api/v1/devices/{device_id}/connection", headers=acme.headers).json()
    assert conn["topics"]["telemetry"] == "sm/ACME/P1/M1/telemetry"


def test_status_moves_and_tenancy(client: TestClient, db: Database) -> None:
    acme = make_tenant(db, client, "ACME")
    other = make_tenant(db, client, "OTHER")
    device = _device(client, acme)
    url = f"/api/v1/devices/{device['id']}"
    assert client.get(url, headers=other.headers).status_code == 404
    assert client.post(f"{url}/credentials", headers=other.headers).status_code == 404
    assert client.get(url).status_code == 401
    assert client.patch(url, headers=acme.headers, json={"status": "retired"}).status_code == 200
    back = client.patch(url, headers=acme.headers, json={"status": "active"})
    assert back.status_code == 409
    assert back.json()["current_state"] == "retired"
    assert client.post(f"{url}/credentials", headers=acme.headers).status_code == 400


def test_only_admins_issue_credentials(client: TestClient, db: Database) -> None:
    acme = make_tenant(db, client, "ACME")
    device = _device(client, acme)
    with db.unit_of_work(db.context_for(acme.id, None, "admin")) as uow:
        create_user(uow, "acme.op", "Operator", "operator-pass-1", "operator")
        uow.commit()
    operator = login(client, "acme.op", "operator-pass-1")
    r = client.post(f"/api/v1/devices/{device['id']}/credentials", headers=operator)
    assert r.status_code == 403


def test_telemetry_query_raw_and_rollups_and_rejections(client: TestClient, db: Database) -> None:
    acme = make_tenant(db, client, "ACME")
    device = _device(client, acme)
    device_id = int(str(device["id"]))
    client.post(f"/api/v1/devices/{device_id}/metrics", headers=acme.headers, json={"name": "temp"})
    client.post(f"/api/v1/devices/{device_id}/credentials", headers=acme.headers)
    topic = "sm/ACME/P1/M1/telemetry"
    batch = [
        Incoming(topic, encode(T0 + timedelta(seconds=20 * i), i, {"temp": float(i)}))
        for i in range(9)
    ]
    TelemetryStore(db).store_batch([*batch, Incoming(topic, b"oops")])
    url = f"/api/v1/devices/{device_id}/telemetry"
    window = {
        "metric": "temp",
        "start": T0.isoformat(),
        "end": (T0 + timedelta(hours=1)).isoformat(),
    }
    raw = client.get(url, headers=acme.headers, params=window).json()
    assert [p["value"] for p in raw["points"]] == [float(i) for i in range(9)]
    minutes = client.get(
        url, headers=acme.headers, params={**window, "resolution": "minute"}
    ).json()
    assert [(p["count"], p["min"], p["max"], p["last"]) for p in minutes["points"]] == [
        (3, 0.0, 2.0, 2.0),
        (3, 3.0, 5.0, 5.0),
        (3, 6.0, 8.0, 8.0),
    ]
    hours = client.get(url, headers=acme.headers, params={**window, "resolution": "hour"}).json()
    assert [(p["count"], p["value"]) for p in hours["points"]] == [(9, 4.0)]
    late = {**window, "start": (T0 + timedelta(minutes=1)).isoformat()}
    assert len(client.get(url, headers=acme.headers, params=late).json()["points"]) == 6
    bad = client.get(url, headers=acme.headers, params={**window, "metric": "nope"})
    assert bad.status_code == 404
    backwards = {**window, "end": T0.isoformat()}
    assert client.get(url, headers=acme.headers, params=backwards).status_code == 422
    refused = client.get(f"/api/v1/devices/{device_id}/rejections", headers=acme.headers).json()
    assert [(r["reason"], r["count"]) for r in refused] == [("not_json", 1)]
