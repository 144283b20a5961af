"""The buyer's pages through HTTP on both backends: who sees what, forms, refusals on the page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from httpx import Response

from supplymesh.collab import buyer_views, delivery_schedule, purchasing, reconciliation
from supplymesh.collab.delivery_schedule_schemas import ScheduleIn, ScheduleLineIn
from supplymesh.collab.purchasing_schemas import LineAnswerIn
from supplymesh.collab.reconciliation_schemas import StatementMoveIn
from supplymesh.inventory import orders
from supplymesh.inventory.model import OrderKind
from supplymesh.inventory.schemas import OrderCreate, OrderLineIn
from supplymesh.platform.uow import Database
from tests.collab.test_outsourcing import MI, OO, build, post
from tests.e2e.test_buyer_pages import PASSWORD_D, Market, invoice_above_price, quoted_rfq
from tests.web.seed import PASSWORD_A, PASSWORD_B
from tests.web.test_pages import signed_in


def _hidden(page: Response, action: str, marker: str = "") -> dict[str, str]:
    """The hidden fields of the form posting to `action` (or found by `marker`)."""
    start = page.text.index(marker or f'action="{action}"')
    block = page.text[start : page.text.index("</form>", start)]
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', block))


def _csrf(page: Response) -> dict[str, str]:
    """The caller's CSRF token, from the logout form every signed-in page has."""
    return _hidden(page, "/logout")


def _award_fields(page: Response, rfq_id: int) -> dict[str, str]:
    """The award form as the page fills it in (each line to its lowest price)."""
    fields = _hidden(page, f"/buy/rfqs/{rfq_id}/award")
    fields.update(re.findall(r'name="(qty_\d+_\d+)" value="([^"]*)"', page.text))
    site = re.search(r'<select name="ship_to_site_id"[^>]*>\s*<option value="(\d+)"', page.text)
    assert site is not None
    fields["ship_to_site_id"] = site.group(1)
    return fields


def _awarded(db: Database, market: Market) -> list[tuple[int | None, int]]:
    with db.unit_of_work(db.context_for(market.a, None, "admin")) as uow:
        return [
            (o.partner_enterprise_id, len(purchasing.get_purchase_order(uow, o.id).lines))
            for o in buyer_views.awarded_orders(uow, market.rfq_id)
        ]


def test_rfqs_are_the_buyers_alone_and_the_forms_issue_and_award_them(
    db: Database, client_factory: Callable[[], TestClient]
) -> None:
    market = quoted_rfq(db)
    buyer = signed_in(client_factory, "a.admin", PASSWORD_A)
    supplier = signed_in(client_factory, "b.admin", PASSWORD_B)
    outsider = signed_in(client_factory, "d.admin", PASSWORD_D)
    url = f"/buy/rfqs/{market.rfq_id}"

    listing = buyer.get("/buy/rfqs")
    assert listing.status_code == 200 and 'data-rfq="RFQ-000001"' in listing.text
    assert 'data-rfq="RFQ-000001"' not in supplier.get("/buy/rfqs").text
    # the invited supplier and a third enterprise find no comparison, nor can they award
    assert supplier.get(url).status_code == 404
    assert outsider.get(url).status_code == 404
    page = buyer.get(url)
    assert page.status_code == 200
    fields = _award_fields(page, market.rfq_id)
    assert supplier.post(f"{url}/award", data=fields).status_code == 403  # the buyer's token
    stolen = {**fields, **_csrf(supplier.get("/buy/rfqs"))}
    assert supplier.post(f"{url}/award", data=stolen).status_code == 404
    assert _awarded(db, market) == []

    # best per column: BBB's price break at 200 is the lowest price of line 1
    first_line = page.text[page.text.index('data-rfq-line="1"') :]
    start = first_line.index('data-supplier="BBB"')
    bbb_row = first_line[start : first_line.index("</tr>", start)]
    assert 'data-best="unit_price"' in bbb_row and ">7.2<" in bbb_row

    # a bad quantity is named on the page; the proposed award (line by line) creates two POs
    first_qty = next(k for k in fields if k.startswith("qty_") and fields[k])
    bad = buyer.post(f"{url}/award", data={**fields, first_qty: "abc"})
    assert bad.status_code == 422 and 'id="alert"' in bad.text
    done = buyer.post(f"{url}/award", data=fields, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert sorted(_awarded(db, market)) == sorted([(market.b, 1), (market.c, 1)])
    shown = buyer.get(url)
    assert shown.text.count("/buy/orders/") >= 2 and 'id="awarded-orders"' in shown.text
    # the same form again is out of date: a 409 shown on the page, not a 500
    again = buyer.post(f"{url}/award", data=fields)
    assert again.status_code == 409 and 'id="alert"' in again.text

    # a new RFQ from the form; an enterprise that is not an approved supplier is named
    page = buyer.get("/buy/rfqs")
    item = re.search(r'<option value="(\d+)">SKU-A2', page.text)
    assert item is not None
    form = {
        **_hidden(page, "/buy/rfqs"),
        "title": "补充询价",
        "deadline": "2099-01-01T08:00",
        "item_0": item.group(1),
        "quantity_0": "30",
        "supplier": str(market.c),
    }
    done = buyer.post("/buy/rfqs", data=form, follow_redirects=False)
    assert done.status_code == 303
    created = buyer.get(done.headers["location"])
    assert "询价单已发给供应商。" in created.text and "RFQ-000002" in created.text
    # an enterprise that is not an approved supplier is refused by name
    refused = buyer.post("/buy/rfqs", data={**form, "supplier": str(market.d)})
    assert refused.status_code == 422 and f"enterprise {market.d}" in refused.text


def test_pipeline_order_decisions_timeline_and_reconciliation(
    db: Database, client_factory: Callable[[], TestClient]
) -> None:
    market = quoted_rfq(db)
    buyer = signed_in(client_factory, "a.admin", PASSWORD_A)
    supplier = signed_in(client_factory, "b.admin", PASSWORD_B)
    page = buyer.get(f"/buy/rfqs/{market.rfq_id}")
    award = _award_fields(page, market.rfq_id)
    assert buyer.post(f"/buy/rfqs/{market.rfq_id}/award", data=award).status_code == 200

    with db.unit_of_work(db.context_for(market.a, None, "admin")) as uow:
        line_in = OrderLineIn(item_code="SKU-A2", quantity=Decimal(10), unit_price=Decimal("4.5"))
        orders.create_order(
            uow,
            OrderCreate(
                kind=OrderKind.PURCHASE,
                partner_enterprise_id=market.c,
                ship_to_site_code="A-DC",
                lines=[line_in],
            ),
        )
        uow.commit()
    pipeline = buyer.get("/buy/orders")
    assert pipeline.status_code == 200
    assert 'data-stage="released" data-count="3"' in pipeline.text
    assert 'data-stage="draft" data-count="1"' in pipeline.text and "CNY 45<" in pipeline.text
    only_c = buyer.get("/buy/orders", params={"supplier": market.c})
    assert 'data-stage="released" data-count="1"' in only_c.text
    with db.unit_of_work(db.context_for(market.a, None, "admin")) as uow:
        bbb_order = next(
            o
            for o in buyer_views.awarded_orders(uow, market.rfq_id)
            if o.partner_enterprise_id == market.b
        )
    order_url = f"/buy/orders/{bbb_order.id}"
    assert supplier.get(order_url).status_code == 404  # the supplier answers it in its inbox

    # BBB proposes 150 instead of 200; the buyer accepts on the page
    with db.unit_of_work(db.context_for(market.b, None, "admin")) as uow:
        view = purchasing.get_purchase_order(uow, bbb_order.id)
        line = view.lines[0]
        purchasing.answer_line(
            uow, bbb_order.id, line.id, LineAnswerIn(action="propose", quantity=150)
        )
        uow.commit()
    assert 'data-stage="changes_proposed" data-count="1"' in buyer.get("/buy/orders").text
    page = buyer.get(order_url)
    accept = f"/buy/orders/{bbb_order.id}/lines/{line.id}/accept_proposal"
    form = _hidden(page, accept)
    assert buyer.post(accept, data=form, follow_redirects=False).status_code == 303
    stale = buyer.post(accept, data=form)
    assert stale.status_code == 409 and 'id="alert"' in stale.text
    shown = buyer.get(order_url)
    assert 'id="order-stage" data-stage="confirmed"' in shown.text and ">150<" in shown.text
    # a delivery schedule against it is listed with the supplier's answer per line
    with db.unit_of_work(db.context_for(market.a, None, "admin")) as uow:
        sent = delivery_schedule.send_schedule(
            uow,
            ScheduleIn(
                order_id=bbb_order.id,
                lines=[ScheduleLineIn(order_line_id=line.id, wanted_on=date.today(), quantity=150)],
            ),
        )
        uow.commit()
    schedules = buyer.get("/buy/schedules")
    assert f'data-schedule="{sent.schedule.number}"' in schedules.text
    assert f'data-schedule="{sent.schedule.number}"' not in supplier.get("/buy/schedules").text
    one = buyer.get(f"/buy/schedules/{sent.schedule.id}")
    assert one.status_code == 200 and 'data-status="open"' in one.text
    assert supplier.get(f"/buy/schedules/{sent.schedule.id}").status_code == 404
    assert buyer.get("/buy/outsourcing").status_code == 200
    timeline = buyer.get(f"{order_url}/timeline")
    assert timeline.status_code == 200
    assert 'data-kind="po_line" data-to="proposed"' in timeline.text
    assert 'data-kind="po_line" data-to="accepted"' in timeline.text

    # a cancellation waits for the supplier's sign-off; the buyer may withdraw it meanwhile
    page = buyer.get(order_url)
    changes = f"/buy/orders/{bbb_order.id}/changes"
    asked = buyer.post(
        changes, data={**_hidden(page, changes, 'id="cancel-order"'), "note": "需求取消"}
    )
    assert asked.status_code == 200 and 'data-status="requested"' in asked.text
    withdraw = re.search(r'action="(/buy/orders/\d+/changes/\d+/withdraw)"', asked.text)
    assert withdraw is not None
    gone = buyer.post(withdraw.group(1), data=_hidden(asked, withdraw.group(1)))
    assert gone.status_code == 200 and 'data-status="withdrawn"' in gone.text
    assert 'id="cancel-order"' in gone.text

    # BBB invoices above the price: the buyer sees the mismatch, opens a statement, disputes it
    invoice_above_price(db, market)
    rec = buyer.get("/buy/reconciliation")
    assert rec.status_code == 200 and 'data-mismatch="price"' in rec.text
    assert 'data-invoice="INV-B-1"' not in supplier.get("/buy/reconciliation").text
    today = date.today().isoformat()
    statement = buyer.post(
        "/buy/reconciliation/statements",
        data={
            **_hidden(rec, "/buy/reconciliation/statements"),
            "partner_enterprise_id": str(market.b),
            "period_from": today,
            "period_to": today,
        },
        follow_redirects=False,
    )
    assert statement.status_code == 303
    statement_url = statement.headers["location"].split("?")[0]
    page = buyer.get(statement_url)
    assert 'data-mismatch="price"' in page.text and 'id="statement-waiting"' in page.text
    statement_id = int(statement_url.rsplit("/", 1)[1])
    # agreeing before the supplier submitted names the state it is in
    early = buyer.post(f"{statement_url}/agree", data={**_csrf(page), "version": "1"})
    assert early.status_code == 409 and "草稿" in early.text
    with db.unit_of_work(db.context_for(market.b, None, "admin")) as uow:
        reconciliation.move_statement(uow, statement_id, "submit", StatementMoveIn())
        uow.commit()
    page = buyer.get(statement_url)
    dispute = f"{statement_url}/dispute"
    moved = buyer.post(dispute, data={**_hidden(page, dispute), "note": "单价应为 7.80"})
    assert moved.status_code == 200 and 'data-status="disputed"' in moved.text
    assert supplier.get(statement_url).status_code == 404


def test_outsourcing_pages_show_steps_and_stock_at_the_subcontractor(
    db: Database, client: TestClient, client_factory: Callable[[], TestClient]
) -> None:
    s = build(db, client)
    body = {
        "subcontractor_enterprise_id": s.sub.id,
        "ship_to_site_id": s.plant,
        "item_id": s.fg,
        "quantity": "100",
        "due_date": "2027-02-01",
    }
    oo = post(client, OO, s.buyer, body, 201)
    answer = f"/api/v1/purchase-orders/{oo['order_id']}/lines/{oo['order_line_id']}/answer"
    post(client, answer, s.sub, {"action": "accept"})
    lines = [
        {"component_id": c["id"], "quantity": c["required_quantity"]} for c in oo["components"]
    ]
    issue = {"outsourcing_order_id": oo["id"], "from_site_id": s.plant, "lines": lines}
    mi = post(client, MI, s.buyer, issue, 201)
    post(client, f"{MI}/{mi['id']}/acknowledge", s.sub, {"site_id": s.sub_site})

    buyer = signed_in(client_factory, s.buyer.username, s.buyer.password)
    sub = signed_in(client_factory, s.sub.username, s.sub.password)
    listed = buyer.get("/buy/outsourcing")
    assert listed.status_code == 200 and 'data-steps-done="3"' in listed.text
    page = buyer.get(f"/buy/outsourcing/{oo['id']}")
    assert page.status_code == 200
    done = dict(re.findall(r'data-step="(\w+)" data-done="(\w+)"', page.text))
    assert done == {
        "ordered": "yes",
        "scheduled": "no",
        "confirmed": "yes",
        "material_issued": "yes",
        "progress": "no",
        "shipped": "no",
        "received": "no",
        "stocked_in": "no",
    }
    stock = page.text[page.text.index('id="consigned-stock"') :]
    assert ">200<" in stock and ">100<" in stock, stock[:1500]
    assert 'data-outsourcing="' not in sub.get("/buy/outsourcing").text
    assert sub.get(f"/buy/outsourcing/{oo['id']}").status_code == 404
