"""Our own flows emit EPCIS events: a supplier ships a lot, the buyer receives and inspects it.

Everything goes through the HTTP API as buyer and supplier; the events are then read back
through the EPCIS query API and followed by the backward trace to the supplier's lot.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from supplymesh.network.model import Item, Site
from supplymesh.platform.events import OutboxEvent
from supplymesh.platform.uow import Database
from supplymesh.trace import flows
from supplymesh.trace.epcis.services import validate_json
from supplymesh.trace.model import EpcisEvent, LedgerLeaf
from tests.collab.test_outsourcing import MI, OO, build, post
from tests.collab.test_receiving import confirmed_order
from tests.collab.test_rfq import Market, ok
from tests.trace.shared_data import SHARED

BUYER_GTIN, BETA_GTIN = "06901234000016", "06907654000018"
BUYER_GLN = "6901234000108"
BUYER_LOT = flows.lot_class(BUYER_GTIN, "L1")
BETA_LOT = flows.lot_class(BETA_GTIN, "L1")


def _beta_stock(client: TestClient, m: Market) -> tuple[int, int]:
    h = m.beta.headers
    site = {"code": "BETA-WH", "name": "乙仓", "kind": "warehouse", "gln": "6907654000100"}
    site_id = ok(client.post("/api/v1/sites", json=site, headers=h), 201)["id"]
    item = {"sku": "B-MOTOR", "name": "电机（乙）", "gtin": BETA_GTIN, "base_unit": "pcs"}
    item_id = ok(client.post("/api/v1/items", json=item, headers=h), 201)["id"]
    receipt = {"site_id": site_id, "item_id": item_id, "lot": "L1", "quantity": "100"}
    ok(client.post("/api/v1/stock/receipts", json=receipt, headers=h), 201)
    return site_id, item_id


def _events(client: TestClient, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    body = ok(client.get("/api/v1/epcis/events", params=params, headers=headers))
    events: list[dict[str, Any]] = body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    return events


def _ship_receive_inspect(db: Database, client: TestClient) -> Market:
    m, po = confirmed_order(db, client)
    motor = po["lines"][0]
    with db.system() as uow:
        uow.session.execute(update(Item).where(Item.id == motor["item_id"]).values(gtin=BUYER_GTIN))
        uow.session.execute(update(Site).where(Site.id == m.site_id).values(gln=BUYER_GLN))
        uow.commit()
    wh, beta_motor = _beta_stock(client, m)
    asn = {
        "order_id": po["id"],
        "ship_date": "2027-01-10",
        "from_site_id": wh,
        "lines": [
            {
                "order_line_id": motor["id"],
                "quantity": "40",
                "lot": "L1",
                "supplier_item_id": beta_motor,
            }
        ],
    }
    shipped = ok(client.post("/api/v1/ship-notices", json=asn, headers=m.beta.headers), 201)
    body = {
        "ship_notice_id": shipped["id"],
        "version": shipped["version"],
        "received_on": "2027-01-12",
        "lines": [{"ship_notice_line_id": shipped["lines"][0]["id"], "quantity": "38"}],
    }
    rn = ok(client.post("/api/v1/receiving-notices", json=body, headers=m.buyer.headers), 201)
    qc = {
        "receiving_line_id": rn["lines"][0]["id"],
        "accepted_quantity": "35",
        "rejected_quantity": "3",
        "reason": "外壳破损",
    }
    ok(client.post("/api/v1/qc-inspections", json=qc, headers=m.buyer.headers), 201)
    return m


def test_receipt_and_qc_become_epcis_events_traced_to_the_supplier_lot(
    db: Database, client: TestClient
) -> None:
    m = _ship_receive_inspect(db, client)
    buyer = _events(client, m.buyer.headers, MATCH_anyEPCClass=str(BUYER_LOT))
    steps = [(e["type"], e["bizStep"], e["disposition"]) for e in buyer]
    assert steps == [
        ("ObjectEvent", "receiving", "in_progress"),
        ("TransformationEvent", "receiving", "in_progress"),
        ("ObjectEvent", "accepting", "active"),
        ("ObjectEvent", "inspecting", "non_conformant"),
    ]
    received, link, accepted, rejected = buyer
    sgln = "urn:epc:id:sgln:6901234.00010.0"
    assert received["readPoint"] == {"id": sgln} and received["bizLocation"] == {"id": sgln}
    assert received["quantityList"] == [{"epcClass": BUYER_LOT, "quantity": 38, "uom": "EA"}]
    assert link["inputQuantityList"][0]["epcClass"] == BETA_LOT
    assert (accepted["quantityList"][0]["quantity"], rejected["quantityList"][0]["quantity"]) == (
        35,
        3,
    )
    # the supplier's shipment is the supplier's own event, out of the buyer's sight
    beta = _events(client, m.beta.headers, MATCH_anyEPCClass=str(BETA_LOT))
    assert [(e["bizStep"], e["disposition"]) for e in beta] == [
        ("receiving", "active"),
        ("shipping", "in_transit"),
    ]
    assert beta[1]["quantityList"][0] == {"epcClass": BETA_LOT, "quantity": 40, "uom": "H87"}
    assert _events(client, m.buyer.headers, MATCH_anyEPCClass=str(BETA_LOT)) == [link]

    trail = ok(
        client.get("/api/v1/trace/backward", params={"epc": BUYER_LOT}, headers=m.buyer.headers)
    )
    assert BETA_LOT in trail["scope"]["lots"]
    assert {"epc": BETA_LOT, "enterprise_id": m.beta.id} in trail["opaque_hops"]
    with db.system() as uow:  # every event is in its owner's ledger
        rows = uow.session.scalars(select(EpcisEvent)).all()
        assert rows and all(r.ledger_index is not None for r in rows)
        leaves = uow.session.scalar(select(func.count()).select_from(LedgerLeaf))
        assert leaves == len(rows)

    # a redelivered outbox event is recognised by its eventID and not captured twice
    with db.system() as uow:
        outbox = uow.session.scalars(
            select(OutboxEvent).where(OutboxEvent.type == flows.EVENT_TYPE)
        ).all()
        before = uow.session.scalar(select(func.count()).select_from(EpcisEvent))
    assert outbox
    assert sum(flows.capture_movement(db, row) for row in outbox) == 0
    with db.system() as uow:
        assert uow.session.scalar(select(func.count()).select_from(EpcisEvent)) == before
    ids = [e["eventID"] for e in _events(client, m.buyer.headers)]
    assert len(ids) == len(set(ids)) and all(i.startswith("urn:uuid:") for i in ids)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the mapping has no backend
def test_emitted_events_are_valid_epcis_2_0(db: Database, client: TestClient) -> None:
    if not (SHARED / "epcis").exists():
        pytest.skip("GS1's EPCIS schemas are not in the shared data folder")
    m = _ship_receive_inspect(db, client)
    events = _events(client, m.buyer.headers) + _events(client, m.beta.headers)
    report = validate_json(flows.document(events))
    assert report.valid, report.errors


def test_lots_and_sites_get_gs1_urns() -> None:
    assert flows.lot_class("6901234000019", "A/1") == "urn:epc:class:lgtin:6901234.000001.A%2F1"
    assert flows.lot_class(None, "L1") is None
    assert flows.lot_class(BUYER_GTIN, "") == "urn:epc:idpat:sgtin:6901234.000001.*"
    assert BUYER_LOT in flows.candidate_classes(BUYER_GTIN, "L1")
    assert flows.site_of_location("urn:epc:id:sgln:6901234.00010.0") == ("gln12", "690123400010")


def test_a_production_report_is_one_transformation_of_the_consumed_lots(
    db: Database, client: TestClient
) -> None:
    s = build(db, client)
    gtins = {s.c1: "06901234000023", s.c2: "06901234000030", s.sub_fg: "06907654000025"}
    with db.system() as uow:
        for item_id, gtin in gtins.items():
            uow.session.execute(update(Item).where(Item.id == item_id).values(gtin=gtin))
        uow.commit()
    body = {"subcontractor_enterprise_id": s.sub.id, "ship_to_site_id": s.plant}
    body |= {"item_id": s.fg, "quantity": "10", "due_date": "2027-02-01", "unit_price": "12"}
    oo = post(client, OO, s.buyer, body, 201)
    url = f"/api/v1/purchase-orders/{oo['order_id']}/lines/{oo['order_line_id']}/answer"
    post(client, url, s.sub, {"action": "accept"})
    lines = [
        {"component_id": c["id"], "quantity": c["required_quantity"]} for c in oo["components"]
    ]
    issue = {"outsourcing_order_id": oo["id"], "from_site_id": s.plant, "lines": lines}
    mi = post(client, MI, s.buyer, issue, 201)
    post(client, f"{MI}/{mi['id']}/acknowledge", s.sub, {"site_id": s.sub_site})
    report = {"site_id": s.sub_site, "started_quantity": "10", "finished_quantity": "10"}
    report |= {"supplier_item_id": s.sub_fg, "lot": "W1"}
    post(client, f"{OO}/{oo['id']}/progress", s.sub, report, 201)

    c1_class = str(flows.lot_class(gtins[s.c1], ""))
    # (a class pattern is matched literally: MATCH_ parameters read patterns as instances)
    shipped = [
        e
        for e in _events(client, s.buyer.headers)
        if any(q["epcClass"] == c1_class for q in e.get("quantityList", []))
    ]
    assert [(e["bizStep"], e["disposition"]) for e in shipped] == [
        ("shipping", "in_transit"),  # material issue (the opening stock had no GTIN yet)
        ("receiving", "in_progress"),  # arrived at the subcontractor
    ]
    made = _events(client, s.sub.headers, eventType="TransformationEvent")
    assert len(made) == 1
    inputs = sorted((q["epcClass"], q["quantity"]) for q in made[0]["inputQuantityList"])
    assert inputs == [(c1_class, 20), (str(flows.lot_class(gtins[s.c2], "")), 10)]
    assert made[0]["outputQuantityList"][0]["epcClass"] == flows.lot_class(gtins[s.sub_fg], "W1")
    assert made[0]["bizStep"] == "commissioning"
