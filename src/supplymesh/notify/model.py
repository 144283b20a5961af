"""Notifications, who wants them on which channel, and how each enterprise's channels are set.

The in-app notification is the record: every other channel gets a `NotificationDelivery` that
may fail and be retried, but the in-app copy is written first and never depends on them.
`dedup_key` (per recipient) makes a retried or re-read event notify nobody twice.

These rows are bookkeeping written by the notification worker in quiet sessions (no outbox
events of their own, so notifying never feeds back into notifying).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.orm import Mapped, mapped_column

from supplymesh.platform.db import Base, BigId, UTCDateTime, Versioned, utcnow
from supplymesh.platform.errors import DomainError
from supplymesh.platform.tenancy import TenantContext, TenantOwned, admin_scoped, register

MAX_ATTEMPTS = 8
FIRST_BACKOFF_S = 30
MAX_BACKOFF_S = 3600


class NotifyError(DomainError):
    """A notification rule was broken (unknown channel, bad channel settings)."""


class ChannelKind(StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    SMS = "sms"
    WECOM = "wecom"
    DINGTALK = "dingtalk"


#: Robots post to a group chat: one message per enterprise and event, not one per person.
GROUP_CHANNELS = frozenset({ChannelKind.WECOM.value, ChannelKind.DINGTALK.value})


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


def _own_inbox(cls: type[Any], ctx: TenantContext) -> ColumnElement[bool]:
    """A person sees their own notifications only, never a colleague's."""
    return and_(cls.enterprise_id == ctx.enterprise_id, cls.user_id == ctx.user_id)


def _own_rows(obj: Any, ctx: TenantContext) -> bool:
    return bool(obj.enterprise_id == ctx.enterprise_id and obj.user_id == ctx.user_id)


class Notification(TenantOwned, Base):
    """One message to one person, in both languages, linked to the document it is about."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "dedup_key"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    title_zh: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    body_zh: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    event_id: Mapped[int | None] = mapped_column(BigInteger)
    dedup_key: Mapped[str] = mapped_column(String(200))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_zh

    def body(self, lang: str) -> str:
        return self.body_en if lang == "en" else self.body_zh


class NotificationPreference(TenantOwned, Base):
    """Whether a person wants `kind` (``*`` for every kind) on `channel`.

    A ``*`` row may carry the person's `address` on that channel (a mobile number for SMS,
    another mailbox for e-mail); without one e-mail goes to the user's own address.
    """

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind", "channel"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    channel: Mapped[str] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    address: Mapped[str | None] = mapped_column(String(200))


@admin_scoped
class NotificationChannel(TenantOwned, Base, Versioned):
    """An enterprise's settings for one channel (robot webhook URL, SMS gateway), sealed.

    `config_sealed` is the JSON settings encrypted with the server key: robot URLs carry
    their access token and DingTalk's signing secret is a secret, so none is stored in clear.
    """

    __tablename__ = "notification_channels"
    __table_args__ = (UniqueConstraint("enterprise_id", "channel"),)
    private_fields = frozenset({"config_sealed"})

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    config_sealed: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NotificationDelivery(TenantOwned, Base):
    """One notification on its way out on one channel, retried with backoff until sent."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (Index("ix_notification_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    #: unique per channel and target: a person (e-mail, SMS) or an enterprise's group (robots)
    dedup_key: Mapped[str] = mapped_column(String(240), unique=True)
    address: Mapped[str | None] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(10), default="zh-CN")
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def succeeded(self, now: datetime) -> None:
        self.attempts += 1
        self.status = DeliveryStatus.SENT.value
        self.last_error = None
        self.sent_at = now

    def failed(self, error: str, now: datetime) -> None:
        """Schedule the next try (30 s, 60 s, … capped at an hour) or give up, recorded."""
        self.attempts += 1
        self.last_error = error[:2000]
        if self.attempts >= MAX_ATTEMPTS:
            self.status = DeliveryStatus.FAILED.value
            return
        delay = min(FIRST_BACKOFF_S * 2 ** (self.attempts - 1), MAX_BACKOFF_S)
        self.next_attempt_at = now + timedelta(seconds=delay)


class AlarmWatch(TenantOwned, Base):
    """An alarm waiting to be acknowledged; escalated to the admins once `escalate_at` passes.

    Kept from the alarm events themselves, so escalation needs no read of the devices tables.
    """

    __tablename__ = "notify_alarm_watches"

    alarm_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    device_id: Mapped[int | None] = mapped_column(BigInteger)
    message: Mapped[str] = mapped_column(String(300))
    severity: Mapped[str] = mapped_column(String(20))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    escalate_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxCursor(Base):
    """How far the notification consumer has read the outbox (its own cursor, not the bus's).

    `low_water`: every event at or below it is done; `NotifySeenEvent` marks the ones above it
    already handled, because rows can commit out of id order and a plain cursor would skip one.
    """

    __tablename__ = "notify_outbox_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    low_water: Mapped[int] = mapped_column(BigInteger, default=0)


class NotifySeenEvent(Base):
    __tablename__ = "notify_seen_events"

    event_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: why handling this event failed (kept, not retried: sending is retried, handling is not)
    error: Mapped[str | None] = mapped_column(Text)


register(Notification, _own_inbox, _own_rows)
register(NotificationPreference, _own_inbox, _own_rows)
register(NotificationDelivery, lambda cls, ctx: cls.enterprise_id == ctx.enterprise_id)
register(AlarmWatch)
