"""The production API: work orders, transitions, schedule runs, Gantt rows, tenancy."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from supplymesh.platform.db import utcnow
from supplymesh.platform.uow import Database
from tests.conftest import login
from tests.production.world import build_world

DUE = utcnow() + timedelta(days=10)


def _client_world(db: Database, client: TestClient, code: str) -> tuple[dict[str, str], int]:
    world = build_world(db, code)
    world.stock("C1", 10_000)
    return login(client, world.username, world.password), world.site_id


def test_work_order_lifecycle_schedule_and_gantt(db: Database, client: TestClient) -> None:
    headers, _ = _client_world(db, client, "ACME")
    r = client.post(
        "/api/v1/work-orders",
        headers=headers,
        json={
            "item_code": "P1",
            "site_code": "P1",
            "quantity": "30.5",
            "due_at": DUE.isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["status"] == "planned" and order["quantity"] == "30.5"
    assert order["number"].startswith("WO-")
    r = client.post(f"/api/v1/work-orders/{order['id']}/finish", headers=headers)
    assert r.status_code == 409
    problem = r.json()
    assert problem["current_state"] == "planned"
    assert problem["allowed_transitions"] == ["released", "cancelled"]
    r = client.post(
        f"/api/v1/work-orders/{order['id']}/release", headers=headers, json={"version": 1}
    )
    assert r.status_code == 200 and r.json()["status"] == "released"
    r = client.post(
        f"/api/v1/work-orders/{order['id']}/start", headers=headers, json={"version": 1}
    )
    assert r.status_code == 409  # stale version
    client.post(
        "/api/v1/work-orders",
        headers=headers,
        json={
            "item_code": "P3",
            "site_code": "P1",
            "quantity": "5",
            "due_at": DUE.isoformat(),
        },
    )
    r = client.get("/api/v1/work-orders", headers=headers, params={"limit": 1})
    assert r.json()["total"] == 2 and len(r.json()["items"]) == 1

    r = client.post(
        "/api/v1/schedules",
        headers=headers,
        json={"site_code": "P1", "objective": "makespan", "time_limit_s": 1},
    )
    assert r.status_code == 201, r.text
    schedule = r.json()
    assert schedule["status"] == "draft" and schedule["makespan_minutes"] > 0
    assert [b["number"] for b in schedule["blocked"]] == ["WO-000002"]
    assert "C2" in schedule["blocked"][0]["reason"]
    r = client.get(f"/api/v1/schedules/{schedule['id']}", headers=headers)
    assert len(r.json()["operations"]) == 2
    r = client.get(f"/api/v1/schedules/{schedule['id']}?format=gantt", headers=headers)
    gantt = r.json()
    assert [m["code"] for m in gantt["machines"]] == ["ASM-01", "CUT-01", "CUT-02"]
    assert {b["work_order_number"] for b in gantt["bars"]} == {order["number"]}
    assert gantt["orders"][0]["lateness_minutes"] == 0
    assert any(w["kind"] == "calendar" for w in gantt["downtime"])
    r = client.post(f"/api/v1/schedules/{schedule['id']}/publish", headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "published"
    r = client.post(f"/api/v1/schedules/{schedule['id']}/publish", headers=headers)
    assert r.status_code == 409 and r.json()["current_state"] == "published"


def test_another_enterprise_sees_no_work_orders_or_schedules(
    db: Database, client: TestClient
) -> None:
    headers, _ = _client_world(db, client, "ACME")
    other, _ = _client_world(db, client, "RIVAL")
    r = client.post(
        "/api/v1/work-orders",
        headers=headers,
        json={
            "item_code": "P1",
            "site_code": "P1",
            "quantity": "10",
            "due_at": DUE.isoformat(),
        },
    )
    order_id = r.json()["id"]
    r = client.post(
        "/api/v1/schedules", headers=headers, json={"site_code": "P1", "time_limit_s": 1}
    )
    schedule_id = r.json()["id"]
    assert client.get("/api/v1/work-orders", headers=other).json()["total"] == 0
    assert client.get(f"/api/v1/work-orders/{order_id}", headers=other).status_code == 404
    assert client.post(f"/api/v1/work-orders/{order_id}/cancel", headers=other).status_code == 404
    assert client.get("/api/v1/schedules", headers=other).json()["total"] == 0
    assert client.get(f"/api/v1/schedules/{schedule_id}", headers=other).status_code == 404
    r = client.post(f"/api/v1/schedules/{schedule_id}/publish", headers=other)
    assert r.status_code == 404
    # RIVAL's own plant has no work orders: nothing to schedule, and the reason says so.
    r = client.post("/api/v1/schedules", headers=other, json={"site_code": "P1", "time_limit_s": 1})
    assert r.status_code == 422 and "no open work orders" in r.json()["detail"]
    assert client.get("/api/v1/work-orders").status_code == 401
