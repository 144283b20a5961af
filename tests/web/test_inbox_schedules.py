"""Delivery schedules and outsourcing orders in the supplier's inbox, through HTTP.

The buyer sends a three-line schedule against its purchase order; the supplier confirms one
line, confirms part of another and proposes a new date for the third, from the page's forms.
The buyer's schedule page then shows those answers; nobody else may see or answer it. A
subcontractor takes one outsourcing order on and declines another from its inbox.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from supplymesh.collab import delivery_schedule, purchasing
from supplymesh.collab.delivery_schedule_schemas import ScheduleIn, ScheduleLineIn
from supplymesh.network.model import Item, SharingGrant
from supplymesh.network.services import NewEnterprise, register_enterprise
from supplymesh.platform.uow import Database
from tests.collab.test_outsourcing import OO, build, post
from tests.e2e.test_supplier_inbox import buyer_documents
from tests.web.seed import PASSWORD_A, PASSWORD_B, Network, seed
from tests.web.test_pages import signed_in

PASSWORD_C = "password-c"
SOON = date.today() + timedelta(days=14)
LATER = SOON + timedelta(days=7)
NEW_DATE = SOON + timedelta(days=3)


def _form(page: Response, action: str) -> dict[str, str]:
    """The hidden fields of the form posting to `action` (CSRF token and version)."""
    start = page.text.index(f'action="{action}"')
    block = page.text[start : page.text.index("</form>", start)]
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', block))


def _csrf(client: TestClient) -> dict[str, str]:
    """The caller's own CSRF token, read from a page of its shell."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/inbox").text)
    assert found is not None
    return {"csrf_token": found.group(1)}


def _alert(page: Response) -> str:
    """The text of the page's refusal notice."""
    found = re.search(r'id="alert">([^<]*)<', page.text)
    assert found is not None, page.text
    return found.group(1)


def _row(page: Response, line_no: int) -> str:
    start = page.text.index(f'<tr data-line="{line_no}">')
    return page.text[start : page.text.index("</tr>", start)]


def _send_schedule(db: Database, network: Network, order_id: int) -> tuple[int, str, list[int]]:
    """AAA asks for 40 + 60 of the first order line on two dates and all 50 of the second."""
    with db.unit_of_work(db.context_for(network.a, None, "admin")) as uow:
        first, second = purchasing.get_purchase_order(uow, order_id).lines
        sent = delivery_schedule.send_schedule(
            uow,
            ScheduleIn(
                order_id=order_id,
                note="三月排产",
                lines=[
                    ScheduleLineIn(order_line_id=first.id, wanted_on=SOON, quantity=Decimal(40)),
                    ScheduleLineIn(order_line_id=first.id, wanted_on=LATER, quantity=Decimal(60)),
                    ScheduleLineIn(order_line_id=second.id, wanted_on=SOON, quantity=Decimal(50)),
                ],
            ),
        )
        uow.commit()
        return sent.schedule.id, sent.schedule.number, [line.id for line in sent.lines]


def test_the_supplier_answers_schedule_lines_and_the_buyer_sees_the_answers(
    db: Database, client_factory: Callable[[], TestClient]
) -> None:
    network = seed(db)
    _, order_id = buyer_documents(db, network)
    register_enterprise(
        db, NewEnterprise("CCC", "丙供应有限公司", ["supplier"], "c.admin", PASSWORD_C)
    )
    schedule_id, number, line_ids = _send_schedule(db, network, order_id)
    supplier = signed_in(client_factory, "b.admin", PASSWORD_B)
    buyer = signed_in(client_factory, "a.admin", PASSWORD_A)
    stranger = signed_in(client_factory, "c.admin", PASSWORD_C)
    url = f"/inbox/delivery-schedules/{schedule_id}"

    inbox = supplier.get("/inbox")
    assert inbox.status_code == 200
    assert f'data-schedule="{number}"' in inbox.text and 'data-to-answer="3"' in inbox.text
    # neither the buyer nor another supplier has it in their inbox, or may open or answer it
    assert f'data-schedule="{number}"' not in buyer.get("/inbox").text
    assert f'data-schedule="{number}"' not in stranger.get("/inbox").text
    assert buyer.get(url).status_code == 404
    assert stranger.get(url).status_code == 404
    page = supplier.get(url)
    assert page.status_code == 200 and "三月排产" in page.text
    confirm = f"{url}/lines/{line_ids[0]}/confirm"
    form = _form(page, confirm)
    for other in (buyer, stranger):  # a write through the supplier's URL is not found either
        assert other.post(confirm, data={**form, **_csrf(other)}).status_code == 404
    assert supplier.get("/inbox/delivery-schedules/999999").status_code == 404

    # confirm the first line as asked
    done = supplier.post(confirm, data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=confirm")
    # the same form again is out of date (409), and with the new version the move is illegal
    stale = supplier.post(confirm, data=form)
    new_version = int(form["version"]) + 1
    assert stale.status_code == 409 and f"当前版本 {new_version}" in _alert(stale)
    form["version"] = str(new_version)
    illegal = supplier.post(confirm, data=form)
    assert illegal.status_code == 409 and "状态为已确认" in _alert(illegal)

    # part of the second line: a quantity that is not a number, or not below the asked, is 422
    page = supplier.get(url)
    partial = f"{url}/lines/{line_ids[1]}/partial"
    bad = supplier.post(partial, data={**_form(page, partial), "quantity": "六十"})
    assert bad.status_code == 422 and "quantity" in _alert(bad)
    too_much = supplier.post(partial, data={**_form(page, partial), "quantity": "60"})
    assert too_much.status_code == 422 and "below the 60" in _alert(too_much)
    fields = {**_form(page, partial), "quantity": "45.5", "reason": "模具检修"}
    assert supplier.post(partial, data=fields, follow_redirects=False).status_code == 303

    # a new date for the third line (the same date is refused)
    page = supplier.get(url)
    reschedule = f"{url}/lines/{line_ids[2]}/reschedule"
    same = {**_form(page, reschedule), "wanted_on": SOON.isoformat()}
    same_day = supplier.post(reschedule, data=same)
    assert same_day.status_code == 422 and "wanted_on" in _alert(same_day)
    fields = {**_form(page, reschedule), "wanted_on": NEW_DATE.isoformat(), "reason": "原料延迟"}
    answered = supplier.post(reschedule, data=fields)
    assert answered.status_code == 200 and 'id="notice"' in answered.text
    assert 'id="schedule-status" data-status="changes_proposed"' in answered.text
    assert 'data-action="' not in answered.text  # nothing left to answer
    assert 'data-to-answer="0"' in supplier.get("/inbox").text

    # the buyer's schedule page shows each answer
    shown = buyer.get(f"/buy/schedules/{schedule_id}")
    assert shown.status_code == 200
    assert 'id="schedule-status" data-status="changes_proposed"' in shown.text
    assert 'data-status="confirmed"' in _row(shown, 1)
    second = _row(shown, 2)
    assert 'data-status="partial"' in second and "45.5" in second and "模具检修" in second
    third = _row(shown, 3)
    assert 'data-status="rescheduled"' in third and NEW_DATE.isoformat() in third
    assert "原料延迟" in third


def test_a_withdrawn_schedule_leaves_the_inbox_and_takes_no_answers(
    db: Database, client_factory: Callable[[], TestClient]
) -> None:
    network = seed(db)
    _, order_id = buyer_documents(db, network)
    schedule_id, number, line_ids = _send_schedule(db, network, order_id)
    supplier = signed_in(client_factory, "b.admin", PASSWORD_B)
    url = f"/inbox/delivery-schedules/{schedule_id}"
    assert "SKU-A1" not in supplier.get(url).text  # the buyer's item master is its own...
    with db.unit_of_work(db.context_for(network.a, None, "admin")) as uow:
        item = uow.session.scalars(select(Item).where(Item.sku == "SKU-A1")).one()
        uow.add(SharingGrant(partner_enterprise_id=network.b, kind="item", resource_id=item.id))
        uow.commit()
    page = supplier.get(url)
    assert "SKU-A1 甲成品" in _row(page, 1)  # ...until it shares the item
    confirm = f"{url}/lines/{line_ids[0]}/confirm"
    form = _form(page, confirm)
    with db.unit_of_work(db.context_for(network.a, None, "admin")) as uow:
        delivery_schedule.cancel_schedule(uow, schedule_id, None)
        uow.commit()
    assert f'data-schedule="{number}"' not in supplier.get("/inbox").text
    refused = supplier.post(confirm, data=form)
    assert refused.status_code == 409 and "状态为已取消" in _alert(refused)
    assert 'data-action="' not in supplier.get(url).text
    unknown = supplier.post(f"{url}/lines/{line_ids[0]}/approve", data=form)
    assert unknown.status_code == 404


def test_the_subcontractor_takes_on_one_outsourcing_order_and_declines_another(
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
    taken, declined = (post(client, OO, s.buyer, body, 201) for _ in range(2))
    sub = signed_in(client_factory, s.sub.username, s.sub.password)
    buyer = signed_in(client_factory, s.buyer.username, s.buyer.password)
    gamma = signed_in(client_factory, s.gamma.username, s.gamma.password)
    url = f"/inbox/outsourcing/{taken['id']}"

    inbox = sub.get("/inbox").text
    assert f'data-outsourcing="{taken["order_number"]}"' in inbox
    assert f'data-outsourcing="{declined["order_number"]}"' in inbox
    assert 'data-outsourcing="' not in gamma.get("/inbox").text
    assert buyer.get(url).status_code == 404 and gamma.get(url).status_code == 404
    page = sub.get(url)
    assert page.status_code == 200 and 'data-quantity="100"' in page.text
    components = re.findall(r'<tr data-component="(\d+)">\s*<td>[^<]*</td>\s*<td>(\d+)<', page.text)
    assert sorted(components) == sorted([(str(s.c1), "200"), (str(s.c2), "100")])

    accept = f"{url}/accept"
    form = _form(page, accept)
    assert gamma.post(accept, data={**form, **_csrf(gamma)}).status_code == 404
    done = sub.post(accept, data=form)
    assert done.status_code == 200 and 'id="notice"' in done.text
    assert 'id="outsourcing-status" data-status="accepted"' in done.text
    assert 'data-action="' not in done.text
    stale = sub.post(accept, data=form)  # answered already: the form's version is old
    assert stale.status_code == 409 and "该单据已被他人修改" in _alert(stale)
    inbox = sub.get("/inbox").text
    assert f'data-outsourcing="{taken["order_number"]}"' not in inbox
    assert f'data-outsourcing="{declined["order_number"]}"' in inbox

    other = f"/inbox/outsourcing/{declined['id']}"
    reject = f"{other}/reject"
    form = _form(sub.get(other), reject)
    unexplained = sub.post(reject, data=form)
    assert unexplained.status_code == 422 and "reason" in _alert(unexplained)
    answered = sub.post(reject, data={**form, "reason": "产能已满"}, follow_redirects=False)
    assert answered.status_code == 303
    with db.unit_of_work(db.context_for(s.buyer.id, None, "admin")) as uow:
        for oo, status, reason in ((taken, "accepted", None), (declined, "rejected", "产能已满")):
            answer = purchasing.get_purchase_order(uow, oo["order_id"]).answers[oo["order_line_id"]]
            assert (answer.status, answer.reason) == (status, reason)
