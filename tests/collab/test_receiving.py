"""A confirmed purchase order delivered in two ship notices, received, inspected and returned.

Buyer and supplier are logged in as themselves; stock is asserted at the buyer's plant and at
the supplier's warehouse after every step (quarantine, available, blocked/returned, on order).
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from supplymesh.inventory.model import Lot
from supplymesh.network.model import Item
from supplymesh.platform.events import OutboxEvent
from supplymesh.platform.uow import Database
from tests.api.helpers import Tenant
from tests.collab.test_rfq import Market, ok, quoted_and_awarded

PO = "/api/v1/purchase-orders"


def stock(client: TestClient, tenant: Tenant, site_id: int) -> dict[tuple[int, str], str]:
    """On hand per item and status at one site, zero rows left out."""
    rows = ok(
        client.get(
            "/api/v1/stock/summary",
            headers=tenant.headers,
            params={"site_id": site_id, "by_status": "true"},
        )
    )["items"]
    return {(int(r["item_id"]), r["status"]): r["on_hand"] for r in rows if r["on_hand"] != "0"}


def on_order(client: TestClient, m: Market) -> dict[int, str]:
    rows = ok(
        client.get("/api/v1/stock/summary", headers=m.buyer.headers, params={"site_id": m.site_id})
    )["items"]
    return {int(r["item_id"]): r["on_order"] for r in rows}


def confirmed_order(db: Database, client: TestClient) -> tuple[Market, dict[str, Any]]:
    """Beta's order from the split award (60 motors at 17, 500 gears at 3), accepted in full."""
    m, _rfq, award = quoted_and_awarded(db, client)
    order_id = next(
        p["order_id"] for p in award["purchase_orders"] if p["supplier_enterprise_id"] == m.beta.id
    )
    po = ok(client.get(f"{PO}/{order_id}", headers=m.beta.headers))
    for line in po["lines"]:
        url = f"{PO}/{order_id}/lines/{line['id']}/answer"
        po = ok(client.post(url, json={"action": "accept"}, headers=m.beta.headers))
    assert po["order_status"] == "confirmed"
    return m, po


def beta_warehouse(client: TestClient, m: Market) -> tuple[int, int]:
    """Beta keeps its motors on the platform: a warehouse with 100 of its own part."""
    h = m.beta.headers
    site = ok(
        client.post(
            "/api/v1/sites",
            json={"code": "BETA-WH", "name": "乙仓", "kind": "warehouse"},
            headers=h,
        ),
        201,
    )
    item = ok(
        client.post("/api/v1/items", json={"sku": "B-MOTOR", "name": "电机（乙）"}, headers=h), 201
    )
    receipt = {"site_id": site["id"], "item_id": item["id"], "lot": "L1", "quantity": "100"}
    ok(client.post("/api/v1/stock/receipts", json=receipt, headers=h), 201)
    return int(site["id"]), int(item["id"])


def test_ship_receive_inspect_return_and_stock_in(db: Database, client: TestClient) -> None:
    m, po = confirmed_order(db, client)
    order_id = po["id"]
    motor, gear = po["lines"]
    motor_item, gear_item = motor["item_id"], gear["item_id"]
    wh, beta_motor = beta_warehouse(client, m)
    assert on_order(client, m) == {motor_item: "100", gear_item: "500"}  # incl. alpha's 40

    # over-delivery beyond +5 % is refused, naming the line; the buyer may not ship
    asn = {
        "order_id": order_id,
        "ship_date": "2027-01-10",
        "expected_arrival": "2027-01-12",
        "from_site_id": wh,
        "lines": [
            {
                "order_line_id": motor["id"],
                "quantity": "64",
                "lot": "L1",
                "supplier_item_id": beta_motor,
            }
        ],
    }
    over = client.post("/api/v1/ship-notices", json=asn, headers=m.beta.headers)
    assert over.status_code == 422
    assert "line 1" in over.json()["errors"][0]["message"]
    assert "at most 63" in over.json()["errors"][0]["message"]
    assert client.post("/api/v1/ship-notices", json=asn, headers=m.buyer.headers).status_code == 403
    # this order may fall 10 % short (buyer's setting); the supplier may not set it
    tol = {"supplier_enterprise_id": m.beta.id, "order_id": order_id, "over_pct": "5"}
    tol["under_pct"] = "10"
    bad = client.put("/api/v1/receiving-tolerances", json=tol, headers=m.beta.headers)
    assert bad.status_code == 403
    ok(client.put("/api/v1/receiving-tolerances", json=tol, headers=m.buyer.headers))
    stranger = client.put(
        "/api/v1/receiving-tolerances",
        json={**tol, "supplier_enterprise_id": 987654, "order_id": None},
        headers=m.buyer.headers,
    )
    assert stranger.status_code == 404
    seen = ok(client.get("/api/v1/receiving-tolerances", headers=m.beta.headers))
    assert [(t["order_id"], t["under_pct"]) for t in seen] == [(order_id, "10")]
    assert ok(client.get("/api/v1/receiving-tolerances", headers=m.alpha.headers)) == []

    # the buyer tracks gears by lot: a gear line without one is refused
    with db.system() as uow:
        uow.session.execute(update(Item).where(Item.id == gear_item).values(lot_controlled=True))
        uow.commit()
    no_lot = {**asn, "lines": [{"order_line_id": gear["id"], "quantity": "10"}]}
    refused = client.post("/api/v1/ship-notices", json=no_lot, headers=m.beta.headers)
    assert refused.status_code == 422 and "line 2 needs a lot" in refused.text

    # first ASN: 40 motors out of beta's stock, 300 gears (beta keeps no gear stock here)
    asn["lines"][0]["quantity"] = "40"
    gear_lot = {"lot": "G1", "expires_on": "2028-01-01"}
    asn["lines"].append({"order_line_id": gear["id"], "quantity": "300", **gear_lot})
    first = ok(client.post("/api/v1/ship-notices", json=asn, headers=m.beta.headers), 201)
    assert first["status"] == "shipped" and first["allowed_transitions"] == ["received"]
    assert stock(client, m.beta, wh) == {(beta_motor, "available"): "60"}
    assert ok(client.get(f"{PO}/{order_id}", headers=m.buyer.headers))["order_status"] == (
        "partially_shipped"
    )
    # outsiders and the other supplier see nothing
    for outsider in (m.gamma, m.alpha):
        seen = client.get(f"/api/v1/ship-notices/{first['id']}", headers=outsider.headers)
        assert seen.status_code == 404
        assert ok(client.get("/api/v1/ship-notices", headers=outsider.headers)) == []

    # receiving with a shortfall: 38 motors arrived of 40 shipped, into quarantine
    motor_asn, _gear_asn = first["lines"]
    body = {
        "ship_notice_id": first["id"],
        "version": first["version"],
        "received_on": "2027-01-12",
        "lines": [{"ship_notice_line_id": motor_asn["id"], "quantity": "38"}],
    }
    assert (
        client.post("/api/v1/receiving-notices", json=body, headers=m.beta.headers).status_code
        == 403
    )
    stale = client.post(
        "/api/v1/receiving-notices", json={**body, "version": 9}, headers=m.buyer.headers
    )
    assert stale.status_code == 409
    rn = ok(client.post("/api/v1/receiving-notices", json=body, headers=m.buyer.headers), 201)
    assert [(line["received_quantity"], line["difference"]) for line in rn["lines"]] == [
        ("38", "-2"),
        ("300", "0"),
    ]
    assert rn["status"] == "received" and rn["order_status"] == "partially_shipped"
    assert rn["receipt_status"] == "partially_received"
    assert stock(client, m.buyer, m.site_id) == {
        (motor_item, "qc_hold"): "38",
        (gear_item, "qc_hold"): "300",
    }
    assert on_order(client, m) == {motor_item: "62", gear_item: "200"}
    with db.system() as uow:  # the buyer now tracks lot G1 with the expiry beta gave
        lot = uow.session.scalar(select(Lot).where(Lot.code == "G1", Lot.item_id == gear_item))
        assert lot is not None and lot.enterprise_id == m.buyer.id
        assert lot.expires_on is not None and lot.expires_on.isoformat() == "2028-01-01"
    again = client.post(
        "/api/v1/receiving-notices",
        json={**body, "version": None},
        headers=m.buyer.headers,
    )
    assert again.status_code == 409
    assert (again.json()["current_state"], again.json()["allowed_transitions"]) == ("received", [])

    # QC: 3 motors rejected → blocked, a return and a stock-in notice; the gears all pass
    motor_rl, gear_rl = rn["lines"]
    qc = {
        "receiving_line_id": motor_rl["id"],
        "accepted_quantity": "35",
        "rejected_quantity": "3",
        "reason": "外壳破损",
    }
    assert client.post("/api/v1/qc-inspections", json=qc, headers=m.beta.headers).status_code == 403
    wrong_sum = client.post(
        "/api/v1/qc-inspections", json={**qc, "accepted_quantity": "36"}, headers=m.buyer.headers
    )
    assert wrong_sum.status_code == 422
    inspected = ok(client.post("/api/v1/qc-inspections", json=qc, headers=m.buyer.headers), 201)
    assert inspected["return_id"] and inspected["stock_in_notice_id"]
    twice = client.post("/api/v1/qc-inspections", json=qc, headers=m.buyer.headers)
    assert twice.status_code == 409 and twice.json()["current_state"] == "inspected"
    assert stock(client, m.buyer, m.site_id) == {
        (motor_item, "available"): "35",
        (motor_item, "blocked"): "3",
        (gear_item, "qc_hold"): "300",
    }
    rn = ok(client.get(f"/api/v1/receiving-notices/{rn['id']}", headers=m.beta.headers))
    assert rn["status"] == "partially_inspected"
    gear_qc = {"receiving_line_id": gear_rl["id"], "accepted_quantity": "300"}
    gear_qc["rejected_quantity"] = "0"
    gear_done = ok(
        client.post("/api/v1/qc-inspections", json=gear_qc, headers=m.buyer.headers), 201
    )
    assert gear_done["return_id"] is None
    rn = ok(client.get(f"/api/v1/receiving-notices/{rn['id']}", headers=m.buyer.headers))
    assert rn["status"] == "inspected" and rn["allowed_transitions"] == []

    # the return: the buyer ships it out of blocked stock, beta takes it back into its own
    url = f"/api/v1/returns/{inspected['return_id']}"
    returned = ok(client.get(url, headers=m.beta.headers))
    assert (returned["status"], returned["quantity"], returned["allowed_moves"]) == (
        "created",
        "3",
        ["ship"],
    )
    assert client.get(url, headers=m.gamma.headers).status_code == 404
    assert client.post(f"{url}/ship", headers=m.beta.headers).status_code == 403
    early = client.post(f"{url}/receive", headers=m.beta.headers)
    assert early.status_code == 409 and early.json()["allowed_transitions"] == ["shipped"]
    stale_ship = client.post(f"{url}/ship", json={"version": 99}, headers=m.buyer.headers)
    assert stale_ship.status_code == 409
    returned = ok(
        client.post(f"{url}/ship", json={"version": returned["version"]}, headers=m.buyer.headers)
    )
    assert returned["status"] == "shipped"
    assert stock(client, m.buyer, m.site_id) == {
        (motor_item, "available"): "35",
        (gear_item, "available"): "300",
    }
    returned = ok(client.post(f"{url}/receive", headers=m.beta.headers))
    assert returned["status"] == "received" and returned["allowed_moves"] == []
    assert stock(client, m.beta, wh) == {
        (beta_motor, "available"): "60",
        (beta_motor, "blocked"): "3",
    }

    # stock-in notices reach beta, which acknowledges them
    notices = ok(
        client.get(
            "/api/v1/stock-in-notices", headers=m.beta.headers, params={"order_id": order_id}
        )
    )
    assert [(n["accepted_quantity"], n["rejected_quantity"]) for n in notices] == [
        ("35", "3"),
        ("300", "0"),
    ]
    assert notices[0]["return_id"] == inspected["return_id"]
    ack_url = f"/api/v1/stock-in-notices/{notices[0]['id']}/acknowledge"
    assert client.post(ack_url, headers=m.buyer.headers).status_code == 403
    assert ok(client.post(ack_url, headers=m.beta.headers))["status"] == "acknowledged"
    assert client.post(ack_url, headers=m.beta.headers).status_code == 409

    # second ASN: 18 motors (58 of 60, within −10 %) and 160 gears close the order
    second_body = {
        "order_id": order_id,
        "ship_date": "2027-01-18",
        "lines": [
            {"order_line_id": motor["id"], "quantity": "18", "lot": "L2"},
            {"order_line_id": gear["id"], "quantity": "160", "lot": "G2"},
        ],
    }
    second = ok(client.post("/api/v1/ship-notices", json=second_body, headers=m.beta.headers), 201)
    assert ok(client.get(f"{PO}/{order_id}", headers=m.buyer.headers))["order_status"] == "shipped"
    # 70 more gears than shipped would make 530 received, over 500 + 5 %: refused
    too_many = {
        "ship_notice_id": second["id"],
        "lines": [{"ship_notice_line_id": second["lines"][1]["id"], "quantity": "230"}],
    }
    over_receipt = client.post("/api/v1/receiving-notices", json=too_many, headers=m.buyer.headers)
    assert over_receipt.status_code == 422 and "line 2" in over_receipt.text
    rn2 = ok(
        client.post(
            "/api/v1/receiving-notices",
            json={"ship_notice_id": second["id"], "version": second["version"]},
            headers=m.buyer.headers,
        ),
        201,
    )
    assert rn2["receipt_status"] == "received"
    # 38 + 18 = 56 motors ≥ 54: the line closes short, nothing stays on order
    assert rn2["order_status"] == "received"
    assert on_order(client, m) == {motor_item: "40", gear_item: "0"}  # alpha's 40 remain
    assert stock(client, m.buyer, m.site_id) == {
        (motor_item, "available"): "35",
        (motor_item, "qc_hold"): "18",
        (gear_item, "available"): "300",
        (gear_item, "qc_hold"): "160",
    }
    assert (
        client.post("/api/v1/ship-notices", json=second_body, headers=m.beta.headers).status_code
        == 409
    )

    # every move is on the order's timeline, with the side that made it
    entries = ok(client.get(f"/api/v1/orders/{order_id}/timeline", headers=m.beta.headers))[
        "entries"
    ]
    steps = {(e["document_kind"], e["to_state"], e["actor_enterprise_code"]) for e in entries}
    assert {
        ("ship_notice", "shipped", "BETA"),
        ("ship_notice", "received", "BUYER"),
        ("order", "partially_shipped", "BETA"),
        ("receiving_notice", "received", "BUYER"),
        ("qc_inspection", "completed", "BUYER"),
        ("return", "shipped", "BUYER"),
        ("return", "received", "BETA"),
        ("stock_in_notice", "acknowledged", "BETA"),
        ("order", "received", "BUYER"),
    } <= steps

    # each move was published for both parties (webhooks read the outbox)
    with db.system() as uow:
        published = {
            (e.type, e.partner_enterprise_id)
            for e in uow.session.scalars(
                select(OutboxEvent).where(OutboxEvent.enterprise_id == m.buyer.id)
            )
        }
    for kind in ("ShipNoticeStatusChanged", "ReturnStatusChanged", "StockInNoticeStatusChanged"):
        assert (kind, m.beta.id) in published
    assert ("ReceivingNoticeCreated", m.beta.id) in published
