"""An order received in full, invoiced with one wrong price, corrected, reconciled and signed.

Beta's order (60 motors at 17, 500 gears at 3) is shipped, received and passed by QC, then
beta invoices it. The three-way match flags the motor price on both sides; the statement is
disputed, beta sends a corrected invoice, and buyer and beta agree and sign.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from supplymesh.collab.procurement_model import DocumentTransition
from supplymesh.platform.uow import Database
from tests.collab.test_receiving import confirmed_order
from tests.collab.test_rfq import Market, ok

REC = "/api/v1/reconciliations"


def received_in_full(client: TestClient, m: Market, po: dict[str, Any]) -> None:
    """Everything ordered ships, arrives on 2027-01-12 and passes QC."""
    motor, gear = po["lines"]
    asn = {
        "order_id": po["id"],
        "ship_date": "2027-01-10",
        "lines": [
            {"order_line_id": motor["id"], "quantity": "60", "lot": "L1"},
            {"order_line_id": gear["id"], "quantity": "500", "lot": "G1"},
        ],
    }
    shipped = ok(client.post("/api/v1/ship-notices", json=asn, headers=m.beta.headers), 201)
    body = {"ship_notice_id": shipped["id"], "received_on": "2027-01-12"}
    rn = ok(client.post("/api/v1/receiving-notices", json=body, headers=m.buyer.headers), 201)
    for line in rn["lines"]:
        qc = {
            "receiving_line_id": line["id"],
            "accepted_quantity": line["received_quantity"],
            "rejected_quantity": "0",
        }
        ok(client.post("/api/v1/qc-inspections", json=qc, headers=m.buyer.headers), 201)


def invoice(m: Market, po: dict[str, Any], number: str, motor_price: str) -> dict[str, Any]:
    motor, gear = po["lines"]
    motor_amount = f"{60 * float(motor_price):.2f}"
    return {
        "buyer_enterprise_id": m.buyer.id,
        "number": number,
        "fapiao_number": "12345678901234567890",
        "issue_date": "2027-01-20",
        "lines": [
            {
                "order_line_id": motor["id"],
                "quantity": "60",
                "unit_price": motor_price,
                "vat_rate": "13",
                "vat_amount": f"{float(motor_amount) * 0.13:.2f}",
                "amount": motor_amount,
            },
            {
                "order_line_id": gear["id"],
                "quantity": "500",
                "unit_price": "3",
                "vat_rate": "13",
                "vat_amount": "195.00",
                "amount": "1500.00",
            },
        ],
    }


def move(client: TestClient, statement: dict[str, Any], action: str, who: Any) -> Any:
    url = f"{REC}/{statement['id']}/{action}"
    return client.post(url, json={"version": statement["version"]}, headers=who.headers)


def test_invoice_match_dispute_correct_agree_and_sign(db: Database, client: TestClient) -> None:
    m, po = confirmed_order(db, client)
    received_in_full(client, m, po)
    first = invoice(m, po, "INV-1", "17.50")  # 3 % over the agreed 17

    # form checks name the field or the line; only the supplier invoices
    bad_fapiao = client.post(
        "/api/v1/invoices", json={**first, "fapiao_number": "12345"}, headers=m.beta.headers
    )
    assert bad_fapiao.status_code == 422
    assert [e["field"] for e in bad_fapiao.json()["errors"]] == ["fapiao_number"]
    wrong_vat = {**first, "lines": [first["lines"][0], {**first["lines"][1], "vat_amount": "190"}]}
    bad_vat = client.post("/api/v1/invoices", json=wrong_vat, headers=m.beta.headers)
    assert bad_vat.status_code == 422
    (error,) = bad_vat.json()["errors"]
    assert error["field"] == "lines.1.vat_amount"
    assert "line 2" in error["message"] and "195.00" in error["message"]
    odd_rate = {**first, "lines": [{**first["lines"][0], "vat_rate": "10"}]}
    bad_rate = client.post("/api/v1/invoices", json=odd_rate, headers=m.beta.headers)
    assert bad_rate.status_code == 422 and "line 1" in bad_rate.text
    assert client.post("/api/v1/invoices", json=first, headers=m.buyer.headers).status_code == 403
    assert client.post("/api/v1/invoices", json=first, headers=m.gamma.headers).status_code == 404

    inv = ok(client.post("/api/v1/invoices", json=first, headers=m.beta.headers), 201)
    assert (inv["amount"], inv["vat_amount"]) == ("2550", "331.5")

    # the buyer sees the motor price mismatch with the three values; the gear line matches
    seen = ok(client.get(f"/api/v1/invoices/{inv['id']}", headers=m.buyer.headers))
    motor_line, gear_line = seen["lines"]
    assert motor_line["matched"] is False
    assert motor_line["mismatches"] == [
        {
            "kind": "price",
            "invoiced": "17.5",
            "ordered": "17",
            "received": None,
            "difference": "0.5",
        }
    ]
    assert gear_line["matched"] is True and gear_line["mismatches"] == []
    assert client.get(f"/api/v1/invoices/{inv['id']}", headers=m.gamma.headers).status_code == 404
    assert client.get("/api/v1/invoices", headers=m.gamma.headers).json() == []
    listed = client.get("/api/v1/invoices", headers=m.buyer.headers).json()
    assert [i["number"] for i in listed] == ["INV-1"]

    # beta opens the statement for January; the buyer sees the same totals
    period = {"partner_enterprise_id": m.buyer.id, "period_from": "2027-01-01"}
    period["period_to"] = "2027-01-31"
    st = ok(client.post(REC, json=period, headers=m.beta.headers), 201)
    assert st["status"] == "draft" and st["allowed_moves"] == ["submit"]
    st = ok(client.get(f"{REC}/{st['id']}", headers=m.buyer.headers))
    totals = (st["received"], st["invoiced"], st["matched"], st["disputed"])
    assert totals == ("2520", "2550", "1500", "1050")
    assert st["invoices"][0]["lines"][0]["mismatches"][0]["kind"] == "price"
    assert client.get(f"{REC}/{st['id']}", headers=m.gamma.headers).status_code == 404
    assert client.get(REC, headers=m.gamma.headers).json() == []
    assert [s["id"] for s in client.get(REC, headers=m.buyer.headers).json()] == [st["id"]]
    assert move(client, st, "submit", m.gamma).status_code == 404

    # tolerances are the statement's: at ±5 % the buyer's own statement finds the price fine
    lenient = {**period, "partner_enterprise_id": m.beta.id, "price_tolerance_pct": "5"}
    loose = ok(client.post(REC, json=lenient, headers=m.buyer.headers), 201)
    assert (loose["enterprise_id"], loose["partner_enterprise_id"]) == (m.buyer.id, m.beta.id)
    assert (loose["matched"], loose["disputed"]) == ("2550", "0")

    # wrong side and illegal moves
    assert move(client, st, "submit", m.buyer).status_code == 403
    early = move(client, st, "agree", m.buyer)
    assert early.status_code == 409
    assert (early.json()["current_state"], early.json()["allowed_transitions"]) == (
        "draft",
        ["submitted"],
    )
    st = ok(move(client, st, "submit", m.beta))
    assert move(client, st, "agree", m.beta).status_code == 403
    st = ok(move(client, st, "dispute", m.buyer))
    assert st["status"] == "disputed"

    # the corrected invoice supersedes the first: every line now matches
    corrected = {**invoice(m, po, "INV-2", "17"), "replaces_invoice_id": inv["id"]}
    ok(client.post("/api/v1/invoices", json=corrected, headers=m.beta.headers), 201)
    old = ok(client.get(f"/api/v1/invoices/{inv['id']}", headers=m.buyer.headers))
    assert old["status"] == "superseded"
    stale = {**st, "version": st["version"] - 1}
    assert move(client, stale, "submit", m.beta).status_code == 409
    st = ok(move(client, st, "submit", m.beta))
    totals = (st["received"], st["invoiced"], st["matched"], st["disputed"])
    assert totals == ("2520", "2520", "2520", "0")
    assert [inv["number"] for inv in st["invoices"]] == ["INV-2"]
    assert all(line["matched"] for line in st["invoices"][0]["lines"])

    # agreed, then signed by both sides in either order
    st = ok(move(client, st, "agree", m.buyer))
    assert st["allowed_moves"] == ["sign"]
    st = ok(move(client, st, "sign", m.beta))
    assert st["status"] == "supplier_signed"
    assert move(client, st, "sign", m.beta).status_code == 403
    st = ok(move(client, st, "sign", m.buyer))
    assert st["status"] == "signed" and st["allowed_moves"] == []
    done = move(client, st, "sign", m.buyer)
    assert done.status_code == 409 and done.json()["allowed_transitions"] == []

    with db.system() as uow:  # each move is kept with the side that made it
        steps = [
            (t.from_state, t.to_state, t.actor_enterprise_id)
            for t in uow.session.scalars(
                select(DocumentTransition)
                .where(
                    DocumentTransition.document_kind == "reconciliation",
                    DocumentTransition.document_id == st["id"],
                )
                .order_by(DocumentTransition.id)
            )
        ]
    b, s = m.buyer.id, m.beta.id
    assert steps == [
        (None, "draft", s),
        ("draft", "submitted", s),
        ("submitted", "disputed", b),
        ("disputed", "submitted", s),
        ("submitted", "agreed", b),
        ("agreed", "supplier_signed", s),
        ("supplier_signed", "signed", b),
    ]

    # one order end to end: its timeline ends with the billing, for both sides, no one else
    for viewer in (m.buyer, m.beta):
        entries = ok(client.get(f"/api/v1/orders/{po['id']}/timeline", headers=viewer.headers))
        billing = [
            (e["document_kind"], e["to_state"], e["actor_enterprise_code"])
            for e in entries["entries"]
            if e["document_kind"] in ("invoice", "reconciliation")
        ]
        assert billing[0] == ("invoice", "submitted", "BETA")
        assert ("invoice", "superseded", "BETA") in billing
        assert billing.count(("invoice", "submitted", "BETA")) == 2  # the first and its correction
        assert ("reconciliation", "disputed", "BUYER") in billing
        assert billing[-2:] == [
            ("reconciliation", "supplier_signed", "BETA"),
            ("reconciliation", "signed", "BUYER"),
        ]
    outsider = client.get(f"/api/v1/orders/{po['id']}/timeline", headers=m.gamma.headers)
    assert outsider.status_code == 404


def test_not_received_unknown_and_over_invoiced_lines(db: Database, client: TestClient) -> None:
    m, po = confirmed_order(db, client)
    motor, gear = po["lines"]
    body = invoice(m, po, "INV-9", "17")
    body["lines"].append({**body["lines"][1], "order_line_id": 987654})
    seen = ok(client.post("/api/v1/invoices", json=body, headers=m.beta.headers), 201)
    kinds = [[x["kind"] for x in line["mismatches"]] for line in seen["lines"]]
    assert kinds == [["not_received"], ["not_received"], ["unknown_line"]]
    received_in_full(client, m, po)
    # a second invoice for the same gears bills 1000 of the 500 accepted
    extra = {**invoice(m, po, "INV-10", "17"), "lines": [body["lines"][1]]}
    again = ok(client.post("/api/v1/invoices", json=extra, headers=m.beta.headers), 201)
    (line,) = again["lines"]
    assert line["mismatches"] == [
        {
            "kind": "over_invoiced",
            "invoiced": "1000",
            "ordered": "500",
            "received": "500",
            "difference": "500",
        }
    ]
    assert gear["id"] == line["order_line_id"] and motor["id"] != gear["id"]
