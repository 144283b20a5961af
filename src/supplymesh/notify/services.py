"""Use cases of the inbox, of personal preferences and of an enterprise's channel settings.

Reading one's own inbox and choosing one's own channels are not changes to business data:
a viewer may do them too, so they are written in a system session narrowed explicitly to the
caller's own rows (the tenant write rule would refuse a viewer any write at all).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select, update

from supplymesh.collab import signing
from supplymesh.notify.consumer import quiet
from supplymesh.notify.model import (
    ChannelKind,
    Notification,
    NotificationChannel,
    NotificationPreference,
)
from supplymesh.notify.texts import KINDS
from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import Database, UnitOfWork

PERSONAL_CHANNELS = (
    ChannelKind.EMAIL.value,
    ChannelKind.SMS.value,
    ChannelKind.WECOM.value,
    ChannelKind.DINGTALK.value,
)
ENTERPRISE_CHANNELS = (ChannelKind.WECOM.value, ChannelKind.DINGTALK.value, ChannelKind.SMS.value)
#: config keys each enterprise channel takes; `url` is required everywhere
CHANNEL_KEYS = {"wecom": ("url",), "dingtalk": ("url", "secret"), "sms": ("url", "token")}


@dataclass(frozen=True)
class InboxPage:
    items: list[Notification]
    total: int
    unread: int
    offset: int
    limit: int


def _caller(ctx: TenantContext) -> int:
    if ctx.user_id is None:
        raise PermissionDenied("notifications belong to people; an API key has no inbox")
    return ctx.user_id


def inbox(
    uow: UnitOfWork, unread_only: bool = False, offset: int = 0, limit: int = 50
) -> InboxPage:
    """The caller's notifications, newest first (the read rule hides everyone else's)."""
    _caller(uow.ctx)
    query = select(Notification)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    unread = unread_count(uow)
    rows = list(
        uow.session.scalars(
            query.order_by(Notification.created_at.desc(), Notification.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )
    return InboxPage(rows, int(total), unread, offset, limit)


def unread_count(uow: UnitOfWork) -> int:
    if uow.ctx.user_id is None:
        return 0
    found = uow.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.read_at.is_(None))
    )
    return int(found or 0)


def mark_read(db: Database, ctx: TenantContext, notification_id: int) -> Notification:
    """Mark one of the caller's notifications read (again is harmless)."""
    user_id = _caller(ctx)
    with quiet(db.factory) as session:
        note = session.scalar(
            select(Notification).where(
                Notification.id == notification_id,
                Notification.user_id == user_id,
                Notification.enterprise_id == ctx.enterprise_id,
            )
        )
        if note is None:
            raise NotFound("Notification", notification_id)
        if note.read_at is None:
            note.read_at = utcnow()
        session.commit()
        return note


def mark_all_read(db: Database, ctx: TenantContext) -> int:
    """Mark every unread notification of the caller read; returns how many."""
    user_id = _caller(ctx)
    with quiet(db.factory) as session:
        result = session.execute(
            update(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.enterprise_id == ctx.enterprise_id,
                Notification.read_at.is_(None),
            )
            .values(read_at=utcnow())
        )
        session.commit()
        return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class Preference:
    kind: str
    channel: str
    enabled: bool
    address: str | None = None


def preferences(uow: UnitOfWork) -> list[NotificationPreference]:
    _caller(uow.ctx)
    return list(
        uow.session.scalars(
            select(NotificationPreference).order_by(
                NotificationPreference.kind, NotificationPreference.channel
            )
        )
    )


def set_preferences(db: Database, ctx: TenantContext, wanted: list[Preference]) -> None:
    """Replace the caller's preferences with `wanted` (what is not listed takes the default)."""
    user_id = _caller(ctx)
    errors = []
    seen: set[tuple[str, str]] = set()
    for i, p in enumerate(wanted):
        if p.kind != "*" and p.kind not in KINDS:
            errors.append(FieldError(f"preferences[{i}].kind", f"unknown kind {p.kind!r}"))
        if p.channel not in PERSONAL_CHANNELS:
            errors.append(FieldError(f"preferences[{i}].channel", f"unknown channel {p.channel!r}"))
        if p.address and p.kind != "*":
            errors.append(
                FieldError(f"preferences[{i}].address", "an address goes on a kind '*' row")
            )
        if (p.kind, p.channel) in seen:
            errors.append(FieldError(f"preferences[{i}]", f"{p.kind}/{p.channel} listed twice"))
        seen.add((p.kind, p.channel))
    if errors:
        raise ValidationFailed(errors)
    with quiet(db.factory) as session:
        session.execute(
            delete(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
        for p in wanted:
            session.add(
                NotificationPreference(
                    enterprise_id=ctx.enterprise_id,
                    user_id=user_id,
                    kind=p.kind,
                    channel=p.channel,
                    enabled=p.enabled,
                    address=p.address or None,
                )
            )
        session.commit()


@dataclass(frozen=True)
class ChannelView:
    """A channel's settings as shown back: the URL's host only, secrets never."""

    channel: str
    enabled: bool
    host: str
    has_secret: bool
    version: int


def channels(uow: UnitOfWork, server_key: str) -> list[ChannelView]:
    if not uow.ctx.is_admin:
        raise PermissionDenied("only an admin sees the enterprise's notification channels")
    rows = uow.session.scalars(
        select(NotificationChannel)
        .where(NotificationChannel.enterprise_id == uow.ctx.enterprise_id)
        .order_by(NotificationChannel.channel)
    )
    views = []
    for row in rows:
        config = json.loads(signing.unseal(server_key, row.config_sealed))
        views.append(
            ChannelView(
                row.channel,
                row.enabled,
                urlsplit(str(config.get("url", ""))).netloc,
                bool(config.get("secret") or config.get("token")),
                row.version,
            )
        )
    return views


def set_channel(
    uow: UnitOfWork, server_key: str, channel: str, enabled: bool, config: dict[str, str | None]
) -> NotificationChannel:
    """Create or replace one channel's settings (admins only); secrets are sealed at rest."""
    if not uow.ctx.is_admin:
        raise PermissionDenied("only an admin sets the enterprise's notification channels")
    if channel not in ENTERPRISE_CHANNELS:
        raise ValidationFailed([FieldError("channel", f"not an enterprise channel: {channel!r}")])
    allowed = CHANNEL_KEYS[channel]
    errors = [
        FieldError(f"config.{k}", f"{channel} takes only {', '.join(allowed)}")
        for k in config
        if k not in allowed
    ]
    url = str(config.get("url") or "")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        errors.append(FieldError("config.url", f"not an http(s) URL: {url!r}"))
    if errors:
        raise ValidationFailed(errors)
    sealed = signing.seal(server_key, json.dumps({k: v for k, v in config.items() if v}))
    row = uow.session.scalar(
        select(NotificationChannel).where(
            NotificationChannel.enterprise_id == uow.ctx.enterprise_id,
            NotificationChannel.channel == channel,
        )
    )
    if row is None:
        row = NotificationChannel(
            enterprise_id=uow.ctx.enterprise_id, channel=channel, config_sealed=sealed
        )
        uow.add(row)
    row.enabled = enabled
    row.config_sealed = sealed
    row.updated_at = utcnow()
    uow.flush()
    return row
