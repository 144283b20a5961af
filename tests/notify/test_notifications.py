"""Events become notifications for the right people, through the HTTP API, on both backends."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update

from supplymesh.network.model import User
from supplymesh.notify.consumer import CURSOR
from supplymesh.notify.model import (
    NotificationDelivery,
    NotifySeenEvent,
    OutboxCursor,
)
from supplymesh.notify.settings import NotifySettings
from supplymesh.notify.worker import run_once
from supplymesh.platform.db import utcnow
from supplymesh.platform.settings import Settings
from supplymesh.platform.uow import Database
from tests.api.helpers import Tenant, make_tenant
from tests.collab.test_rfq import Market, build_market, issue_rfq, ok, quote_lines
from tests.notify.servers import Mailbox, smtp_server


def notes(client: TestClient, who: Tenant, **params: Any) -> dict[str, Any]:
    return ok(client.get("/api/v1/notifications", headers=who.headers, params=params))


def set_user(db: Database, username: str, **values: Any) -> None:
    with db.system() as uow:
        uow.session.execute(update(User).where(User.username == username).values(**values))
        uow.commit()


def run(db: Database, settings: Settings, box: Mailbox | None) -> None:
    notify = NotifySettings(
        smtp_host="127.0.0.1" if box else None, smtp_port=box.port if box else 25
    )
    run_once(db, settings.signing_key(), notify)


def market(db: Database, client: TestClient) -> Market:
    m = build_market(db, client)
    set_user(db, m.alpha.username, email="li.lei@alpha.cn", locale="en")
    set_user(db, m.beta.username, email="han.mei@beta.cn", locale="zh-CN")
    return m


def test_invitations_and_quotes_reach_the_right_people_once_in_their_language(
    db: Database, client: TestClient, settings: Settings
) -> None:
    m = market(db, client)
    # beta turns e-mail off for RFQ invitations; its inbox copy must stay
    put = {"preferences": [{"kind": "rfq_invited", "channel": "email", "enabled": False}]}
    ok(client.put("/api/v1/notification-preferences", json=put, headers=m.beta.headers))
    with smtp_server() as box:
        rfq = issue_rfq(client, m)
        run(db, settings, box)
    number = rfq["number"]

    alpha = notes(client, m.alpha, lang="en")
    [note] = alpha["items"]
    assert note["kind"] == "rfq_invited" and note["title"] == f"Invitation to quote: {number}"
    assert note["link"] == f"/inbox/rfqs/{rfq['id']}" and note["read_at"] is None
    assert alpha["unread"] == 1 and alpha["total"] == 1
    [mail] = box.to("li.lei@alpha.cn")
    assert mail["Subject"] == f"Invitation to quote: {number}"  # alpha's user reads English

    beta = notes(client, m.beta)
    assert [n["title"] for n in beta["items"]] == [f"询价邀请 {number}"]
    assert box.to("han.mei@beta.cn") == []  # preference off: no e-mail, in-app kept
    assert notes(client, m.gamma)["total"] == 0  # not invited
    assert notes(client, m.buyer)["total"] == 0  # the buyer's own act tells it nothing

    # the same events read again (every mark forgotten) notify nobody twice
    with db.system() as uow:
        uow.session.execute(delete(NotifySeenEvent))
        cursor = update(OutboxCursor).where(OutboxCursor.name == CURSOR)
        uow.session.execute(cursor.values(low_water=0))
        uow.commit()
    with smtp_server() as again:
        run(db, settings, again)
    assert notes(client, m.alpha)["total"] == 1 and notes(client, m.beta)["total"] == 1
    assert again.mails == []

    # alpha quotes: the buyer is told, beta is not; each reads only its own
    url = f"/api/v1/rfqs/{rfq['id']}/quotes"
    lines = quote_lines(rfq, ("20", "3.2"), (10, 5))
    ok(client.post(url, json={"lines": lines}, headers=m.alpha.headers), 201)
    run(db, settings, None)
    buyer = notes(client, m.buyer, lang="en")
    [note] = buyer["items"]
    assert note["kind"] == "quote_submitted" and "ALPHA Co" in note["body"]
    beta_kinds = [n["kind"] for n in notes(client, m.beta)["items"]]
    assert beta_kinds == ["rfq_invited"]  # alpha's quote is none of beta's business

    # one's own only: beta cannot read (or even find) the buyer's notification
    r = client.post(f"/api/v1/notifications/{note['id']}/read", headers=m.beta.headers)
    assert r.status_code == 404, r.text
    read = ok(client.post(f"/api/v1/notifications/{note['id']}/read", headers=m.buyer.headers))
    assert read["read_at"] is not None
    assert notes(client, m.buyer, unread="true")["total"] == 0
    assert ok(client.post("/api/v1/notifications/read-all", headers=m.alpha.headers)) == {
        "marked": 1
    }
    assert notes(client, m.alpha)["unread"] == 0


def test_unauthenticated_and_bad_preferences_are_refused(db: Database, client: TestClient) -> None:
    alone = make_tenant(db, client, "SOLO")
    assert client.get("/api/v1/notifications").status_code == 401
    bad = {"preferences": [{"kind": "no_such_kind", "channel": "pigeon"}]}
    r = client.put("/api/v1/notification-preferences", json=bad, headers=alone.headers)
    assert r.status_code == 422 and "no_such_kind" in r.text and "pigeon" in r.text


def test_failed_mail_is_retried_and_the_inbox_copy_kept(
    db: Database, client: TestClient, settings: Settings
) -> None:
    m = market(db, client)
    issue_rfq(client, m)
    dead = NotifySettings(smtp_host="127.0.0.1", smtp_port=1)  # nothing listens on port 1
    run_once(db, settings.signing_key(), dead)
    assert notes(client, m.alpha)["total"] == 1
    with db.system() as uow:
        [delivery] = uow.session.scalars(
            select(NotificationDelivery).where(NotificationDelivery.address == "li.lei@alpha.cn")
        ).all()
        assert delivery.status == "pending" and delivery.attempts == 1
        assert "SMTP 127.0.0.1:1" in (delivery.last_error or "")
        assert delivery.next_attempt_at > utcnow()
        uow.session.execute(
            update(NotificationDelivery).values(
                next_attempt_at=delivery.next_attempt_at.replace(year=2000)
            )
        )
        uow.commit()
    with smtp_server() as box:
        run(db, settings, box)
    assert len(box.to("li.lei@alpha.cn")) == 1
    with db.system() as uow:
        sent = uow.session.get(NotificationDelivery, delivery.id)
        assert sent is not None and sent.status == "sent" and sent.attempts == 2


def test_the_running_app_notifies_by_itself(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker started with the app reads the outbox: nobody calls `run_once` here."""
    from supplymesh.api.app import create_app

    monkeypatch.setenv("SUPPLYMESH_NOTIFY_INTERVAL_S", "0.2")
    with TestClient(create_app(settings)) as running:
        m = build_market(db, running)
        issue_rfq(running, m)
        deadline = time.monotonic() + 20
        while notes(running, m.alpha)["total"] == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [n["kind"] for n in notes(running, m.alpha)["items"]] == ["rfq_invited"]
    running.app.state.container.db.engine.dispose()  # type: ignore[attr-defined]
