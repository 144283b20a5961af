"""Issuing codes on both backends: ranges never reused (also under concurrent issuers), valid
GS1 and Handle codes, and QR labels that decode back to the Digital Link URI."""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image

from supplymesh.network.model import Enterprise
from supplymesh.platform.errors import Conflict
from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import Database
from supplymesh.trace.ident.issuing import CodeKind, IssueRequest, issue
from supplymesh.trace.ident.services import parse_code
from supplymesh.trace.model import TraceError
from tests.api.helpers import Tenant, make_tenant

GTIN = "09520123456788"
GCP = "9520123"


def _enterprise(db: Database, code: str) -> TenantContext:
    with db.system() as uow:
        ent = Enterprise(code=code, name=f"{code} Co", roles=["manufacturer"])
        uow.add(ent)
        uow.commit()
    return TenantContext(ent.id, None, "operator")


def _issue(db: Database, ctx: TenantContext, req: IssueRequest) -> list[tuple[int, str, str]]:
    with db.unit_of_work(ctx) as uow:
        codes = issue(uow, req)
        uow.commit()
    return [(c.serial, c.code, c.uri) for c in codes]


def test_each_kind_issues_valid_codes_from_a_range_that_continues(db: Database) -> None:
    ctx = _enterprise(db, "ISSUER")
    items = _issue(db, ctx, IssueRequest(CodeKind.ITEM, 3, gtin=GTIN, subject="pump P-100"))
    more = _issue(db, ctx, IssueRequest(CodeKind.ITEM, 2, gtin=GTIN))
    assert [s for s, _, _ in items + more] == [1, 2, 3, 4, 5]
    assert items[0][1:] == (f"(01){GTIN}(21)1", f"https://id.gs1.org/01/{GTIN}/21/1")
    lots = _issue(db, ctx, IssueRequest(CodeKind.LOT, 2, gtin=GTIN))
    assert [c for _, c, _ in lots] == [f"(01){GTIN}(10)1", f"(01){GTIN}(10)2"]
    cases = _issue(db, ctx, IssueRequest(CodeKind.CASE, 2, company_prefix=GCP, extension_digit=3))
    pallets = _issue(db, ctx, IssueRequest(CodeKind.PALLET, 1, company_prefix=GCP))
    machines = _issue(db, ctx, IssueRequest(CodeKind.MACHINE, 1, company_prefix=GCP))
    services = _issue(db, ctx, IssueRequest(CodeKind.SERVICE, 1, company_prefix=GCP))
    handles = _issue(db, ctx, IssueRequest(CodeKind.MACHINE, 2, handle_prefix="88.100.1"))
    assert cases[0][1].startswith(f"(00)3{GCP}000000001") and len(cases[0][1]) == 22
    assert pallets[0][1].startswith(f"(00)0{GCP}") and pallets[0][0] == 1  # its own range
    assert machines[0][1] == f"(8004){GCP}1"
    assert services[0][1].startswith(f"(8018){GCP}")
    assert [c for _, c, _ in handles] == ["88.100.1/machine.1", "88.100.1/machine.2"]
    for _, code, uri in items + lots + cases + pallets + machines + services + handles:
        parsed = parse_code(code)
        assert parsed.valid, (code, parsed.error)  # check digits included
        assert uri == (parsed.digital_link or code)


def test_bad_requests_name_the_value(db: Database) -> None:
    ctx = _enterprise(db, "ISSUER")
    with db.unit_of_work(ctx) as uow:
        with pytest.raises(TraceError, match="09520123456787"):
            issue(uow, IssueRequest(CodeKind.ITEM, gtin="09520123456787"))
        with pytest.raises(TraceError, match="'12'"):
            issue(uow, IssueRequest(CodeKind.CASE, company_prefix="12"))
    with pytest.raises(TraceError, match="count 0"):
        IssueRequest(CodeKind.ITEM, 0, gtin=GTIN)


def test_another_enterprise_cannot_draw_from_a_range(db: Database) -> None:
    a, b = _enterprise(db, "OWNER"), _enterprise(db, "OTHER")
    _issue(db, a, IssueRequest(CodeKind.ITEM, 1, gtin=GTIN))
    with pytest.raises(Conflict, match=f"gtin:{GTIN}:serial"):
        _issue(db, b, IssueRequest(CodeKind.ITEM, 1, gtin=GTIN))
    assert _issue(db, a, IssueRequest(CodeKind.ITEM, 1, gtin=GTIN))[0][0] == 2


def test_concurrent_issuers_never_collide(db: Database, backend: str) -> None:
    ctx = _enterprise(db, "BUSY")

    def worker(_: int) -> list[int]:
        serials: list[int] = []
        for _batch in range(5):
            serials += [s for s, _, _ in _issue(db, ctx, IssueRequest(CodeKind.ITEM, 4, gtin=GTIN))]
        return serials

    with ThreadPoolExecutor(6) as pool:
        serials = sorted(s for batch in pool.map(worker, range(6)) for s in batch)
    assert serials == list(range(1, 121)), backend


@pytest.fixture
def tenant(db: Database, client: TestClient) -> Tenant:
    return make_tenant(db, client, "LABELS")


def test_labels_and_sheet(client: TestClient, tenant: Tenant) -> None:
    r = client.post(
        "/api/v1/codes/issue",
        json={"kind": "item", "gtin": GTIN, "count": 4, "subject": "泵 P-100"},
        headers=tenant.headers,
    )
    assert r.status_code == 201, r.text
    items = r.json()["items"]
    first = items[0]
    svg = client.get(f"/api/v1/codes/{first['id']}/label.svg", headers=tenant.headers)
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert f"<title>{first['uri']}</title>" in svg.text and first["code"] in svg.text
    png = client.get(f"/api/v1/codes/{first['id']}/label.png", headers=tenant.headers)
    assert png.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.text["URI"] == first["uri"]  # type: ignore[attr-defined]
    decoded = zxingcpp.read_barcodes(image)
    assert [d.text for d in decoded] == [first["uri"]]
    ids = ",".join(str(c["id"]) for c in items)
    sheet = client.get(f"/api/v1/codes/sheet?ids={ids}&columns=2", headers=tenant.headers)
    assert sheet.status_code == 200
    assert len(re.findall(r"<svg", sheet.text)) == 4 and "size:A4" in sheet.text
    assert all(c["code"] in sheet.text for c in items) and "泵 P-100" in sheet.text
    assert client.get("/api/v1/codes/sheet?ids=999999", headers=tenant.headers).status_code == 404
    bad = client.post(
        "/api/v1/codes/issue", json={"kind": "case", "company_prefix": "1"}, headers=tenant.headers
    )
    assert bad.status_code == 400 and "'1'" in bad.json()["detail"]
