"""Webhook use cases: subscribe, fan events out to deliveries, deliver with retries."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from supplymesh.collab import signing
from supplymesh.collab.model import DeliveryStatus, WebhookDelivery, WebhookSubscription
from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from supplymesh.platform.events import OutboxEvent, jsonable
from supplymesh.platform.tenancy import TenantContext, TenantSession
from supplymesh.platform.uow import Database, UnitOfWork


@dataclass(frozen=True)
class Response:
    status_code: int


#: Sends one signed POST; raises OSError-like exceptions on network failure.
Sender = Callable[[str, bytes, dict[str, str]], Response]


def subscribe(
    uow: UnitOfWork,
    server_key: str,
    url: str,
    event_types: list[str],
    description: str | None = None,
) -> tuple[WebhookSubscription, str]:
    """A new subscription; its signing secret is returned once and stored encrypted."""
    if not uow.ctx.is_admin:
        raise PermissionDenied("only an admin may subscribe webhooks")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationFailed([FieldError("url", f"not an http(s) URL: {url!r}")])
    if not event_types:
        raise ValidationFailed([FieldError("event_types", "name at least one type, or *")])
    secret = signing.new_secret()
    sub = WebhookSubscription(
        url=url,
        event_types=event_types,
        description=description,
        secret_encrypted=signing.seal(server_key, secret),
    )
    uow.add(sub)
    uow.flush()
    return sub, secret


def unsubscribe(uow: UnitOfWork, subscription_id: int) -> None:
    sub = uow.session.get(WebhookSubscription, subscription_id)
    if sub is None:
        raise NotFound("WebhookSubscription", subscription_id)
    uow.session.delete(sub)
    uow.flush()


def envelope(event: OutboxEvent, enterprise_id: int) -> dict[str, Any]:
    """The contract's envelope: ``{id, type, occurred_at, enterprise_id, data}``."""
    return {
        "id": event.id,
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat(),
        "enterprise_id": enterprise_id,
        "data": jsonable(
            {"aggregate": event.aggregate, "aggregate_id": event.aggregate_id, **event.data}
        ),
    }


def _quiet(factory: sessionmaker[TenantSession]) -> TenantSession:
    # Deliveries are bookkeeping: they must not raise events themselves (no feedback loop).
    return factory(info={"tenant": TenantContext.system(), "bulk": True})


def fan_out(factory: sessionmaker[TenantSession], event: OutboxEvent) -> int:
    """Queue `event` for every matching subscription of its owner and its partner."""
    if event.aggregate in ("WebhookSubscription",):
        return 0
    parties = {p for p in (event.enterprise_id, event.partner_enterprise_id) if p is not None}
    if not parties:
        return 0
    queued = 0
    with _quiet(factory) as session:
        subs = session.scalars(
            select(WebhookSubscription).where(
                WebhookSubscription.enterprise_id.in_(sorted(parties)),
                WebhookSubscription.active,
            )
        )
        existing = set(
            session.scalars(
                select(WebhookDelivery.subscription_id).where(WebhookDelivery.event_id == event.id)
            )
        )
        for sub in subs:
            if not sub.wants(event.type) or sub.id in existing:
                continue  # an event redelivered by the bus is not queued twice
            session.add(
                WebhookDelivery(
                    enterprise_id=sub.enterprise_id,
                    subscription_id=sub.id,
                    event_id=event.id,
                    event_type=event.type,
                    payload=envelope(event, sub.enterprise_id),
                )
            )
            queued += 1
        session.commit()
    return queued


def deliver_due(
    factory: sessionmaker[TenantSession], server_key: str, send: Sender, limit: int = 100
) -> int:
    """Try every delivery that is due; returns how many succeeded."""
    now = utcnow()
    ok = 0
    with _quiet(factory) as session:
        query = (
            select(WebhookDelivery)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING.value,
                WebhookDelivery.next_attempt_at <= now,
            )
            .order_by(WebhookDelivery.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        for delivery in session.scalars(query):
            sub = session.get(WebhookSubscription, delivery.subscription_id)
            if sub is None or not sub.active:
                delivery.failed(None, "subscription removed or inactive", now)
                continue
            body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
            headers = {
                "Content-Type": "application/json",
                signing.SIGNATURE_HEADER: signing.sign(
                    signing.unseal(server_key, sub.secret_encrypted), body
                ),
                "X-SupplyMesh-Event-Id": str(delivery.event_id),
                "X-SupplyMesh-Delivery-Attempt": str(delivery.attempts + 1),
            }
            try:
                response = send(sub.url, body, headers)
            except Exception as exc:  # any transport failure is retried later
                delivery.failed(None, f"{type(exc).__name__}: {exc}", utcnow())
                continue
            if 200 <= response.status_code < 300:
                delivery.succeeded(response.status_code, utcnow())
                ok += 1
            else:
                delivery.failed(response.status_code, f"HTTP {response.status_code}", utcnow())
        session.commit()
    return ok


def install(db: Database) -> None:
    """Hang the fan-out on the event bus: every event, once committed, queues deliveries."""

    def queue(event: OutboxEvent) -> None:
        fan_out(db.factory, event)

    db.bus.subscribe("*", queue)
