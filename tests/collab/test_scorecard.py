"""A supplier's scorecard over a small delivery history, each figure worked out by hand.

Beta's order: 60 motors quoted at 17 (price break), agreed at 17.5 after beta's proposal;
500 gears at 3 as quoted. Motors requested 2027-01-15, gears 2027-01-20.
- ASN 1 received 2027-01-14: 60 motors (QC 57 ok / 3 rejected), 300 gears (all ok);
- ASN 2 received 2027-01-24: 200 gears (190 ok / 10 rejected).
OTIF: motors 60 by 01-15 within 57..63 → yes; gears 300 by 01-20 < 475 → no: 1/2 = 50 %.
Quality: (57 + 300 + 190) / 560 = 97.68 %. Price variance: 0.5·60 / (17·60 + 3·500) =
30 / 2520 = 1.19 %. Response time: release set 30 h before beta's first move → 30 h.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from supplymesh.collab.procurement_model import DocumentTransition
from supplymesh.platform.uow import Database
from tests.collab.test_rfq import Market, issue_rfq, ok, quote_lines, quoted_and_awarded

PO = "/api/v1/purchase-orders"


def _agreed_order(db: Database, client: TestClient) -> tuple[Market, dict[str, Any]]:
    m, _rfq, award = quoted_and_awarded(db, client)
    order_id = next(
        p["order_id"] for p in award["purchase_orders"] if p["supplier_enterprise_id"] == m.beta.id
    )
    po = ok(client.get(f"{PO}/{order_id}", headers=m.beta.headers))
    motor, gear = po["lines"]
    assert (motor["unit_price"], motor["requested_date"]) == ("17", "2027-01-15")
    assert (gear["unit_price"], gear["requested_date"]) == ("3", "2027-01-20")
    answer = f"{PO}/{order_id}/lines"
    body = {"action": "propose", "unit_price": "17.5", "reason": "铜价上涨"}
    ok(client.post(f"{answer}/{motor['id']}/answer", json=body, headers=m.beta.headers))
    ok(
        client.post(
            f"{answer}/{gear['id']}/answer", json={"action": "accept"}, headers=m.beta.headers
        )
    )
    po = ok(client.post(f"{answer}/{motor['id']}/proposal/accept", headers=m.buyer.headers))
    assert po["order_status"] == "confirmed" and po["lines"][0]["unit_price"] == "17.5"
    return m, po


def _deliver(
    client: TestClient, m: Market, order_id: int, lines: list[tuple[int, str]], on: str
) -> dict[str, Any]:
    asn = {
        "order_id": order_id,
        "ship_date": on,
        "lines": [{"order_line_id": i, "quantity": q} for i, q in lines],
    }
    notice = ok(client.post("/api/v1/ship-notices", json=asn, headers=m.beta.headers), 201)
    body = {"ship_notice_id": notice["id"], "received_on": on}
    return ok(client.post("/api/v1/receiving-notices", json=body, headers=m.buyer.headers), 201)


def _inspect(client: TestClient, m: Market, line: dict[str, Any], rejected: str) -> None:
    accepted = Decimal(line["received_quantity"]) - Decimal(rejected)
    body = {
        "receiving_line_id": line["id"],
        "accepted_quantity": str(accepted),
        "rejected_quantity": rejected,
        "reason": "尺寸超差",
    }
    ok(client.post("/api/v1/qc-inspections", json=body, headers=m.buyer.headers), 201)


def _card(client: TestClient, m: Market, supplier: int, **window: str) -> dict[str, Any]:
    url = f"/api/v1/suppliers/{supplier}/scorecard"
    return ok(client.get(url, headers=m.buyer.headers, params=window))


def test_scorecard_figures_and_their_documents(db: Database, client: TestClient) -> None:
    m, po = _agreed_order(db, client)
    order_id = po["id"]
    motor, gear = po["lines"]
    first = _deliver(client, m, order_id, [(motor["id"], "60"), (gear["id"], "300")], "2027-01-14")
    _inspect(client, m, first["lines"][0], "3")
    _inspect(client, m, first["lines"][1], "0")
    second = _deliver(client, m, order_id, [(gear["id"], "200")], "2027-01-24")
    _inspect(client, m, second["lines"][0], "10")
    with db.system() as uow:  # the order was released 30 hours before beta's first answer
        moves = list(
            uow.session.scalars(
                select(DocumentTransition).where(DocumentTransition.order_id == order_id)
            )
        )
        first_answer = min(t.at for t in moves if t.actor_enterprise_id == m.beta.id)
        release = next(t for t in moves if (t.document_kind, t.to_state) == ("order", "released"))
        uow.session.execute(
            update(DocumentTransition)
            .where(DocumentTransition.id == release.id)
            .values(at=first_answer - timedelta(hours=30))
        )
        uow.commit()

    card = _card(client, m, m.beta.id, **{"from": "2026-01-01", "to": "2027-12-31"})
    assert (card["from"], card["to"]) == ("2026-01-01", "2027-12-31")
    otif = card["on_time_in_full"]
    assert (otif["value"], otif["numerator"], otif["denominator"]) == ("50.00", "1", "2")
    by_line = {d["number"]: d["detail"] for d in otif["documents"]}
    assert by_line[f"{po['number']}/1"]["on_time_in_full"] == "true"
    assert by_line[f"{po['number']}/2"]["received_by_requested_date"] == "300"
    assert by_line[f"{po['number']}/2"]["receiving_notices"] == (
        f"{first['number']},{second['number']}"
    )
    quality = card["quality_acceptance"]
    assert (quality["value"], quality["numerator"], quality["denominator"]) == (
        "97.68",
        "547",
        "560",
    )
    assert [d["number"] for d in quality["documents"]] == [first["number"]] * 2 + [second["number"]]
    price = card["price_variance"]
    assert (price["value"], Decimal(price["numerator"]), Decimal(price["denominator"])) == (
        "1.19",
        Decimal(30),
        Decimal(2520),
    )
    assert {d["detail"]["reference"] for d in price["documents"]} == {"quote"}
    response = card["response_time"]
    assert response["value"] == "30.00" and response["unit"] == "hours"
    assert [d["number"] for d in response["documents"]] == [po["number"]]

    # a window ending 2027-01-20 leaves out the second receipt's inspection
    early = _card(client, m, m.beta.id, **{"from": "2026-01-01", "to": "2027-01-20"})
    assert early["quality_acceptance"]["value"] == "99.17"  # 357 / 360
    assert early["on_time_in_full"]["value"] == "50.00"
    # from 2027-01-16: only the gear line is due; orders placed in 2026 fall outside
    late = _card(client, m, m.beta.id, **{"from": "2027-01-16", "to": "2027-01-31"})
    assert (late["on_time_in_full"]["value"], late["on_time_in_full"]["denominator"]) == (
        "0.00",
        "1",
    )
    assert late["quality_acceptance"]["value"] == "95.00"  # 190 / 200
    assert late["price_variance"]["value"] is None and late["response_time"]["value"] is None

    # alpha never answered and delivered nothing of its 40 motors due 2027-01-15
    alpha = _card(client, m, m.alpha.id, **{"from": "2026-01-01", "to": "2027-12-31"})
    assert (alpha["on_time_in_full"]["value"], alpha["on_time_in_full"]["denominator"]) == (
        "0.00",
        "1",
    )
    assert alpha["response_time"]["value"] is None
    assert alpha["quality_acceptance"]["value"] is None

    # the next RFQ's comparison shows beta's figures of the last year (its 2027 deliveries
    # are not due yet; its order and answer are)
    rfq = issue_rfq(client, m, [m.beta])
    quote = {"lines": quote_lines(rfq, ("20", "3.2"), (10, 5))}
    ok(client.post(f"/api/v1/rfqs/{rfq['id']}/quotes", json=quote, headers=m.beta.headers), 201)
    compared = ok(client.get(f"/api/v1/rfqs/{rfq['id']}/comparison", headers=m.buyer.headers))
    shown = compared["lines"][0]["quotes"][0]["scorecard"]
    assert (shown["price_variance_pct"], shown["response_time_hours"]) == ("1.19", "30.00")
    assert shown["on_time_in_full_pct"] is None and shown["available"] is True

    # only the buyer has a scorecard of its supplier; others get 404, strangers 401
    url = f"/api/v1/suppliers/{m.beta.id}/scorecard"
    assert client.get(url, headers=m.gamma.headers).status_code == 404
    assert client.get(url, headers=m.beta.headers).status_code == 404
    assert client.get(url).status_code == 401
    bad = client.get(
        url, headers=m.buyer.headers, params={"from": "2027-02-01", "to": "2027-01-01"}
    )
    assert bad.status_code == 422
    default = ok(client.get(url, headers=m.buyer.headers, params={"to": "0001-06-01"}))
    assert default["from"] == "0001-01-01" and default["on_time_in_full"]["value"] is None
