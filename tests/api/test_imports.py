"""Bulk import: all rows or none, every bad row named with its line; templates; export."""

from __future__ import annotations

from fastapi.testclient import TestClient

from supplymesh.platform.uow import Database
from tests.api.helpers import make_tenant

CSV_OK = """code,name,kind,city,latitude,longitude
SH-DC,上海配送中心,dc,上海,31.23,121.47
GZ-DC,广州配送中心,dc,广州,23.13,113.26
"""


def _post_csv(client: TestClient, kind: str, text: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/imports/{kind}",
        content=text.encode("utf-8"),
        headers={**headers, "Content-Type": "text/csv"},
    )


def test_csv_import_creates_rows(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    r = _post_csv(client, "sites", CSV_OK, a.headers)
    assert r.status_code == 200, r.text
    assert r.json() == {"kind": "sites", "rows": 2, "created": 2, "updated": 0}
    again = _post_csv(client, "sites", CSV_OK.replace("上海配送中心", "上海一号仓"), a.headers)
    assert again.json()["created"] == 0 and again.json()["updated"] == 2
    names = {s["name"] for s in client.get("/api/v1/sites", headers=a.headers).json()["items"]}
    assert names == {"上海一号仓", "广州配送中心"}


def test_one_bad_row_writes_nothing_and_names_every_bad_row(
    db: Database, client: TestClient
) -> None:
    a = make_tenant(db, client, "ACME")
    text = (
        CSV_OK + "BJ-DC,北京配送中心,warehouse-ish,北京,39.9,116.4\nXA-DC,西安,dc,西安,91,108.9\n"
    )
    r = _post_csv(client, "sites", text, a.headers)
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [(4, "kind"), (5, "latitude")]
    assert "nothing imported" in r.json()["detail"]
    assert client.get("/api/v1/sites", headers=a.headers).json()["total"] == 0


def test_duplicate_keys_and_unknown_columns_are_reported(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    dup = CSV_OK + "SH-DC,again,dc,上海,31.2,121.4\n"
    r = _post_csv(client, "sites", dup, a.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["line"] == 4
    assert "duplicate of line 2" in r.json()["errors"][0]["message"]
    r = _post_csv(client, "sites", "code,name,kind,colour\nA,a,dc,red\n", a.headers)
    assert r.status_code == 422
    assert r.json()["errors"][0] == {
        "line": 1,
        "field": "colour",
        "message": r.json()["errors"][0]["message"],
    }


def test_references_by_code_and_unknown_codes(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    _post_csv(client, "sites", CSV_OK, a.headers)
    _post_csv(client, "items", "sku,name,base_unit,price\nKT-1,电水壶,EA,59.90\n", a.headers)
    text = (
        "site_code,item_code,day,quantity\nSH-DC,KT-1,2026-01-01,12\n"
        "SH-DC,KT-1,2026-01-02,7.5\nNOPE,KT-1,2026-01-03,1\n"
    )
    r = _post_csv(client, "demand-history", text, a.headers)
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"line": 4, "field": "site_code", "message": "no Site with code 'NOPE'"}
    ]
    r = _post_csv(client, "demand-history", "\n".join(text.splitlines()[:3]) + "\n", a.headers)
    assert r.status_code == 200 and r.json()["created"] == 2
    rows = client.get("/api/v1/demand-history", headers=a.headers).json()["items"]
    assert [x["quantity"] for x in rows] == ["12", "7.5"]


def test_gb18030_csv_from_excel_is_read(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    r = client.post(
        "/api/v1/imports/sites",
        content=CSV_OK.encode("gb18030"),
        headers={**a.headers, "Content-Type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    names = {s["name"] for s in client.get("/api/v1/sites", headers=a.headers).json()["items"]}
    assert "上海配送中心" in names


def test_json_import_and_multipart_upload(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    rows = [{"sku": "A1", "name": "风扇"}, {"sku": "A2", "name": "暖风机", "price": 3.5}]
    r = client.post("/api/v1/imports/items", json=rows, headers=a.headers)
    assert r.status_code == 200 and r.json()["created"] == 2
    r = client.post("/api/v1/imports/items", json=[{"sku": "A3"}], headers=a.headers)
    assert r.status_code == 422 and r.json()["errors"][0] == {
        "line": 1,
        "field": "name",
        "message": "is required",
    }
    files = {"file": ("sites.csv", CSV_OK.encode(), "text/csv")}
    r = client.post("/api/v1/imports/sites", files=files, headers=a.headers)
    assert r.status_code == 200 and r.json()["created"] == 2


def test_template_and_export_round_trip(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    header = client.get("/api/v1/imports/lanes/template", headers=a.headers).text.strip()
    assert header.split(",")[:3] == ["from_site_code", "to_site_code", "mode"]
    _post_csv(client, "sites", CSV_OK, a.headers)
    exported = client.get("/api/v1/exports/sites?format=csv", headers=a.headers).text
    assert exported.splitlines()[0].startswith("id,enterprise_id,code,name")
    assert "广州配送中心" in exported
    as_json = client.get("/api/v1/exports/sites?format=json", headers=a.headers).json()
    assert {s["code"] for s in as_json} == {"SH-DC", "GZ-DC"}


def test_import_of_unknown_kind_is_404(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    assert _post_csv(client, "spaceships", "a\n1\n", a.headers).status_code == 404
    assert _post_csv(client, "enterprises", "code\nX\n", a.headers).status_code == 422


def test_rows_may_refer_to_rows_of_the_same_file(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    text = (
        "code,name,kind,parent_site_code\nST-HZ01,杭州西湖店,store,DC-EAST\n"
        "DC-EAST,华东配送中心,dc,\nST-SH01,上海店,store,DC-NOWHERE\n"
    )
    r = _post_csv(client, "sites", text, a.headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["line"] == 4
    r = _post_csv(client, "sites", "\n".join(text.splitlines()[:3]) + "\n", a.headers)
    assert r.status_code == 200, r.text
    sites = {s["code"]: s for s in client.get("/api/v1/sites", headers=a.headers).json()["items"]}
    assert sites["ST-HZ01"]["parent_site_id"] == sites["DC-EAST"]["id"]
