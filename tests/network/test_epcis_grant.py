"""`epcis_events` / `epcis_site_events` grants: a partner sees exactly the granted items' and
sites' events, in queries and in trace and recall, and nothing else of the grantor's log."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import Database
from supplymesh.trace.epcis.store import store_events
from tests.api.helpers import Tenant, make_tenant

GTIN_X, GTIN_Y = "09520123456788", "06901234000016"
X1 = "urn:epc:id:sgtin:9520123.045678.1"
Y_LOT = "urn:epc:class:lgtin:6901234.000001.L7"
GLN_1, GLN_2 = "6901234000108", "6907654000100"
AT_1, AT_2 = "urn:epc:id:sgln:6901234.00010.0", "urn:epc:id:sgln:690765.400010.0"


def _event(n: int, where: str, **epcs: Any) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "eventTime": f"2026-06-{n:02d}T08:00:00.000Z",
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "bizStep": "shipping",
        "readPoint": {"id": where},
        **epcs,
    }


def _ids(client: TestClient, who: Tenant, **params: str) -> list[str]:
    r = client.get("/api/v1/epcis/events", params=params, headers=who.headers)
    assert r.status_code == 200, r.text
    events = r.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    return [e["eventID"][-2:] for e in events]


def _post(client: TestClient, who: Tenant, path: str, body: dict[str, Any]) -> int:
    r = client.post(f"/api/v1/{path}", json=body, headers=who.headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_a_partner_sees_only_granted_items_and_sites(db: Database, client: TestClient) -> None:
    owner, partner = make_tenant(db, client, "MAKER"), make_tenant(db, client, "SHOP")
    x = _post(client, owner, "items", {"sku": "X", "name": "X", "gtin": GTIN_X})
    _post(client, owner, "items", {"sku": "Y", "name": "Y", "gtin": GTIN_Y})
    _post(client, owner, "sites", {"code": "S1", "name": "S1", "kind": "plant", "gln": GLN_1})
    s2 = _post(client, owner, "sites", {"code": "S2", "name": "S2", "kind": "dc", "gln": GLN_2})
    y_lot = {"quantityList": [{"epcClass": Y_LOT, "quantity": 3}]}
    events = [
        _event(1, AT_1, epcList=[X1]),
        _event(2, AT_2, **y_lot),
        _event(3, AT_1, **y_lot),
    ]
    with db.unit_of_work(TenantContext(owner.id, None, "operator")) as uow:
        store_events(uow, events, None)
        uow.commit()
    assert _ids(client, partner) == []

    grant = {"partner_enterprise_id": partner.id, "kind": "epcis_events", "resource_id": x}
    _post(client, owner, "sharing-grants", grant)
    assert _ids(client, partner) == ["01"]
    assert _ids(client, partner, MATCH_anyEPCClass=Y_LOT) == []

    site = {"partner_enterprise_id": partner.id, "kind": "epcis_site_events", "resource_id": s2}
    _post(client, owner, "sharing-grants", site)
    assert _ids(client, partner) == ["01", "02"]
    assert _ids(client, partner, MATCH_anyEPCClass=Y_LOT) == ["02"]
    assert _ids(client, owner) == ["01", "02", "03"]  # the owner's view is unchanged

    # trace and recall: the granted event joins the trail, the other one stays opaque
    r = client.get("/api/v1/trace/forward", params={"epc": Y_LOT}, headers=partner.headers)
    trail = r.json()
    assert trail["nodes"][0]["locations"] == [AT_2]
    assert trail["opaque_hops"] == [{"epc": Y_LOT, "enterprise_id": owner.id}]

    bad = {"partner_enterprise_id": partner.id, "kind": "epcis_everything"}
    r = client.post("/api/v1/sharing-grants", json=bad, headers=owner.headers)
    assert r.status_code == 422 and "kind" in r.text


def test_a_whole_log_grant_opens_every_event(db: Database, client: TestClient) -> None:
    owner, partner = make_tenant(db, client, "MAKER"), make_tenant(db, client, "SHOP")
    with db.unit_of_work(TenantContext(owner.id, None, "operator")) as uow:
        store_events(uow, [_event(1, AT_1, epcList=[X1]), _event(2, AT_2, epcList=[X1])], None)
        uow.commit()
    _post(
        client,
        owner,
        "sharing-grants",
        {"partner_enterprise_id": partner.id, "kind": "epcis_events"},
    )
    assert _ids(client, partner, MATCH_epc=X1) == ["01", "02"]
