"""Supplier admission: invitation link → self-registration → approval, and profiles."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from supplymesh.network.model import Enterprise
from supplymesh.platform.uow import Database
from tests.api.helpers import make_tenant
from tests.conftest import login

USCC = "91350100M000100Y43"


def _registration(token: str, **over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "invitation_token": token,
        "code": "NEWSUP",
        "name": "新供应商有限公司",
        "uscc": USCC,
        "admin_username": "newsup.admin",
        "admin_password": "newsup-pass-1",
    }
    body.update(over)
    return body


def test_invited_supplier_registers_and_is_approved(db: Database, client: TestClient) -> None:
    buyer = make_tenant(db, client, "ACME")
    r = client.post(
        "/api/v1/supplier-invitations",
        json={"relation": "subcontractor", "email": "sales@newsup.cn"},
        headers=buyer.headers,
    )
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    assert r.json()["register_path"].endswith(token)
    info = client.get(f"/api/v1/auth/invitations/{token}")
    assert info.status_code == 200 and info.json()["buyer_code"] == "ACME"
    reg = client.post("/api/v1/auth/register", json=_registration(token))
    assert reg.status_code == 201, reg.text
    assert reg.json()["status"] == "pending"
    link_id = reg.json()["partnership_id"]
    again = client.post("/api/v1/auth/register", json=_registration(token, code="OTHER"))
    assert again.status_code == 404  # a link works once
    supplier = login(client, "newsup.admin", "newsup-pass-1")
    seen = client.get(f"/api/v1/partnerships/{link_id}", headers=supplier).json()
    assert seen["status"] == "pending" and seen["relation"] == "subcontractor"
    # the supplier cannot approve itself; the buyer can
    assert (
        client.post(f"/api/v1/partnerships/{link_id}/approve", headers=supplier).status_code == 403
    )
    ok = client.post(f"/api/v1/partnerships/{link_id}/approve", headers=buyer.headers)
    assert ok.status_code == 200 and ok.json()["status"] == "active"
    bad = client.post(f"/api/v1/partnerships/{link_id}/approve", headers=buyer.headers)
    assert bad.status_code == 409
    assert bad.json()["current_state"] == "active"
    assert bad.json()["allowed_transitions"] == ["suspended", "blocked"]
    assert (
        client.post(f"/api/v1/partnerships/{link_id}/suspend", headers=buyer.headers).json()[
            "status"
        ]
        == "suspended"
    )
    assert (
        client.post(f"/api/v1/partnerships/{link_id}/block", headers=buyer.headers).json()["status"]
        == "blocked"
    )


def test_bad_registration_writes_nothing(db: Database, client: TestClient) -> None:
    buyer = make_tenant(db, client, "ACME")
    token = client.post("/api/v1/supplier-invitations", json={}, headers=buyer.headers).json()[
        "token"
    ]
    with db.system() as uow:
        before = uow.session.scalar(select(func.count()).select_from(Enterprise))
    bad = client.post("/api/v1/auth/register", json=_registration(token, uscc="91350100M000100Y44"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "uscc"
    taken = client.post(
        "/api/v1/auth/register", json=_registration(token, admin_username="acme.admin")
    )
    assert taken.status_code == 409
    with db.system() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Enterprise)) == before
    assert client.post("/api/v1/auth/register", json=_registration(token)).status_code == 201
    assert (
        client.post("/api/v1/auth/register", json=_registration("no-such-token-123")).status_code
        == 404
    )


def test_revoked_invitation_cannot_be_used(db: Database, client: TestClient) -> None:
    buyer = make_tenant(db, client, "ACME")
    inv = client.post("/api/v1/supplier-invitations", json={}, headers=buyer.headers).json()
    r = client.delete(f"/api/v1/supplier-invitations/{inv['id']}", headers=buyer.headers)
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    assert client.get(f"/api/v1/auth/invitations/{inv['token']}").status_code == 404
    listed = client.get("/api/v1/supplier-invitations", headers=buyer.headers).json()
    assert "token" not in listed[0] and "token_digest" not in listed[0]


def test_profile_is_seen_by_partners_only(db: Database, client: TestClient) -> None:
    buyer = make_tenant(db, client, "ACME")
    stranger = make_tenant(db, client, "OTHER")
    token = client.post("/api/v1/supplier-invitations", json={}, headers=buyer.headers).json()[
        "token"
    ]
    reg = client.post("/api/v1/auth/register", json=_registration(token)).json()
    supplier = login(client, "newsup.admin", "newsup-pass-1")
    profile = {
        "certificates": [{"name": "ISO 9001", "number": "CN-9001-77", "valid_until": "2028-06-30"}],
        "capacities": [{"category": "注塑件", "quantity_per_month": 120000}],
        "categories": ["注塑件", "模具"],
    }
    r = client.put("/api/v1/supplier-profile", json=profile, headers=supplier)
    assert r.status_code == 200 and r.json()["certificates"][0]["name"] == "ISO 9001"
    seen = client.get(f"/api/v1/supplier-profiles/{reg['enterprise_id']}", headers=buyer.headers)
    assert seen.status_code == 200 and seen.json()["categories"] == ["注塑件", "模具"]
    hidden = client.get(
        f"/api/v1/supplier-profiles/{reg['enterprise_id']}", headers=stranger.headers
    )
    assert hidden.status_code == 404
    bad = client.put(
        "/api/v1/supplier-profile",
        json={"capacities": [{"category": "x", "quantity_per_month": -1}]},
        headers=supplier,
    )
    assert bad.status_code == 422


def test_null_lists_empty_the_profile(db: Database, client: TestClient) -> None:
    supplier = make_tenant(db, client, "SUPP", ["supplier"])
    client.put("/api/v1/supplier-profile", json={"categories": ["铸件"]}, headers=supplier.headers)
    r = client.put("/api/v1/supplier-profile", json={"categories": None}, headers=supplier.headers)
    assert r.status_code == 200 and r.json()["categories"] == []


def test_supplier_sees_stock_of_the_items_it_supplies_only(
    db: Database, client: TestClient
) -> None:
    buyer = make_tenant(db, client, "ACME")
    token = client.post("/api/v1/supplier-invitations", json={}, headers=buyer.headers).json()[
        "token"
    ]
    reg = client.post("/api/v1/auth/register", json=_registration(token)).json()
    supplier = login(client, "newsup.admin", "newsup-pass-1")
    h = buyer.headers
    client.post("/api/v1/sites", json={"code": "P1", "name": "厂", "kind": "plant"}, headers=h)
    for sku in ("MOTOR-1", "GLASS-1"):
        client.post(
            "/api/v1/items", json={"sku": sku, "name": sku, "item_type": "component"}, headers=h
        )
        r = client.post(
            "/api/v1/stock/receipts",
            json={"site_code": "P1", "item_code": sku, "quantity": "40"},
            headers=h,
        )
        assert r.status_code == 201, r.text
    xref = {
        "item_code": "MOTOR-1",
        "partner_enterprise_id": reg["enterprise_id"],
        "partner_part_number": "NS-M-001",
    }
    assert client.post("/api/v1/item-cross-references", json=xref, headers=h).status_code == 201
    early = client.post(
        "/api/v1/inventory-sharing/supplied-items",
        json={"partner_enterprise_id": reg["enterprise_id"]},
        headers=h,
    )
    assert early.status_code == 422  # not approved yet
    client.post(f"/api/v1/partnerships/{reg['partnership_id']}/approve", headers=h)
    shared = client.post(
        "/api/v1/inventory-sharing/supplied-items",
        json={"partner_enterprise_id": reg["enterprise_id"]},
        headers=h,
    )
    assert shared.status_code == 200 and len(shared.json()["item_ids"]) == 1
    rows = client.get("/api/v1/stock/summary", headers=supplier).json()["items"]
    assert [(r["on_hand"], r["enterprise_id"]) for r in rows] == [("40", buyer.id)]
    moves = client.get("/api/v1/stock-movements", headers=supplier).json()["items"]
    assert len(moves) == 1
    items = client.get("/api/v1/items", headers=supplier).json()["items"]
    assert [i["sku"] for i in items] == ["MOTOR-1"]
