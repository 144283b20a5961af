"""The planning API end to end on the tiny demo, as the retailer and as others."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient

from tests.conftest import login

RETAILER = ("yjretail.admin", "demo1234")


def test_forecast_replenish_edit_release_through_http(demo_client: TestClient) -> None:
    h = login(demo_client, *RETAILER)
    r = demo_client.post(
        "/api/v1/forecast-runs",
        json={"horizon_days": 14, "service_level": 0.9, "item_codes": ["HC-QN20P-WH"]},
        headers=h,
    )
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["series_count"] == 3 and run["executor"] == "local"
    detail = demo_client.get(f"/api/v1/forecast-runs/{run['id']}", headers=h).json()
    assert len(detail["series"]) == 3
    point = detail["series"][0]["values"][0]
    assert isinstance(point["p50"], str)
    assert Decimal(point["p10"]) <= Decimal(point["p50"]) <= Decimal(point["p90"])
    assert point["p_service"] == point["p90"]  # a 0.9 service level is the 90% quantile

    r = demo_client.post(
        "/api/v1/replenishment-runs",
        json={
            "forecast_run_id": run["id"],
            "paths": 20,
            "simulation_days": 60,
            "rules": [{"item_code": "HC-QN20P-WH", "moq": "100", "pack_size": "20"}],
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    proposals = r.json()["proposals"]
    assert proposals and all(Decimal(p["quantity"]) % 20 == 0 for p in proposals)
    first = proposals[0]
    r = demo_client.patch(
        f"/api/v1/replenishment-proposals/{first['id']}",
        json={"version": first["version"], "quantity": "140"},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["state"] == "edited"
    stale = demo_client.patch(
        f"/api/v1/replenishment-proposals/{first['id']}",
        json={"version": first["version"], "quantity": "160"},
        headers=h,
    )
    assert stale.status_code == 409
    released = [
        demo_client.post(f"/api/v1/replenishment-proposals/{first['id']}/release", headers=h)
        for _ in range(2)
    ]
    assert [x.status_code for x in released] == [200, 200]
    order_id = released[0].json()["order_id"]
    assert order_id is not None and released[1].json()["order_id"] == order_id
    pos = demo_client.get("/api/v1/purchase-orders", headers=h, params={"limit": 200}).json()
    ours = [o for o in pos["items"] if o["id"] == order_id]
    assert len(ours) == 1
    again = demo_client.post(f"/api/v1/replenishment-proposals/{first['id']}/dismiss", headers=h)
    assert again.status_code == 409
    assert again.json()["current_state"] == "released"

    other = login(demo_client, "hce.admin", "demo1234")
    assert (
        demo_client.get(f"/api/v1/replenishment-proposals/{first['id']}", headers=other).status_code
        == 404
    )
    assert demo_client.get(f"/api/v1/forecast-runs/{run['id']}", headers=other).status_code == 404

    gsm = demo_client.get(
        "/api/v1/safety-stock", params={"item_code": "HC-QN20P-WH"}, headers=h
    ).json()
    assert {s["site_code"] for s in gsm["stages"]} >= {"DC-EAST", "ST-NANJING"}


def test_planning_needs_a_login(demo_client: TestClient) -> None:
    assert demo_client.post("/api/v1/forecast-runs", json={}).status_code == 401
    assert demo_client.get("/api/v1/replenishment-proposals").status_code == 401
    assert demo_client.get("/api/v1/safety-stock?item_code=X").status_code == 401
