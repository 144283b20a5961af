"""Domain events through a transactional outbox.

Every state change of a tenant-owned object writes an outbox row in the same transaction as
the change itself (generic ``<Kind>Created/Updated/Deleted`` events, plus the named events an
aggregate records with `Aggregate.record`). After commit an `EventBus` delivers undelivered
rows to in-process subscribers; a subscriber that fails leaves the row undelivered with the
error recorded, and it is retried on the next dispatch (at least once; `id` for dedup).
Later contexts hang webhooks, EPCIS events, ledger entries and alarms here.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, Text, event, insert, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from supplymesh.platform.db import Base, UTCDateTime, utcnow
from supplymesh.platform.tenancy import TenantContext, TenantSession, rule_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened to an aggregate, named in the past tense."""

    type: str
    data: dict[str, Any] = field(default_factory=dict)


class Aggregate:
    """Mixin for aggregates that record named domain events as they change."""

    def record(self, event_: DomainEvent) -> None:
        self.__dict__.setdefault("_pending_events", []).append(event_)

    def pop_events(self) -> list[DomainEvent]:
        events: list[DomainEvent] = self.__dict__.pop("_pending_events", [])
        return events


class OutboxEvent(Base):
    """A domain event waiting for (or done with) delivery to subscribers."""

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    enterprise_id: Mapped[int | None] = mapped_column(index=True)
    # The other party of a shared document (a supplier for a purchase order): it is told too.
    partner_enterprise_id: Mapped[int | None] = mapped_column(index=True)
    type: Mapped[str] = mapped_column(String(80), index=True)
    aggregate: Mapped[str] = mapped_column(String(60))
    aggregate_id: Mapped[int | None]
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_user_id: Mapped[int | None]
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


def jsonable(value: Any) -> Any:
    """Convert a column value for a JSON payload (exact decimals as strings)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _changed_columns(obj: Any, only_changed: bool) -> dict[str, Any]:
    """Column values for an event payload; secrets (`private_fields`) never leave the row."""
    state = inspect(obj)
    private: frozenset[str] = getattr(type(obj), "private_fields", frozenset())
    data: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in private:
            continue
        hist = state.attrs[attr.key].history
        if only_changed and not hist.has_changes():
            continue
        data[attr.key] = jsonable(getattr(obj, attr.key))
    return data


@event.listens_for(TenantSession, "after_flush")
def _write_outbox(session: Session, _flush: object) -> None:
    """Record generic and named events of this flush in the same transaction."""
    ctx = session.info.get("tenant")
    if session.info.get("bulk"):
        return
    actor = ctx.user_id if isinstance(ctx, TenantContext) else None
    now = utcnow()
    rows: list[dict[str, Any]] = []

    def add(obj: Any, type_: str, data: dict[str, Any]) -> None:
        rows.append(
            {
                "enterprise_id": getattr(obj, "enterprise_id", None),
                "partner_enterprise_id": getattr(obj, "partner_enterprise_id", None),
                "type": type_,
                "aggregate": type(obj).__name__,
                "aggregate_id": getattr(obj, "id", None),
                "occurred_at": now,
                "actor_user_id": actor,
                "data": data,
                "attempts": 0,
            }
        )

    for obj in list(session.new):
        if rule_for(type(obj)) is not None:
            add(obj, f"{type(obj).__name__}Created", _changed_columns(obj, only_changed=False))
    for obj in list(session.dirty):
        if rule_for(type(obj)) is not None and session.is_modified(obj):
            changed = _changed_columns(obj, only_changed=True)
            if changed:
                changed["id"] = getattr(obj, "id", None)
                add(obj, f"{type(obj).__name__}Updated", changed)
    for obj in list(session.deleted):
        if rule_for(type(obj)) is not None:
            add(obj, f"{type(obj).__name__}Deleted", {"id": getattr(obj, "id", None)})
    for obj in list(session.identity_map.values()) + list(session.new):
        if isinstance(obj, Aggregate):
            for ev in obj.pop_events():
                add(obj, ev.type, jsonable(ev.data))
    if rows:
        session.info["outbox_written"] = True
        session.connection().execute(insert(OutboxEvent), rows)


Handler = Callable[[OutboxEvent], None]


class EventBus:
    """Delivers outbox events to in-process subscribers after commit."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: str, handler: Handler) -> None:
        """Call `handler` for every event of `event_type` (``*`` for all)."""
        self._handlers[event_type].append(handler)

    def handlers_for(self, event_type: str) -> list[Handler]:
        return self._handlers.get(event_type, []) + self._handlers.get("*", [])

    def dispatch_pending(self, factory: sessionmaker[Any], limit: int = 500) -> int:
        """Deliver undelivered events in order; returns how many were delivered."""
        delivered = 0
        with factory(info={"tenant": TenantContext.system()}) as session:
            query = (
                select(OutboxEvent)
                .where(OutboxEvent.dispatched_at.is_(None))
                .order_by(OutboxEvent.id)
                .limit(limit)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            for row in session.scalars(query):
                try:
                    for handler in self.handlers_for(row.type):
                        handler(row)
                except Exception as exc:  # a subscriber's failure must not lose the event
                    row.attempts += 1
                    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                    log.warning("event %s (%s) not delivered: %s", row.id, row.type, exc)
                    continue
                row.attempts += 1
                row.dispatched_at = utcnow()
                delivered += 1
            session.commit()
        return delivered


def dumps(data: dict[str, Any]) -> str:
    """Canonical JSON for event payloads (sorted keys, exact decimals as strings)."""
    return json.dumps(jsonable(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
