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
    cast,
    exists,
    func,
    literal,
    or_,
    select,
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
"""Sharing-grant kind that opens captured events to a partner: every event (no resource), or
those naming one of the grantor's items (resource = the item's id)."""
EPCIS_SITE_GRANT = "epcis_site_events"
"""Sharing-grant kind that opens the grantor's events at one of its sites (resource = site id)."""


class TraceError(DomainError):
    """A trace rule was broken (bad issuing request, unusable ledger state)."""


class WrongPassphrase(PermissionDenied):
    """The passphrase does not decrypt the enterprise's signing key."""


class LedgerKeyMissing(NotFound):
    """The enterprise has no signing key yet (create one first)."""


class LedgerKeyExists(Conflict):
    """A log has one key for life: its bundles verify under that key alone."""


# --- EPCIS ------------------------------------------------------------------------------------


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


_GCP_LENGTHS = range(6, 13)  # a GTIN or GLN does not say how long its company prefix is


def _gtin_patterns(gtin: ColumnElement[str]) -> list[ColumnElement[str]]:
    """LIKE patterns of every SGTIN, LGTIN and SGTIN pattern URN of a GTIN column."""
    g14 = func.substr(literal("000000").concat(gtin), func.length(gtin) - 7, 14)
    return [
        literal("urn:epc:%gtin:")
        .concat(func.substr(g14, 2, n))
        .concat(".")
        .concat(func.substr(g14, 1, 1))
        .concat(func.substr(g14, 2 + n, 12 - n))
        .concat(".%")
        for n in _GCP_LENGTHS
    ]


def _sgln_patterns(gln: ColumnElement[str]) -> list[ColumnElement[str]]:
    return [
        literal("urn:epc:id:sgln:")
        .concat(func.substr(gln, 1, n))
        .concat(".")
        .concat(func.substr(gln, n + 1, 12 - n))
        .concat(".%")
        for n in _GCP_LENGTHS
    ]


def events_shared(cls: Any, ctx: TenantContext) -> ColumnElement[bool]:
    """Own events, plus a grantor's: all of them, those naming its granted items, or those
    read or located at its granted sites. Core aliases keep the rule's own subqueries out of
    the tenancy's reach (they read master data only to match codes, and return nothing)."""
    from supplymesh.network.model import Item, Site

    clauses: list[ColumnElement[bool]] = [cls.enterprise_id == ctx.enterprise_id]
    whole = ctx.grants.whole_for(EPCIS_GRANT)
    if whole:
        clauses.append(cls.enterprise_id.in_(sorted(whole)))
    if items := ctx.grants.ids_for(EPCIS_GRANT):
        epcs, item = EpcisEventEpc.__table__.alias(), Item.__table__.alias()
        naming = (
            select(epcs.c.event_pk)
            .select_from(epcs.join(item, item.c.enterprise_id == epcs.c.enterprise_id))
            .where(item.c.id.in_(sorted(items)), item.c.gtin.is_not(None))
            .where(or_(*(epcs.c.epc.like(p) for p in _gtin_patterns(item.c.gtin))))
        )
        clauses.append(cls.id.in_(naming))
    if sites := ctx.grants.ids_for(EPCIS_SITE_GRANT):
        site = Site.__table__.alias()
        places = [cls.read_point, cls.biz_location]
        at_site = or_(
            *(place.like(p) for place in places for p in _sgln_patterns(site.c.gln)),
            *(
                place == literal("urn:supplymesh:site:").concat(cast(site.c.id, String))
                for place in places
            ),
        )
        clauses.append(
            exists()
            .where(site.c.id.in_(sorted(sites)), site.c.enterprise_id == cls.enterprise_id)
            .where(at_site)
        )
    return or_(*clauses) if len(clauses) > 1 else clauses[0]


def _index_shared(cls: type[Any], ctx: TenantContext) -> ColumnElement[bool]:
    """An index row is visible exactly when its event is. Own rows and whole-log grants are
    decided on the row's own `enterprise_id` (an index row belongs to its event's owner), so
    only item and site grants pay for a look at the events, and only at other owners' events."""
    clauses: list[ColumnElement[bool]] = [cls.enterprise_id == ctx.enterprise_id]
    if whole := ctx.grants.whole_for(EPCIS_GRANT):
        clauses.append(cls.enterprise_id.in_(sorted(whole)))
    if ctx.grants.ids_for(EPCIS_GRANT) or ctx.grants.ids_for(EPCIS_SITE_GRANT):
        event = EpcisEvent.__table__.alias()
        visible = select(event.c.id).where(
            event.c.enterprise_id != ctx.enterprise_id, events_shared(_Columns(event), ctx)
        )
        clauses.append(cls.event_pk.in_(visible))
    return or_(*clauses) if len(clauses) > 1 else clauses[0]


class _Columns:
    """An aliased table's columns under the attribute names the rule uses."""

    def __init__(self, table: Any) -> None:
        self.id = table.c.id
        self.enterprise_id = table.c.enterprise_id
        self.read_point = table.c.read_point
        self.biz_location = table.c.biz_location


register(EpcisEvent, read=events_shared)
register(EpcisEventEpc, read=_index_shared)


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
