"""The caller's notifications, their channel preferences, and the enterprise's channels."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from supplymesh.api.deps import ContainerDep, ContextDep, UowDep
from supplymesh.notify import services
from supplymesh.notify.model import Notification
from supplymesh.notify.texts import KINDS
from supplymesh.platform.types import MAX_INT

router = APIRouter(tags=["notifications"])
ObjectId = Annotated[int, Path(ge=1, le=MAX_INT)]
Lang = Literal["zh-CN", "en"]


class NotificationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    title: str
    body: str
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    link: str | None
    read_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, note: Notification, lang: str) -> NotificationPublic:
        return cls(
            id=note.id,
            kind=note.kind,
            title=note.title(lang),
            body=note.body(lang),
            title_zh=note.title_zh,
            title_en=note.title_en,
            body_zh=note.body_zh,
            body_en=note.body_en,
            link=note.link,
            read_at=note.read_at,
            created_at=note.created_at,
        )


class NotificationPage(BaseModel):
    items: list[NotificationPublic]
    total: int
    unread: int
    offset: int
    limit: int


@router.get("/api/v1/notifications", response_model=NotificationPage)
def list_notifications(
    uow: UowDep,
    unread: bool = False,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    lang: Lang = "zh-CN",
) -> NotificationPage:
    """The caller's own notifications, newest first; ``unread=true`` for the unread ones."""
    page = services.inbox(uow, unread, offset, limit)
    return NotificationPage(
        items=[NotificationPublic.of(n, lang) for n in page.items],
        total=page.total,
        unread=page.unread,
        offset=page.offset,
        limit=page.limit,
    )


@router.post("/api/v1/notifications/read-all")
def read_all(container: ContainerDep, ctx: ContextDep) -> dict[str, int]:
    return {"marked": services.mark_all_read(container.db, ctx)}


@router.post("/api/v1/notifications/{notification_id}/read", response_model=NotificationPublic)
def read_one(
    notification_id: ObjectId, container: ContainerDep, ctx: ContextDep, lang: Lang = "zh-CN"
) -> NotificationPublic:
    return NotificationPublic.of(services.mark_read(container.db, ctx, notification_id), lang)


class PreferenceIn(BaseModel):
    kind: str = Field(min_length=1, max_length=60, description="a notification kind, or *")
    channel: str = Field(min_length=1, max_length=20)
    enabled: bool = True
    address: str | None = Field(default=None, max_length=200)


class PreferencesIn(BaseModel):
    preferences: list[PreferenceIn] = Field(max_length=500)


class PreferencesOut(BaseModel):
    kinds: list[str]
    channels: list[str]
    preferences: list[PreferenceIn]


def _preferences(uow: UowDep) -> PreferencesOut:
    return PreferencesOut(
        kinds=sorted(KINDS),
        channels=list(services.PERSONAL_CHANNELS),
        preferences=[
            PreferenceIn(kind=p.kind, channel=p.channel, enabled=p.enabled, address=p.address)
            for p in services.preferences(uow)
        ],
    )


@router.get("/api/v1/notification-preferences", response_model=PreferencesOut)
def get_preferences(uow: UowDep) -> PreferencesOut:
    """The caller's choices; a kind/channel not listed takes the default (e-mail on)."""
    return _preferences(uow)


@router.put("/api/v1/notification-preferences", response_model=PreferencesOut)
def put_preferences(
    body: PreferencesIn, container: ContainerDep, ctx: ContextDep, uow: UowDep
) -> PreferencesOut:
    wanted = [services.Preference(**p.model_dump()) for p in body.preferences]
    services.set_preferences(container.db, ctx, wanted)
    uow.session.expire_all()
    return _preferences(uow)


class ChannelIn(BaseModel):
    channel: Literal["wecom", "dingtalk", "sms"]
    enabled: bool = True
    config: dict[str, str | None] = Field(
        description="wecom: url; dingtalk: url, secret (optional); sms: url, token (optional)"
    )


class ChannelsIn(BaseModel):
    channels: list[ChannelIn] = Field(min_length=1, max_length=10)


class ChannelOut(BaseModel):
    channel: str
    enabled: bool
    host: str
    has_secret: bool
    version: int


@router.get("/api/v1/notification-channels", response_model=list[ChannelOut])
def get_channels(container: ContainerDep, uow: UowDep) -> list[ChannelOut]:
    """The enterprise's robots and SMS gateway (admins only); secrets are never shown."""
    views = services.channels(uow, container.settings.signing_key())
    return [ChannelOut(**v.__dict__) for v in views]


@router.put("/api/v1/notification-channels", response_model=list[ChannelOut])
def put_channels(body: ChannelsIn, container: ContainerDep, uow: UowDep) -> list[ChannelOut]:
    """Create or replace the listed channels (admins only); others stay as they are."""
    key = container.settings.signing_key()
    for c in body.channels:
        services.set_channel(uow, key, c.channel, c.enabled, c.config)
    uow.commit()
    return [ChannelOut(**v.__dict__) for v in services.channels(uow, key)]
