"""A purchase order's life tells each side what waits for it: order, ASN, invoice, statement."""

from __future__ import annotations

from collections import Counter

from fastapi.testclient import TestClient

from supplymesh.notify.settings import NotifySettings
from supplymesh.notify.worker import run_once
from supplymesh.platform.settings import Settings
from supplymesh.platform.uow import Database
from tests.api.helpers import Tenant
from tests.collab.test_receiving import confirmed_order
from tests.collab.test_reconciliation import REC, invoice, move, received_in_full
from tests.collab.test_rfq import ok


def told(client: TestClient, who: Tenant) -> Counter[str]:
    body = ok(client.get("/api/v1/notifications", headers=who.headers, params={"limit": 500}))
    return Counter(n["kind"] for n in body["items"])


def test_order_shipment_invoice_and_statement_reach_the_other_side(
    db: Database, client: TestClient, settings: Settings
) -> None:
    m, po = confirmed_order(db, client)
    notify = NotifySettings()
    key = settings.signing_key()
    run_once(db, key, notify)
    assert told(client, m.beta)["po_released"] == 1
    assert told(client, m.buyer)["po_released"] == 0

    received_in_full(client, m, po)
    ok(
        client.post(
            "/api/v1/invoices", json=invoice(m, po, "INV-1", "17.50"), headers=m.beta.headers
        ),
        201,
    )
    run_once(db, key, notify)
    buyer, beta = told(client, m.buyer), told(client, m.beta)
    assert buyer["ship_notice_sent"] == 1 and beta["ship_notice_sent"] == 0
    assert buyer["invoice_mismatch"] == 1 and beta["invoice_mismatch"] == 1  # both sides
    assert told(client, m.gamma) == Counter()
    mismatch = ok(
        client.get("/api/v1/notifications", headers=m.buyer.headers, params={"lang": "en"})
    )
    [note] = [n for n in mismatch["items"] if n["kind"] == "invoice_mismatch"]
    assert "INV-1" in note["title"] and "price" in note["body"]

    period = {
        "partner_enterprise_id": m.buyer.id,
        "period_from": "2027-01-01",
        "period_to": "2027-01-31",
    }
    st = ok(client.post(REC, json=period, headers=m.beta.headers), 201)
    st = ok(move(client, st, "submit", m.beta))
    run_once(db, key, notify)
    assert told(client, m.buyer)["statement_submitted"] == 1
    assert told(client, m.beta)["statement_submitted"] == 0
