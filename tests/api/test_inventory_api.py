"""Inventory over HTTP: stock commands, orders and shipments, on both backends."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from supplymesh.platform.uow import Database
from tests.conftest import login
from tests.inventory.world import World, build_world


@pytest.fixture
def world(db: Database) -> World:
    return build_world(db)


@pytest.fixture
def buyer(client: TestClient, world: World) -> dict[str, str]:
    return login(client, "aaa.admin", "AAA-password")


@pytest.fixture
def supplier(client: TestClient, world: World) -> dict[str, str]:
    return login(client, "bbb.admin", "BBB-password")


@pytest.fixture
def stranger(client: TestClient, world: World) -> dict[str, str]:
    return login(client, "ccc.admin", "CCC-password")


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _purchase_order(client: TestClient, headers: dict[str, str], quantity: str = "10") -> int:
    body = _ok(
        client.post(
            "/api/v1/orders",
            headers=headers,
            json={
                "kind": "purchase",
                "partner_enterprise_code": "BBB",
                "ship_to_site_code": "A-PLANT",
                "ship_from_site_code": "BBB/B-WH",
                "lines": [{"item_code": "WIDGET", "quantity": quantity, "unit_price": "2.50"}],
            },
        ),
        201,
    )
    return int(body["id"])


def _summary(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    return list(_ok(client.get("/api/v1/stock/summary", headers=headers, params=params))["items"])


def test_purchase_flow_from_order_to_stock(
    client: TestClient, world: World, buyer: dict[str, str]
) -> None:
    created = client.post(
        "/api/v1/orders",
        headers=buyer,
        json={
            "kind": "purchase",
            "partner_enterprise_code": "BBB",
            "ship_to_site_code": "A-PLANT",
            "ship_from_site_id": world.supplier_site,
            "lines": [{"item_code": "WIDGET", "quantity": "10", "unit_price": "2.50"}],
        },
    )
    order = _ok(created, 201)
    assert created.headers["Location"] == f"/api/v1/orders/{order['id']}"
    assert (order["number"], order["status"], order["version"]) == ("PO-000001", "draft", 1)
    assert order["lines"][0]["quantity"] == "10" and order["lines"][0]["unit_price"] == "2.5"

    released = _ok(client.post(f"/api/v1/orders/{order['id']}/release", headers=buyer))
    assert released["status"] == "released"
    [row] = _summary(client, buyer)
    assert (row["site_id"], row["on_hand"], row["on_order"]) == (world.plant, "0", "10")

    shipment = _ok(
        client.post("/api/v1/shipments", headers=buyer, json={"order_id": order["id"]}), 201
    )
    assert [line["quantity"] for line in shipment["lines"]] == ["10"]
    assert shipment["status"] == "planned" and shipment["from_site_id"] == world.supplier_site
    shipped = _ok(client.post(f"/api/v1/shipments/{shipment['id']}/ship", headers=buyer))
    assert shipped["status"] == "shipped" and shipped["shipped_at"] is not None
    delivered = _ok(
        client.post(
            f"/api/v1/shipments/{shipment['id']}/deliver",
            headers=buyer,
            json={"version": shipped["version"]},
        )
    )
    assert delivered["status"] == "delivered"

    [row] = _summary(client, buyer)
    assert (row["on_hand"], row["available"], row["free"], row["on_order"]) == (
        "10",
        "10",
        "10",
        "0",
    )
    final = _ok(client.get(f"/api/v1/orders/{order['id']}", headers=buyer))
    assert final["status"] == "received"
    assert final["lines"][0]["quantity_received"] == "10"
    assert final["allowed_transitions"] == ["closed"]


def test_transfer_flow_passes_through_transit(
    client: TestClient, world: World, buyer: dict[str, str]
) -> None:
    receipt = _ok(
        client.post(
            "/api/v1/stock/receipts",
            headers=buyer,
            json={"site_code": "A-PLANT", "item_code": "WIDGET", "quantity": "12.5"},
        ),
        201,
    )
    assert receipt["movements"][0]["quantity"] == "12.5"
    order = _ok(
        client.post(
            "/api/v1/orders",
            headers=buyer,
            json={
                "kind": "transfer",
                "ship_from_site_code": "A-PLANT",
                "ship_to_site_code": "A-PLANT2",
                "lines": [{"item_code": "WIDGET", "quantity": "4.5"}],
            },
        ),
        201,
    )
    assert order["number"] == "TO-000001"
    _ok(client.post(f"/api/v1/orders/{order['id']}/release", headers=buyer))
    shipment = _ok(
        client.post("/api/v1/shipments", headers=buyer, json={"order_number": "TO-000001"}), 201
    )
    _ok(client.post(f"/api/v1/shipments/{shipment['id']}/ship", headers=buyer))
    rows = _summary(client, buyer, site_code="A-PLANT2", by_status="true")
    assert [(r["status"], r["on_hand"]) for r in rows] == [("in_transit", "4.5")]
    _ok(client.post(f"/api/v1/shipments/{shipment['id']}/deliver", headers=buyer))
    rows = _summary(client, buyer, by_status="true")
    assert sorted((r["site_id"], r["status"], r["on_hand"]) for r in rows) == [
        (world.plant, "available", "8"),
        (world.plant2, "available", "4.5"),
    ]
    assert _ok(client.get(f"/api/v1/orders/{order['id']}", headers=buyer))["status"] == "received"


def test_illegal_transition_answers_409_with_the_allowed_ones(
    client: TestClient, world: World, buyer: dict[str, str]
) -> None:
    order_id = _purchase_order(client, buyer)
    response = client.post(f"/api/v1/orders/{order_id}/close", headers=buyer)
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["current_state"] == "draft"
    assert problem["allowed_transitions"] == ["released", "cancelled"]


def test_stale_version_answers_409(client: TestClient, world: World, buyer: dict[str, str]) -> None:
    order_id = _purchase_order(client, buyer)
    url = f"/api/v1/orders/{order_id}"
    edited = _ok(
        client.patch(
            url,
            headers=buyer,
            json={
                "version": 1,
                "note": "rush",
                "lines": [{"item_id": world.widget, "quantity": "3"}],
            },
        )
    )
    assert (edited["version"], edited["note"], edited["lines"][0]["quantity"]) == (2, "rush", "3")
    stale = client.patch(url, headers=buyer, json={"version": 1, "note": "late"})
    assert stale.status_code == 409 and "version 2" in stale.json()["detail"]
    assert client.patch(url, headers=buyer, json={"note": "no version"}).status_code == 422
    stale_release = client.post(f"{url}/release", headers=buyer, json={"version": 1})
    assert stale_release.status_code == 409
    assert client.post(f"{url}/release", headers={**buyer, "If-Match": '"2"'}).status_code == 200
    locked = client.patch(url, headers=buyer, json={"version": 3, "note": "too late"})
    assert locked.status_code == 409 and "draft" in locked.json()["detail"]


def test_the_supplier_reads_its_purchase_order_and_a_stranger_does_not(
    client: TestClient,
    world: World,
    buyer: dict[str, str],
    supplier: dict[str, str],
    stranger: dict[str, str],
) -> None:
    order_id = _purchase_order(client, buyer)
    seen = _ok(client.get(f"/api/v1/orders/{order_id}", headers=supplier))
    assert seen["enterprise_id"] == world.buyer and seen["partner_enterprise_id"] == world.supplier
    assert len(seen["lines"]) == 1
    listed = _ok(client.get("/api/v1/orders", headers=supplier, params={"kind": "purchase"}))
    assert [o["id"] for o in listed["items"]] == [order_id] and listed["total"] == 1
    assert client.get(f"/api/v1/orders/{order_id}", headers=stranger).status_code == 404
    assert _ok(client.get("/api/v1/orders", headers=stranger))["total"] == 0


def test_the_supplier_cannot_change_the_buyers_purchase_order(
    client: TestClient, world: World, buyer: dict[str, str], supplier: dict[str, str]
) -> None:
    order_id = _purchase_order(client, buyer)
    for action in ("release", "cancel"):
        response = client.post(f"/api/v1/orders/{order_id}/{action}", headers=supplier)
        assert response.status_code == 403, response.text
        assert "only its owner" in response.json()["detail"]
    patched = client.patch(
        f"/api/v1/orders/{order_id}", headers=supplier, json={"version": 1, "note": "mine"}
    )
    assert patched.status_code == 403
    assert _ok(client.get(f"/api/v1/orders/{order_id}", headers=buyer))["status"] == "draft"


def test_the_same_idempotency_key_creates_one_order(
    client: TestClient, world: World, buyer: dict[str, str]
) -> None:
    payload = {
        "kind": "purchase",
        "partner_enterprise_id": world.supplier,
        "ship_to_site_id": world.plant,
        "lines": [{"item_id": world.widget, "quantity": "5"}],
    }
    headers = {**buyer, "Idempotency-Key": "order-2026-001"}
    first = client.post("/api/v1/orders", headers=headers, json=payload)
    second = client.post("/api/v1/orders", headers=headers, json=payload)
    assert first.status_code == second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert second.json() == first.json()
    assert _ok(client.get("/api/v1/orders", headers=buyer))["total"] == 1


def test_negative_stock_is_refused_naming_the_item(
    client: TestClient, world: World, buyer: dict[str, str]
) -> None:
    ref = {"site_code": "A-PLANT", "item_code": "WIDGET"}
    _ok(client.post("/api/v1/stock/receipts", headers=buyer, json={**ref, "quantity": "2"}), 201)
    response = client.post("/api/v1/stock/issues", headers=buyer, json={**ref, "quantity": "3"})
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "WIDGET" in detail and "A-PLANT" in detail and "2 on hand, 3 requested" in detail
    [row] = _summary(client, buyer)
    assert row["on_hand"] == "2"


def test_bad_references_and_floats_are_reported_by_field(
    client: TestClient, world: World, buyer: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/orders",
        headers=buyer,
        json={
            "kind": "transfer",
            "ship_from_site_code": "A-PLANT",
            "ship_to_site_code": "A-PLANT2",
            "lines": [{"item_code": "NOPE", "quantity": "1"}],
        },
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["lines.0.item_code"]
    too_fine = client.post(
        "/api/v1/stock/receipts",
        headers=buyer,
        json={"site_id": world.plant, "item_id": world.widget, "quantity": "0.0000001"},
    )
    assert too_fine.status_code == 422
    shared = client.post(
        "/api/v1/stock/receipts",
        headers=buyer,
        json={"site_id": world.supplier_site, "item_id": world.widget, "quantity": "1"},
    )
    assert shared.status_code == 403
