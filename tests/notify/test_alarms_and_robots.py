"""Alarms find their owner and escalate to the admins; robots post once per enterprise."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from supplymesh.devices.model import Device
from supplymesh.network.services import create_user
from supplymesh.notify.delivery import escalate_due
from supplymesh.notify.model import NotificationChannel, NotificationDelivery
from supplymesh.notify.settings import NotifySettings
from supplymesh.notify.worker import run_once
from supplymesh.platform.db import utcnow
from supplymesh.platform.settings import Settings
from supplymesh.platform.uow import Database
from tests.collab.test_rfq import build_market, issue_rfq, ok
from tests.conftest import login
from tests.devices.test_alarms import Plant
from tests.notify.servers import http_receiver


def kinds(client: TestClient, headers: dict[str, str]) -> list[str]:
    body = ok(client.get("/api/v1/notifications", headers=headers))
    return [n["kind"] for n in body["items"]]


def test_alarm_goes_to_the_machine_owner_and_unacknowledged_ones_escalate(
    db: Database, client: TestClient, settings: Settings
) -> None:
    plant = Plant(db, client)
    with db.unit_of_work(db.context_for(plant.tenant.id, None, "admin")) as uow:
        fitter = create_user(uow, "acme.fitter", "王师傅", "fitter-password-1", "operator")
        uow.commit()
    with db.system() as uow:
        uow.session.execute(
            update(Device)
            .where(Device.id == plant.key.device_id)
            .values(attributes={"owner_user_id": str(fitter.id)})
        )
        uow.commit()
    fitter_headers = login(client, "acme.fitter", "fitter-password-1")
    plant.rule(kind="threshold", metric="temp", high=90)
    plant.rule(name="shaking", kind="threshold", metric="vib", high=5)
    plant.send(temp=120, vib=9)
    notify = NotifySettings(alarm_escalation_minutes=30)
    run_once(db, settings.signing_key(), notify)
    assert kinds(client, fitter_headers) == ["alarm_raised", "alarm_raised"]
    assert kinds(client, plant.tenant.headers) == []  # the owner is told, not everyone

    hot = next(a for a in plant.alarms() if a["message"].startswith("too hot"))
    r = client.post(
        f"/api/v1/alarms/{hot['id']}/acknowledge",
        headers=fitter_headers,
        json={"version": hot["version"]},
    )
    assert r.status_code == 200, r.text
    run_once(db, settings.signing_key(), notify)
    assert escalate_due(db.factory, email_ready=False, now=utcnow() + timedelta(minutes=10)) == 0
    later = utcnow() + timedelta(minutes=31)
    assert escalate_due(db.factory, email_ready=False, now=later) == 1  # the shaking one only
    assert escalate_due(db.factory, email_ready=False, now=later) == 0  # once
    admin = ok(
        client.get("/api/v1/notifications", headers=plant.tenant.headers, params={"lang": "en"})
    )
    [note] = admin["items"]
    assert note["kind"] == "alarm_escalated" and "shaking" in note["body"]
    assert "within 31 min" in note["body"]


def test_robot_channels_are_admin_set_sealed_and_retried(
    db: Database, client: TestClient, settings: Settings
) -> None:
    m = build_market(db, client)
    secret = "SECabcdef0123456789"
    with http_receiver() as robot:
        body = {
            "channels": [{"channel": "dingtalk", "config": {"url": robot.url, "secret": secret}}]
        }
        shown = ok(client.put("/api/v1/notification-channels", json=body, headers=m.alpha.headers))
        assert shown == [
            {
                "channel": "dingtalk",
                "enabled": True,
                "host": robot.url.split("/")[2],
                "has_secret": True,
                "version": 1,
            }
        ]
        assert (
            secret not in client.get("/api/v1/notification-channels", headers=m.alpha.headers).text
        )
        with db.system() as uow:
            sealed = uow.session.scalars(select(NotificationChannel.config_sealed)).all()
        assert sealed and all(secret not in s and "t0k" not in s for s in sealed)
        assert ok(client.get("/api/v1/notification-channels", headers=m.beta.headers)) == []

        # a second acting user at alpha: the group robot still gets one message
        with db.unit_of_work(db.context_for(m.alpha.id, None, "admin")) as uow:
            create_user(uow, "alpha.planner", "计划员", "planner-password-1", "planner")
            uow.commit()
        planner = login(client, "alpha.planner", "planner-password-1")
        r = client.get("/api/v1/notification-channels", headers=planner)
        assert r.status_code == 403, r.text

        robot.answer = {"errcode": 310000, "errmsg": "keywords not in content"}
        issue_rfq(client, m)
        run_once(db, settings.signing_key(), NotifySettings())
        assert len(robot.requests) == 1
        assert kinds(client, planner) == ["rfq_invited"]  # the inbox copy does not wait
        with db.system() as uow:
            [delivery] = uow.session.scalars(select(NotificationDelivery)).all()
            assert delivery.status == "pending" and "keywords" in (delivery.last_error or "")
            uow.session.execute(
                update(NotificationDelivery).values(next_attempt_at=utcnow() - timedelta(seconds=1))
            )
            uow.commit()
        robot.answer = {"errcode": 0, "errmsg": "ok"}
        run_once(db, settings.signing_key(), NotifySettings())
    assert len(robot.requests) == 2
    assert "sign" in robot.requests[1].query and robot.requests[1].body["msgtype"] == "markdown"
    with db.system() as uow:
        [delivery] = uow.session.scalars(select(NotificationDelivery)).all()
        assert delivery.status == "sent" and delivery.attempts == 2
