"""The scan page: a label's Digital Link opens the passport, with every step verified.

Labels are issued and the ledger signed through the HTTP API; events are stored with the
EPCIS store's use case (the capture endpoint would also validate them against GS1's schema,
which the EPCIS tests cover). Tampering is done behind the platform's back, in the database.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import Database
from supplymesh.trace.epcis.store import store_events
from supplymesh.trace.model import EpcisEvent, LedgerLeaf
from tests.api.helpers import Tenant, make_tenant

GTIN = "09520123456788"
SGLN = "urn:epc:id:sgln:9520123.00001.0"
PASSPHRASE = "correct horse battery"


def _event(n: int, epc: dict[str, Any], step: str, disposition: str) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "eventTime": f"2026-05-{n:02d}T08:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": step,
        "disposition": disposition,
        "readPoint": {"id": SGLN},
        "bizLocation": {"id": SGLN},
        **epc,
    }


def _store(db: Database, who: Tenant, events: list[dict[str, Any]]) -> None:
    with db.unit_of_work(TenantContext(who.id, None, "operator")) as uow:
        store_events(uow, events, None)
        uow.commit()


def _sign(client: TestClient, who: Tenant) -> dict[str, Any]:
    r = client.post("/api/v1/ledger/heads", json={"passphrase": PASSPHRASE}, headers=who.headers)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _labelled(db: Database, client: TestClient) -> tuple[Tenant, str, str]:
    """An owner with an item, an issued serial label and lot label, events and a signed log."""
    owner = make_tenant(db, client, "PUMPS")
    item = {"sku": "P-100", "name": "离心泵", "name_en": "Centrifugal pump", "gtin": GTIN}
    item |= {"price": "1200.00", "category": "pumps"}
    assert client.post("/api/v1/items", json=item, headers=owner.headers).status_code == 201
    codes = {}
    for kind in ("item", "lot"):
        r = client.post(
            "/api/v1/codes/issue", json={"kind": kind, "gtin": GTIN}, headers=owner.headers
        )
        assert r.status_code == 201, r.text
        codes[kind] = r.json()["items"][0]["uri"]
    serial = {"epcList": ["urn:epc:id:sgtin:9520123.045678.1"]}
    lot = {
        "epcList": [],
        "quantityList": [{"epcClass": "urn:epc:class:lgtin:9520123.045678.1", "quantity": 5}],
    }
    _store(
        db,
        owner,
        [
            _event(1, serial, "commissioning", "active"),
            _event(2, lot, "shipping", "in_transit"),
            _event(3, serial, "receiving", "active"),
        ],
    )
    key = {"passphrase": PASSPHRASE}
    assert client.post("/api/v1/ledger/keys", json=key, headers=owner.headers).status_code == 201
    _sign(client, owner)
    return owner, codes["item"], codes["lot"]


def _path(uri: str) -> str:
    parts = urlsplit(uri)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _passport(client: TestClient, uri: str, **headers: str) -> dict[str, Any]:
    r = client.get(_path(uri), params={"format": "json"}, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_scanned_label_shows_the_verified_history(db: Database, client: TestClient) -> None:
    owner, item_uri, lot_uri = _labelled(db, client)
    assert item_uri == f"http://testserver/01/{GTIN}/21/1"  # labels point at our scan page
    page = client.get(_path(item_uri))
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "离心泵" in page.text and page.text.count('data-status="verified"') == 2
    english = client.get(_path(item_uri), headers={"Accept-Language": "en"})
    assert "Centrifugal pump" in english.text and "Verified" in english.text

    body = _passport(client, item_uri)
    assert body["linkType"] == "gs1:pip"
    assert body["code"] == {
        "uri": f"http://testserver/01/{GTIN}/21/1?format=json",
        "gtin": GTIN,
        "lot": None,
        "serial": "1",
        "ais": [["01", GTIN], ["21", "1"]],
    }
    assert body["item"]["owner"]["code"] == "PUMPS"
    assert body["item"]["public"]["category"] == "pumps"
    assert body["item"]["partner"] is None  # anonymous: no partner-only attributes
    steps = [(h["bizStep"], h["verification"]["status"]) for h in body["history"]]
    assert steps == [("commissioning", "verified"), ("receiving", "verified")]
    assert body["history"][0]["who"]["code"] == "PUMPS"
    assert body["ledgers"][0]["signature_ok"] is True and body["ledgers"][0]["tree_size"] == 3
    expiring = client.get(f"{_path(item_uri)}?17=271231&format=json").json()  # a query AI
    assert (
        expiring["code"]["ais"][-1] == ["17", "271231"] and expiring["history"] == body["history"]
    )
    lot = _passport(client, lot_uri)
    assert [h["bizStep"] for h in lot["history"]] == ["shipping"]
    # the owner, signed in, sees its partner-only attributes
    mine = _passport(client, item_uri, **owner.headers)
    assert mine["item"]["partner"]["sku"] == "P-100"
    assert mine["item"]["partner"]["price"] == "1200"
    # a GS1 resolver asks for the linkset: the passport is its gs1:pip link, in both forms
    r = client.get(_path(item_uri), params={"linkType": "linkset"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/linkset+json"
    entry = r.json()["linkset"][0]
    assert entry["anchor"] == item_uri
    assert {link["type"] for link in entry["https://gs1.org/voc/pip"]} == {
        "text/html",
        "application/json",
    }
    # the same through the API, which needs a caller
    api = client.get("/api/v1/trace/passport", params={"code": item_uri}, headers=owner.headers)
    assert api.status_code == 200 and api.json()["history"] == mine["history"]
    assert client.get("/api/v1/trace/passport", params={"code": item_uri}).status_code == 401
    bad = client.get(
        "/api/v1/trace/passport", params={"code": "https://x/00/1"}, headers=owner.headers
    )
    assert bad.status_code == 422 and "00" in bad.json()["detail"]


def test_unsigned_tampered_and_witnessed_steps(db: Database, client: TestClient) -> None:
    owner, item_uri, _ = _labelled(db, client)
    serial = {"epcList": ["urn:epc:id:sgtin:9520123.045678.1"]}
    _store(db, owner, [_event(4, serial, "shipping", "in_transit")])
    history = _passport(client, item_uri)["history"]
    assert history[-1]["verification"]["status"] == "not_in_ledger"
    assert history[-1]["verification"]["reason"] == "after_head"

    witness = make_tenant(db, client, "AUDIT")
    key = {"passphrase": PASSPHRASE}
    assert client.post("/api/v1/ledger/keys", json=key, headers=witness.headers).status_code == 201
    head = _sign(client, owner)
    seen = {k: head[k] for k in ("tree_size", "root_hash", "timestamp_ms")}
    cosign = {"enterprise_id": owner.id, "passphrase": PASSPHRASE, **seen}
    r = client.post("/api/v1/ledger/witness", json=cosign, headers=witness.headers)
    assert r.status_code == 201, r.text
    body = _passport(client, item_uri)
    assert [h["verification"]["status"] for h in body["history"]] == ["verified"] * 3
    assert body["ledgers"][0]["witnesses"] == [{"enterprise_id": witness.id, "ok": True}]

    with db.system() as uow:  # the operator edits one ledger entry behind everyone's back
        leaf = uow.session.scalar(select(LedgerLeaf).where(LedgerLeaf.leaf_index == 2))
        assert leaf is not None
        uow.session.execute(
            update(LedgerLeaf)
            .where(LedgerLeaf.id == leaf.id)
            .values(entry={**leaf.entry, "eventTime": "2026-01-01T00:00:00.000+08:00"})
        )
        uow.commit()
    verdicts = [h["verification"] for h in _passport(client, item_uri)["history"]]
    assert [v["status"] for v in verdicts] == ["verified", "proof_fails", "verified"]
    assert verdicts[1]["reason"] == "entry_altered" and "entry 2" in verdicts[1]["detail"]
    page = client.get(_path(item_uri))
    assert page.text.count('data-status="proof_fails"') == 1
    assert 'data-reason="entry_altered"' in page.text

    with db.system() as uow:  # and one captured event
        row = uow.session.scalar(select(EpcisEvent).where(EpcisEvent.ledger_index == 0))
        assert row is not None
        uow.session.execute(
            update(EpcisEvent)
            .where(EpcisEvent.id == row.id)
            .values(document={**row.document, "disposition": "recalled"})
        )
        uow.commit()
    verdicts = [h["verification"] for h in _passport(client, item_uri)["history"]]
    assert verdicts[0]["status"] == "proof_fails" and verdicts[0]["reason"] == "event_differs"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # no data involved
def test_bad_and_unknown_codes_get_a_clear_error(client: TestClient) -> None:
    bad = client.get(f"/01/{GTIN[:-1]}7/21/1")
    assert bad.status_code == 400 and "09520123456787" in bad.text and "CHECK_DIGIT" in bad.text
    assert "无法识别该标识" in bad.text
    bad_json = client.get(f"/01/{GTIN[:-1]}7/21/1", params={"format": "json"})
    assert bad_json.status_code == 400
    assert bad_json.headers["content-type"] == "application/problem+json"
    unknown = client.get("/01/09506000134352/10/ABC", headers={"Accept": "application/json"})
    assert unknown.status_code == 404 and "09506000134352" in unknown.json()["detail"]
    page = client.get("/01/09506000134352/10/ABC", headers={"Accept-Language": "en"})
    assert page.status_code == 404 and "Unknown product code" in page.text
