"""Webhook subscriptions and their deliveries.

A partner's system subscribes a URL to event types; every domain event of the enterprise
(or of a document addressed to it) becomes one delivery per matching subscription, keyed by
(subscription, event) so an event is never queued twice. Deliveries are retried with
exponential backoff until the receiver answers 2xx or the attempts run out.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from supplymesh.platform.db import Base, BigId, UTCDateTime, Versioned, utcnow
from supplymesh.platform.errors import DomainError
from supplymesh.platform.tenancy import TenantContext, TenantOwned, admin_scoped, register

MAX_ATTEMPTS = 10
FIRST_BACKOFF_S = 10
MAX_BACKOFF_S = 3600


class WebhookError(DomainError):
    """A webhook rule was broken."""


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@admin_scoped
class WebhookSubscription(TenantOwned, Base, Versioned):
    """A URL that receives the enterprise's events of the listed types (``*`` for all)."""

    __tablename__ = "webhook_subscriptions"
    private_fields = frozenset({"secret_encrypted"})

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret_encrypted: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def wants(self, event_type: str) -> bool:
        return self.active and ("*" in self.event_types or event_type in self.event_types)


class WebhookDelivery(TenantOwned, Base):
    """One event on its way to one subscription."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def succeeded(self, status_code: int, now: datetime) -> None:
        self.attempts += 1
        self.status = DeliveryStatus.DELIVERED.value
        self.last_status_code = status_code
        self.last_error = None
        self.delivered_at = now

    def failed(self, status_code: int | None, error: str, now: datetime) -> None:
        """Schedule the next try (exponential backoff with jitter) or give up."""
        self.attempts += 1
        self.last_status_code = status_code
        self.last_error = error[:2000]
        if self.attempts >= MAX_ATTEMPTS:
            self.status = DeliveryStatus.FAILED.value
            return
        self.next_attempt_at = now + timedelta(seconds=backoff_seconds(self.attempts))


def backoff_seconds(attempts: int) -> float:
    """10 s, 20 s, 40 s, … capped at an hour, ±20% jitter so retries do not synchronise."""
    base = min(FIRST_BACKOFF_S * 2 ** (attempts - 1), MAX_BACKOFF_S)
    return float(base * random.uniform(0.8, 1.2))


def _deliveries_visible(cls: type[Any], ctx: TenantContext) -> Any:
    return cls.enterprise_id == ctx.enterprise_id


register(WebhookDelivery, _deliveries_visible, lambda _obj, _ctx: False)


class InvitationStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REVOKED = "revoked"


@admin_scoped
class SupplierInvitation(TenantOwned, Base, Versioned):
    """A buyer's invitation for a supplier to register itself (准入 by link).

    Only the SHA-256 digest of the token is stored: the link works once, for its holder.
    """

    __tablename__ = "supplier_invitations"
    private_fields = frozenset({"token_digest"})

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    relation: Mapped[str] = mapped_column(String(20), default="supplier")
    email: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default=InvitationStatus.OPEN.value)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def _profile_visible(cls: type[Any], ctx: TenantContext) -> Any:
    """A supplier's profile is read by itself and by the enterprises it is partnered with."""
    return cls.enterprise_id.in_(sorted({ctx.enterprise_id, *ctx.partner_ids}))


class SupplierProfile(TenantOwned, Base, Versioned):
    """What a supplier tells its buyers about itself: certificates, capacities, what it supplies.

    `certificates`: ``[{"name", "number", "issuer", "valid_until"}]``; `capacities`:
    ``[{"category", "quantity_per_month", "unit"}]``; `categories`: item categories it supplies.
    """

    __tablename__ = "supplier_profiles"
    __table_args__ = (UniqueConstraint("enterprise_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    certificates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    capacities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


register(SupplierProfile, _profile_visible)
