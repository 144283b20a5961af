"""A real browser walks a supplier through its inbox: quote an RFQ, revise it, answer a PO.

The server runs as `supplymesh serve` over a prepared SQLite database; the buyer's RFQ and
purchase order are made through the same use cases the API calls. What the supplier did in
the browser is then checked in the database, as the buyer would see it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from supplymesh.bootstrap import build_database
from supplymesh.collab import purchasing, rfq
from supplymesh.collab.rfq_schemas import RfqCreate, RfqLineIn
from supplymesh.inventory import orders
from supplymesh.inventory.model import OrderKind
from supplymesh.inventory.schemas import OrderCreate, OrderLineIn
from supplymesh.network.services import link_partners
from supplymesh.platform.schema import migrate
from supplymesh.platform.settings import Settings
from supplymesh.platform.uow import Database
from tests.e2e.test_web_map import CHROMIUM, CHROMIUM_ARGS
from tests.support.server import Server
from tests.web.seed import PASSWORD_B, Network, seed

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Inbox:
    url: str
    database_url: str
    home: Path
    network: Network
    rfq_id: int
    order_id: int


def buyer_documents(db: Database, network: Network) -> tuple[int, int]:
    """AAA approves BBB as supplier, sends it an RFQ and a released two-line purchase order."""
    with db.unit_of_work(db.context_for(network.a, None, "admin")) as uow:
        link_partners(uow, network.b, "supplier")
        uow.commit()
    with db.unit_of_work(db.context_for(network.a, None, "admin")) as uow:
        request = rfq.create_rfq(
            uow,
            RfqCreate(
                title="成品外协 2027Q1",
                deadline=datetime.now(UTC) + timedelta(days=3),
                lines=[RfqLineIn(item_code="SKU-A1", quantity=Decimal(200))],
                supplier_enterprise_ids=[network.b],
            ),
        )
        draft = orders.create_order(
            uow,
            OrderCreate(
                kind=OrderKind.PURCHASE,
                partner_enterprise_id=network.b,
                ship_to_site_code="A-DC",
                lines=[
                    OrderLineIn(item_code="SKU-A1", quantity=Decimal(100), unit_price=Decimal(8)),
                    OrderLineIn(item_code="SKU-A1", quantity=Decimal(50), unit_price=Decimal(8)),
                ],
            ),
        )
        orders.release(uow, draft.order.id)
        uow.commit()
        return request.rfq.id, draft.order.id


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[Inbox]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: run make test (it installs it)")
    url_db = f"sqlite:///{tmp_path / 'var' / 'supplymesh.db'}"
    db = build_database(Settings(database_url=url_db, home=tmp_path))
    migrate(db.engine)
    network = seed(db)
    rfq_id, order_id = buyer_documents(db, network)
    db.engine.dispose()
    process = Server(url_db, tmp_path).start()
    try:
        yield Inbox(process.url, url_db, tmp_path, network, rfq_id, order_id)
    finally:
        process.stop()


def test_a_supplier_quotes_an_rfq_and_answers_a_purchase_order(inbox: Inbox) -> None:
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    valid = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="zh-CN").new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{inbox.url}/inbox")
            page.fill("input[name=username]", "b.admin")
            page.fill("input[name=password]", PASSWORD_B)
            page.click("#login-form button[type=submit]")
            expect(page).to_have_url(f"{inbox.url}/inbox")
            expect(page.locator("h1")).to_have_text("供应商待办")
            rfq_row = page.locator("tr[data-rfq='RFQ-000001']")
            expect(rfq_row).to_contain_text("尚未报价")

            rfq_row.locator("a.button").click()
            line = page.locator("#rfq-lines tr[data-line='1']")
            expect(line).to_contain_text("SKU-A1")
            line.locator("input[name^=unit_price]").fill("7.80")
            line.locator("input[name^=lead_time_days]").fill("12")
            line.locator("input[name^=valid_until]").fill(valid)
            page.click("#quote-form button[type=submit]")
            expect(page.locator("#notice")).to_have_text("报价已提交。")
            expect(page.locator("#quote-revision")).to_have_attribute("data-revision", "1")
            # a revision: the form comes back filled in; change the price and submit again
            expect(line.locator("input[name^=unit_price]")).to_have_value("7.8")
            line.locator("input[name^=unit_price]").fill("7.50")
            page.click("#quote-form button[type=submit]")
            expect(page.locator("#quote-revision")).to_have_attribute("data-revision", "2")

            page.click("a[href='/inbox']")
            order_row = page.locator("tr[data-order='PO-000002']")
            expect(order_row.locator("[data-status]")).to_have_attribute("data-status", "released")
            order_row.locator("a.button").click()
            first = page.locator("#po-lines tr[data-line='1']")
            second = page.locator("#po-lines tr[data-line='2']")
            first.locator("button[data-action=accept]").click()
            expect(page.locator("#notice")).to_have_text("已接受该行。")
            expect(page.locator("#po-status")).to_have_attribute(
                "data-status", "partially_acknowledged"
            )
            second.locator("form:has(button[data-action=propose]) input[name=quantity]").fill("40")
            second.locator("form:has(button[data-action=propose]) input[name=reason]").fill(
                "原料紧张"
            )
            second.locator("button[data-action=propose]").click()
            expect(page.locator("#po-status")).to_have_attribute("data-status", "changes_proposed")
            expect(second.locator("[data-status]")).to_have_text("已提出变更")
            expect(first.locator("button[data-action]")).to_have_count(0)

            page.click(".lang-switch a[data-lang='en']")
            expect(page.locator("#po-status")).to_have_text("Changes proposed")
        finally:
            browser.close()
    assert errors == [], errors

    db = build_database(Settings(database_url=inbox.database_url, home=inbox.home))
    try:
        with db.unit_of_work(db.context_for(inbox.network.a, None, "admin")) as uow:
            quotes = rfq.list_quotes(uow, inbox.rfq_id)
            assert [(q.quote.revision, str(q.lines[0].unit_price)) for q in quotes] == [(2, "7.5")]
            po = purchasing.get_purchase_order(uow, inbox.order_id)
            answers = [po.answers[line.id] for line in po.lines]
            assert [a.status for a in answers] == ["accepted", "proposed"]
            assert answers[1].proposed_quantity == Decimal(40)
            assert answers[1].reason == "原料紧张"
    finally:
        db.engine.dispose()
