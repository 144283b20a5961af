"""An outsourcing order end to end, buyer and subcontractor each logged in as themselves.

Order → delivery schedule (answered, revised, confirmed) → confirmation → material issue and
acknowledgement → progress → supplement and its issue → progress → ship notice → receiving →
QC with a rejection → return → stock-in notice. Stock is asserted after every step at the
buyer's plant, as the buyer's material at the subcontractor's site, and as the
subcontractor's finished goods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from supplymesh.platform.events import OutboxEvent
from supplymesh.platform.uow import Database
from tests.api.helpers import Tenant, make_tenant
from tests.collab.test_receiving import confirmed_order, stock
from tests.collab.test_rfq import ok

OO = "/api/v1/outsourcing-orders"
MI = "/api/v1/material-issues"
MS = "/api/v1/material-supplements"
DS = "/api/v1/delivery-schedules"


@dataclass(frozen=True)
class Shop:
    buyer: Tenant
    sub: Tenant
    gamma: Tenant
    plant: int
    fg: int
    c1: int
    c2: int
    sub_site: int
    sub_fg: int


def post(client: TestClient, url: str, who: Tenant, body: Any = None, status: int = 200) -> Any:
    return ok(client.post(url, json=body, headers=who.headers), status)


def build(db: Database, client: TestClient) -> Shop:
    """A buyer making FG-1 from 2 × C-1 + 1 × C-2, with 300 C-1 and 120 C-2 at its plant."""
    buyer = make_tenant(db, client, "BUYER")
    sub, gamma = (make_tenant(db, client, c, ["supplier"]) for c in ("SUBCO", "GAMMA"))
    relation = {"partner_enterprise_id": sub.id, "relation": "subcontractor"}
    post(client, "/api/v1/partnerships", buyer, relation, 201)
    plant = post(
        client, "/api/v1/sites", buyer, {"code": "P1", "name": "总装厂", "kind": "plant"}, 201
    )
    ids = {
        sku: post(client, "/api/v1/items", buyer, {"sku": sku, "name": f"{sku} 件"}, 201)["id"]
        for sku in ("FG-1", "C-1", "C-2")
    }
    for component, per in (("C-1", "2"), ("C-2", "1")):
        bom = {"parent_item_code": "FG-1", "component_item_code": component, "quantity_per": per}
        post(client, "/api/v1/bom-lines", buyer, bom, 201)
    for sku, quantity in (("C-1", "300"), ("C-2", "120")):
        receipt = {"site_id": plant["id"], "item_id": ids[sku], "quantity": quantity}
        post(client, "/api/v1/stock/receipts", buyer, receipt, 201)
    site = {"code": "SUB-WH", "name": "外协车间", "kind": "plant"}
    sub_site = post(client, "/api/v1/sites", sub, site, 201)
    sub_fg = post(client, "/api/v1/items", sub, {"sku": "S-FG-1", "name": "外协成品"}, 201)
    return Shop(
        buyer,
        sub,
        gamma,
        int(plant["id"]),
        ids["FG-1"],
        ids["C-1"],
        ids["C-2"],
        int(sub_site["id"]),
        int(sub_fg["id"]),
    )


def schedule_flow(client: TestClient, s: Shop, oo: dict[str, Any]) -> None:
    """要货计划: 60 + 40 asked; 50 and a later date answered; revision 2 confirmed in full."""
    line = oo["order_line_id"]
    body = {
        "order_id": oo["order_id"],
        "lines": [
            {"order_line_id": line, "wanted_on": "2027-01-20", "quantity": "60"},
            {"order_line_id": line, "wanted_on": "2027-02-01", "quantity": "40"},
        ],
    }
    assert client.post(DS, json=body, headers=s.sub.headers).status_code == 403
    too_much = {**body, "lines": [*body["lines"], body["lines"][1]]}
    refused = client.post(DS, json=too_much, headers=s.buyer.headers)
    assert refused.status_code == 422 and "140 scheduled" in refused.text
    ds = post(client, DS, s.buyer, body, 201)
    assert (ds["status"], ds["revision"], len(ds["lines"])) == ("sent", 1, 2)
    assert client.get(f"{DS}/{ds['id']}", headers=s.gamma.headers).status_code == 404
    first, second = (f"{DS}/{ds['id']}/lines/{x['id']}/answer" for x in ds["lines"])
    partial = {"action": "partial", "quantity": "50"}
    assert client.post(first, json=partial, headers=s.buyer.headers).status_code == 403
    ds = post(client, first, s.sub, partial)
    assert ds["status"] == "partially_answered"
    assert (ds["lines"][0]["status"], ds["lines"][0]["confirmed_quantity"]) == ("partial", "50")
    twice = client.post(first, json={"action": "confirm"}, headers=s.sub.headers)
    assert twice.status_code == 409 and twice.json()["current_state"] == "partial"
    ds = post(client, second, s.sub, {"action": "reschedule", "wanted_on": "2027-02-05"})
    assert ds["status"] == "changes_proposed"
    revision = {
        "version": ds["version"],
        "lines": [
            {"order_line_id": line, "wanted_on": "2027-01-20", "quantity": "50"},
            {"order_line_id": line, "wanted_on": "2027-02-05", "quantity": "50"},
        ],
    }
    url = f"{DS}/{ds['id']}"
    stale = client.put(url, json={**revision, "version": 99}, headers=s.buyer.headers)
    assert stale.status_code == 409
    assert client.put(url, json=revision, headers=s.sub.headers).status_code == 403
    ds = ok(client.put(url, json=revision, headers=s.buyer.headers))
    assert (ds["status"], ds["revision"]) == ("sent", 2)
    assert [x["status"] for x in ds["lines"]] == ["open", "open"]
    for x in ds["lines"]:
        ds = post(client, f"{url}/lines/{x['id']}/answer", s.sub, {"action": "confirm"})
    assert ds["status"] == "confirmed"
    assert [(x["confirmed_on"], x["confirmed_quantity"]) for x in ds["lines"]] == [
        ("2027-01-20", "50"),
        ("2027-02-05", "50"),
    ]
    listed = client.get(DS, headers=s.sub.headers, params={"order_id": oo["order_id"]}).json()
    assert [d["id"] for d in listed] == [ds["id"]]
    cancel = f"{url}/cancel"
    assert client.post(cancel, headers=s.sub.headers).status_code == 403
    ds = post(client, cancel, s.buyer, {"version": ds["version"]})
    assert (ds["status"], ds["allowed_transitions"]) == ("cancelled", [])
    again = client.post(cancel, headers=s.buyer.headers)
    assert again.status_code == 409 and again.json()["current_state"] == "cancelled"
    refused = client.put(url, json={**revision, "version": None}, headers=s.buyer.headers)
    assert refused.status_code == 409


def at_sub(client: TestClient, s: Shop) -> dict[tuple[int, str], str]:
    """The buyer's own stock at the subcontractor's site, as the buyer's stock summary shows it.

    The buyer cannot name the subcontractor's site in a filter (it is not the buyer's site),
    but its own positions there are in its unfiltered summary.
    """
    rows = ok(
        client.get("/api/v1/stock/summary", headers=s.buyer.headers, params={"by_status": "true"})
    )["items"]
    return {
        (int(r["item_id"]), r["status"]): r["on_hand"]
        for r in rows
        if int(r["site_id"]) == s.sub_site and r["on_hand"] != "0"
    }


def test_outsourcing_order_from_material_issue_to_stock_in(
    db: Database, client: TestClient
) -> None:
    s = build(db, client)
    body = {
        "subcontractor_enterprise_id": s.sub.id,
        "ship_to_site_id": s.plant,
        "item_id": s.fg,
        "quantity": "100",
        "due_date": "2027-02-01",
        "unit_price": "12",
    }
    # only a partner of the buyer can be ordered from; outsiders see nothing
    assert client.post(OO, json=body, headers=s.gamma.headers).status_code == 404
    oo = post(client, OO, s.buyer, body, 201)
    assert oo["order_status"] == "released" and oo["subcontractor_enterprise_id"] == s.sub.id
    comps = {c["item_id"]: c for c in oo["components"]}
    assert {i: c["required_quantity"] for i, c in comps.items()} == {s.c1: "200", s.c2: "100"}
    c1, c2 = comps[s.c1]["id"], comps[s.c2]["id"]
    assert client.get(f"{OO}/{oo['id']}", headers=s.gamma.headers).status_code == 404
    assert client.get(OO, headers=s.gamma.headers).json() == []
    assert [o["id"] for o in client.get(OO, headers=s.sub.headers).json()] == [oo["id"]]

    schedule_flow(client, s, oo)

    issue = {
        "outsourcing_order_id": oo["id"],
        "from_site_id": s.plant,
        "lines": [
            {"component_id": c1, "quantity": "200"},
            {"component_id": c2, "quantity": "100"},
        ],
    }
    # nothing is issued before the subcontractor confirms
    early = client.post(MI, json=issue, headers=s.buyer.headers)
    assert early.status_code == 409 and early.json()["current_state"] == "released"
    url = f"/api/v1/purchase-orders/{oo['order_id']}/lines/{oo['order_line_id']}/answer"
    po = post(client, url, s.sub, {"action": "accept"})
    assert po["order_status"] == "confirmed"

    # material issue: out of the plant's available stock, in transit until acknowledged
    assert client.post(MI, json=issue, headers=s.sub.headers).status_code == 403
    mi = post(client, MI, s.buyer, issue, 201)
    assert (mi["status"], mi["allowed_moves"]) == ("issued", ["acknowledge"])
    assert stock(client, s.buyer, s.plant) == {
        (s.c1, "available"): "100",
        (s.c1, "in_transit"): "200",
        (s.c2, "available"): "20",
        (s.c2, "in_transit"): "100",
    }
    assert at_sub(client, s) == {}
    ack = f"{MI}/{mi['id']}/acknowledge"
    assert (
        client.post(ack, json={"site_id": s.sub_site}, headers=s.buyer.headers).status_code == 403
    )
    assert (
        client.post(ack, json={"site_id": s.sub_site}, headers=s.gamma.headers).status_code == 404
    )
    assert client.post(ack, json={"site_id": s.plant}, headers=s.sub.headers).status_code == 404
    stale = client.post(ack, json={"site_id": s.sub_site, "version": 9}, headers=s.sub.headers)
    assert stale.status_code == 409
    mi = post(client, ack, s.sub, {"site_id": s.sub_site, "version": mi["version"]})
    assert (mi["status"], mi["to_site_id"], mi["allowed_moves"]) == ("received", s.sub_site, [])
    again = client.post(ack, json={"site_id": s.sub_site}, headers=s.sub.headers)
    assert again.status_code == 409 and again.json()["current_state"] == "received"
    assert stock(client, s.buyer, s.plant) == {
        (s.c1, "available"): "100",
        (s.c2, "available"): "20",
    }
    assert at_sub(client, s) == {
        (s.c1, "at_subcontractor"): "200",
        (s.c2, "at_subcontractor"): "100",
    }
    assert stock(client, s.sub, s.sub_site) == {}  # the material is not the subcontractor's

    # progress: 45 made (40 good, 5 scrapped) use 90 C-1 and 45 C-2; 40 go into its stock
    progress = f"{OO}/{oo['id']}/progress"
    first = {
        "site_id": s.sub_site,
        "started_quantity": "100",
        "finished_quantity": "40",
        "scrapped_quantity": "5",
        "supplier_item_id": s.sub_fg,
        "note": "首批",
    }
    assert client.post(progress, json=first, headers=s.buyer.headers).status_code == 403
    oo = post(client, progress, s.sub, first, 201)
    assert (oo["started_quantity"], oo["finished_quantity"], oo["scrapped_quantity"]) == (
        "100",
        "40",
        "5",
    )
    assert at_sub(client, s) == {
        (s.c1, "at_subcontractor"): "110",
        (s.c2, "at_subcontractor"): "55",
    }
    assert stock(client, s.sub, s.sub_site) == {(s.sub_fg, "available"): "40"}
    assert [c["at_subcontractor"] for c in oo["components"]] == ["110", "55"]

    # 56 more would need 112 C-1 where 110 lie: refused, nothing consumed
    short = {**first, "started_quantity": "5", "finished_quantity": "56", "scrapped_quantity": "0"}
    lacking = client.post(progress, json=short, headers=s.sub.headers)
    assert lacking.status_code == 409 and "C-1" in lacking.text
    assert at_sub(client, s) == {
        (s.c1, "at_subcontractor"): "110",
        (s.c2, "at_subcontractor"): "55",
    }
    assert stock(client, s.sub, s.sub_site) == {(s.sub_fg, "available"): "40"}

    # supplement (补料): 20 C-1 for scrap, approved by the buyer and issued
    asked = post(
        client,
        MS,
        s.sub,
        {
            "outsourcing_order_id": oo["id"],
            "component_id": c1,
            "quantity": "20",
            "reason": "冲压报废",
        },
        201,
    )
    assert (asked["status"], asked["allowed_moves"]) == ("requested", ["approve", "reject"])
    decide = f"{MS}/{asked['id']}"
    assert client.post(f"{decide}/approve", headers=s.sub.headers).status_code == 403
    assert client.get(decide, headers=s.gamma.headers).status_code == 404
    approved = post(client, f"{decide}/approve", s.buyer, {"version": asked["version"]})
    assert approved["status"] == "approved"
    late = client.post(f"{decide}/reject", headers=s.buyer.headers)
    assert late.status_code == 409 and late.json()["allowed_transitions"] == ["issued"]
    refill = {
        "outsourcing_order_id": oo["id"],
        "from_site_id": s.plant,
        "supplement_id": asked["id"],
        "lines": [{"component_id": c1, "quantity": "20"}],
    }
    mi2 = post(client, MI, s.buyer, refill, 201)
    assert mi2["supplement_id"] == asked["id"]
    assert ok(client.get(decide, headers=s.sub.headers))["status"] == "issued"
    assert client.post(MI, json=refill, headers=s.buyer.headers).status_code == 409
    assert stock(client, s.buyer, s.plant) == {
        (s.c1, "available"): "80",
        (s.c1, "in_transit"): "20",
        (s.c2, "available"): "20",
    }
    post(client, f"{MI}/{mi2['id']}/acknowledge", s.sub, {"site_id": s.sub_site})
    assert at_sub(client, s) == {
        (s.c1, "at_subcontractor"): "130",
        (s.c2, "at_subcontractor"): "55",
    }

    # the rest: 55 finished use the last 110 C-1 and 55 C-2; more than started is refused
    second = {"site_id": s.sub_site, "finished_quantity": "55", "supplier_item_id": s.sub_fg}
    oo = post(client, progress, s.sub, second, 201)
    assert at_sub(client, s) == {(s.c1, "at_subcontractor"): "20"}
    assert stock(client, s.sub, s.sub_site) == {(s.sub_fg, "available"): "95"}
    over = client.post(progress, json={**second, "finished_quantity": "1"}, headers=s.sub.headers)
    assert over.status_code == 422 and "100 started" in over.text

    # ship notice out of the subcontractor's finished goods, received into the buyer's quarantine
    asn = {
        "order_id": oo["order_id"],
        "ship_date": "2027-01-28",
        "from_site_id": s.sub_site,
        "lines": [
            {"order_line_id": oo["order_line_id"], "quantity": "95", "supplier_item_id": s.sub_fg}
        ],
    }
    shipped = post(client, "/api/v1/ship-notices", s.sub, asn, 201)
    assert stock(client, s.sub, s.sub_site) == {}
    rn = post(client, "/api/v1/receiving-notices", s.buyer, {"ship_notice_id": shipped["id"]}, 201)
    assert rn["order_status"] == "received"
    assert stock(client, s.buyer, s.plant) == {
        (s.fg, "qc_hold"): "95",
        (s.c1, "available"): "80",
        (s.c2, "available"): "20",
    }
    # a shipped order takes no more material or progress
    late_issue = client.post(
        MI, json={**issue, "lines": issue["lines"][:1]}, headers=s.buyer.headers
    )
    assert late_issue.status_code == 409

    # QC rejects 3: blocked, returned to the subcontractor; the stock-in notice is acknowledged
    qc = {
        "receiving_line_id": rn["lines"][0]["id"],
        "accepted_quantity": "92",
        "rejected_quantity": "3",
        "reason": "尺寸超差",
    }
    inspected = post(client, "/api/v1/qc-inspections", s.buyer, qc, 201)
    assert stock(client, s.buyer, s.plant) == {
        (s.fg, "available"): "92",
        (s.fg, "blocked"): "3",
        (s.c1, "available"): "80",
        (s.c2, "available"): "20",
    }
    ret = f"/api/v1/returns/{inspected['return_id']}"
    post(client, f"{ret}/ship", s.buyer)
    assert post(client, f"{ret}/receive", s.sub)["status"] == "received"
    assert (s.fg, "blocked") not in stock(client, s.buyer, s.plant)
    assert stock(client, s.sub, s.sub_site) == {(s.sub_fg, "blocked"): "3"}
    notice = f"/api/v1/stock-in-notices/{inspected['stock_in_notice_id']}/acknowledge"
    assert post(client, notice, s.sub)["status"] == "acknowledged"
    assert at_sub(client, s) == {(s.c1, "at_subcontractor"): "20"}  # unused: still the buyer's

    # the order's timeline shows the outsourcing documents, with the side that moved them
    timeline = ok(client.get(f"/api/v1/orders/{oo['order_id']}/timeline", headers=s.sub.headers))
    steps = {
        (e["document_kind"], e["to_state"], e["actor_enterprise_code"]) for e in timeline["entries"]
    }
    assert {
        ("outsourcing_order", "released", "BUYER"),
        ("delivery_schedule", "changes_proposed", "SUBCO"),
        ("delivery_schedule", "sent", "BUYER"),
        ("delivery_schedule", "confirmed", "SUBCO"),
        ("delivery_schedule_line", "rescheduled", "SUBCO"),
        ("material_issue", "issued", "BUYER"),
        ("material_issue", "received", "SUBCO"),
        ("material_supplement", "requested", "SUBCO"),
        ("material_supplement", "approved", "BUYER"),
        ("material_supplement", "issued", "BUYER"),
        ("progress_report", "reported", "SUBCO"),
        ("ship_notice", "shipped", "SUBCO"),
        ("stock_in_notice", "acknowledged", "SUBCO"),
    } <= steps
    with db.system() as uow:
        published = {
            (e.type, e.partner_enterprise_id)
            for e in uow.session.scalars(
                select(OutboxEvent).where(OutboxEvent.enterprise_id == s.buyer.id)
            )
        }
    kinds = ("MaterialIssueStatusChanged", "MaterialSupplementStatusChanged")
    for kind in (*kinds, "DeliveryScheduleStatusChanged"):
        assert (kind, s.sub.id) in published


def test_components_given_and_edited(db: Database, client: TestClient) -> None:
    """Components named instead of the BOM; edited by the buyer only, never below what is issued."""
    s = build(db, client)
    body = {
        "subcontractor_enterprise_id": s.sub.id,
        "ship_to_site_id": s.plant,
        "item_id": s.fg,
        "quantity": "10",
        "components": [{"item_id": s.c1, "quantity": "25"}],
    }
    twice = {**body, "components": body["components"] * 2}
    assert client.post(OO, json=twice, headers=s.buyer.headers).status_code == 422
    oo = post(client, OO, s.buyer, body, 201)
    assert [(c["item_id"], c["required_quantity"]) for c in oo["components"]] == [(s.c1, "25")]
    url = f"{OO}/{oo['id']}/components"
    edit = {"version": oo["version"], "components": [{"item_id": s.c2, "quantity": "10"}]}
    assert client.put(url, json=edit, headers=s.sub.headers).status_code == 403
    assert client.put(url, json=edit, headers=s.gamma.headers).status_code == 404
    assert client.put(url, json={**edit, "version": 7}, headers=s.buyer.headers).status_code == 409
    oo = ok(client.put(url, json=edit, headers=s.buyer.headers))
    assert [(c["item_id"], c["required_quantity"]) for c in oo["components"]] == [
        (s.c1, "25"),
        (s.c2, "10"),
    ]
    answer = f"/api/v1/purchase-orders/{oo['order_id']}/lines/{oo['order_line_id']}/answer"
    post(client, answer, s.sub, {"action": "accept"})
    c1 = oo["components"][0]["id"]
    issue = {
        "outsourcing_order_id": oo["id"],
        "from_site_id": s.plant,
        "lines": [{"component_id": c1, "quantity": "25"}],
    }
    post(client, MI, s.buyer, issue, 201)
    below = {"components": [{"item_id": s.c1, "quantity": "20"}]}
    refused = client.put(url, json=below, headers=s.buyer.headers)
    assert refused.status_code == 422 and "25 already issued" in refused.text
    # more than the buyer has is refused, naming the item
    short = {**issue, "lines": [{"component_id": c1, "quantity": "276"}]}
    lacking = client.post(MI, json=short, headers=s.buyer.headers)
    assert lacking.status_code == 409 and "C-1" in lacking.text


def test_delivery_schedule_on_a_purchase_order(db: Database, client: TestClient) -> None:
    """A plain purchase order takes a schedule too; only its two parties see it."""
    m, po = confirmed_order(db, client)
    motor = po["lines"][0]
    body = {
        "order_id": po["id"],
        "lines": [{"order_line_id": motor["id"], "wanted_on": "2027-01-15", "quantity": "60"}],
    }
    ds = post(client, DS, m.buyer, body, 201)
    for outsider in (m.alpha, m.gamma):
        assert client.get(f"{DS}/{ds['id']}", headers=outsider.headers).status_code == 404
        assert client.get(DS, headers=outsider.headers).json() == []
    url = f"{DS}/{ds['id']}/lines/{ds['lines'][0]['id']}/answer"
    no_date = client.post(url, json={"action": "reschedule"}, headers=m.beta.headers)
    assert no_date.status_code == 422
    ds = post(client, url, m.beta, {"action": "confirm"})
    assert (ds["status"], ds["allowed_transitions"]) == ("confirmed", ["sent", "cancelled"])
