"""Network design over an enterprise's own sites, through the API and the page.

Three candidate warehouses (Shanghai, Wuhan, Guangzhou) and stores in their regions: with a
fixed cost that is cheap against transport, the plan opens all three and serves each store from
its own region; a distance cap forbids long hauls; a forced closure shows up as a dearer
scenario. Real HiGHS, tiny instances.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from supplymesh.platform.uow import Database
from tests.api.helpers import Tenant, make_tenant
from tests.web.test_pages import signed_in

WAREHOUSES = [("WH-SH", 31.23, 121.47), ("WH-WH", 30.59, 114.31), ("WH-GZ", 23.13, 113.26)]
STORES = [
    ("ST-SZ", 31.30, 120.60, "WH-SH"),
    ("ST-HZ", 30.27, 120.16, "WH-SH"),
    ("ST-CS", 28.23, 112.94, "WH-WH"),
    ("ST-NC", 28.68, 115.86, "WH-WH"),
    ("ST-SZN", 22.54, 114.06, "WH-GZ"),
    ("ST-FS", 23.02, 113.12, "WH-GZ"),
]


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def chain(db: Database, client: TestClient) -> tuple[Tenant, dict[str, int]]:
    t = make_tenant(db, client, "CHAIN", ["retailer"])
    ids: dict[str, int] = {}
    for code, lat, lon, *_ in [*WAREHOUSES, *STORES]:
        kind = "warehouse" if code.startswith("WH") else "store"
        body = {"code": code, "name": code, "kind": kind, "latitude": lat, "longitude": lon}
        ids[code] = _ok(client.post("/api/v1/sites", json=body, headers=t.headers), 201)["id"]
    _ok(client.post("/api/v1/items", json={"sku": "TV", "name": "电视"}, headers=t.headers), 201)
    for code, *_ in STORES:
        for day, qty in (("2027-01-05", "400"), ("2027-01-20", "600"), ("2026-12-01", "9999")):
            row = {"site_code": code, "item_code": "TV", "day": day, "quantity": qty}
            _ok(client.post("/api/v1/demand-history", json=row, headers=t.headers), 201)
    return t, ids


def _request(ids: dict[str, int], **extra: Any) -> dict[str, Any]:
    return {
        "candidates": [
            {"site_id": ids[c], "fixed_cost": 10_000, "capacity": 5_000} for c, *_ in WAREHOUSES
        ],
        "customers": [{"site_id": ids[c]} for c, *_ in STORES],
        "cost_per_unit_km": 1.0,
        "history_from": "2027-01-01",
        "history_to": "2027-01-31",
        **extra,
    }


def test_regions_are_served_from_their_own_warehouse(
    client: TestClient, chain: tuple[Tenant, dict[str, int]]
) -> None:
    t, ids = chain
    scenarios = [
        {"name": "base"},
        {"name": "no Wuhan", "force_closed": [ids["WH-WH"]]},
        {"name": "300 km", "max_service_km": 300, "force_closed": [ids["WH-WH"]]},
    ]
    plan = _ok(
        client.post(
            "/api/v1/network-designs", json=_request(ids, scenarios=scenarios), headers=t.headers
        )
    )
    assert plan["demands"] == {str(ids[c]): 1000.0 for c, *_ in STORES}  # history in January only
    base, no_wuhan, capped = plan["scenarios"]
    assert base["status"] == "optimal" and sorted(base["open_site_ids"]) == sorted(
        ids[c] for c, *_ in WAREHOUSES
    )
    served = {a["customer_site_id"]: a["site_id"] for a in base["assignments"]}
    assert served == {ids[s]: ids[w] for s, _la, _lo, w in STORES}
    assert all(a["share"] == 1.0 and a["units"] == 1000.0 for a in base["assignments"])
    assert no_wuhan["status"] == "optimal" and ids["WH-WH"] not in no_wuhan["open_site_ids"]
    assert no_wuhan["cost"] > base["cost"] and no_wuhan["cost_vs_first_pct"] > 0
    assert capped["status"] == "infeasible" and capped["reason"]  # Changsha is > 300 km from both


def test_bad_input_names_the_site(
    db: Database, client: TestClient, chain: tuple[Tenant, dict[str, int]]
) -> None:
    t, ids = chain
    nodemand = _request(ids, history_from="2030-01-01", history_to="2030-01-31")
    refused = client.post("/api/v1/network-designs", json=nodemand, headers=t.headers)
    assert refused.status_code == 422 and "ST-SZ" in refused.text
    other = make_tenant(db, client, "OTHER", ["retailer"])
    foreign = client.post("/api/v1/network-designs", json=_request(ids), headers=other.headers)
    assert foreign.status_code == 422 and "is not one of yours" in foreign.text


@pytest.mark.parametrize("backend", ["sqlite"])
def test_page_solves_and_draws(
    client_factory: Callable[[], TestClient], chain: tuple[Tenant, dict[str, int]]
) -> None:
    t, _ids = chain
    web = signed_in(client_factory, t.username, t.password)
    page = web.get("/logistics/network-design")
    assert page.status_code == 200
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {
        "csrf_token": token,
        "fixed_cost": "10000",
        "capacity": "5000",
        "cost_per_unit_km": "1",
        "history_from": "2027-01-01",
        "history_to": "2027-01-31",
        "max_service_km": "1500",
    }
    done = web.post("/logistics/network-design", data=form)
    assert done.status_code == 200, done.text
    assert done.text.count('data-status="optimal"') == 2 and "network_design.js" in done.text


@pytest.mark.parametrize("backend", ["sqlite"])
def test_cli_design(settings: Any, tmp_path: Any, chain: tuple[Tenant, dict[str, int]]) -> None:
    import json

    from tests.cli.test_cli import run

    _t, ids = chain
    file = tmp_path / "design.json"
    file.write_text(json.dumps(_request(ids)), encoding="utf-8")
    done = run(settings, "logistics", "design", "-e", "CHAIN", str(file))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("base: optimal") and "WH-WH" in done.stdout
