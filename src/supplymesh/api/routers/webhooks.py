"""Webhook subscriptions: partners' systems hear about events as they happen."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from supplymesh.api.deps import ContainerDep, UowDep
from supplymesh.collab import webhooks
from supplymesh.collab.model import WebhookDelivery, WebhookSubscription
from supplymesh.platform.errors import NotFound
from supplymesh.platform.types import MAX_INT

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
SubscriptionId = Annotated[int, Path(ge=1, le=MAX_INT)]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=8, max_length=500, description="http(s) URL that receives POSTs")
    event_types: list[str] = Field(min_length=1, description="event types, or ['*'] for all")
    description: str | None = Field(default=None, max_length=200)


class WebhookPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    event_types: list[str]
    description: str | None
    active: bool
    created_at: datetime


class WebhookCreated(WebhookPublic):
    secret: str = Field(description="HMAC key for X-SupplyMesh-Signature; shown once")


class DeliveryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    payload: dict[str, Any]


@router.post("", response_model=WebhookCreated, status_code=201)
def create(payload: WebhookCreate, uow: UowDep, container: ContainerDep) -> WebhookCreated:
    """Subscribe a URL; every matching event is POSTed, signed, retried with backoff."""
    sub, secret = webhooks.subscribe(
        uow, container.settings.signing_key(), payload.url, payload.event_types, payload.description
    )
    uow.commit()
    return WebhookCreated(**WebhookPublic.model_validate(sub).model_dump(), secret=secret)


@router.get("", response_model=list[WebhookPublic])
def list_(uow: UowDep) -> list[WebhookPublic]:
    subs = uow.session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id))
    return [WebhookPublic.model_validate(s) for s in subs]


@router.delete("/{subscription_id}", status_code=204)
def delete(subscription_id: SubscriptionId, uow: UowDep) -> Response:
    webhooks.unsubscribe(uow, subscription_id)
    uow.commit()
    return Response(status_code=204)


@router.get("/{subscription_id}/deliveries", response_model=list[DeliveryPublic])
def deliveries(subscription_id: SubscriptionId, uow: UowDep) -> list[DeliveryPublic]:
    """The last 200 deliveries of a subscription, newest first."""
    if uow.session.get(WebhookSubscription, subscription_id) is None:
        raise NotFound("WebhookSubscription", subscription_id)
    rows = uow.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(200)
    )
    return [DeliveryPublic.model_validate(d) for d in rows]
