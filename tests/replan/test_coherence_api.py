"""A retailer plans a promotion and reads a reconciled run's tiers through HTTP."""

from __future__ import annotations

import re
from decimal import Decimal

from fastapi.testclient import TestClient

from tests.conftest import login
from tests.web.test_pages import sign_in

RETAILER = ("yjretail.admin", "demo1234")


def test_plan_a_promotion_and_read_a_reconciled_run(demo_client: TestClient) -> None:
    h = login(demo_client, *RETAILER)
    body = {
        "item_code": "HC-KT17S-WH",
        "site_code": "ST-NANJING",
        "name": "双十二",
        "start_date": "2026-12-10",
        "end_date": "2026-12-12",
        "discount_pct": "25",
    }
    r = demo_client.post("/api/v1/promotions", json=body, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["site_id"] is not None
    listed = demo_client.get("/api/v1/promotions", headers=h).json()["items"]
    assert [p["name"] for p in listed] == ["双十二"]  # the caller's own, ready for the model

    r = demo_client.post(
        "/api/v1/forecast-runs",
        json={"horizon_days": 7, "item_codes": ["HC-KT17S-WH"]},
        headers=h,
    )
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["reconciliation"] in ("mint_shrink", "wls_struct")
    detail = demo_client.get(f"/api/v1/forecast-runs/{run['id']}", headers=h).json()
    tiers = {(t["level"], t["node"]): t for t in detail["tiers"]}
    assert ("item", "HC-KT17S-WH") in tiers and ("total", "total") in tiers
    total = tiers[("item", "HC-KT17S-WH")]["values"]
    for day in range(7):
        stores = sum(Decimal(s["values"][day]["p50"]) for s in detail["series"])
        assert Decimal(total[day]["p50"]) == stores
    only_dc = demo_client.get(
        f"/api/v1/forecast-runs/{run['id']}", params={"level": "dc"}, headers=h
    ).json()
    assert {t["level"] for t in only_dc["tiers"]} == {"dc"}


def test_the_forecast_page_marks_a_reconciled_run(demo_client: TestClient) -> None:
    h = login(demo_client, *RETAILER)
    r = demo_client.post(
        "/api/v1/forecast-runs",
        json={"horizon_days": 7, "item_codes": ["HC-KT17S-WH"]},
        headers=h,
    )
    assert r.status_code == 201, r.text
    assert sign_in(demo_client, *RETAILER).status_code == 303
    page = demo_client.get("/plan/forecast")
    assert page.status_code == 200
    assert 'id="reconciled-badge"' in page.text and "已协调（" in page.text  # the user reads zh-CN
    levels = re.findall(r'<tr data-level="(\w+)">', page.text)
    assert levels == ["dc", "region", "item", "category", "total"]
