"""A real browser scans a label: the Digital Link opens the passport with its verified history.

The server runs as `supplymesh serve` over a prepared SQLite database. The owner issues a lot
label pointing at that server, moves the lot between two of its sites (the platform's own flow
emits the EPCIS events), and signs its ledger. Chromium opens the label's URI, then the
operator edits one ledger entry behind the platform's back and the page names that step as
failing; signed in, the owner sees the recall scope of the lot on the map.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from supplymesh.bootstrap import build_database
from supplymesh.inventory import stock
from supplymesh.inventory.schemas import StockReceipt, StockTransfer
from supplymesh.network.model import Item, Site
from supplymesh.platform.schema import migrate
from supplymesh.platform.settings import Settings
from supplymesh.trace import flows
from supplymesh.trace.ident.issuing import CodeKind, IssueRequest, issue
from supplymesh.trace.ledger import store as ledger
from supplymesh.trace.model import LedgerLeaf
from tests.e2e.test_web_map import CHROMIUM, CHROMIUM_ARGS, LEAFLET
from tests.support.server import Server
from tests.web.seed import PASSWORD_A, seed

pytestmark = pytest.mark.e2e

GTIN = "06901234000016"
PASSPHRASE = "a-ledger-passphrase"


@dataclass(frozen=True)
class Scan:
    url: str
    label_uri: str
    lot_class: str
    database_url: str
    home: Path


def _prepare(database_url: str, home: Path, server_url: str) -> tuple[str, str]:
    db = build_database(Settings(database_url=database_url, home=home))
    try:
        network = seed(db)
        with db.system() as uow:
            uow.session.execute(update(Item).where(Item.sku == "SKU-A1").values(gtin=GTIN))
            for code, gln in (("A-PLANT", "6901234000108"), ("A-DC", "6901234000207")):
                uow.session.execute(update(Site).where(Site.code == code).values(gln=gln))
            uow.commit()
        ctx = db.context_for(network.a, None, "admin")
        with db.unit_of_work(ctx) as uow:
            code = issue(uow, IssueRequest(CodeKind.LOT, 1, gtin=GTIN), stem=server_url)[0]
            uow.commit()
        lot = code.code.split("(10)")[1]
        with db.unit_of_work(ctx) as uow:
            receipt = StockReceipt(
                site_code="A-PLANT", item_code="SKU-A1", lot=lot, quantity=Decimal(20)
            )
            stock.receive(uow, receipt)
            uow.commit()
        with db.unit_of_work(ctx) as uow:
            move = StockTransfer(
                from_site_code="A-PLANT",
                to_site_code="A-DC",
                item_code="SKU-A1",
                lot=lot,
                quantity=Decimal(8),
                arrive_as="available",
            )
            stock.transfer(uow, move)
            uow.commit()
        with db.unit_of_work(ctx) as uow:
            ledger.create_key(uow, PASSPHRASE, None)
            ledger.sign_head(uow, PASSPHRASE)
            uow.commit()
        return code.uri, str(flows.lot_class(GTIN, lot))
    finally:
        db.engine.dispose()


@pytest.fixture
def scan(tmp_path: Path) -> Iterator[Scan]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: run make test (it installs it)")
    if not LEAFLET.exists():
        pytest.fail("Leaflet is not installed: run make install (npm install)")
    url_db = f"sqlite:///{tmp_path / 'var' / 'supplymesh.db'}"
    db = build_database(Settings(database_url=url_db, home=tmp_path))
    migrate(db.engine)
    db.engine.dispose()
    process = Server(url_db, tmp_path)
    label_uri, lot_class = _prepare(url_db, tmp_path, process.url)
    process.start()
    try:
        yield Scan(process.url, label_uri, lot_class, url_db, tmp_path)
    finally:
        process.stop()


def _tamper(scan: Scan, index: int) -> None:
    db = build_database(Settings(database_url=scan.database_url, home=scan.home))
    try:
        with db.system() as uow:
            leaf = uow.session.scalar(select(LedgerLeaf).where(LedgerLeaf.leaf_index == index))
            assert leaf is not None
            forged = {**leaf.entry, "eventTime": "2020-01-01T00:00:00.000Z"}
            uow.session.execute(
                update(LedgerLeaf).where(LedgerLeaf.id == leaf.id).values(entry=forged)
            )
            uow.commit()
    finally:
        db.engine.dispose()


def test_scanning_a_label_shows_its_verified_history(scan: Scan) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert scan.label_uri.startswith(f"{scan.url}/01/{GTIN}/10/")
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="zh-CN").new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(scan.label_uri)
            expect(page.locator("#item-name")).to_have_text("甲成品")
            rows = page.locator("#history tbody tr")
            expect(rows).to_have_count(3)  # received, shipped out of the plant, received at the DC
            expect(page.locator("#history [data-verdict=verified]")).to_have_count(3)
            expect(rows.nth(0)).to_contain_text("甲上海工厂")
            expect(rows.nth(2)).to_contain_text("甲北京配送中心")
            expect(rows.nth(0)).to_contain_text("已验证")

            _tamper(scan, 1)
            page.reload()
            expect(page.locator("#history [data-verdict=verified]")).to_have_count(2)
            failed = page.locator("#history tr[data-status=proof_fails]")
            expect(failed).to_have_count(1)
            expect(failed).to_have_attribute("data-ledger-index", "1")
            expect(failed.locator("[data-reason]")).to_contain_text("账本条目被篡改")
            page.click(".lang-switch a[data-lang='en']")
            expect(failed.locator("[data-verdict]")).to_have_text("Proof fails")

            page.goto(f"{scan.url}/trace/recall")
            page.fill("input[name=username]", "a.admin")
            page.fill("input[name=password]", PASSWORD_A)
            page.click("#login-form button[type=submit]")
            page.fill("#recall-form input[name=epc]", scan.label_uri)  # the scanned link
            page.click("#recall-form button[type=submit]")
            expect(page.locator("#scope-lots li")).to_have_text([scan.lot_class])
            expect(page.locator("#scope-locations li")).to_have_count(2)
            expect(page.locator("#map")).to_have_attribute("data-ready", "1")
            expect(page.locator("#map")).to_have_attribute("data-features", "3")
            expect(page.locator("path.movement")).to_have_count(1)
        finally:
            browser.close()
    assert errors == [], errors
