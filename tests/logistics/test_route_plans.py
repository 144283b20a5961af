"""Delivery routes through the API: open transfer orders from a DC to its stores → trucks.

Real SQLite and PostgreSQL, the real PyVRP solver with a short budget. The plan must serve
every order once, respect capacities and windows (checked here independently of the engine's
own checker), and refuse bad input by naming the record.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from supplymesh.network.geo import haversine_km
from supplymesh.platform.uow import Database
from tests.api.helpers import Tenant, make_tenant

# A DC in Suzhou and five stores around it (WGS-84).
DC = ("SZ-DC", 31.30, 120.60)
STORES = [
    ("ST-KS", 31.38, 120.98),
    ("ST-WJ", 31.16, 120.64),
    ("ST-CS", 31.65, 120.75),
    ("ST-TC", 31.45, 121.10),
    ("ST-XC", 31.33, 120.64),
]


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _site(client: TestClient, t: Tenant, code: str, lat: float | None, lon: float | None) -> int:
    body = {"code": code, "name": code, "kind": "warehouse" if code.endswith("DC") else "store"}
    if lat is not None:
        body |= {"latitude": lat, "longitude": lon}
    return int(_ok(client.post("/api/v1/sites", json=body, headers=t.headers), 201)["id"])


def _transfer(client: TestClient, t: Tenant, to: str, sku: str, qty: str) -> dict[str, Any]:
    order = _ok(
        client.post(
            "/api/v1/orders",
            json={
                "kind": "transfer",
                "ship_from_site_code": DC[0],
                "ship_to_site_code": to,
                "requested_date": "2027-03-01",
                "lines": [{"item_code": sku, "quantity": qty}],
            },
            headers=t.headers,
        ),
        201,
    )
    return dict(_ok(client.post(f"/api/v1/orders/{order['id']}/release", headers=t.headers)))


@pytest.fixture
def retail(db: Database, client: TestClient) -> tuple[Tenant, int, list[dict[str, Any]]]:
    t = make_tenant(db, client, "RETAIL", ["retailer"])
    depot = _site(client, t, *DC)
    for code, lat, lon in STORES:
        _site(client, t, code, lat, lon)
    for sku, kg in (("RICE-25", "25"), ("OIL-5", "4.6")):
        item = {"sku": sku, "name": sku, "weight_kg": kg}
        _ok(client.post("/api/v1/items", json=item, headers=t.headers), 201)
    quantities = [
        ("RICE-25", "30"),
        ("RICE-25", "24"),
        ("OIL-5", "100"),
        ("RICE-25", "20"),
        ("OIL-5", "60"),
    ]
    orders = [
        _transfer(client, t, code, sku, qty)
        for (code, _lat, _lon), (sku, qty) in zip(STORES, quantities, strict=True)
    ]
    return t, depot, orders


def test_plan_serves_every_order_within_capacity_and_windows(
    client: TestClient, retail: tuple[Tenant, int, list[dict[str, Any]]]
) -> None:
    t, depot, orders = retail
    by_number = {o["number"]: o for o in orders}
    tight = orders[1]  # Wujiang must be served between 08:30 and 09:30
    body = {
        "name": "3月1日 配送",
        "depot_site_id": depot,
        "date": "2027-03-01",
        "vehicles": [{"name": "4.2米厢车", "capacity_kg": 1000, "count": 3}],
        "windows": [{"order_id": tight["id"], "window_start": "08:30", "window_end": "09:30"}],
        "time_limit_s": 1,
    }
    created = client.post("/api/v1/route-plans", json=body, headers=t.headers)
    plan = _ok(created, 201)
    assert created.headers["Location"] == f"/api/v1/route-plans/{plan['id']}"
    assert plan["feasible"] and plan["status"] == "planned" and plan["violations"] == []
    served = [s["order_number"] for r in plan["routes"] for s in r["stops"]]
    assert sorted(served) == sorted(by_number)
    weights = {"RICE-25": 25, "OIL-5": 4.6}
    for route in plan["routes"]:
        load = sum(s["demand_kg"] for s in route["stops"])
        assert load == route["load_kg"] <= route["capacity_kg"] == 1000
        times = [(s["arrival"], s["service_start"], s["departure"]) for s in route["stops"]]
        assert all(a <= b <= c for a, b, c in times)
        assert route["start"] >= "08:00" and route["back"] <= "18:00"
    stop = next(s for r in plan["routes"] for s in r["stops"] if s["order_id"] == tight["id"])
    assert "08:30" <= stop["service_start"] <= "09:30" and stop["window"] == ["08:30", "09:30"]
    assert stop["demand_kg"] == 24 * weights["RICE-25"]
    # total distance is at least the crow-flies round trip to the farthest store, times 1.3
    far = max(1000 * haversine_km(DC[1], DC[2], lat, lon) for _c, lat, lon in STORES)
    assert plan["distance_km"] >= 2 * far * 1.3 / 1000 - 0.01
    assert sum(r["distance_km"] for r in plan["routes"]) == pytest.approx(
        plan["distance_km"], abs=0.01
    )
    # stored and readable; another enterprise sees nothing of it
    again = _ok(client.get(f"/api/v1/route-plans/{plan['id']}", headers=t.headers))
    assert again["routes"] == plan["routes"]
    assert [p["id"] for p in _ok(client.get("/api/v1/route-plans", headers=t.headers))] == [
        plan["id"]
    ]


def test_bad_input_is_refused_naming_the_record(
    db: Database, client: TestClient, retail: tuple[Tenant, int, list[dict[str, Any]]]
) -> None:
    t, depot, orders = retail
    base = {
        "name": "x",
        "depot_site_id": depot,
        "order_ids": [o["id"] for o in orders],
        "vehicles": [{"name": "小面包", "capacity_kg": 500}],
        "time_limit_s": 1,
    }
    heavy = client.post("/api/v1/route-plans", json=base, headers=t.headers)
    assert heavy.status_code == 422
    assert orders[0]["number"] in heavy.text and "750 kg" in heavy.text  # 30 × 25 kg
    light = {
        **base,
        "order_ids": [orders[2]["id"]],
        "vehicles": [{"name": "v", "capacity_kg": 900}],
    }
    late = {
        **light,
        "windows": [{"order_id": orders[2]["id"], "window_start": "19:00", "window_end": "20:00"}],
    }
    unreachable = client.post("/api/v1/route-plans", json=late, headers=t.headers)
    assert unreachable.status_code == 422 and orders[2]["number"] in unreachable.text
    neither = {k: v for k, v in base.items() if k != "order_ids"}
    assert client.post("/api/v1/route-plans", json=neither, headers=t.headers).status_code == 422
    # a store without coordinates is named
    _site(client, t, "ST-NOGEO", None, None)
    lost = _transfer(client, t, "ST-NOGEO", "OIL-5", "1")
    nogeo = client.post(
        "/api/v1/route-plans", json={**light, "order_ids": [lost["id"]]}, headers=t.headers
    )
    assert nogeo.status_code == 422 and "ST-NOGEO" in nogeo.text
    # another enterprise's depot and orders are not found
    other = make_tenant(db, client, "OTHER", ["retailer"])
    assert client.post("/api/v1/route-plans", json=light, headers=other.headers).status_code == 404
    assert client.get("/api/v1/route-plans", headers=other.headers).json() == []
