"""RFQ → quotes (one revised) → comparison → split award, over HTTP with each side logged in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update

from supplymesh.collab.procurement_model import Rfq
from supplymesh.platform.uow import Database
from tests.api.helpers import Tenant, make_tenant

VALID = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()


@dataclass
class Market:
    """A buyer with two approved suppliers and a third supplier it never invites (an outsider)."""

    buyer: Tenant
    alpha: Tenant
    beta: Tenant
    gamma: Tenant
    site_id: int


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def build_market(db: Database, client: TestClient) -> Market:
    buyer = make_tenant(db, client, "BUYER")
    alpha, beta, gamma = (
        make_tenant(db, client, c, ["supplier"]) for c in ("ALPHA", "BETA", "GAMMA")
    )
    h = buyer.headers
    for supplier in (alpha, beta, gamma):
        ok(
            client.post(
                "/api/v1/partnerships",
                json={"partner_enterprise_id": supplier.id, "relation": "supplier"},
                headers=h,
            ),
            201,
        )
    site = ok(
        client.post(
            "/api/v1/sites", json={"code": "P1", "name": "总装厂", "kind": "plant"}, headers=h
        ),
        201,
    )
    for sku in ("MOTOR-1", "GEAR-2"):
        ok(
            client.post(
                "/api/v1/items",
                json={"sku": sku, "name": f"{sku} 部件", "item_type": "component"},
                headers=h,
            ),
            201,
        )
    return Market(buyer, alpha, beta, gamma, int(site["id"]))


def issue_rfq(
    client: TestClient, m: Market, suppliers: list[Tenant] | None = None
) -> dict[str, Any]:
    deadline = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    body = {
        "title": "电机与齿轮 2027Q1",
        "currency": "CNY",
        "deadline": deadline,
        "lines": [
            {"item_code": "MOTOR-1", "quantity": "100", "needed_by": "2027-01-15"},
            {"item_code": "GEAR-2", "quantity": "500", "needed_by": "2027-01-20"},
        ],
        "supplier_enterprise_ids": [s.id for s in suppliers or [m.alpha, m.beta]],
    }
    return ok(client.post("/api/v1/rfqs", json=body, headers=m.buyer.headers), 201)


def quote_lines(
    rfq: dict[str, Any], prices: tuple[str, str], lead: tuple[int, int]
) -> list[dict[str, Any]]:
    motor, gear = rfq["lines"]
    return [
        {
            "rfq_line_id": motor["id"],
            "unit_price": prices[0],
            "price_breaks": [{"min_quantity": "50", "unit_price": str(float(prices[0]) - 1)}],
            "lead_time_days": lead[0],
            "valid_until": VALID,
        },
        {
            "rfq_line_id": gear["id"],
            "unit_price": prices[1],
            "lead_time_days": lead[1],
            "valid_until": VALID,
        },
    ]


def quoted_and_awarded(
    db: Database, client: TestClient
) -> tuple[Market, dict[str, Any], dict[str, Any]]:
    """The full RFQ flow up to the award; returns the market, the RFQ and the award."""
    m = build_market(db, client)
    rfq = issue_rfq(client, m)
    url = f"/api/v1/rfqs/{rfq['id']}/quotes"
    ok(
        client.post(
            url, json={"lines": quote_lines(rfq, ("20", "3.2"), (10, 5))}, headers=m.alpha.headers
        ),
        201,
    )
    first = ok(
        client.post(
            url, json={"lines": quote_lines(rfq, ("19", "3.5"), (14, 7))}, headers=m.beta.headers
        ),
        201,
    )
    revised = ok(
        client.put(
            f"{url}/{first['id']}",
            json={"version": first["version"], "lines": quote_lines(rfq, ("18", "3.0"), (14, 7))},
            headers=m.beta.headers,
        )
    )
    assert revised["revision"] == 2 and [r["revision"] for r in revised["revisions"]] == [1, 2]
    motor, gear = rfq["lines"]
    award = ok(
        client.post(
            f"/api/v1/rfqs/{rfq['id']}/award",
            json={
                "version": rfq["version"],
                "ship_to_site_id": m.site_id,
                "allocations": [
                    {
                        "rfq_line_id": motor["id"],
                        "supplier_enterprise_id": m.beta.id,
                        "quantity": "60",
                    },
                    {
                        "rfq_line_id": motor["id"],
                        "supplier_enterprise_id": m.alpha.id,
                        "quantity": "40",
                    },
                    {
                        "rfq_line_id": gear["id"],
                        "supplier_enterprise_id": m.beta.id,
                        "quantity": "500",
                    },
                ],
            },
            headers=m.buyer.headers,
        )
    )
    return m, rfq, award


def test_rfq_quotes_comparison_and_split_award(db: Database, client: TestClient) -> None:
    m = build_market(db, client)
    bad = {
        "deadline": "2020-01-01T00:00:00Z",
        "lines": [{"item_code": "MOTOR-1", "quantity": "1"}],
        "supplier_enterprise_ids": [m.alpha.id, m.buyer.id],
    }
    refused = client.post("/api/v1/rfqs", json=bad, headers=m.buyer.headers)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {
        "deadline",
        "supplier_enterprise_ids.1",
    }
    rfq = issue_rfq(client, m)
    assert rfq["number"] == "RFQ-000001" and rfq["status"] == "open" and rfq["quoting_open"]
    assert sorted(i["partner_enterprise_id"] for i in rfq["invitations"]) == sorted(
        [m.alpha.id, m.beta.id]
    )
    # each invited supplier sees the RFQ with its own invitation only; others see nothing
    seen = ok(client.get(f"/api/v1/rfqs/{rfq['id']}", headers=m.alpha.headers))
    assert [i["partner_enterprise_id"] for i in seen["invitations"]] == [m.alpha.id]
    assert seen["lines"][0]["item_sku"] == "MOTOR-1"
    for outsider in (m.gamma,):
        assert client.get(f"/api/v1/rfqs/{rfq['id']}", headers=outsider.headers).status_code == 404
        assert ok(client.get("/api/v1/rfqs", headers=outsider.headers))["total"] == 0
    url = f"/api/v1/rfqs/{rfq['id']}/quotes"
    a = ok(
        client.post(
            url, json={"lines": quote_lines(rfq, ("20", "3.2"), (10, 5))}, headers=m.alpha.headers
        ),
        201,
    )
    b = ok(
        client.post(
            url, json={"lines": quote_lines(rfq, ("19", "3.5"), (14, 7))}, headers=m.beta.headers
        ),
        201,
    )
    # an uninvited supplier may not quote
    uninvited = client.post(
        url, json={"lines": quote_lines(rfq, ("1", "1"), (1, 1))}, headers=m.gamma.headers
    )
    assert uninvited.status_code == 404
    # beta revises: stale version refused, then accepted; revision 1 is kept
    stale = client.put(
        f"{url}/{b['id']}",
        json={"version": b["version"] + 1, "lines": quote_lines(rfq, ("18", "3.0"), (14, 7))},
        headers=m.beta.headers,
    )
    assert stale.status_code == 409
    revised = ok(
        client.put(
            f"{url}/{b['id']}",
            json={"version": b["version"], "lines": quote_lines(rfq, ("18", "3.0"), (14, 7))},
            headers=m.beta.headers,
        )
    )
    assert revised["revision"] == 2
    assert [r["lines"][1]["unit_price"] for r in revised["revisions"]] == ["3.5", "3"]
    # competitors never see each other's quotes
    assert client.get(f"{url}/{a['id']}", headers=m.beta.headers).status_code == 404
    assert client.get(f"{url}/{b['id']}", headers=m.alpha.headers).status_code == 404
    mine = client.get(url, headers=m.alpha.headers).json()
    assert [q["enterprise_id"] for q in mine] == [m.alpha.id]
    assert len(client.get(url, headers=m.buyer.headers).json()) == 2
    # the comparison prices the RFQ quantity after price breaks (100 ≥ 50: one yuan off)
    assert (
        client.get(f"/api/v1/rfqs/{rfq['id']}/comparison", headers=m.alpha.headers).status_code
        == 403
    )
    cmp = ok(client.get(f"/api/v1/rfqs/{rfq['id']}/comparison", headers=m.buyer.headers))
    motor, gear = cmp["lines"]
    by_supplier = {q["supplier_enterprise_id"]: q for q in motor["quotes"]}
    assert (
        by_supplier[m.alpha.id]["unit_price"] == "19"
        and by_supplier[m.beta.id]["unit_price"] == "17"
    )
    assert by_supplier[m.beta.id]["amount"] == "1700" and by_supplier[m.beta.id]["revision"] == 2
    assert by_supplier[m.alpha.id]["scorecard"]["on_time_in_full_pct"] is None
    assert motor["lowest_price_supplier_id"] == m.beta.id
    assert motor["shortest_lead_time_supplier_id"] == m.alpha.id
    assert gear["lowest_price_supplier_id"] == m.beta.id
    # split award: motor 60 to beta + 40 to alpha, gear all to beta → two purchase orders
    over = client.post(
        f"/api/v1/rfqs/{rfq['id']}/award",
        json={
            "version": rfq["version"],
            "ship_to_site_id": m.site_id,
            "allocations": [
                {
                    "rfq_line_id": rfq["lines"][0]["id"],
                    "supplier_enterprise_id": m.beta.id,
                    "quantity": "80",
                },
                {
                    "rfq_line_id": rfq["lines"][0]["id"],
                    "supplier_enterprise_id": m.alpha.id,
                    "quantity": "40",
                },
            ],
        },
        headers=m.buyer.headers,
    )
    assert over.status_code == 422 and over.json()["errors"][0]["field"] == "allocations.1.quantity"
    assert ok(client.get("/api/v1/purchase-orders", headers=m.buyer.headers))["total"] == 0
    award = ok(
        client.post(
            f"/api/v1/rfqs/{rfq['id']}/award",
            json={
                "version": rfq["version"],
                "ship_to_site_id": m.site_id,
                "allocations": [
                    {
                        "rfq_line_id": rfq["lines"][0]["id"],
                        "supplier_enterprise_id": m.beta.id,
                        "quantity": "60",
                    },
                    {
                        "rfq_line_id": rfq["lines"][0]["id"],
                        "supplier_enterprise_id": m.alpha.id,
                        "quantity": "40",
                    },
                    {
                        "rfq_line_id": rfq["lines"][1]["id"],
                        "supplier_enterprise_id": m.beta.id,
                        "quantity": "500",
                    },
                ],
            },
            headers=m.buyer.headers,
        )
    )
    assert award["rfq"]["status"] == "awarded"
    pos = {p["supplier_enterprise_id"]: p for p in award["purchase_orders"]}
    assert set(pos) == {m.alpha.id, m.beta.id}
    assert all(p["status"] == "released" for p in pos.values())
    beta_po = ok(
        client.get(f"/api/v1/purchase-orders/{pos[m.beta.id]['order_id']}", headers=m.beta.headers)
    )
    # beta's price at 60 motors is its revised break price; gear at the base price
    assert [(line["quantity"], line["unit_price"]) for line in beta_po["lines"]] == [
        ("60", "17"),
        ("500", "3"),
    ]
    assert beta_po["status"] == "released" and beta_po["lines"][0]["answer"]["status"] == "open"
    alpha_po = ok(
        client.get(f"/api/v1/orders/{pos[m.alpha.id]['order_id']}", headers=m.buyer.headers)
    )
    # alpha's 40 motors are below its 50-piece break: base price
    assert alpha_po["lines"][0]["unit_price"] == "20" and alpha_po["ship_to_site_id"] == m.site_id
    # the buyer's stock now expects what was awarded
    summary = ok(
        client.get("/api/v1/stock/summary", headers=m.buyer.headers, params={"site_id": m.site_id})
    )
    assert sorted(r["on_order"] for r in summary["items"]) == ["100", "500"]
    # the awarded supplier cannot see the other's order
    assert (
        client.get(
            f"/api/v1/purchase-orders/{pos[m.alpha.id]['order_id']}", headers=m.beta.headers
        ).status_code
        == 404
    )
    # once awarded: no more quotes, and no second award
    late = client.put(
        f"{url}/{a['id']}",
        json={"version": a["version"], "lines": quote_lines(rfq, ("1", "1"), (1, 1))},
        headers=m.alpha.headers,
    )
    assert late.status_code == 409
    again = client.post(
        f"/api/v1/rfqs/{rfq['id']}/award",
        json={
            "version": award["rfq"]["version"],
            "ship_to_site_id": m.site_id,
            "allocations": [
                {
                    "rfq_line_id": rfq["lines"][0]["id"],
                    "supplier_enterprise_id": m.alpha.id,
                    "quantity": "1",
                }
            ],
        },
        headers=m.buyer.headers,
    )
    assert again.status_code == 409
    assert again.json()["current_state"] == "awarded" and again.json()["allowed_transitions"] == []
    invitations = ok(client.get(f"/api/v1/rfqs/{rfq['id']}", headers=m.buyer.headers))[
        "invitations"
    ]
    assert {i["status"] for i in invitations} == {"awarded"}


def test_quotes_stop_at_the_deadline_and_only_the_buyer_cancels(
    db: Database, client: TestClient
) -> None:
    m = build_market(db, client)
    rfq = issue_rfq(client, m)
    with db.system() as uow:  # time passes: the deadline is behind us
        past = datetime.now(UTC) - timedelta(minutes=1)
        uow.session.execute(update(Rfq).where(Rfq.id == rfq["id"]).values(deadline=past))
        uow.commit()
    r = client.post(
        f"/api/v1/rfqs/{rfq['id']}/quotes",
        json={"lines": quote_lines(rfq, ("20", "3.2"), (10, 5))},
        headers=m.alpha.headers,
    )
    assert r.status_code == 409 and "closed for quotes" in r.json()["detail"]
    assert (
        ok(client.get(f"/api/v1/rfqs/{rfq['id']}", headers=m.alpha.headers))["quoting_open"]
        is False
    )
    url = f"/api/v1/rfqs/{rfq['id']}/cancel"
    assert client.post(url, headers=m.alpha.headers).status_code == 403
    done = ok(client.post(url, headers=m.buyer.headers))
    assert done["status"] == "cancelled" and {i["status"] for i in done["invitations"]} == {
        "cancelled"
    }
    again = client.post(url, headers=m.buyer.headers)
    assert again.status_code == 409 and again.json()["current_state"] == "cancelled"
    assert again.json()["allowed_transitions"] == []
