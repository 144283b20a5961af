"""Trace and recall on both backends over a chain captured as EPCIS JSON-LD: supplier lot →
serials → cases → pallet → DC → stores, with another enterprise's event beyond the border."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from supplymesh.network.model import SharingGrant
from supplymesh.platform.uow import Database
from tests.api.helpers import Tenant, make_tenant
from tests.trace.shared_data import SHARED

SCHEMAS = SHARED / "epcis" / "gs1-epcis" / "schemas"
CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

RAW = "urn:epc:class:lgtin:4012345.012345.RAW7"
LOT = "urn:epc:class:lgtin:4012345.012345.LOT1"
LATE = "urn:epc:class:lgtin:4012345.012345.LATE9"
SERIALS = [f"urn:epc:id:sgtin:0614141.107346.{n}" for n in (1, 2, 3)]
STRANGER = "urn:epc:id:sgtin:0614141.107346.99"
CASE1, CASE2, CASE3 = (f"urn:epc:id:sscc:0614141.000000000{n}" for n in (1, 2, 3))
PALLET = "urn:epc:id:sscc:0614141.1000000000"
FACTORY, DC = "urn:epc:id:sgln:0614141.00001.0", "urn:epc:id:sgln:0614141.00002.0"
STORE1, STORE2 = "urn:epc:id:sgln:0614141.00003.0", "urn:epc:id:sgln:0614141.00004.0"
SUPPLIER = "urn:epc:id:sgln:4012345.00009.0"


def _need_schemas() -> None:
    if not SCHEMAS.is_dir():
        pytest.skip(f"shared data not available: {SCHEMAS} is absent")


def _ev(n: int, kind: str, day: int, where: str, **fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": kind,
        "eventID": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "eventTime": f"2026-03-{day:02d}T08:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "readPoint": {"id": where},
        "bizLocation": {"id": where},
    }
    if kind != "TransformationEvent":
        event["action"] = "ADD"
    event.update(fields)
    return event


def _agg(n: int, day: int, where: str, parent: str, children: list[str], **kw: Any) -> Any:
    return _ev(n, "AggregationEvent", day, where, parentID=parent, childEPCs=children, **kw)


def _seen(n: int, day: int, where: str, epcs: list[str], step: str, disp: str) -> Any:
    return _ev(
        n, "ObjectEvent", day, where, action="OBSERVE", epcList=epcs, bizStep=step, disposition=disp
    )


def _lot(epc: str) -> list[dict[str, Any]]:
    return [{"epcClass": epc, "quantity": 50, "uom": "KGM"}]


def _chain() -> list[dict[str, Any]]:
    return [
        _ev(
            1,
            "TransformationEvent",
            1,
            SUPPLIER,
            inputQuantityList=_lot(RAW),
            outputQuantityList=_lot(LOT),
            bizStep="commissioning",
        ),
        _ev(
            2,
            "ObjectEvent",
            2,
            FACTORY,
            action="OBSERVE",
            quantityList=_lot(LOT),
            bizStep="receiving",
            disposition="in_progress",
        ),
        _ev(
            3,
            "TransformationEvent",
            3,
            FACTORY,
            inputQuantityList=_lot(LOT),
            outputEPCList=SERIALS,
            bizStep="commissioning",
        ),
        _agg(4, 4, FACTORY, CASE1, SERIALS[:2], bizStep="packing"),
        _agg(5, 4, FACTORY, CASE2, SERIALS[2:], bizStep="packing"),
        _agg(6, 4, FACTORY, CASE3, [STRANGER], bizStep="packing"),
        _agg(7, 5, FACTORY, PALLET, [CASE1, CASE2, CASE3], bizStep="packing"),
        _seen(8, 6, FACTORY, [PALLET], "shipping", "in_transit"),
        _seen(9, 7, DC, [PALLET], "receiving", "in_progress"),
        _agg(10, 8, DC, PALLET, [CASE1, CASE2, CASE3], action="DELETE", bizStep="unpacking"),
        _seen(11, 9, STORE1, [CASE1], "receiving", "sellable_not_accessible"),
        _seen(12, 9, STORE2, [CASE2], "receiving", "sellable_not_accessible"),
        # made from LATE after LOT had already been used: not a source of the serials
        _ev(
            13,
            "TransformationEvent",
            10,
            SUPPLIER,
            inputQuantityList=_lot(LATE),
            outputQuantityList=_lot(LOT),
            bizStep="commissioning",
        ),
    ]


def _capture(client: TestClient, who: Tenant, events: list[dict[str, Any]]) -> None:
    doc = {
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-20T00:00:00Z",
        "epcisBody": {"eventList": events},
    }
    r = client.post(
        "/api/v1/epcis/capture",
        json=doc,
        headers={**who.headers, "Content-Type": "application/ld+json"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["captured"] == len(events)


def _trace(client: TestClient, who: Tenant, way: str, epc: str, **params: Any) -> Any:
    r = client.get(f"/api/v1/trace/{way}", params={"epc": epc, **params}, headers=who.headers)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def tenants(db: Database, client: TestClient) -> tuple[Tenant, Tenant]:
    _need_schemas()
    maker, retailer = make_tenant(db, client, "RECALLA"), make_tenant(db, client, "RECALLB")
    _capture(client, maker, _chain())
    # the retailer's own record of CASE2 moving on: the maker cannot read it
    _capture(client, retailer, [_seen(20, 11, STORE1, [CASE2], "shipping", "in_transit")])
    return maker, retailer


def test_forward_from_the_supplier_lot_reaches_every_unit_and_store(
    client: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    maker, retailer = tenants
    body = _trace(client, maker, "forward", LOT)
    scope = body["scope"]
    assert scope["epcs"] == sorted([*SERIALS, CASE1, CASE2, PALLET])  # not CASE3's contents
    assert scope["lots"] == [LOT]
    assert {DC, STORE1, STORE2, FACTORY} <= set(scope["locations"])
    assert SUPPLIER in scope["locations"]  # where the lot itself was made
    nodes = {n["epc"]: n for n in body["nodes"]}
    assert nodes[CASE1]["last_location"] == STORE1
    assert nodes[CASE2]["last_location"] == STORE2
    assert nodes[CASE1]["disposition"] == "sellable_not_accessible"
    assert nodes[PALLET]["last_location"] == DC
    assert nodes[SERIALS[0]]["kind"] == "instance" and nodes[LOT]["kind"] == "class"
    relations = {(e["from"], e["relation"], e["to"]) for e in body["edges"]}
    assert (LOT, "transformed_into", SERIALS[0]) in relations
    assert (SERIALS[2], "contained_in", CASE2) in relations
    assert (CASE2, "contained_in", PALLET) in relations
    assert all(e["event_id"].startswith("urn:uuid:") for e in body["edges"])
    # the retailer's event is an opaque hop: the EPC and its owner, never the event or place
    assert body["opaque_hops"] == [{"epc": CASE2, "enterprise_id": retailer.id}]
    assert "00000000020" not in str(body)


def test_backward_from_a_serial_reaches_the_supplier_lot_in_time_order(
    client: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    maker, _ = tenants
    body = _trace(client, maker, "backward", SERIALS[2])
    assert body["scope"]["lots"] == [LOT, RAW]  # LATE was turned into LOT after it was used
    assert body["scope"]["epcs"] == sorted([SERIALS[2], CASE2])  # packed after it was made
    assert SUPPLIER in body["scope"]["locations"]
    made = [(e["from"], e["relation"], e["to"]) for e in body["edges"]]
    assert made == [
        (LOT, "made_from", RAW),
        (SERIALS[2], "made_from", LOT),
        (SERIALS[2], "contained_in", CASE2),
    ]
    case = _trace(client, maker, "backward", CASE1)
    assert case["scope"]["epcs"] == sorted([CASE1, PALLET, *SERIALS[:2]])  # not its siblings
    assert case["scope"]["lots"] == [LOT, RAW]
    assert case["opaque_hops"] == []


def test_other_enterprise_sees_only_its_own_trail(
    client: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    maker, retailer = tenants
    body = _trace(client, retailer, "forward", CASE2)
    assert [n["epc"] for n in body["nodes"]] == [CASE2]
    assert body["nodes"][0]["last_location"] == STORE1
    assert body["opaque_hops"] == [{"epc": CASE2, "enterprise_id": maker.id}]
    assert _trace(client, retailer, "forward", LOT)["scope"]["epcs"] == []


def test_a_shared_event_joins_the_trail_instead_of_being_opaque(
    db: Database, client: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    maker, retailer = tenants
    with db.system() as uow:
        uow.add(
            SharingGrant(
                enterprise_id=retailer.id,
                partner_enterprise_id=maker.id,
                kind="epcis_events",
                resource_id=None,
            )
        )
        uow.commit()
    body = _trace(client, maker, "forward", LOT)
    assert body["opaque_hops"] == []
    nodes = {n["epc"]: n for n in body["nodes"]}
    assert nodes[CASE2]["last_location"] == STORE1  # the retailer moved it on
    assert nodes[CASE2]["disposition"] == "in_transit"


def test_a_cycle_does_not_loop_and_depth_is_bounded(
    client: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    maker, _ = tenants
    a, b = "urn:epc:id:sgtin:0614141.107346.501", "urn:epc:id:sgtin:0614141.107346.502"
    loop = [
        _ev(30, "TransformationEvent", 12, FACTORY, inputEPCList=[a], outputEPCList=[b]),
        _ev(31, "TransformationEvent", 13, FACTORY, inputEPCList=[b], outputEPCList=[a]),
        _ev(32, "TransformationEvent", 14, FACTORY, inputEPCList=[a], outputEPCList=[b]),
    ]
    _capture(client, maker, loop)
    body = _trace(client, maker, "forward", a)
    assert sorted(n["epc"] for n in body["nodes"]) == [a, b]
    assert len(body["edges"]) == 3 and not body["truncated"]
    shallow = _trace(client, maker, "forward", LOT, max_depth=1)
    assert shallow["scope"]["epcs"] == SERIALS and shallow["truncated"]


@pytest.mark.parametrize(
    ("epc", "reason"),
    [
        ("urn:epc:id:sgtin:0614141.107346", "3 components"),
        ("urn:epc:class:lgtin:12.3.4", "company prefix"),
        ("banana", "not an EPC pure-identity URN"),
    ],
)
def test_malformed_epc_is_422_with_the_reason(
    db: Database, client: TestClient, epc: str, reason: str
) -> None:
    maker = make_tenant(db, client, "RECALLC")
    r = client.get("/api/v1/trace/backward", params={"epc": epc}, headers=maker.headers)
    assert r.status_code == 422
    assert reason in r.json()["detail"]
