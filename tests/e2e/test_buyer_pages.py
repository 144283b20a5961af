"""A real browser walks a buyer from the RFQ comparison to reconciliation.

AAA has an RFQ for two items quoted by two suppliers (BBB with a price break, CCC faster and
cheaper on the second item), made through the same use cases the API calls. In the browser the
buyer compares, awards a split (the first line shared, the second to CCC), sees the released
orders in the pipeline, and after BBB invoices above the ordered price, the reconciliation
page shows the price mismatch with the three values.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from supplymesh.bootstrap import build_database
from supplymesh.collab import buyer_views, purchasing, reconciliation, rfq
from supplymesh.collab.reconciliation_schemas import InvoiceIn, InvoiceLineIn
from supplymesh.collab.rfq_schemas import PriceBreak, QuoteIn, QuoteLineIn, RfqCreate, RfqLineIn
from supplymesh.network.model import Item
from supplymesh.network.services import NewEnterprise, link_partners, register_enterprise
from supplymesh.platform.schema import migrate
from supplymesh.platform.settings import Settings
from supplymesh.platform.uow import Database
from tests.e2e.test_web_map import CHROMIUM, CHROMIUM_ARGS
from tests.support.server import Server
from tests.web.seed import PASSWORD_A, seed

pytestmark = pytest.mark.e2e
PASSWORD_C = "password-c"
PASSWORD_D = "password-d"


@dataclass(frozen=True)
class Market:
    """AAA buys; BBB and CCC are its suppliers; DDD is an outsider."""

    a: int
    b: int
    c: int
    d: int
    rfq_id: int


def _quote(db: Database, supplier: int, rfq_id: int, prices: list[tuple[str, int, str]]) -> None:
    """`supplier` quotes each line: (unit price, lead time, price at 150 or '')."""
    valid = date.today() + timedelta(days=30)
    with db.unit_of_work(db.context_for(supplier, None, "admin")) as uow:
        lines = rfq.get_rfq(uow, rfq_id).lines
        rfq.submit_quote(
            uow,
            rfq_id,
            QuoteIn(
                lines=[
                    QuoteLineIn(
                        rfq_line_id=line.id,
                        unit_price=Decimal(price),
                        price_breaks=(
                            [PriceBreak(min_quantity=Decimal(150), unit_price=Decimal(brk))]
                            if brk
                            else []
                        ),
                        lead_time_days=lead,
                        valid_until=valid,
                    )
                    for line, (price, lead, brk) in zip(lines, prices, strict=True)
                ]
            ),
        )
        uow.commit()


def quoted_rfq(db: Database) -> Market:
    """The network, and AAA's RFQ (200 × SKU-A1, 100 × SKU-A2) quoted by BBB and CCC."""
    network = seed(db)
    c, _ = register_enterprise(
        db,
        NewEnterprise(
            "CCC", "丙精密有限公司", ["supplier"], "c.admin", PASSWORD_C, name_en="C Precision"
        ),
    )
    d, _ = register_enterprise(
        db, NewEnterprise("DDD", "丁贸易有限公司", ["supplier"], "d.admin", PASSWORD_D)
    )
    with db.unit_of_work(db.context_for(network.a, None, "admin")) as uow:
        link_partners(uow, network.b, "supplier")
        link_partners(uow, c.id, "supplier")
        uow.add(Item(sku="SKU-A2", name="甲配件", name_en="A spare part", base_unit="EA"))
        uow.commit()
    with db.unit_of_work(db.context_for(network.a, None, "admin")) as uow:
        request = rfq.create_rfq(
            uow,
            RfqCreate(
                title="2027Q1 电机与配件",
                deadline=datetime.now(UTC) + timedelta(days=3),
                lines=[
                    RfqLineIn(item_code="SKU-A1", quantity=Decimal(200)),
                    RfqLineIn(item_code="SKU-A2", quantity=Decimal(100)),
                ],
                supplier_enterprise_ids=[network.b, c.id],
            ),
        )
        uow.commit()
        rfq_id = request.rfq.id
    _quote(db, network.b, rfq_id, [("7.80", 12, "7.20"), ("5.00", 10, "")])
    _quote(db, c.id, rfq_id, [("7.50", 20, ""), ("4.60", 7, "")])
    return Market(network.a, network.b, c.id, d.id, rfq_id)


def invoice_above_price(db: Database, market: Market, number: str = "INV-B-1") -> None:
    """BBB invoices its whole order at 8.00 a unit: above the 7.80 ordered."""
    with db.unit_of_work(db.context_for(market.b, None, "admin")) as uow:
        [order] = [
            v
            for v in purchasing.list_purchase_orders(uow).items
            if v.order.partner_enterprise_id == market.b and v.lines  # not the seed's empty PO
        ]
        line = order.lines[0]
        amount = (line.quantity * Decimal("8.00")).quantize(Decimal("0.01"))
        reconciliation.submit_invoice(
            uow,
            InvoiceIn(
                buyer_enterprise_id=market.a,
                number=number,
                fapiao_number="12345678",
                issue_date=date.today(),
                lines=[
                    InvoiceLineIn(
                        order_line_id=line.id,
                        quantity=line.quantity,
                        unit_price=Decimal("8.00"),
                        vat_rate=Decimal(13),
                        vat_amount=(amount * Decimal("0.13")).quantize(Decimal("0.01")),
                        amount=amount,
                    )
                ],
            ),
        )
        uow.commit()


@dataclass(frozen=True)
class Running:
    url: str
    database_url: str
    home: Path
    market: Market


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: run make test (it installs it)")
    url_db = f"sqlite:///{tmp_path / 'var' / 'supplymesh.db'}"
    db = build_database(Settings(database_url=url_db, home=tmp_path))
    migrate(db.engine)
    market = quoted_rfq(db)
    db.engine.dispose()
    process = Server(url_db, tmp_path).start()
    try:
        yield Running(process.url, url_db, tmp_path, market)
    finally:
        process.stop()


def test_a_buyer_compares_awards_a_split_and_sees_a_price_mismatch(running: Running) -> None:
    from playwright.sync_api import expect, sync_playwright

    market = running.market
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="zh-CN").new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{running.url}/buy/rfqs")
            page.fill("input[name=username]", "a.admin")
            page.fill("input[name=password]", PASSWORD_A)
            page.click("#login-form button[type=submit]")
            expect(page).to_have_url(f"{running.url}/buy/rfqs")
            expect(page.locator("h1")).to_have_text("询价")
            page.locator("tr[data-rfq='RFQ-000001'] a.button").click()

            # at 200, BBB's break (7.2) and lead time beat CCC; CCC wins line 2 on both
            first = page.locator("section[data-rfq-line='1']")
            second = page.locator("section[data-rfq-line='2']")
            bbb1 = first.locator("tr[data-supplier='BBB']")
            expect(bbb1.locator("[data-col=unit_price]")).to_have_text("7.2")
            expect(bbb1.locator("[data-best]")).to_have_count(3)  # price, amount, lead time
            ccc2 = second.locator("tr[data-supplier='CCC']")
            expect(ccc2.locator("[data-best=unit_price]")).to_have_text("4.6")
            expect(ccc2.locator("[data-best=lead_time]")).to_have_text("7")

            # split line 1 (120 to BBB, 80 to CCC); line 2 stays with CCC as proposed
            bbb1.locator("input[name^=qty_]").fill("120")
            first.locator("tr[data-supplier='CCC'] input[name^=qty_]").fill("80")
            expect(ccc2.locator("input[name^=qty_]")).to_have_value("100")
            page.click("#award-split")
            expect(page.locator("#notice")).to_have_text("已定标，采购订单已下达给供应商。")
            expect(page.locator("#rfq-status")).to_have_attribute("data-status", "awarded")
            expect(page.locator("#awarded-orders tbody tr")).to_have_count(2)

            page.click("a[data-nav=buy_orders]")
            released = page.locator(".tile[data-stage=released]")
            # the two awarded and the seed's empty PO-0001 to BBB
            expect(released).to_have_attribute("data-count", "3")
            # 120 × 7.80 (below BBB's break) + 80 × 7.50 + 100 × 4.60
            expect(released.locator("[data-value]")).to_have_text("CNY 1,996")
            rows = page.locator("[data-stage-group=released] tbody tr")
            expect(rows).to_have_count(3)
            page.select_option("#supplier-filter select", label="丙精密有限公司")
            page.click("#supplier-filter button")
            expect(rows).to_have_count(1)
            rows.locator("a.button").click()
            expect(page.locator("#order-lines tbody tr")).to_have_count(2)
            page.click("#timeline-link")
            expect(page.locator("#timeline li[data-kind=rfq]")).to_have_count(2)  # open, awarded

            db = build_database(Settings(database_url=running.database_url, home=running.home))
            try:
                invoice_above_price(db, market)
            finally:
                db.engine.dispose()
            page.click("a[data-nav=buy_reconciliation]")
            mismatch = page.locator("[data-invoice='INV-B-1'] [data-mismatch=price]")
            expect(mismatch).to_contain_text("价格不符")
            expect(mismatch).to_contain_text("8")
            expect(mismatch).to_contain_text("7.8")
            page.click(".lang-switch a[data-lang='en']")
            expect(mismatch).to_contain_text("Price")
        finally:
            browser.close()
    assert errors == [], errors

    db = build_database(Settings(database_url=running.database_url, home=running.home))
    try:
        with db.unit_of_work(db.context_for(market.a, None, "admin")) as uow:
            placed = buyer_views.awarded_orders(uow, market.rfq_id)
            lines = {
                o.partner_enterprise_id: [
                    (str(line.quantity), str(line.unit_price))
                    for line in purchasing.get_purchase_order(uow, o.id).lines
                ]
                for o in placed
            }
        assert lines == {market.b: [("120", "7.8")], market.c: [("80", "7.5"), ("100", "4.6")]}
    finally:
        db.engine.dispose()
