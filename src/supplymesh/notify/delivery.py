"""Sending queued deliveries with retries, and escalating alarms nobody acknowledged."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from supplymesh.collab import signing
from supplymesh.network.model import User
from supplymesh.notify import texts
from supplymesh.notify.channels import (
    Channel,
    DeliveryFailed,
    DingTalkRobotChannel,
    EmailChannel,
    HttpSmsChannel,
    Message,
    SmtpSettings,
    WeComRobotChannel,
)
from supplymesh.notify.consumer import notify, quiet
from supplymesh.notify.model import (
    AlarmWatch,
    ChannelKind,
    DeliveryStatus,
    Notification,
    NotificationChannel,
    NotificationDelivery,
    NotificationPreference,
)
from supplymesh.notify.rules import Intent
from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import NotFound, invalid
from supplymesh.platform.tenancy import TenantSession

log = logging.getLogger(__name__)

#: Builds the channel for one delivery: (kind, the enterprise's unsealed config) → channel.
ChannelFactory = Callable[[str, dict[str, str]], Channel]


def channel_factory(smtp: SmtpSettings | None) -> ChannelFactory:
    """The real channels: SMTP from the platform settings, the rest from the enterprise's."""

    def build(kind: str, config: dict[str, str]) -> Channel:
        if kind == ChannelKind.EMAIL:
            if smtp is None:
                raise DeliveryFailed("no SMTP server configured (SUPPLYMESH_SMTP_HOST)")
            return EmailChannel(smtp)
        if kind == ChannelKind.WECOM:
            return WeComRobotChannel(config["url"])
        if kind == ChannelKind.DINGTALK:
            return DingTalkRobotChannel(config["url"], config.get("secret") or None)
        if kind == ChannelKind.SMS:
            return HttpSmsChannel(config["url"], config.get("token") or None)
        raise DeliveryFailed(f"no sender for channel {kind!r}")

    return build


def _config(
    session: TenantSession, server_key: str, enterprise_id: int, kind: str
) -> dict[str, str]:
    if kind == ChannelKind.EMAIL:
        return {}
    row = session.scalar(
        select(NotificationChannel).where(
            NotificationChannel.enterprise_id == enterprise_id, NotificationChannel.channel == kind
        )
    )
    if row is None or not row.enabled:
        raise DeliveryFailed(f"channel {kind} is not set up for enterprise {enterprise_id}")
    data = json.loads(signing.unseal(server_key, row.config_sealed))
    return {str(k): str(v) for k, v in data.items() if v is not None}


def deliver_due(
    factory: sessionmaker[TenantSession],
    server_key: str,
    build: ChannelFactory,
    public_url: str = "",
    limit: int = 100,
) -> int:
    """Try every delivery that is due; returns how many were sent."""
    sent = 0
    with quiet(factory) as session:
        query = (
            select(NotificationDelivery)
            .where(
                NotificationDelivery.status == DeliveryStatus.PENDING.value,
                NotificationDelivery.next_attempt_at <= utcnow(),
            )
            .order_by(NotificationDelivery.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        for delivery in session.scalars(query):
            note = session.get(Notification, delivery.notification_id)
            if note is None:
                delivery.failed("notification removed", utcnow())
                continue
            link = f"{public_url.rstrip('/')}{note.link}" if note.link else None
            message = Message(
                note.title(delivery.lang), note.body(delivery.lang), link, delivery.address
            )
            try:
                config = _config(session, server_key, delivery.enterprise_id, delivery.channel)
                build(delivery.channel, config).send(message)
            except (DeliveryFailed, KeyError, ValueError) as exc:
                delivery.failed(f"{type(exc).__name__}: {exc}", utcnow())
                log.info("notification delivery %s failed: %s", delivery.id, exc)
                continue
            delivery.succeeded(utcnow())
            sent += 1
        session.commit()
    return sent


def escalate_due(
    factory: sessionmaker[TenantSession], *, email_ready: bool, now: datetime | None = None
) -> int:
    """Tell the admins of every alarm still unacknowledged past its escalation time."""
    now = now or utcnow()
    escalated = 0
    with quiet(factory) as session:
        due = session.scalars(
            select(AlarmWatch)
            .where(AlarmWatch.settled_at.is_(None), AlarmWatch.escalate_at <= now)
            .order_by(AlarmWatch.alarm_id)
        ).all()
        for watch in due:
            waited = now - watch.raised_at
            intent = Intent(
                "alarm_escalated",
                watch.enterprise_id,
                f"alarm_escalated:{watch.alarm_id}",
                {
                    "device": str(watch.device_id),
                    "severity": watch.severity,
                    "message": watch.message,
                    "minutes": f"{waited.total_seconds() / 60:.0f}",
                },
                f"/api/v1/alarms/{watch.alarm_id}",
                admins_of(session, watch.enterprise_id),
            )
            escalated += notify(session, intent, None, email_ready=email_ready)
            watch.settled_at = now
        session.commit()
    return escalated


def admins_of(session: TenantSession, enterprise_id: int) -> tuple[int, ...]:
    return tuple(
        int(u)
        for u in session.scalars(
            select(User.id).where(
                User.enterprise_id == enterprise_id, User.role == "admin", User.active.is_(True)
            )
        )
    )


def send_test(
    factory: sessionmaker[TenantSession],
    server_key: str,
    build: ChannelFactory,
    username: str,
    channel: str,
) -> NotificationDelivery:
    """Write a test notification to `username` and send it on `channel` now; returns the
    delivery with its outcome (sent, or pending with the error and the next try)."""
    if channel not in (ChannelKind.EMAIL, ChannelKind.SMS, ChannelKind.WECOM, ChannelKind.DINGTALK):
        raise invalid("channel", f"not a sending channel: {channel!r}")
    with quiet(factory) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound("User", username)
        pref = session.scalar(
            select(NotificationPreference).where(
                NotificationPreference.user_id == user.id,
                NotificationPreference.kind == "*",
                NotificationPreference.channel == channel,
            )
        )
        address = pref.address if pref is not None and pref.address else None
        if channel == ChannelKind.EMAIL:
            address = address or user.email
        text = texts.render("test", {})
        key = f"test:{uuid4().hex}"
        note = Notification(
            enterprise_id=user.enterprise_id,
            user_id=user.id,
            kind="test",
            title_zh=text.title_zh,
            title_en=text.title_en,
            body_zh=text.body_zh,
            body_en=text.body_en,
            dedup_key=key,
        )
        session.add(note)
        session.flush()
        delivery = NotificationDelivery(
            enterprise_id=user.enterprise_id,
            notification_id=note.id,
            channel=channel,
            dedup_key=f"{channel}:u{user.id}:{key}",
            address=address,
            lang="en" if user.locale == "en" else "zh-CN",
        )
        session.add(delivery)
        session.flush()
        message = Message(note.title(delivery.lang), note.body(delivery.lang), None, address)
        try:
            config = _config(session, server_key, user.enterprise_id, channel)
            build(channel, config).send(message)
        except (DeliveryFailed, KeyError, ValueError) as exc:
            delivery.failed(f"{type(exc).__name__}: {exc}", utcnow())
        else:
            delivery.succeeded(utcnow())
        session.commit()
        return delivery
