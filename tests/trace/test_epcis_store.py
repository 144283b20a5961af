"""EPCIS capture and query on both backends: official examples round-trip, filters, paging,
whole-document rejection, idempotent resends, tenant isolation and sharing grants."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from supplymesh.network.model import Enterprise, SharingGrant
from supplymesh.platform.errors import ValidationFailed
from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import Database
from supplymesh.trace.epcis.capture import capture, xml_to_json
from supplymesh.trace.epcis.query import parse, query_document, run
from supplymesh.trace.epcis.services import EVENT_TYPES, validate_file, validate_json
from supplymesh.trace.ledger.store import log_size
from tests.api.helpers import Tenant, make_tenant
from tests.trace.shared_data import SHARED

EXAMPLES = SHARED / "epcis" / "gs1-epcis" / "examples"
CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


def _need_examples() -> None:
    if not EXAMPLES.is_dir():
        pytest.skip(f"shared data not available: {EXAMPLES} is absent")


def _enterprise(db: Database, code: str) -> TenantContext:
    with db.system() as uow:
        ent = Enterprise(code=code, name=f"{code} Co", roles=["manufacturer"])
        uow.add(ent)
        uow.commit()
    return TenantContext(ent.id, None, "admin")


def _capturable(path: Path) -> dict[str, Any] | None:
    """The JSON form of an example the validator accepts and that holds events, else None."""
    report = validate_file(path)
    if not report.valid or report.kind not in {"EPCISDocument", *EVENT_TYPES}:
        return None
    raw = path.read_bytes()
    doc: dict[str, Any] = xml_to_json(raw) if path.suffix == ".xml" else json.loads(raw)
    if doc.get("type") in EVENT_TYPES:
        return {"epcisBody": {"eventList": [doc]}}
    if doc.get("type") != "EPCISDocument":
        return None
    return doc


def test_every_accepted_official_example_captures_and_round_trips(db: Database) -> None:
    _need_examples()
    files = sorted(p for p in EXAMPLES.rglob("*") if p.suffix in (".json", ".jsonld", ".xml"))
    checked = 0
    for n, path in enumerate(files):
        doc = _capturable(path)
        if doc is None:
            continue
        sent = [
            {k: v for k, v in e.items() if k != "recordTime"} for e in doc["epcisBody"]["eventList"]
        ]
        ctx = _enterprise(db, f"EX{n}")
        with db.unit_of_work(ctx) as uow:
            result = capture(uow, path.read_bytes())
            uow.commit()
        unique = {json.dumps(e, sort_keys=True) for e in sent}
        assert len(result.captured) == len(unique), path
        with db.unit_of_work(ctx) as uow:
            page = run(uow, parse([("perPage", "1000")]))
        got = [{k: v for k, v in e.items() if k != "recordTime"} for e in page.events]
        assert sorted(json.dumps(e, sort_keys=True) for e in got) == sorted(unique), path
        assert all("recordTime" in e for e in page.events)
        answer = query_document(page)
        assert validate_json(answer).valid, (path, validate_json(answer).errors[:3])
        checked += 1
    assert checked >= 60  # 41 JSON-LD documents and 16 XML ones, plus bare events


def _event(n: int, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "eventTime": f"2026-01-0{n}T10:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "epcList": [f"urn:epc:id:sgtin:0614141.107346.{n}"],
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0"},
    }
    base.update(fields)
    return base


def _document(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-01-10T00:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }


def _events() -> list[dict[str, Any]]:
    return [
        _event(1),
        _event(2, bizStep="receiving", disposition="in_progress"),
        {
            **{k: v for k, v in _event(3).items() if k != "epcList"},
            "type": "AggregationEvent",
            "action": "ADD",
            "parentID": "urn:epc:id:sscc:0614141.1234567890",
            "childEPCs": ["urn:epc:id:sgtin:0614141.107346.1"],
            "bizStep": "packing",
            "bizLocation": {"id": "urn:epc:id:sgln:0614141.00888.0"},
        },
        {
            **{k: v for k, v in _event(4).items() if k not in ("epcList", "action")},
            "type": "TransformationEvent",
            "bizStep": "commissioning",
            "inputEPCList": ["urn:epc:id:sgtin:0614141.107346.2"],
            "outputEPCList": ["urn:epc:id:sgtin:4012345.011111.9"],
            "outputQuantityList": [
                {"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 200}
            ],
        },
        _event(5, readPoint={"id": "urn:epc:id:sgln:0614141.00999.0"}),
    ]


@pytest.fixture
def tenants(db: Database, client: TestClient) -> tuple[Tenant, Tenant]:
    return make_tenant(db, client, "TRACEA"), make_tenant(db, client, "TRACEB")


def _capture(client: TestClient, who: Tenant, doc: dict[str, Any]) -> Any:
    return client.post("/api/v1/epcis/capture", json=doc, headers=who.headers)


def _ids(client: TestClient, who: Tenant, query: str) -> list[int]:
    r = client.get(f"/api/v1/epcis/events?{query}", headers=who.headers)
    assert r.status_code == 200, r.text
    return [
        int(e.get("eventID", "-1")[-2:])
        for e in r.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    ]


def test_query_filters(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    _need_examples()
    r = _capture(client, a, _document(*_events()))
    assert r.status_code == 201, r.text
    assert r.json()["captured"] == 5
    cases = {
        "": [1, 2, 3, 4, 5],
        "eventType=AggregationEvent,TransformationEvent": [3, 4],
        "GE_eventTime=2026-01-02T02:00:00Z&LT_eventTime=2026-01-04T02:00:00Z": [2, 3],
        "EQ_bizStep=receiving": [2],
        "EQ_bizStep=urn:epcglobal:cbv:bizstep:receiving": [2],
        "EQ_disposition=in_transit": [1, 3, 4, 5],
        "EQ_readPoint=urn:epc:id:sgln:0614141.00999.0": [5],
        "EQ_bizLocation=urn:epc:id:sgln:0614141.00888.0": [3],
        "MATCH_epc=urn:epc:id:sgtin:0614141.107346.1": [1, 3],
        "MATCH_parentID=urn:epc:id:sscc:0614141.1234567890": [3],
        "MATCH_inputEPC=urn:epc:id:sgtin:0614141.107346.2": [4],
        "MATCH_outputEPC=urn:epc:id:sgtin:4012345.011111.9": [4],
        "MATCH_anyEPC=urn:epc:id:sgtin:0614141.107346.2": [2, 4],
        "MATCH_anyEPC=urn:epc:idpat:sgtin:4012345.*.*": [4],
        "MATCH_outputEPCClass=urn:epc:class:lgtin:4012345.012345.998877": [4],
        "EQ_bizStep=shipping&MATCH_epc=urn:epc:id:sgtin:0614141.107346.5": [5],
    }
    for query, expected in cases.items():
        assert _ids(client, a, query) == expected, query
    bad = client.get("/api/v1/epcis/events?EQ_nonsense=1&perPage=0", headers=a.headers)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"EQ_nonsense", "perPage"}


def test_pagination_follows_link_headers(
    client: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    a, _ = tenants
    _need_examples()
    assert _capture(client, a, _document(*_events())).status_code == 201
    url: str | None = "/api/v1/epcis/events?perPage=2&EQ_disposition=in_transit"
    pages: list[list[int]] = []
    while url:
        r = client.get(url, headers=a.headers)
        assert r.status_code == 200, r.text
        body = r.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        pages.append([int(e["eventID"][-2:]) for e in body])
        link = r.headers.get("link")
        url = re.match(r"<([^>]+)>; rel=\"next\"", link).group(1) if link else None  # type: ignore[union-attr]
    assert pages == [[1, 3], [4, 5]]
    token = client.get(
        "/api/v1/epcis/events?perPage=2&EQ_disposition=in_transit", headers=a.headers
    ).headers["GS1-Next-Page-Token"]
    other = client.get(f"/api/v1/epcis/events?nextPageToken={token}", headers=a.headers)
    assert other.status_code == 422  # a token is bound to its query


def test_invalid_document_is_rejected_whole(
    db: Database, client: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    a, _ = tenants
    _need_examples()
    bad = copy.deepcopy(_event(2))
    bad["bizStep"] = "not_a_cbv_step"
    del bad["eventTimeZoneOffset"]
    r = _capture(client, a, _document(_event(1), bad))
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    messages = " ".join(e["message"] for e in r.json()["errors"])
    assert "eventTimeZoneOffset" in messages and "not_a_cbv_step" in messages
    assert _ids(client, a, "") == []
    with db.unit_of_work(TenantContext(a.id, None, "admin")) as uow:
        assert log_size(uow, a.id) == 0
    assert (
        client.post(
            "/api/v1/epcis/capture", content=b"<EPCISDocument", headers=a.headers
        ).status_code
        == 422
    )


def test_resend_does_not_duplicate(
    db: Database, client: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    a, _ = tenants
    _need_examples()
    no_id = {k: v for k, v in _event(6).items() if k != "eventID"}
    doc = _document(*_events(), no_id)
    first = _capture(client, a, doc).json()
    again = _capture(client, a, doc).json()
    assert (first["captured"], first["duplicates"]) == (6, 0)
    assert (again["captured"], again["duplicates"]) == (0, 6)
    assert sorted(_ids(client, a, "perPage=100")) == [-1, 1, 2, 3, 4, 5]
    with db.unit_of_work(TenantContext(a.id, None, "admin")) as uow:
        assert log_size(uow, a.id) == 6
        assert len(run(uow, parse([])).events) == 6


def test_xml_capture_via_api(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    path = EXAMPLES / "XML" / "WithFullCombinationOfFields" / "object_event_all_possible_fields.xml"
    if not path.is_file():
        pytest.skip(f"shared data not available: {path} is absent")
    r = client.post(
        "/api/v1/epcis/capture",
        content=path.read_bytes(),
        headers={**a.headers, "Content-Type": "application/xml"},
    )
    assert r.status_code == 201, r.text
    events = client.get(
        "/api/v1/epcis/events?MATCH_epc=urn:epc:id:sgtin:0614141.107346.2018", headers=a.headers
    ).json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert len(events) == 1
    event = events[0]
    assert event["eventTime"] == "2005-04-04T20:33:31.116-06:00"
    assert event["quantityList"] == [
        {"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 200, "uom": "KGM"}
    ]
    assert event["sensorElementList"][0]["sensorReport"][0]["value"] == 26.0
    sensor = event["sensorElementList"][0]
    assert sensor["ext1:object"]["ext2:object"]["ext3:string"] == "stringInObjectInObject"
    assert sensor["ext1:boolean"] is True


def test_tenants_see_only_their_own_events_unless_shared(
    db: Database, client: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    _need_examples()
    assert _capture(client, a, _document(*_events())).status_code == 201
    assert _ids(client, b, "") == []
    assert _ids(client, b, "MATCH_epc=urn:epc:id:sgtin:0614141.107346.1") == []
    # the same event captured by B is B's own record, not a duplicate of A's
    assert _capture(client, b, _document(_event(1))).json()["captured"] == 1
    assert _ids(client, b, "") == [1]
    with db.system() as uow:
        uow.add(
            SharingGrant(
                enterprise_id=a.id,
                partner_enterprise_id=b.id,
                kind="epcis_events",
                resource_id=None,
            )
        )
        uow.commit()
    assert sorted(_ids(client, b, "")) == [1, 1, 2, 3, 4, 5]
    assert _ids(client, a, "") == [1, 2, 3, 4, 5]


def test_bare_event_and_query_document_capture(db: Database) -> None:
    _need_examples()
    ctx = _enterprise(db, "BARE")
    with db.unit_of_work(ctx) as uow:
        assert (
            len(capture(uow, json.dumps({"@context": CONTEXT, **_event(1)}).encode()).captured) == 1
        )
        uow.commit()
    with db.unit_of_work(ctx) as uow, pytest.raises(ValidationFailed):
        capture(uow, json.dumps({**_document(), "type": "EPCISQueryDocument"}).encode())


def test_values_too_long_for_the_index_are_rejected_whole(db: Database) -> None:
    _need_examples()
    ctx = _enterprise(db, "LONG")
    long_id = "urn:epc:id:sgln:0614141." + "9" * 300 + ".0"
    doc = _document(_event(1), _event(2, readPoint={"id": long_id}))
    with db.unit_of_work(ctx) as uow, pytest.raises(ValidationFailed) as caught:
        capture(uow, json.dumps(doc).encode())
    assert [e.field for e in caught.value.errors] == ["epcisBody/eventList/1/readPoint/id"]
    with db.unit_of_work(ctx) as uow:
        assert run(uow, parse([])).events == ()


OPENEPCIS = SHARED / "epcis" / "openepcis-test-resources" / "2.0" / "EPCIS"
# Twins that are not the same content: the XML lists the SSCC twice where the JSON has its
# Digital Link; the JSON carries as rdfs:comment what the XML has as an XML comment (not data).
NOT_TWINS = {"epcisDocWithAllGS1Keys", "ObjectEvent_with_comment"}
_CBV = re.compile(
    r"^(urn:epcglobal:cbv:(bizstep|disp|btt|sdt|er):"
    r"|https://ref\.gs1\.org/cbv/(BizStep|Disp|BTT|SDT|ER)-|cbv:(BizStep|Disp|BTT|SDT|ER)-|gs1:)"
)


def _semantic(value: Any, prefixes: dict[str, str]) -> Any:
    """A comparable form: CURIE keys expanded, CBV terms bare, instants, numbers, sets."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in ("@context", "recordTime") or v in ("", None):
                continue
            prefix, sep, local = k.partition(":")
            out[prefixes.get(prefix, prefix + ":") + local if sep else k] = _semantic(v, prefixes)
        return out
    if isinstance(value, list):
        return sorted((_semantic(v, prefixes) for v in value), key=lambda v: _sort_key(v))
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    text = _CBV.sub("", str(value))
    if re.match(r"^\d{4}-\d\d-\d\dT", text):
        return datetime.fromisoformat(text).timestamp()
    if text in ("true", "false"):
        return text == "true"
    try:
        return float(text)
    except ValueError:
        return text


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _prefixes(doc: dict[str, Any]) -> dict[str, str]:
    """Prefix → namespace from the document's own context entries (the CBV master-data
    namespace, spelt with or without a trailing colon, stays ``cbvmda:``)."""
    ctx = doc.get("@context", [])
    found = {
        k: v
        for item in (ctx if isinstance(ctx, list) else [ctx])
        if isinstance(item, dict)
        for k, v in item.items()
        if isinstance(v, str)
    }
    return {k: "cbvmda:" if v.startswith("urn:epcglobal:cbv:mda") else v for k, v in found.items()}


def _twins() -> list[Any]:
    if not OPENEPCIS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{OPENEPCIS} is absent"))]
    return [
        pytest.param(x, id=x.stem)
        for folder in ("Capture/Documents", "Capture/Events")
        for x in sorted((OPENEPCIS / "XML" / folder).glob("*.xml"))
        if (OPENEPCIS / "JSON" / folder / f"{x.stem}.json").is_file() and x.stem not in NOT_TWINS
    ]


@pytest.mark.parametrize("xml_path", _twins())
def test_openepcis_xml_and_json_twins_convert_to_the_same_events(xml_path: Path) -> None:
    json_path = (
        OPENEPCIS
        / "JSON"
        / xml_path.parent.relative_to(OPENEPCIS / "XML")
        / (f"{xml_path.stem}.json")
    )
    if not (validate_file(xml_path).valid and validate_file(json_path).valid):
        pytest.skip("one twin is invalid by design (checked in test_validation)")
    converted = xml_to_json(xml_path.read_bytes())
    assert validate_json(converted).valid, validate_json(converted).errors[:3]
    original = json.loads(json_path.read_text(encoding="utf-8"))
    events = original["epcisBody"]["eventList"] if "epcisBody" in original else [original]
    assert _semantic(converted["epcisBody"]["eventList"], _prefixes(converted)) == _semantic(
        events, _prefixes(original)
    )
