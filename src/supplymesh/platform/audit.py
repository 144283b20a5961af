"""Audit log: logins, every change, and every read of another enterprise's shared data.

Changes are written in the same transaction as the change (an ``after_flush`` hook); reads of
shared rows are collected while objects load and written when the unit of work closes, one
entry per object read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ColumnElement, Integer, String, event, insert, or_
from sqlalchemy.orm import Mapped, Session, mapped_column

from supplymesh.platform.db import Base, UTCDateTime, utcnow
from supplymesh.platform.tenancy import (
    TenantContext,
    TenantSession,
    register,
    rule_for,
    shared_row_loaded,
)


class AuditEntry(Base):
    """One audited action; `enterprise_id` is the acting enterprise."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(index=True)
    user_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(30), index=True)
    entity: Mapped[str | None] = mapped_column(String(60))
    entity_id: Mapped[int | None]
    owner_enterprise_id: Mapped[int | None] = mapped_column(index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def _audit_visible(cls: type[Any], ctx: TenantContext) -> ColumnElement[bool]:
    """An enterprise sees what it did and what others did with its data."""
    return or_(cls.enterprise_id == ctx.enterprise_id, cls.owner_enterprise_id == ctx.enterprise_id)


register(AuditEntry, _audit_visible, lambda _obj, _ctx: False)  # append-only, never edited


def audit_row(
    action: str,
    ctx: TenantContext | None,
    entity: str | None = None,
    entity_id: int | None = None,
    owner: int | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A row for `AuditEntry`, ready for a Core insert."""
    return {
        "at": utcnow(),
        "enterprise_id": None if ctx is None or ctx.is_system else ctx.enterprise_id,
        "user_id": None if ctx is None else ctx.user_id,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "owner_enterprise_id": owner,
        "detail": detail or {},
    }


def record(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert audit rows in the session's current transaction."""
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


@event.listens_for(TenantSession, "after_flush")
def _audit_changes(session: Session, _flush: object) -> None:
    ctx = session.info.get("tenant")
    if not isinstance(ctx, TenantContext) or session.info.get("bulk"):
        return
    rows = []
    for action, objs in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in list(objs):
            if rule_for(type(obj)) is None:
                continue
            if action == "update" and not session.is_modified(obj):
                continue
            rows.append(
                audit_row(
                    action,
                    ctx,
                    type(obj).__name__,
                    getattr(obj, "id", None),
                    getattr(obj, "enterprise_id", None),
                )
            )
    record(session, rows)


def note_shared_read(session: Session, entity: str, entity_id: int | None, owner: int) -> None:
    """Record a read of another enterprise's data that loaded no ORM object (e.g. a sum)."""
    ctx = session.info.get("tenant")
    if isinstance(ctx, TenantContext) and not ctx.is_system and owner != ctx.enterprise_id:
        session.info.setdefault("shared_reads", set()).add((entity, entity_id, owner))


def _note_shared_read(obj: Any, context: Any) -> None:
    session = context.session
    ctx = session.info.get("tenant")
    if (
        not isinstance(obj, AuditEntry)
        and isinstance(ctx, TenantContext)
        and rule_for(type(obj)) is not None
        and shared_row_loaded(obj, ctx)
    ):
        session.info.setdefault("shared_reads", set()).add(
            (type(obj).__name__, getattr(obj, "id", None), obj.enterprise_id)
        )


event.listen(Base, "load", _note_shared_read, propagate=True)


def write_shared_reads(
    factory: Callable[..., Session], ctx: TenantContext, reads: set[tuple[str, int | None, int]]
) -> None:
    """Write one `read_shared` entry per object of another enterprise that was read."""
    if not reads or ctx.is_system:
        return
    with factory(info={"tenant": TenantContext.system()}) as session:
        record(
            session,
            [
                audit_row("read_shared", ctx, entity, entity_id, owner)
                for entity, entity_id, owner in sorted(reads, key=str)
            ],
        )
        session.commit()
