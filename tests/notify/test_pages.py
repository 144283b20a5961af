"""The notifications page: the badge, opening and reading, and the preferences form."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from httpx import Response

from supplymesh.notify.settings import NotifySettings
from supplymesh.notify.worker import run_once
from supplymesh.platform.settings import Settings
from supplymesh.platform.uow import Database
from tests.collab.test_rfq import build_market, issue_rfq, ok
from tests.web.test_pages import signed_in


def _csrf(page: Response, action: str) -> dict[str, str]:
    start = page.text.index(f'action="{action}"')
    block = page.text[start : page.text.index("</form>", start)]
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', block))


def test_badge_open_read_and_preferences(
    db: Database,
    client: TestClient,
    client_factory: Callable[[], TestClient],
    settings: Settings,
) -> None:
    m = build_market(db, client)
    rfq = issue_rfq(client, m)
    run_once(db, settings.signing_key(), NotifySettings())
    web = signed_in(client_factory, m.alpha.username, m.alpha.password)

    home = web.get("/notifications")
    assert home.status_code == 200
    assert 'id="unread-badge">1<' in home.text  # the top bar counts it
    assert f"询价邀请 {rfq['number']}" in home.text
    [action] = re.findall(r'action="(/notifications/\d+/read)"', home.text)
    opened = web.post(action, data=_csrf(home, action), follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/inbox/rfqs/{rfq['id']}"
    page = web.get("/notifications")
    assert 'id="unread-badge"' not in page.text and 'data-unread="0"' in page.text

    # untick e-mail for RFQ invitations, give an SMS number; everything else stays ticked
    form = _csrf(page, "/notifications/preferences")
    boxes = re.findall(r'type="checkbox" name="([\w:]+)"[^>]* checked', page.text)
    form.update({name: "on" for name in boxes if name != "rfq_invited:email"})
    form["sms_phone"] = "+8613800000000"
    saved = web.post("/notifications/preferences", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    prefs = ok(client.get("/api/v1/notification-preferences", headers=m.alpha.headers))
    chosen = {(p["kind"], p["channel"]): p for p in prefs["preferences"]}
    assert chosen[("rfq_invited", "email")]["enabled"] is False
    assert chosen[("quote_submitted", "email")]["enabled"] is True
    assert chosen[("*", "sms")]["address"] == "+8613800000000"

    # the buyer has nothing, and cannot open alpha's notification
    buyer = signed_in(client_factory, m.buyer.username, m.buyer.password)
    listing = buyer.get("/notifications")
    assert 'data-notification="' not in listing.text
    assert buyer.post(action, data=_csrf(listing, "/notifications/read-all")).status_code == 404
