"""Tables of the trace context: captured EPCIS events, each enterprise's ledger, issued codes.

Every table is tenant-owned and registered with the tenancy rules, so the unit of work scopes
every query. Public keys and signed tree heads are readable by every enterprise (witnesses
must check them); leaf rows by the owner and its partners (they need proofs); witness
co-signatures by the witness and the log's owner.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    or_,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from supplymesh.platform.db import Base, BigId, UTCDateTime, utcnow
from supplymesh.platform.errors import Conflict, DomainError, NotFound, PermissionDenied
from supplymesh.platform.tenancy import (
    PartyScoped,
    TenantContext,
    TenantOwned,
    owner_admin_writes,
    register,
    scoped,
)
from supplymesh.platform.types import Quantity

EPCIS_GRANT = "epcis_events"
"""Sharing-grant kind that opens captured events to a partner (whole log or one event)."""


class TraceError(DomainError):
    """A trace rule was broken (bad issuing request, unusable ledger state)."""


class WrongPassphrase(PermissionDenied):
    """The passphrase does not decrypt the enterprise's signing key."""


class LedgerKeyMissing(NotFound):
    """The enterprise has no signing key yet (create one first)."""


class LedgerKeyExists(Conflict):
    """A log has one key for life: its bundles verify under that key alone."""


# --- EPCIS ------------------------------------------------------------------------------------


@scoped
class EpcisEvent(TenantOwned, Base):
    """One captured EPCIS event: the columns queries filter on, and the canonical document."""

    __tablename__ = "epcis_events"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "event_key"),
        Index("ix_epcis_events_enterprise_time", "enterprise_id", "event_time"),
    )
    grant_kind = EPCIS_GRANT

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_key: Mapped[str] = mapped_column(String(64))  # sha-256 of eventID, else of the event
    event_id: Mapped[str | None] = mapped_column(String(300))
    event_hash: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(30))
    event_time: Mapped[datetime] = mapped_column(UTCDateTime())
    event_time_zone_offset: Mapped[str] = mapped_column(String(6))
    record_time: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str | None] = mapped_column(String(10))
    biz_step: Mapped[str | None] = mapped_column(String(300), index=True)
    disposition: Mapped[str | None] = mapped_column(String(300))
    read_point: Mapped[str | None] = mapped_column(String(300))
    biz_location: Mapped[str | None] = mapped_column(String(300))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    context: Mapped[Any] = mapped_column(JSON, nullable=True)
    ledger_index: Mapped[int | None] = mapped_column(BigInteger)


@scoped
class EpcisEventEpc(TenantOwned, Base):
    """An EPC (or EPC class with its quantity) an event names, by role, for EPC queries."""

    __tablename__ = "epcis_event_epcs"
    __table_args__ = (Index("ix_epcis_event_epcs_epc_role", "epc", "role"),)
    grant_kind = EPCIS_GRANT
    grant_column = "event_pk"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("epcis_events.id"), index=True)
    epc: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[Decimal | None] = mapped_column(Quantity())
    uom: Mapped[str | None] = mapped_column(String(10))


# --- ledger -----------------------------------------------------------------------------------


def _everyone(_cls: type[Any], _ctx: TenantContext) -> ColumnElement[bool]:
    return true()


def _owner_or_partner(cls: type[Any], ctx: TenantContext) -> ColumnElement[bool]:
    own: ColumnElement[bool] = cls.enterprise_id == ctx.enterprise_id
    if not ctx.partner_ids:
        return own
    return or_(own, cls.enterprise_id.in_(sorted(ctx.partner_ids)))


class LedgerLog(TenantOwned, Base):
    """The per-enterprise log header: its size, bumped atomically by every append."""

    __tablename__ = "ledger_logs"
    __table_args__ = (UniqueConstraint("enterprise_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    log_id: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


register(LedgerLog, read=_owner_or_partner)


class LedgerLeaf(TenantOwned, Base):
    """One append-only log entry: its index, RFC 9162 leaf hash and canonical entry."""

    __tablename__ = "ledger_leaves"
    __table_args__ = (UniqueConstraint("enterprise_id", "leaf_index"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    leaf_index: Mapped[int] = mapped_column(BigInteger)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    entry: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


register(LedgerLeaf, read=_owner_or_partner)


class LedgerKey(TenantOwned, Base):
    """An enterprise's Ed25519 key: public PEM, and the private PEM only encrypted (or absent
    when the key lives on the enterprise's own agent)."""

    __tablename__ = "ledger_keys"
    __table_args__ = (UniqueConstraint("enterprise_id"), UniqueConstraint("key_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(64))
    public_pem: Mapped[str] = mapped_column(Text)
    encrypted_private_pem: Mapped[str | None] = mapped_column(Text)
    on_agent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


register(LedgerKey, read=_everyone, write=owner_admin_writes)


class LedgerTreeHead(TenantOwned, Base):
    """A signed tree head of the owner's log."""

    __tablename__ = "ledger_tree_heads"
    __table_args__ = (UniqueConstraint("enterprise_id", "tree_size", "timestamp_ms"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[str] = mapped_column(String(64))
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[str] = mapped_column(String(100))
    key_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


register(LedgerTreeHead, read=_everyone, write=owner_admin_writes)


class LedgerWitness(PartyScoped, Base):
    """A co-signature of another enterprise's tree head: owned by the witness, addressed to
    the log's owner (`partner_enterprise_id`), so both read it."""

    __tablename__ = "ledger_witnesses"
    __table_args__ = (UniqueConstraint("enterprise_id", "head_pk"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    head_pk: Mapped[int] = mapped_column(ForeignKey("ledger_tree_heads.id"), index=True)
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


register(LedgerWitness, write=owner_admin_writes)


# --- issued codes -----------------------------------------------------------------------------


@scoped
class SerialCounter(TenantOwned, Base):
    """The next unused serial of one range (a GTIN, an SSCC company prefix, a Handle prefix)."""

    __tablename__ = "serial_counters"
    __table_args__ = (UniqueConstraint("scope"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    scope: Mapped[str] = mapped_column(String(120))
    next_serial: Mapped[int] = mapped_column(BigInteger, default=1)


@scoped
class IssuedCode(TenantOwned, Base):
    """A code handed out once, with what it identifies."""

    __tablename__ = "issued_codes"
    __table_args__ = (UniqueConstraint("scope", "serial"), UniqueConstraint("code"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    scope: Mapped[str] = mapped_column(String(120))
    serial: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    scheme: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(200))
    uri: Mapped[str] = mapped_column(String(400))
    subject: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
