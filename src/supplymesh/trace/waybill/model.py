"""Tables of the e-waybill: the waybill (its parties and state) and its signed steps.

A waybill concerns three enterprises, so neither table fits `PartyScoped`'s single partner:
both carry the three party ids and are read by exactly those parties. The shipper owns the
waybill row and every party may move its state (by signing its own steps); a step row is
owned by the enterprise that signed it and is never changed afterwards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    or_,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from supplymesh.platform.db import Base, BigId, UTCDateTime, Versioned, utcnow
from supplymesh.platform.tenancy import TenantContext, TenantOwned, owner_writes, register


class WaybillParties(TenantOwned):
    """Mixin: the carrier and consignee ids next to the owner's (and the shipper's on steps)."""

    @declared_attr
    def carrier_enterprise_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("enterprises.id"), index=True, nullable=False)

    @declared_attr
    def consignee_enterprise_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("enterprises.id"), index=True, nullable=False)


def _shipper_column(cls: type[Any]) -> Any:
    return cls.shipper_enterprise_id if hasattr(cls, "shipper_enterprise_id") else cls.enterprise_id


def parties_read(cls: type[Any], ctx: TenantContext) -> ColumnElement[bool]:
    """Rows of waybills the caller is shipper, carrier or consignee of."""
    me = ctx.enterprise_id
    return or_(
        _shipper_column(cls) == me,
        cls.carrier_enterprise_id == me,
        cls.consignee_enterprise_id == me,
    )


def parties_write(obj: Any, ctx: TenantContext) -> bool:
    """Any party moves the waybill on (each only through steps of its own role)."""
    return ctx.enterprise_id in (
        obj.enterprise_id,
        obj.carrier_enterprise_id,
        obj.consignee_enterprise_id,
    )


class Waybill(WaybillParties, Versioned, Base):
    """A waybill: shipper (`enterprise_id`), carrier and consignee, their key fingerprints as
    fixed at creation, the state reached, and the hash of the last signed step."""

    __tablename__ = "waybills"
    __table_args__ = (UniqueConstraint("number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(36))  # UUID: the id the signatures name
    reference: Mapped[str | None] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(20), default="draft")
    shipper_key_id: Mapped[str] = mapped_column(String(64))
    carrier_key_id: Mapped[str] = mapped_column(String(64))
    consignee_key_id: Mapped[str] = mapped_column(String(64))
    step_count: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


register(Waybill, read=parties_read, write=parties_write)


class WaybillStep(WaybillParties, Base):
    """One signed step: the canonical payload, the signature and where it sits in the
    signer's ledger (`enterprise_id` is the signer)."""

    __tablename__ = "waybill_steps"
    __table_args__ = (
        UniqueConstraint("waybill_pk", "step_index"),
        UniqueConstraint("signature"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    waybill_pk: Mapped[int] = mapped_column(ForeignKey("waybills.id"), index=True)
    shipper_enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    step_index: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    signature: Mapped[str] = mapped_column(String(100))
    key_id: Mapped[str] = mapped_column(String(64))
    step_hash: Mapped[str] = mapped_column(String(64))
    ledger_index: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


register(WaybillStep, read=parties_read, write=owner_writes)
