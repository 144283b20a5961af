"""Logistics over HTTP: dispatch by fence, address parsing, dock plans and re-plans."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from supplymesh.network.geo import wgs84_to_gcj02
from supplymesh.platform.uow import Database
from tests.api.helpers import make_tenant

QINGPU = {
    "code": "DC-QP",
    "name": "青浦配送中心",
    "kind": "dc",
    "address": "上海市青浦区华新镇华志路123号",
    "latitude": 31.15,
    "longitude": 121.124,
}


def box(lon0: float, lat0: float, lon1: float, lat1: float) -> dict[str, object]:
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_dispatch_uses_the_callers_sites_and_converts_gcj02(
    db: Database, client: TestClient
) -> None:
    a = make_tenant(db, client, "ACME")
    b = make_tenant(db, client, "BETA")
    site = client.post("/api/v1/sites", json=QINGPU, headers=a.headers).json()
    # Fences drawn on AMap tiles (GCJ-02): Qingpu around the DC, Pudong further east.
    lat0, lon0 = wgs84_to_gcj02(31.0, 121.0)
    lat1, lon1 = wgs84_to_gcj02(31.3, 121.3)
    body = {
        "datum": "gcj02",
        "fences": [
            {"site_code": "DC-QP", "geometry": box(lon0, lat0, lon1, lat1)},
            {"station": "PUDONG", "geometry": box(121.45, 31.1, 121.7, 31.35)},
        ],
        "orders": [
            {"id": "by-site", "address": "上海市 青浦区华新镇华志路123号"},
            {"id": "by-district", "address": "上海浦东新区张江路"},
            {"id": "by-point", "latitude": 31.2, "longitude": 121.6},
            {"id": "far", "latitude": 30.2, "longitude": 120.2},
        ],
    }
    r = client.post("/api/v1/dispatch/assign", json=body, headers=a.headers)
    assert r.status_code == 200, r.text
    out = {x["order_id"]: x for x in r.json()["assignments"]}
    assert out["by-site"]["station"] == "DC-QP" and out["by-site"]["site_id"] == site["id"]
    assert out["by-site"]["location_level"] == "site"
    # The site's WGS-84 point comes back in GCJ-02, as asked.
    expected = wgs84_to_gcj02(31.15, 121.124)
    assert out["by-site"]["latitude"] == pytest.approx(expected[0], abs=1e-9)
    assert out["by-district"]["station"] == "PUDONG"
    assert out["by-district"]["location_level"] == "district"
    assert out["by-point"]["station"] == "PUDONG" and out["by-point"]["site_id"] is None
    assert out["far"]["status"] == "unmatched" and out["far"]["nearest_station"] == "DC-QP"
    assert r.json()["by_station"] == {"DC-QP": ["by-site"], "PUDONG": ["by-district", "by-point"]}

    # Another enterprise cannot name ACME's site, and its orders do not match ACME's address.
    r = client.post("/api/v1/dispatch/assign", json=body, headers=b.headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "fences.0.site_code"


def test_bad_fence_answers_422_naming_station_and_ring(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    unclosed = box(121.0, 31.0, 121.3, 31.3)
    unclosed["coordinates"][0][-1] = [121.0, 31.01]  # type: ignore[index]
    body = {
        "fences": [
            {"station": "OPEN", "geometry": unclosed},
            {"station": "OK", "geometry": box(121.5, 31.0, 121.6, 31.1)},
            {"station": "BAD", "geometry": {"type": "Polygon", "coordinates": [[1, 2], "x"]}},
        ],
        "orders": [{"id": "o1", "latitude": 31.05, "longitude": 121.55}],
    }
    r = client.post("/api/v1/dispatch/assign", json=body, headers=a.headers)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    errors = r.json()["errors"]
    assert errors[0]["field"] == "coordinates[0] (exterior ring)"
    assert errors[0]["message"].startswith("station OPEN: does not close")
    assert any(e["message"].startswith("station BAD:") for e in errors)
    assert "OK" not in r.json()["detail"]


def test_parses_addresses_with_the_level_matched(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    client.post("/api/v1/sites", json=QINGPU, headers=a.headers)
    texts = [
        "浙江省杭州市余杭区文一西路969号",
        "广东深圳南山区科技园",
        "江苏省苏州市未来区星湖街328号",
        QINGPU["address"],
        "nowhere",
    ]
    r = client.post("/api/v1/addresses/parse", json={"addresses": texts}, headers=a.headers)
    assert r.status_code == 200, r.text
    res = r.json()["results"]
    assert [x["level"] for x in res] == ["district", "district", "city", "site", "none"]
    assert (res[0]["province"]["name"], res[0]["city"]["name"], res[0]["district"]["name"]) == (
        "浙江省",
        "杭州市",
        "余杭区",
    )
    assert res[0]["detail"] == "文一西路969号"
    assert res[1]["district"]["code"] == "440305"
    assert res[2]["unrecognised"] == "未来区" and "not in the gazetteer" in res[2]["note"]
    assert res[3]["matched"] == "DC-QP" and res[3]["latitude"] == 31.15


DOCKS = [
    {"code": "D1", "max_pallets": 26},
    {"code": "C1", "capabilities": ["standard", "refrigerated"], "minutes_per_pallet": "1.5"},
]


def truck(tid: str, hour: int, minute: int, pallets: int, cold: bool = False) -> dict[str, object]:
    start = f"2026-11-30T{hour:02d}:{minute:02d}:00+08:00"
    end = f"2026-11-30T{hour:02d}:{minute + 30:02d}:00+08:00"
    needs = ["refrigerated"] if cold else ["standard"]
    return {"id": tid, "window_start": start, "window_end": end, "pallets": pallets, "needs": needs}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_dock_plan_replan_and_queue_over_http(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    trucks = [truck("T1", 8, 0, 10), truck("T2", 8, 0, 10), truck("R1", 8, 10, 6, cold=True)]
    body = {"docks": DOCKS, "trucks": trucks, "time_limit_s": 2}
    r = client.post("/api/v1/docks/plan", json=body, headers=a.headers)
    assert r.status_code == 200, r.text
    plan = r.json()
    visits = {v["truck_id"]: v for v in plan["visits"]}
    assert visits["R1"]["dock"] == "C1"
    assert visits["T1"]["start"] == "2026-11-30T08:00:00+08:00"
    # 10 pallets at 2 min + 10 min docking = 30 minutes on D1.
    assert visits["T1"]["end"] in ("2026-11-30T08:30:00+08:00", "2026-11-30T08:25:00+08:00")
    assert plan["next_calls"]["D1"] == plan["queues"]["D1"][0]

    in_force = [
        {"truck_id": v["truck_id"], "dock": v["dock"], "start": v["start"]} for v in plan["visits"]
    ]
    replan = {
        **body,
        "plan": in_force,
        "now": "2026-11-30T08:05:00+08:00",
        "late_truck": "R1",
        "new_eta": "2026-11-30T09:00:00+08:00",
    }
    r = client.post("/api/v1/docks/replan", json=replan, headers=a.headers)
    assert r.status_code == 200, r.text
    again = {v["truck_id"]: v for v in r.json()["visits"]}
    started = [t for t, v in visits.items() if v["start"] < "2026-11-30T08:05:00+08:00"]
    assert started and all(
        again[t]["pinned"] and again[t]["start"] == visits[t]["start"] for t in started
    )
    assert again["R1"]["start"] >= "2026-11-30T09:00:00+08:00"

    r = client.post(
        "/api/v1/docks/replan", json={**replan, "late_truck": started[0]}, headers=a.headers
    )
    assert r.status_code == 409 and r.json()["current_state"] == "started"
    assert started[0] in r.json()["detail"]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_dock_errors_name_the_truck_and_auth_is_required(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    body = {
        "docks": DOCKS[:1],
        "trucks": [truck("HUGE", 8, 0, 40), truck("COLD", 8, 0, 1, cold=True)],
    }
    r = client.post("/api/v1/docks/plan", json=body, headers=a.headers)
    assert r.status_code == 422
    messages = [e["message"] for e in r.json()["errors"]]
    assert messages == [
        "truck HUGE: 40 pallets fit no dock offering standard: D1 (max 26)",
        "truck COLD: needs refrigerated and no dock offers it",
    ]
    for path in ("/api/v1/docks/plan", "/api/v1/dispatch/assign", "/api/v1/addresses/parse"):
        assert client.post(path, json=body).status_code == 401


def test_stored_plan_calls_trucks_in_plan_order_and_replans(
    db: Database, client: TestClient
) -> None:
    a = make_tenant(db, client, "ACME")
    b = make_tenant(db, client, "BETA")
    one_dock = [{"code": "D1"}]
    trucks = [truck("T1", 8, 0, 5), truck("T2", 8, 10, 5), truck("T3", 8, 20, 5)]
    body = {"name": "嘉兴园区 2026-11-30", "docks": one_dock, "trucks": trucks, "time_limit_s": 2}
    r = client.post("/api/v1/docks/plans", json=body, headers=a.headers)
    assert r.status_code == 201, r.text
    plan = r.json()
    pid = plan["id"]
    assert r.headers["Location"] == f"/api/v1/docks/plans/{pid}"
    assert plan["queues"] == {"D1": ["T1", "T2", "T3"]} and plan["version"] == 1

    status = client.get(f"/api/v1/docks/plans/{pid}/trucks/T3", headers=a.headers).json()
    assert (status["dock"], status["position"], status["ahead"]) == ("D1", 3, ["T1", "T2"])
    assert status["start"] == "2026-11-30T08:40:00+08:00"  # 20 minutes each, back to back
    assert status["driver_link"].startswith(f"/driver/{a.id}.{pid}.")

    url = f"/api/v1/docks/plans/{pid}/call-next"
    first = client.post(url, json={"dock": "D1", "version": 1}, headers=a.headers)
    assert first.status_code == 200 and first.json()["truck_id"] == "T1"
    assert first.json()["plan"]["version"] == 2 and first.json()["plan"]["called"] == ["T1"]
    stale = client.post(url, json={"dock": "D1", "version": 1}, headers=a.headers)
    assert stale.status_code == 409 and "version 2" in stale.json()["detail"]
    assert client.post(url, json={"dock": "D1"}, headers=a.headers).json()["truck_id"] == "T2"
    status = client.get(f"/api/v1/docks/plans/{pid}/trucks/T3", headers=a.headers).json()
    assert (status["position"], status["ahead"]) == (1, [])
    assert client.post(url, json={"dock": "NOPE"}, headers=a.headers).status_code == 404

    # T3 will be an hour late: T1 and T2 have started by 08:30 and stay; T3 moves.
    late = {
        "now": "2026-11-30T08:30:00+08:00",
        "late_truck": "T3",
        "new_eta": "2026-11-30T09:40:00+08:00",
    }
    r = client.post(f"/api/v1/docks/plans/{pid}/replan", json=late, headers=a.headers)
    assert r.status_code == 200, r.text
    visits = {v["truck_id"]: v for v in r.json()["visits"]}
    assert visits["T3"]["start"] == "2026-11-30T09:40:00+08:00"
    assert visits["T1"]["pinned"] and visits["T1"]["start"] == "2026-11-30T08:00:00+08:00"
    stored = client.get(f"/api/v1/docks/plans/{pid}", headers=a.headers).json()
    assert stored["visits"] == r.json()["visits"] and stored["called"] == ["T1", "T2"]

    # Another enterprise sees none of it.
    for path in (f"/api/v1/docks/plans/{pid}", f"/api/v1/docks/plans/{pid}/trucks/T1"):
        assert client.get(path, headers=b.headers).status_code == 404
    assert client.post(url, json={"dock": "D1"}, headers=b.headers).status_code == 404


def test_stored_station_fences_are_checked_and_used_by_dispatch(
    db: Database, client: TestClient
) -> None:
    a = make_tenant(db, client, "ACME")
    b = make_tenant(db, client, "BETA")
    order = {"orders": [{"id": "o1", "latitude": 31.05, "longitude": 121.55}]}
    r = client.post("/api/v1/dispatch/assign", json=order, headers=a.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "fences"

    unclosed = box(121.5, 31.0, 121.6, 31.1)
    unclosed["coordinates"][0].pop()  # type: ignore[attr-defined]
    bad = {"station": "浦东站", "geometry": unclosed}
    r = client.post("/api/v1/station-fences", json=bad, headers=a.headers)
    assert r.status_code == 422
    err = r.json()["errors"][0]
    assert err["field"] == "geometry.coordinates[0] (exterior ring)"
    assert err["message"].startswith("station 浦东站: does not close")

    good = {"station": "浦东站", "priority": 1, "geometry": box(121.5, 31.0, 121.6, 31.1)}
    r = client.post("/api/v1/station-fences", json=good, headers=a.headers)
    assert r.status_code == 201, r.text
    fence = r.json()
    r = client.patch(
        f"/api/v1/station-fences/{fence['id']}",
        json={"geometry": unclosed, "version": 1},
        headers=a.headers,
    )
    assert r.status_code == 422 and "浦东站" in r.json()["detail"]

    r = client.post("/api/v1/dispatch/assign", json=order, headers=a.headers)
    assert r.status_code == 200, r.text
    assert r.json()["assignments"][0]["station"] == "浦东站"
    # BETA has no fences of its own and never sees ACME's.
    r = client.post("/api/v1/dispatch/assign", json=order, headers=b.headers)
    assert r.status_code == 422
    assert client.get("/api/v1/station-fences", headers=b.headers).json()["total"] == 0
