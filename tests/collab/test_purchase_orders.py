"""Purchase orders from an award, answered line by line, changed and cancelled with sign-off.

Buyer and suppliers are logged in as themselves; each move is checked for its side (403),
its state machine (409 with the allowed moves), its version (409), tenancy (404), the stock
it expects, the webhooks it sends both sides, and the order's timeline.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from supplymesh.collab import webhooks
from supplymesh.collab.adapters.http import post
from supplymesh.platform.settings import Settings
from supplymesh.platform.uow import Database
from tests.collab.test_rfq import Market, ok, quoted_and_awarded
from tests.collab.test_webhooks import Receiver, receiver  # noqa: F401  (fixture)

PO = "/api/v1/purchase-orders"


def _on_order(client: TestClient, m: Market) -> dict[int, str]:
    rows = ok(
        client.get("/api/v1/stock/summary", headers=m.buyer.headers, params={"site_id": m.site_id})
    )["items"]
    return {int(r["item_id"]): str(r["on_order"]) for r in rows}


def _answer(
    client: TestClient, headers: dict[str, str], po: dict[str, Any], index: int, **body: Any
) -> Any:
    line = po["lines"][index]
    body.setdefault("version", line["answer"]["version"])
    return client.post(f"{PO}/{po['id']}/lines/{line['id']}/answer", json=body, headers=headers)


def _answer_lines(client: TestClient, m: Market, po: dict[str, Any]) -> dict[str, Any]:
    """Beta proposes fewer motors later, accepts the gears; the buyer accepts the proposal."""
    motor, gear = po["lines"]
    # the buyer cannot answer for the supplier; the supplier cannot decide its own proposal
    assert _answer(client, m.buyer.headers, po, 0, action="accept").status_code == 403
    stale = _answer(client, m.beta.headers, po, 0, action="accept", version=7)
    assert stale.status_code == 409
    no_reason = _answer(client, m.beta.headers, po, 0, action="reject")
    assert no_reason.status_code == 422
    po = ok(
        _answer(
            client,
            m.beta.headers,
            po,
            0,
            action="propose",
            quantity="50",
            requested_date="2027-01-25",
            reason="模具检修，产能不足",
        )
    )
    assert po["status"] == "partially_acknowledged"
    assert po["lines"][0]["answer"]["status"] == "proposed"
    assert po["lines"][0]["answer"]["proposed_quantity"] == "50"
    po = ok(_answer(client, m.beta.headers, po, 1, action="accept"))
    assert po["status"] == "changes_proposed" and po["order_status"] == "released"
    # answering an answered line again is an illegal move: 409 with what is allowed
    again = _answer(client, m.beta.headers, po, 1, action="reject", reason="x")
    assert again.status_code == 409
    assert again.json()["current_state"] == "accepted"
    assert again.json()["allowed_transitions"] == ["cancelled"]  # by a signed change order
    decide = f"{PO}/{po['id']}/lines/{motor['id']}/proposal"
    version = po["lines"][0]["answer"]["version"]
    assert (
        client.post(f"{decide}/accept", json={"version": version}, headers=m.beta.headers)
    ).status_code == 403
    po = ok(client.post(f"{decide}/accept", json={"version": version}, headers=m.buyer.headers))
    assert po["status"] == "confirmed" and po["order_status"] == "confirmed"
    line = po["lines"][0]
    assert (line["quantity"], line["requested_date"]) == ("50", "2027-01-25")
    assert line["version"] == motor["version"] + 1  # the accepted proposal changed the line
    assert po["lines"][1]["quantity"] == gear["quantity"]
    return po


def _change_gear_quantity(client: TestClient, m: Market, po: dict[str, Any]) -> dict[str, Any]:
    gear = po["lines"][1]
    body = {"kind": "change", "order_line_id": gear["id"], "quantity": "450", "version": 1}
    assert (
        client.post(
            f"{PO}/{po['id']}/change-orders", json=body, headers=m.buyer.headers
        ).status_code
        == 409
    )
    body["version"] = po["version"]
    assert (
        client.post(f"{PO}/{po['id']}/change-orders", json=body, headers=m.beta.headers).status_code
        == 403
    )
    po = ok(client.post(f"{PO}/{po['id']}/change-orders", json=body, headers=m.buyer.headers), 201)
    change = po["change_orders"][0]
    assert change["status"] == "requested" and po["lines"][1]["quantity"] == "500"
    url = f"{PO}/{po['id']}/change-orders/{change['id']}"
    assert client.post(f"{url}/accept", json={}, headers=m.buyer.headers).status_code == 403
    po = ok(
        client.post(f"{url}/accept", json={"version": change["version"]}, headers=m.beta.headers)
    )
    assert po["change_orders"][0]["status"] == "accepted" and po["lines"][1]["quantity"] == "450"
    late = client.post(f"{url}/withdraw", json={}, headers=m.buyer.headers)
    assert late.status_code == 409 and late.json()["current_state"] == "accepted"
    return po


def _reject_then_confirm(client: TestClient, m: Market, order_id: int) -> None:
    """A refused proposal reopens the line, which the supplier then accepts."""
    po = ok(client.get(f"{PO}/{order_id}", headers=m.alpha.headers))
    po = ok(_answer(client, m.alpha.headers, po, 0, action="propose", unit_price="21"))
    assert po["status"] == "changes_proposed"
    line = po["lines"][0]
    url = f"{PO}/{order_id}/lines/{line['id']}/proposal/reject"
    po = ok(client.post(url, json={"reason": "价格不变"}, headers=m.buyer.headers))
    assert po["status"] == "partially_acknowledged"
    assert (po["lines"][0]["answer"]["status"], po["lines"][0]["unit_price"]) == ("open", "20")
    early = client.post(f"{PO}/{order_id}/confirm", headers=m.buyer.headers)
    assert early.status_code == 409 and early.json()["current_state"] == "partially_acknowledged"
    po = ok(_answer(client, m.alpha.headers, po, 0, action="accept"))
    assert (po["status"], po["order_status"]) == ("confirmed", "confirmed")


def _plan_shipment(client: TestClient, m: Market, order_id: int) -> None:
    """Beta shares its warehouse; the buyer plans the confirmed order's shipment from it."""
    site = ok(
        client.post(
            "/api/v1/sites",
            json={"code": "BETA-WH", "name": "乙仓", "kind": "warehouse"},
            headers=m.beta.headers,
        ),
        201,
    )
    grant = {"partner_enterprise_id": m.buyer.id, "kind": "site", "resource_id": site["id"]}
    ok(client.post("/api/v1/sharing-grants", json=grant, headers=m.beta.headers), 201)
    body = {"order_id": order_id, "from_site_id": site["id"]}
    ok(client.post("/api/v1/shipments", json=body, headers=m.buyer.headers), 201)


def test_purchase_orders_answered_changed_and_cancelled(
    db: Database,
    client: TestClient,
    settings: Settings,
    receiver: Receiver,  # noqa: F811
) -> None:
    m, _rfq, award = quoted_and_awarded(db, client)
    for tenant in (m.buyer, m.beta):
        r = client.post(
            "/api/v1/webhooks",
            json={"url": receiver.url, "event_types": ["PoLineStatusChanged"]},
            headers=tenant.headers,
        )
        assert r.status_code == 201, r.text
    pos = {p["supplier_enterprise_id"]: p["order_id"] for p in award["purchase_orders"]}
    beta_id, alpha_id = pos[m.beta.id], pos[m.alpha.id]
    # outsiders see nothing of either order, its answers or its timeline
    for path in (f"{PO}/{beta_id}", f"/api/v1/orders/{beta_id}/timeline"):
        assert client.get(path, headers=m.gamma.headers).status_code == 404
        assert client.get(path, headers=m.alpha.headers).status_code == 404
    inbox = ok(client.get(PO, headers=m.beta.headers, params={"status": "released"}))
    assert [p["id"] for p in inbox["items"]] == [beta_id]
    po = ok(client.get(f"{PO}/{beta_id}", headers=m.beta.headers))
    motor_item, gear_item = (line["item_id"] for line in po["lines"])
    po = _answer_lines(client, m, po)
    assert _on_order(client, m)[motor_item] == "90"  # 40 from alpha + 50 agreed with beta
    po = _change_gear_quantity(client, m, po)
    assert _on_order(client, m)[gear_item] == "450"
    _plan_shipment(client, m, beta_id)

    _reject_then_confirm(client, m, alpha_id)
    # alpha's order: cancelling needs alpha's sign-off; a rejected request changes nothing
    alpha_po = ok(client.get(f"{PO}/{alpha_id}", headers=m.buyer.headers))
    cancel = {"kind": "cancel", "version": alpha_po["version"], "note": "需求取消"}
    alpha_po = ok(
        client.post(f"{PO}/{alpha_id}/change-orders", json=cancel, headers=m.buyer.headers), 201
    )
    first = alpha_po["change_orders"][0]
    busy = client.post(f"{PO}/{alpha_id}/change-orders", json=cancel, headers=m.buyer.headers)
    assert busy.status_code == 409
    alpha_po = ok(
        client.post(
            f"{PO}/{alpha_id}/change-orders/{first['id']}/reject",
            json={"reason": "已投料"},
            headers=m.alpha.headers,
        )
    )
    assert (
        alpha_po["order_status"] == "confirmed"
        and alpha_po["change_orders"][0]["reason"] == "已投料"
    )
    alpha_po = ok(
        client.post(f"{PO}/{alpha_id}/change-orders", json=cancel, headers=m.buyer.headers), 201
    )
    second = alpha_po["change_orders"][1]
    alpha_po = ok(
        client.post(f"{PO}/{alpha_id}/change-orders/{second['id']}/accept", headers=m.alpha.headers)
    )
    assert (alpha_po["order_status"], alpha_po["status"]) == ("cancelled", "cancelled")
    assert _on_order(client, m)[motor_item] == "50"
    dead = _answer(client, m.alpha.headers, alpha_po, 0, action="accept")
    assert dead.status_code == 409 and dead.json()["current_state"] == "cancelled"

    # every line move reached the webhooks of both sides
    webhooks.deliver_due(db.factory, settings.signing_key(), post)
    seen = {(b["enterprise_id"], b["data"]["to"]) for b in receiver.bodies()}
    for tenant in (m.buyer, m.beta):
        assert {(tenant.id, "proposed"), (tenant.id, "accepted")} <= seen

    # the timeline: RFQ, quote revisions, award, answers, change order — each with its actor
    for viewer in (m.buyer, m.beta):
        entries = ok(client.get(f"/api/v1/orders/{beta_id}/timeline", headers=viewer.headers))[
            "entries"
        ]
        steps = [(e["document_kind"], e["to_state"], e["actor_enterprise_code"]) for e in entries]
        assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
        expected = [
            ("rfq_invitation", "invited", "BUYER"),
            ("quote", "submitted", "BETA"),
            ("quote", "submitted", "BETA"),
            ("order", "draft", "BUYER"),
            ("order", "released", "BUYER"),
            ("purchase_order", "released", "BUYER"),
            ("rfq_invitation", "awarded", "BUYER"),
            ("po_line", "proposed", "BETA"),
            ("purchase_order", "partially_acknowledged", "BETA"),
            ("po_line", "accepted", "BETA"),
            ("purchase_order", "changes_proposed", "BETA"),
            ("po_line", "accepted", "BUYER"),
            ("purchase_order", "confirmed", "BUYER"),
            ("order", "confirmed", "BUYER"),
            ("change_order", "requested", "BUYER"),
            ("change_order", "accepted", "BETA"),
            ("shipment", "planned", "BUYER"),
        ]
        assert [s for s in steps if s[0] != "rfq"] == expected
        assert all(e["actor_username"] for e in entries)
        proposal = next(e for e in entries if e["to_state"] == "proposed")
        assert (
            proposal["actor_username"] == "beta.admin" and proposal["note"] == "模具检修，产能不足"
        )
    buyer_only = ok(client.get(f"/api/v1/orders/{beta_id}/timeline", headers=m.buyer.headers))
    assert [e["to_state"] for e in buyer_only["entries"] if e["document_kind"] == "rfq"] == [
        "open",
        "awarded",
    ]
