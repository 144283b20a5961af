"""Master data over HTTP: CRUD, tenancy (404 across enterprises), locking, exact decimals."""

from __future__ import annotations

from fastapi.testclient import TestClient

from supplymesh.platform.uow import Database
from tests.api.helpers import make_tenant

SITE = {
    "code": "SH-DC1",
    "name": "上海配送中心",
    "kind": "dc",
    "latitude": 31.23,
    "longitude": 121.47,
}


def test_create_read_update_delete_site(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    r = client.post("/api/v1/sites", json=SITE, headers=a.headers)
    assert r.status_code == 201, r.text
    site = r.json()
    assert r.headers["Location"] == f"/api/v1/sites/{site['id']}"
    assert site["enterprise_id"] == a.id and site["version"] == 1
    lat, lon = site["gcj02"]
    assert abs(lat - 31.23) > 1e-4 and abs(lon - 121.47) > 1e-4  # GCJ-02 shifted from WGS-84
    r = client.patch(
        f"/api/v1/sites/{site['id']}", json={"name": "新名字", "version": 1}, headers=a.headers
    )
    assert r.status_code == 200 and r.json()["name"] == "新名字" and r.json()["version"] == 2
    assert client.get(f"/api/v1/sites/{site['id']}", headers=a.headers).json()["name"] == "新名字"
    assert client.delete(f"/api/v1/sites/{site['id']}", headers=a.headers).status_code == 204
    assert client.get(f"/api/v1/sites/{site['id']}", headers=a.headers).status_code == 404


def test_another_enterprises_object_answers_404(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    b = make_tenant(db, client, "BETA")
    site_id = client.post("/api/v1/sites", json=SITE, headers=a.headers).json()["id"]
    for method, body in (("GET", None), ("PATCH", {"name": "x"}), ("DELETE", None)):
        r = client.request(method, f"/api/v1/sites/{site_id}", json=body, headers=b.headers)
        assert r.status_code == 404, (method, r.text)
        assert "上海" not in r.text
    assert client.get("/api/v1/sites", headers=b.headers).json()["total"] == 0
    assert client.get(f"/api/v1/sites/{site_id}", headers=a.headers).json()["name"] == SITE["name"]


def test_stale_version_answers_409(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    site_id = client.post("/api/v1/sites", json=SITE, headers=a.headers).json()["id"]
    ok = client.patch(
        f"/api/v1/sites/{site_id}", json={"name": "one", "version": 1}, headers=a.headers
    )
    assert ok.status_code == 200
    stale = client.patch(
        f"/api/v1/sites/{site_id}", json={"name": "two", "version": 1}, headers=a.headers
    )
    assert stale.status_code == 409
    assert "version 2" in stale.json()["detail"]
    header = client.patch(
        f"/api/v1/sites/{site_id}", json={"name": "three"}, headers={**a.headers, "If-Match": '"1"'}
    )
    assert header.status_code == 409
    assert client.get(f"/api/v1/sites/{site_id}", headers=a.headers).json()["name"] == "one"


def test_money_and_quantities_are_exact_decimal_strings(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    item = {
        "sku": "RC-3L",
        "name": "电饭煲 3L",
        "price": "199.9900",
        "weight_kg": "2.125",
        "gtin": "06901234567892",
    }
    r = client.post("/api/v1/items", json=item, headers=a.headers)
    assert r.status_code == 201, r.text
    assert r.json()["price"] == "199.99" and r.json()["weight_kg"] == "2.125"
    too_precise = client.post(
        "/api/v1/items",
        json={**item, "sku": "X", "gtin": None, "price": "1.00001"},
        headers=a.headers,
    )
    assert too_precise.status_code == 422
    assert too_precise.json()["errors"][0]["field"] == "price"
    assert "4 decimal places" in too_precise.json()["errors"][0]["message"]


def test_validation_errors_name_the_field(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    r = client.post(
        "/api/v1/sites",
        json={"code": "X", "name": "n", "kind": "castle", "gln": "1234567890123"},
        headers=a.headers,
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"kind", "gln"}
    r = client.post(
        "/api/v1/items", json={"sku": "A", "name": "a", "gtin": "06901234567891"}, headers=a.headers
    )
    assert r.status_code == 422 and "check digit" in r.json()["errors"][0]["message"]
    r = client.post("/api/v1/sites", json={**SITE, "colour": "red"}, headers=a.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "colour"


def test_duplicate_code_is_a_conflict(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    b = make_tenant(db, client, "BETA")
    assert client.post("/api/v1/sites", json=SITE, headers=a.headers).status_code == 201
    assert client.post("/api/v1/sites", json=SITE, headers=a.headers).status_code == 409
    assert client.post("/api/v1/sites", json=SITE, headers=b.headers).status_code == 201


def test_lane_between_enterprises_needs_a_grant(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    b = make_tenant(db, client, "BETA", ["supplier"])
    plant = client.post(
        "/api/v1/sites", json={**SITE, "code": "P1", "kind": "plant"}, headers=a.headers
    ).json()
    supplier_site = client.post(
        "/api/v1/sites", json={**SITE, "code": "S1", "kind": "plant"}, headers=b.headers
    ).json()
    lane = {
        "from_site_code": "BETA/S1",
        "to_site_code": "P1",
        "lead_time_mean_days": "3.5",
        "lead_time_std_days": "0.8",
        "cost_per_unit": "1.20",
    }
    r = client.post("/api/v1/lanes", json=lane, headers=a.headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "from_site_code"
    grant = {"partner_enterprise_id": a.id, "kind": "site", "resource_id": supplier_site["id"]}
    assert client.post("/api/v1/sharing-grants", json=grant, headers=b.headers).status_code == 201
    r = client.post("/api/v1/lanes", json=lane, headers=a.headers)
    assert r.status_code == 201, r.text
    assert r.json()["from_site_id"] == supplier_site["id"] and r.json()["to_site_id"] == plant["id"]
    assert r.json()["lead_time_mean_days"] == "3.5"
    shared = client.get("/api/v1/sites", headers=a.headers).json()
    assert sorted(s["code"] for s in shared["items"]) == ["P1", "S1"]
    assert (
        client.patch(
            f"/api/v1/sites/{supplier_site['id']}", json={"name": "x"}, headers=a.headers
        ).status_code
        == 403
    )


def test_list_filters_and_pagination(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    for i in range(7):
        kind = "store" if i % 2 else "dc"
        site = {**SITE, "code": f"S{i}", "kind": kind}
        assert client.post("/api/v1/sites", json=site, headers=a.headers).status_code == 201
    page = client.get("/api/v1/sites?limit=3&offset=3", headers=a.headers).json()
    assert page["total"] == 7 and [s["code"] for s in page["items"]] == ["S3", "S4", "S5"]
    stores = client.get("/api/v1/sites?kind=store", headers=a.headers).json()
    assert stores["total"] == 3
    assert client.get("/api/v1/sites?q=S6", headers=a.headers).json()["total"] == 1
    bad = client.get("/api/v1/sites?password_hash=x", headers=a.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "password_hash"


def test_changes_record_domain_events_and_audit(db: Database, client: TestClient) -> None:
    from sqlalchemy import select

    from supplymesh.platform.audit import AuditEntry
    from supplymesh.platform.events import OutboxEvent

    a = make_tenant(db, client, "ACME")
    site_id = client.post("/api/v1/sites", json=SITE, headers=a.headers).json()["id"]
    client.patch(f"/api/v1/sites/{site_id}", json={"name": "n2"}, headers=a.headers)
    with db.system() as uow:
        events = [
            (e.type, e.aggregate_id)
            for e in uow.session.scalars(
                select(OutboxEvent).where(OutboxEvent.aggregate == "Site").order_by(OutboxEvent.id)
            )
        ]
        audits = [
            (e.action, e.entity_id)
            for e in uow.session.scalars(
                select(AuditEntry).where(AuditEntry.entity == "Site").order_by(AuditEntry.id)
            )
        ]
    assert events == [("SiteCreated", site_id), ("SiteUpdated", site_id)]
    assert audits == [("create", site_id), ("update", site_id)]


def test_owner_sees_who_read_its_shared_data(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    b = make_tenant(db, client, "BETA", ["supplier"])
    site = client.post("/api/v1/sites", json=SITE, headers=b.headers).json()
    grant = {"partner_enterprise_id": a.id, "kind": "site", "resource_id": site["id"]}
    client.post("/api/v1/sharing-grants", json=grant, headers=b.headers)
    assert client.get(f"/api/v1/sites/{site['id']}", headers=a.headers).status_code == 200
    log = client.get("/api/v1/audit-log?action=read_shared", headers=b.headers).json()
    assert [(e["entity"], e["entity_id"], e["enterprise_id"]) for e in log["items"]] == [
        ("Site", site["id"], a.id)
    ]
    own = client.get("/api/v1/audit-log", headers=a.headers).json()["items"]
    assert {e["action"] for e in own} >= {"login", "read_shared"}
    assert all(a.id in (e["enterprise_id"], e["owner_enterprise_id"]) for e in own)


def test_out_of_range_numbers_are_422_not_500(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    huge = 2**70
    assert client.get(f"/api/v1/sites/{huge}", headers=a.headers).status_code == 422
    assert client.get(f"/api/v1/sites?parent_site_id={huge}", headers=a.headers).status_code == 422
    assert client.get("/api/v1/sites?parent_site_id=abc", headers=a.headers).status_code == 422
    r = client.post("/api/v1/sites", json={**SITE, "parent_site_id": huge}, headers=a.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "parent_site_id"
    r = client.post(
        "/api/v1/items", json={"sku": "A", "name": "a", "price": "1e30"}, headers=a.headers
    )
    assert r.status_code == 422 and "too large" in r.json()["errors"][0]["message"]


def test_required_fields_cannot_be_cleared(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    site_id = client.post("/api/v1/sites", json=SITE, headers=a.headers).json()["id"]
    r = client.patch(f"/api/v1/sites/{site_id}", json={"name": None}, headers=a.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"
    r = client.patch(f"/api/v1/sites/{site_id}", json={"city": None}, headers=a.headers)
    assert r.status_code == 200
