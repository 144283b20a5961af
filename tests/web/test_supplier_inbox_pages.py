"""The supplier inbox through HTTP: what each side sees, and refusals shown on the page."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from httpx import Response

from supplymesh.platform.uow import Database
from tests.e2e.test_supplier_inbox import buyer_documents
from tests.web.seed import PASSWORD_A, PASSWORD_B, seed
from tests.web.test_pages import signed_in


def _form(page: Response, action: str) -> dict[str, str]:
    """The hidden fields of the form posting to `action` (CSRF token and version)."""
    start = page.text.index(f'action="{action}"')
    block = page.text[start : page.text.index("</form>", start)]
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', block))


def test_the_inbox_answers_lines_and_shows_refusals(
    db: Database, client_factory: Callable[[], TestClient]
) -> None:
    network = seed(db)
    rfq_id, order_id = buyer_documents(db, network)
    supplier = signed_in(client_factory, "b.admin", PASSWORD_B)
    buyer = signed_in(client_factory, "a.admin", PASSWORD_A)
    inbox = supplier.get("/inbox")
    assert inbox.status_code == 200
    assert 'data-rfq="RFQ-000001"' in inbox.text and 'data-order="PO-000002"' in inbox.text
    # the buyer's own documents are not in its inbox, and their pages are not found
    assert 'data-order="PO-000002"' not in buyer.get("/inbox").text
    assert buyer.get(f"/inbox/purchase-orders/{order_id}").status_code == 404
    assert buyer.get(f"/inbox/rfqs/{rfq_id}").status_code == 404
    assert supplier.get("/inbox/purchase-orders/999999").status_code == 404

    page = supplier.get(f"/inbox/purchase-orders/{order_id}")
    action = re.search(r'action="(/inbox/purchase-orders/\d+/lines/\d+/accept)"', page.text)
    assert action is not None
    form = _form(page, action.group(1))
    done = supplier.post(action.group(1), data=form, follow_redirects=False)
    assert done.status_code == 303
    again = supplier.post(action.group(1), data=form)  # the same form, now out of date
    assert again.status_code == 409
    form["version"] = str(int(form["version"]) + 1)
    illegal = supplier.post(action.group(1), data=form)
    assert illegal.status_code == 409 and "已接受" in illegal.text
    page = supplier.get(f"/inbox/purchase-orders/{order_id}")
    [reject] = re.findall(r'action="(/inbox/purchase-orders/\d+/lines/\d+/reject)"', page.text)
    refused = supplier.post(reject, data=_form(page, reject))
    assert refused.status_code == 422 and 'id="alert"' in refused.text
