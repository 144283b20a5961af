"""Cancelling single purchase-order lines: refused lines on confirmation, unanswered lines by
the buyer alone, accepted lines only through a change order the supplier signs (both backends).

Each cancellation must take the line's unshipped quantity off the buyer's on-order stock.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from supplymesh.platform.uow import Database
from tests.collab.test_purchase_orders import PO, _answer, _on_order
from tests.collab.test_rfq import Market, ok, quoted_and_awarded


def _beta_order(db: Database, client: TestClient) -> tuple[Market, dict[str, Any]]:
    m, _rfq, award = quoted_and_awarded(db, client)
    beta_id = next(
        p["order_id"] for p in award["purchase_orders"] if p["supplier_enterprise_id"] == m.beta.id
    )
    return m, ok(client.get(f"{PO}/{beta_id}", headers=m.beta.headers))


def test_confirming_drops_the_lines_the_supplier_refused(db: Database, client: TestClient) -> None:
    m, po = _beta_order(db, client)
    motor, gear = po["lines"]
    before = _on_order(client, m)
    po = ok(_answer(client, m.beta.headers, po, 1, action="reject", reason="停产"))
    po = ok(_answer(client, m.beta.headers, po, 0, action="accept"))
    assert po["status"] == "acknowledged"
    po = ok(
        client.post(
            f"{PO}/{po['id']}/confirm",
            json={"version": po["acknowledgement_version"]},
            headers=m.buyer.headers,
        )
    )
    assert (po["status"], po["order_status"]) == ("confirmed", "confirmed")
    dropped = po["lines"][1]
    assert dropped["answer"]["status"] == "cancelled"
    assert (dropped["quantity"], dropped["cancelled_quantity"]) == ("0", gear["quantity"])
    assert po["lines"][0]["quantity"] == motor["quantity"]
    after = _on_order(client, m)
    gear_item = gear["item_id"]
    assert float(after.get(gear_item, "0")) == float(before[gear_item]) - float(gear["quantity"])
    assert after[motor["item_id"]] == before[motor["item_id"]]
    # the timeline shows the refusal and the cancellation with who did each
    entries = ok(client.get(f"/api/v1/orders/{po['id']}/timeline", headers=m.beta.headers))
    steps = [
        (e["document_kind"], e["to_state"], e["actor_enterprise_code"]) for e in entries["entries"]
    ]
    assert ("po_line", "rejected", "BETA") in steps and ("po_line", "cancelled", "BUYER") in steps


def test_buyer_cancels_unanswered_lines_alone_and_accepted_ones_with_sign_off(
    db: Database, client: TestClient
) -> None:
    m, po = _beta_order(db, client)
    motor, gear = po["lines"]
    before = _on_order(client, m)
    url = f"{PO}/{po['id']}/lines/{gear['id']}/cancel"
    body = {"version": gear["answer"]["version"], "reason": "需求变更"}
    assert client.post(url, json=body, headers=m.beta.headers).status_code == 403
    assert client.post(url, json=body, headers=m.gamma.headers).status_code == 404
    stale = client.post(url, json={"version": 9}, headers=m.buyer.headers)
    assert stale.status_code == 409
    po = ok(client.post(url, json=body, headers=m.buyer.headers))
    assert po["lines"][1]["answer"]["status"] == "cancelled"
    assert po["lines"][1]["cancelled_quantity"] == gear["quantity"]
    again = client.post(url, json={}, headers=m.buyer.headers)
    assert again.status_code == 409 and again.json()["current_state"] == "cancelled"
    # the remaining line accepted: the cancelled one does not hold the order back
    po = ok(_answer(client, m.beta.headers, po, 0, action="accept"))
    assert (po["status"], po["order_status"]) == ("confirmed", "confirmed")
    # an accepted line cannot be dropped alone ...
    direct = client.post(
        f"{PO}/{po['id']}/lines/{motor['id']}/cancel", json={}, headers=m.buyer.headers
    )
    assert direct.status_code == 409 and direct.json()["current_state"] == "accepted"
    # ... only by a change order the supplier accepts; the last live line takes the order with it
    cancel = {"kind": "cancel", "order_line_id": motor["id"], "version": po["version"]}
    po = ok(
        client.post(f"{PO}/{po['id']}/change-orders", json=cancel, headers=m.buyer.headers), 201
    )
    assert po["lines"][0]["answer"]["status"] == "accepted"  # nothing changes before sign-off
    change = po["change_orders"][0]
    po = ok(
        client.post(
            f"{PO}/{po['id']}/change-orders/{change['id']}/accept",
            json={"version": change["version"]},
            headers=m.beta.headers,
        )
    )
    assert po["lines"][0]["answer"]["status"] == "cancelled"
    assert (po["status"], po["order_status"]) == ("cancelled", "cancelled")
    after = _on_order(client, m)
    for line in (motor, gear):
        item = line["item_id"]
        assert float(after.get(item, "0")) == float(before[item]) - float(line["quantity"])
