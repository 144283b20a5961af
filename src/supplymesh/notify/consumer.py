"""Reads the outbox a second time, for notifications, with its own cursor.

Why a second consumer and not an `EventBus` subscriber or a call in the webhook path: the bus
marks an event delivered for every subscriber at once, so a failing notification would hold
back (and re-run) webhook fan-out, and the reverse. Here the notification worker keeps its own
place in `notify_outbox_cursor`, so the two never wait on each other and the webhook code is
untouched. Rows can commit out of id order, so ids above the low-water mark are marked one by
one in `notify_seen_events`; the mark moves up only past events older than `settle_s`.

Each event is handled in a savepoint: one that fails (a bug, not a dead mail server — sending
happens later, in `delivery`) is marked with its error, the others go on.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import sessionmaker

from supplymesh.network.model import User
from supplymesh.notify import texts
from supplymesh.notify.model import (
    GROUP_CHANNELS,
    AlarmWatch,
    ChannelKind,
    Notification,
    NotificationChannel,
    NotificationDelivery,
    NotificationPreference,
    NotifySeenEvent,
    OutboxCursor,
)
from supplymesh.notify.rules import Intent, intents_for, recipients_of
from supplymesh.platform.db import utcnow
from supplymesh.platform.events import OutboxEvent
from supplymesh.platform.tenancy import TenantContext, TenantSession

log = logging.getLogger(__name__)
CURSOR = "notifications"


def quiet(factory: sessionmaker[TenantSession]) -> TenantSession:
    """A system session whose writes raise no events (notifying must not notify)."""
    return factory(info={"tenant": TenantContext.system(), "bulk": True})


def consume(
    factory: sessionmaker[TenantSession],
    *,
    email_ready: bool,
    escalation: timedelta,
    limit: int = 500,
    settle_s: float = 300.0,
) -> int:
    """Turn unread outbox events into notifications and queued deliveries; returns events read."""
    now = utcnow()
    with quiet(factory) as session:
        cursor = session.get(OutboxCursor, CURSOR)
        if cursor is None:
            cursor = OutboxCursor(name=CURSOR, low_water=0)
            session.add(cursor)
        seen = exists().where(NotifySeenEvent.event_id == OutboxEvent.id)
        rows = list(
            session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.id > cursor.low_water, ~seen)
                .order_by(OutboxEvent.id)
                .limit(limit)
            )
        )
        for row in rows:
            error = None
            try:
                with session.begin_nested():
                    handle(session, row, email_ready=email_ready, escalation=escalation)
            except Exception as exc:  # recorded on the mark; the other events go on
                log.exception("notifications for event %s (%s) failed", row.id, row.type)
                error = f"{type(exc).__name__}: {exc}"[:2000]
            session.add(NotifySeenEvent(event_id=row.id, occurred_at=row.occurred_at, error=error))
        session.flush()
        if len(rows) < limit:
            _advance(session, cursor, now - timedelta(seconds=settle_s))
        session.commit()
    return len(rows)


def _advance(session: TenantSession, cursor: OutboxCursor, settled: datetime) -> None:
    """Move the low-water mark past marked events older than `settled`, if none is missing."""
    missing = session.scalar(
        select(func.count())
        .select_from(OutboxEvent)
        .where(
            OutboxEvent.id > cursor.low_water,
            OutboxEvent.occurred_at < settled,
            ~exists().where(NotifySeenEvent.event_id == OutboxEvent.id),
        )
    )
    if missing:
        return
    top = session.scalar(
        select(func.max(NotifySeenEvent.event_id)).where(NotifySeenEvent.occurred_at < settled)
    )
    if top is not None and top > cursor.low_water:
        cursor.low_water = int(top)
        session.execute(delete(NotifySeenEvent).where(NotifySeenEvent.event_id <= top))


def handle(
    session: TenantSession, event: OutboxEvent, *, email_ready: bool, escalation: timedelta
) -> int:
    """Notify everyone `event` concerns; keep alarm watches; returns notifications written."""
    if event.aggregate == "Alarm":
        _watch_alarm(session, event, escalation)
    written = 0
    for intent in intents_for(session, event):
        written += notify(session, intent, event.id, email_ready=email_ready)
    return written


def _watch_alarm(session: TenantSession, event: OutboxEvent, escalation: timedelta) -> None:
    if event.type == "AlarmCreated" and event.enterprise_id is not None and event.aggregate_id:
        if session.get(AlarmWatch, event.aggregate_id) is None:
            session.add(
                AlarmWatch(
                    alarm_id=event.aggregate_id,
                    enterprise_id=event.enterprise_id,
                    device_id=event.data.get("device_id"),
                    message=str(event.data.get("message", ""))[:300],
                    severity=str(event.data.get("severity", "")),
                    raised_at=event.occurred_at,
                    escalate_at=event.occurred_at + escalation,
                )
            )
    elif event.type == "AlarmUpdated" and event.data.get("state") in ("acknowledged", "cleared"):
        watch = session.get(AlarmWatch, event.aggregate_id)
        if watch is not None and watch.settled_at is None:
            watch.settled_at = event.occurred_at


def notify(
    session: TenantSession, intent: Intent, event_id: int | None, *, email_ready: bool
) -> int:
    """Write the in-app notification for each recipient, then queue the channels they want."""
    text = texts.render(intent.kind, intent.params)
    channels = {
        c.channel
        for c in session.scalars(
            select(NotificationChannel).where(
                NotificationChannel.enterprise_id == intent.enterprise_id,
                NotificationChannel.enabled.is_(True),
            )
        )
    }
    written = 0
    for user_id in recipients_of(session, intent):
        already = session.scalar(
            select(Notification.id).where(
                Notification.user_id == user_id, Notification.dedup_key == intent.dedup_key
            )
        )
        if already is not None:
            continue  # the same event read again, or the same fact told twice
        note = Notification(
            enterprise_id=intent.enterprise_id,
            user_id=user_id,
            kind=intent.kind,
            title_zh=text.title_zh[:300],
            title_en=text.title_en[:300],
            body_zh=text.body_zh,
            body_en=text.body_en,
            link=intent.link,
            event_id=event_id,
            dedup_key=intent.dedup_key,
        )
        session.add(note)
        session.flush()
        written += 1
        _queue(session, note, channels, email_ready)
    return written


def _queue(
    session: TenantSession, note: Notification, configured: set[str], email_ready: bool
) -> None:
    user = session.get(User, note.user_id)
    if user is None:
        return
    prefs = {
        (p.kind, p.channel): p
        for p in session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }

    def wants(channel: str, default: bool) -> bool:
        for key in ((note.kind, channel), ("*", channel)):
            if key in prefs:
                return prefs[key].enabled
        return default

    def address(channel: str) -> str | None:
        pref = prefs.get(("*", channel))
        return pref.address if pref is not None and pref.address else None

    wanted: list[tuple[str, str | None, str]] = []
    if email_ready and wants(ChannelKind.EMAIL, True):
        mailbox = address(ChannelKind.EMAIL) or user.email
        if mailbox:
            wanted.append((ChannelKind.EMAIL.value, mailbox, f"u{user.id}"))
    if ChannelKind.SMS.value in configured and wants(ChannelKind.SMS, False):
        phone = address(ChannelKind.SMS)
        if phone:
            wanted.append((ChannelKind.SMS.value, phone, f"u{user.id}"))
    for group in sorted(GROUP_CHANNELS & configured):
        if wants(group, True):
            wanted.append((group, None, f"e{note.enterprise_id}"))
    for channel, target, whom in wanted:
        key = f"{channel}:{whom}:{note.dedup_key}"[:240]
        if session.scalar(
            select(NotificationDelivery.id).where(NotificationDelivery.dedup_key == key)
        ):
            continue  # a group robot already has this one from a colleague's copy
        session.add(
            NotificationDelivery(
                enterprise_id=note.enterprise_id,
                notification_id=note.id,
                channel=channel,
                dedup_key=key,
                address=target,
                lang="en" if user.locale == "en" else "zh-CN",
            )
        )
    session.flush()
