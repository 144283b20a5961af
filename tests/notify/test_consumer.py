"""The consumer's own cursor: an event committed late, below ids already read, is not lost."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select

from supplymesh.network.services import NewEnterprise, register_enterprise
from supplymesh.notify.consumer import CURSOR, consume
from supplymesh.notify.model import AlarmWatch, Notification, NotifySeenEvent, OutboxCursor
from supplymesh.platform.db import utcnow
from supplymesh.platform.events import OutboxEvent
from supplymesh.platform.uow import Database


def _alarm_event(db: Database, event_id: int, enterprise_id: int, user_id: int) -> None:
    with db.system() as uow:
        uow.session.execute(
            insert(OutboxEvent).values(
                id=event_id,
                enterprise_id=enterprise_id,
                type="AlarmCreated",
                aggregate="Alarm",
                aggregate_id=event_id,
                occurred_at=utcnow(),
                data={
                    "device_id": 7,
                    "severity": "major",
                    "message": f"hot {event_id}",
                    "escalate_to_user_id": user_id,
                },
                attempts=0,
            )
        )
        uow.commit()


def test_a_late_commit_below_the_read_ids_is_still_notified(db: Database) -> None:
    ent, admin = register_enterprise(
        db, NewEnterprise("ACME", "Acme", ["manufacturer"], "acme.admin", "acme-pass-1")
    )
    with db.system() as uow:
        start = int(uow.session.scalar(select(func.coalesce(func.max(OutboxEvent.id), 0))) or 0)
    first, late, third = start + 10, start + 11, start + 12
    _alarm_event(db, first, ent.id, admin.id)
    _alarm_event(db, third, ent.id, admin.id)
    assert consume(db.factory, email_ready=False, escalation=timedelta(minutes=5)) >= 2
    _alarm_event(db, late, ent.id, admin.id)  # its transaction committed after the others were read
    assert consume(db.factory, email_ready=False, escalation=timedelta(minutes=5)) == 1
    assert consume(db.factory, email_ready=False, escalation=timedelta(minutes=5)) == 0
    with db.system() as uow:
        messages = sorted(uow.session.scalars(select(Notification.body_en)))
        assert [m for m in messages if "hot" in m] == [
            f"Device #7 alarm: hot {i}" for i in (first, late, third)
        ]
        assert len(uow.session.scalars(select(AlarmWatch)).all()) == 3
        assert uow.session.get(OutboxCursor, CURSOR).low_water < first  # not yet settled

    # once settled, the low-water mark moves past them and their marks are dropped
    consume(db.factory, email_ready=False, escalation=timedelta(minutes=5), settle_s=0)
    with db.system() as uow:
        assert uow.session.get(OutboxCursor, CURSOR).low_water >= third
        assert uow.session.scalar(select(func.count()).select_from(NotifySeenEvent)) == 0
