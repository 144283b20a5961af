"""The demo's collaboration flows on the tiny network, checked through the API by each side."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from supplymesh.cli.demo_flows import DemoFlowError, play_demo_flows
from supplymesh.network.demo.companies import DEMO_PASSWORD
from supplymesh.platform.settings import Settings
from tests.conftest import login


@pytest.fixture
def demo_api(demo_settings: Settings) -> Iterator[TestClient]:
    """A client of the tiny demo without the background workers (nothing to deliver here)."""
    from supplymesh.api.app import create_app

    client = TestClient(create_app(demo_settings))
    yield client
    client.close()
    client.app.state.container.db.engine.dispose()  # type: ignore[attr-defined]


def ok(response: Any) -> Any:
    assert response.status_code == 200, f"{response.request.url}: {response.text}"
    return response.json()


def as_(client: TestClient, code: str) -> dict[str, str]:
    return login(client, f"{code.lower()}.admin", DEMO_PASSWORD)


def get(client: TestClient, path: str, headers: dict[str, str], **params: Any) -> Any:
    return ok(client.get(f"/api/v1{path}", headers=headers, params=params))


def buyer_stock_at(client: TestClient, hce: dict[str, str], site_id: int) -> dict[int, Decimal]:
    """HCE's own stock at a partner's site, per item (its summary lists it, unfiltered)."""
    rows = get(client, "/stock/summary", hce, limit=500)["items"]
    held: dict[int, Decimal] = {}
    for r in rows:
        if int(r["site_id"]) == site_id:
            held[int(r["item_id"])] = held.get(int(r["item_id"]), Decimal(0)) + Decimal(
                r["on_hand"]
            )
    return held


def test_flows_leave_documents_in_every_state(
    demo_settings: Settings, demo_api: TestClient
) -> None:
    client = demo_api
    hce, jh, tx, hs = (as_(client, c) for c in ("HCE", "JHPLAST", "TXCOPPER", "HSMOULD"))
    (shop,) = [s for s in get(client, "/sites", hs)["items"] if s["code"] == "CHANGAN"]
    before = buyer_stock_at(client, hce, shop["id"])

    report = play_demo_flows(demo_settings)
    docs = report.documents
    assert report.calls > 50 and "signed" in report.summary()

    # RFQ → award: split over two suppliers, each seeing only its own invitation
    rfq = get(client, f"/rfqs/{docs['rfq_awarded_id']}", hce)
    assert rfq["status"] == "awarded" and len(rfq["invitations"]) == 2
    seen = get(client, f"/rfqs/{rfq['id']}", jh)
    assert [i["partner_enterprise_id"] for i in seen["invitations"]] == [
        get(client, "/me", jh)["enterprise"]["id"]
    ]
    # the statement is signed by both, after the price dispute and the corrected invoice
    for side in (hce, jh):
        statement = get(client, f"/reconciliations/{docs['statement_id']}", side)
        assert statement["status"] == "signed" and statement["allowed_moves"] == []
        assert statement["disputed"] == "0" and statement["matched"] == statement["invoiced"]
    invoices = get(client, "/invoices", hce)
    assert sorted(i["status"] for i in invoices) == ["submitted", "superseded"]
    assert [i["number"] for i in statement["invoices"]] == [
        next(i["number"] for i in invoices if i["status"] == "submitted")
    ]
    # outsourcing: the stock-in notice reached the subcontractor, which acknowledged it
    oo = get(client, f"/outsourcing-orders/{docs['outsourcing_order_id']}", hs)
    notices = get(client, "/stock-in-notices", hs, order_id=oo["order_id"])
    assert [(n["id"], n["status"]) for n in notices] == [
        (docs["stock_in_notice_id"], "acknowledged")
    ]
    assert Decimal(notices[0]["accepted_quantity"]) + Decimal(
        notices[0]["rejected_quantity"]
    ) == Decimal(oo["finished_quantity"])
    assert oo["order_status"] == "received" and len(oo["supplements"]) == 1
    # the buyer's material at the subcontractor's site: what was issued less what was used
    (component,) = oo["components"]
    issued = sum(
        (Decimal(line["quantity"]) for mi in oo["material_issues"] for line in mi["lines"]),
        Decimal(0),
    )
    per_unit = Decimal(component["required_quantity"]) / Decimal(oo["quantity"])
    used = (Decimal(oo["finished_quantity"]) + Decimal(oo["scrapped_quantity"])) * per_unit
    assert Decimal(component["issued_quantity"]) == issued
    assert Decimal(component["consumed_quantity"]) == used
    assert Decimal(component["at_subcontractor"]) == issued - used
    after = buyer_stock_at(client, hce, shop["id"])
    resin = int(component["item_id"])
    assert after[resin] - before[resin] == issued - used
    assert {k: v for k, v in after.items() if k != resin} == {
        k: v for k, v in before.items() if k != resin
    }
    # documents left open for the inboxes
    rd, xc = as_(client, "RDMOTOR"), as_(client, "XCELEC")
    (open_rfq,) = get(client, "/rfqs", rd)["items"]
    assert (open_rfq["number"], open_rfq["status"], open_rfq["quoting_open"]) == (
        docs["rfq_open"],
        "open",
        True,
    )
    waiting = get(client, "/purchase-orders", xc, status="released")["items"]
    assert docs["po_waiting_id"] in [p["id"] for p in waiting]
    schedule = get(client, f"/delivery-schedules/{docs['schedule_open_id']}", tx)
    assert schedule["status"] == "sent"
    assert all(line["status"] == "open" for line in schedule["lines"])

    # each supplier sees only its own documents
    tx_order = docs["po_confirmed_id"]
    assert client.get(f"/api/v1/purchase-orders/{tx_order}", headers=jh).status_code == 404
    assert client.get(f"/api/v1/orders/{tx_order}/timeline", headers=hs).status_code == 404
    for supplier in (jh, tx, hs, rd, xc):
        me = get(client, "/me", supplier)["enterprise"]["id"]
        listed = get(client, "/purchase-orders", supplier, limit=200)["items"]
        assert listed and {p["partner_enterprise_id"] for p in listed} == {me}
    assert get(client, "/rfqs", jh)["total"] == 1 and get(client, "/rfqs", hs)["total"] == 0
    assert get(client, "/invoices", tx) == [] and get(client, "/reconciliations", tx) == []
    assert get(client, "/ship-notices", rd) == [] and get(client, "/outsourcing-orders", jh) == []
    assert [o["id"] for o in get(client, "/outsourcing-orders", hs)] == [oo["id"]]
    mine = {int(p["id"]) for p in get(client, "/purchase-orders", jh, limit=200)["items"]}
    assert docs["po_reconciled_id"] in mine and tx_order not in mine


def test_a_failing_call_stops_the_flows_naming_path_and_body(settings: Settings) -> None:
    """On a database without the demo the first login fails, and says where and why."""
    with pytest.raises(DemoFlowError) as caught:
        play_demo_flows(settings)
    message = str(caught.value)
    assert "POST /api/v1/auth/token as anonymous answered 401" in message
    assert "expected 200" in message and "{" in message  # the response body follows
