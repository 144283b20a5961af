"""The network's master data: who takes part, where, with what, connected how.

Every row but `Enterprise` belongs to one enterprise (`TenantOwned`); what others may see
comes only from `SharingGrant` rows or from being the named partner of a relation. Rules that
need no I/O live on the entities; services do the loading and committing.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from supplymesh.platform.db import Base, BigId, UTCDateTime, Versioned, utcnow
from supplymesh.platform.errors import DomainError, IllegalTransition
from supplymesh.platform.events import Aggregate, DomainEvent
from supplymesh.platform.tenancy import (
    PartyScoped,
    TenantContext,
    TenantOwned,
    admin_scoped,
    register,
    scoped,
)
from supplymesh.platform.types import Money, Quantity


class NetworkError(DomainError):
    """A network rule was broken."""


class EnterpriseRole(StrEnum):
    SUPPLIER = "supplier"
    MANUFACTURER = "manufacturer"
    DISTRIBUTOR = "distributor"
    RETAILER = "retailer"
    LOGISTICS = "logistics"
    FINANCIER = "financier"


class UserRole(StrEnum):
    ADMIN = "admin"
    PLANNER = "planner"
    OPERATOR = "operator"
    VIEWER = "viewer"


class SiteKind(StrEnum):
    PLANT = "plant"
    WAREHOUSE = "warehouse"
    DC = "dc"
    STORE = "store"
    PORT = "port"


class GrantKind(StrEnum):
    """What a sharing grant opens: the site record, its stock, its demand, an item."""

    SITE = "site"
    SITE_INVENTORY = "site_inventory"
    SITE_DEMAND = "site_demand"
    ITEM = "item"
    ITEM_INVENTORY = "item_inventory"  # stock and consumption of one item, at every site
    EPCIS_EVENTS = "epcis_events"  # captured EPCIS events: all, or those naming one item
    EPCIS_SITE_EVENTS = "epcis_site_events"  # captured EPCIS events at one site


class LaneMode(StrEnum):
    ROAD = "road"
    RAIL = "rail"
    SEA = "sea"
    AIR = "air"
    COURIER = "courier"
    PIPELINE = "pipeline"


class Enterprise(Aggregate, Base, Versioned):
    """A tenant: one company taking part in the network."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    city: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def enterprise_id(self) -> int:
        """An enterprise owns itself (so tenancy and auditing treat it uniformly)."""
        return self.id


def _enterprise_visible(cls: type[Any], ctx: TenantContext) -> Any:
    ids = sorted({ctx.enterprise_id, *ctx.partner_ids})
    return cls.id.in_(ids)


def _enterprise_writable(obj: Any, ctx: TenantContext) -> bool:
    return bool(obj.id == ctx.enterprise_id and ctx.is_admin)


register(Enterprise, _enterprise_visible, _enterprise_writable)


@admin_scoped
class Partnership(PartyScoped, Aggregate, Base, Versioned):
    """A business relation: `partner_enterprise_id` is the owner's supplier, customer, ..."""

    __tablename__ = "partnerships"
    __table_args__ = (UniqueConstraint("enterprise_id", "partner_enterprise_id", "relation"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    relation: Mapped[str] = mapped_column(String(20))  # the partner's role for the owner
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def transition(self, wanted: str) -> None:
        """Admission decisions: approve a pending partner, suspend, reinstate or block it."""
        allowed = list(PARTNERSHIP_TRANSITIONS.get(self.status, ()))
        if wanted not in allowed:
            raise IllegalTransition("partnership", self.status, wanted, allowed)
        previous, self.status = self.status, wanted
        self.record(DomainEvent("PartnershipStatusChanged", {"from": previous, "to": wanted}))


#: pending (registered through an invitation) → active (approved) ⇄ suspended → blocked.
PARTNERSHIP_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "pending": ("active", "blocked"),
    "active": ("suspended", "blocked"),
    "suspended": ("active", "blocked"),
    "blocked": (),
}


@admin_scoped
class User(TenantOwned, Base, Versioned):
    """A person who logs in as one enterprise with one role."""

    __tablename__ = "users"
    private_fields = frozenset({"password_hash"})

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default=UserRole.VIEWER.value)
    password_hash: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(10), default="zh-CN")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@admin_scoped
class ApiKey(TenantOwned, Base):
    """A machine credential; only its digest is stored, the secret is shown once."""

    __tablename__ = "api_keys"
    private_fields = frozenset({"digest"})

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    digest: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20), default=UserRole.OPERATOR.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@admin_scoped
class SharingGrant(PartyScoped, Base):
    """The owner lets `partner_enterprise_id` read one object (or all) of a kind."""

    __tablename__ = "sharing_grants"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "partner_enterprise_id", "kind", "resource_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    resource_id: Mapped[int | None]  # None: every object of the kind
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@scoped
class Site(TenantOwned, Aggregate, Base, Versioned):
    """A place: plant, warehouse, DC, store or port. Coordinates are WGS-84."""

    __tablename__ = "sites"
    __table_args__ = (UniqueConstraint("enterprise_id", "code"),)
    grant_kind = GrantKind.SITE.value

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(40))
    province: Mapped[str | None] = mapped_column(String(40))
    city: Mapped[str | None] = mapped_column(String(80))
    address: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    gln: Mapped[str | None] = mapped_column(String(13))
    parent_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai")


@scoped
class Item(TenantOwned, Aggregate, Base, Versioned):
    """Something made, bought, stored or sold, in a base unit."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("enterprise_id", "sku"),)
    grant_kind = GrantKind.ITEM.value

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sku: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    gtin: Mapped[str | None] = mapped_column(String(14), index=True)
    category: Mapped[str | None] = mapped_column(String(80), index=True)
    item_type: Mapped[str] = mapped_column(
        String(20), default="finished"
    )  # raw, component, finished
    base_unit: Mapped[str] = mapped_column(String(10), default="EA")
    weight_kg: Mapped[Decimal | None] = mapped_column(Quantity())
    volume_m3: Mapped[Decimal | None] = mapped_column(Quantity())
    shelf_life_days: Mapped[int | None]
    price: Mapped[Decimal | None] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    made_in_house: Mapped[bool] = mapped_column(Boolean, default=False)
    lot_controlled: Mapped[bool] = mapped_column(Boolean, default=False)
    serial_controlled: Mapped[bool] = mapped_column(Boolean, default=False)


@scoped
class ItemUnit(TenantOwned, Base):
    """A unit of an item other than its base unit: 1 `unit` = `base_quantity` base units."""

    __tablename__ = "item_units"
    __table_args__ = (UniqueConstraint("item_id", "unit"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    unit: Mapped[str] = mapped_column(String(10))  # CASE, PALLET, KG, ...
    base_quantity: Mapped[Decimal] = mapped_column(Quantity())


@scoped
class ItemCrossReference(PartyScoped, Base):
    """The owner's item is known to its partner under the partner's own part number."""

    __tablename__ = "item_cross_references"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "partner_enterprise_id", "partner_part_number"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    partner_part_number: Mapped[str] = mapped_column(String(60))
    partner_description: Mapped[str | None] = mapped_column(String(200))


@scoped
class BomLine(TenantOwned, Base, Versioned):
    """One component of a made item: `quantity_per` base units per base unit of the parent."""

    __tablename__ = "bom_lines"
    __table_args__ = (UniqueConstraint("parent_item_id", "component_item_id", "valid_from"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    parent_item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    component_item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    quantity_per: Mapped[Decimal] = mapped_column(Quantity())
    scrap_pct: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    valid_from: Mapped[date] = mapped_column(Date, default=date(2000, 1, 1))
    valid_to: Mapped[date | None] = mapped_column(Date)


@scoped
class Calendar(TenantOwned, Base, Versioned):
    """Working time: shifts per weekday plus dated exceptions (holidays, overtime).

    `shifts` is ``[{"name": "A", "start": "08:00", "end": "16:00", "weekdays": [0,1,2,3,4]}]``;
    `exceptions` is ``[{"date": "2026-02-17", "working": false}]``.
    """

    __tablename__ = "calendars"
    __table_args__ = (UniqueConstraint("enterprise_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    shifts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    exceptions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


@scoped
class WorkCenter(TenantOwned, Base, Versioned):
    """A group of interchangeable machines at a plant."""

    __tablename__ = "work_centers"
    __table_args__ = (UniqueConstraint("enterprise_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("calendars.id"))


@scoped
class Machine(TenantOwned, Aggregate, Base, Versioned):
    """A machine in a work centre; it owns telemetry once the devices context connects it."""

    __tablename__ = "machines"
    __table_args__ = (UniqueConstraint("enterprise_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    work_center_id: Mapped[int | None] = mapped_column(ForeignKey("work_centers.id"), index=True)
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("calendars.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    model: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default="idle")


@scoped
class RoutingStep(TenantOwned, Base, Versioned):
    """One operation in making an item: where, how long to set up and per unit."""

    __tablename__ = "routing_steps"
    __table_args__ = (UniqueConstraint("item_id", "sequence"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    sequence: Mapped[int]
    work_center_id: Mapped[int] = mapped_column(ForeignKey("work_centers.id"))
    description: Mapped[str | None] = mapped_column(String(200))
    setup_minutes: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    run_minutes_per_unit: Mapped[Decimal] = mapped_column(Quantity())


@scoped
class Lane(PartyScoped, Aggregate, Base, Versioned):
    """A supply relation from one site to another, possibly of two enterprises.

    Lead time is a distribution in days (mean, standard deviation, min, max): planners
    simulate and size safety stock with it rather than with one number.
    """

    __tablename__ = "lanes"
    __table_args__ = (UniqueConstraint("enterprise_id", "from_site_id", "to_site_id", "mode"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    from_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    to_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    mode: Mapped[str] = mapped_column(String(20), default=LaneMode.ROAD.value)
    lead_time_mean_days: Mapped[Decimal] = mapped_column(Quantity())
    lead_time_std_days: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    lead_time_min_days: Mapped[Decimal | None] = mapped_column(Quantity())
    lead_time_max_days: Mapped[Decimal | None] = mapped_column(Quantity())
    cost_per_unit: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    cost_per_shipment: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    capacity_per_day: Mapped[Decimal | None] = mapped_column(Quantity())
    distance_km: Mapped[Decimal | None] = mapped_column(Quantity())


@scoped
class Promotion(TenantOwned, Base, Versioned):
    """A price promotion of an item, at one site or everywhere, over a date range."""

    __tablename__ = "promotions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    discount_pct: Mapped[Decimal] = mapped_column(Quantity())


@scoped
class PriceChange(TenantOwned, Base):
    """From `effective_date` the item sells at `price` (at one site or everywhere)."""

    __tablename__ = "price_changes"
    __table_args__ = (Index("ix_price_changes_item_date", "item_id", "effective_date"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    effective_date: Mapped[date] = mapped_column(Date)
    price: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3), default="CNY")


@scoped
class DemandRecord(TenantOwned, Base):
    """Observed demand (sales) of an item at a site on a day, in base units."""

    __tablename__ = "demand_history"
    __table_args__ = (
        UniqueConstraint("site_id", "item_id", "day"),
        Index("ix_demand_history_item_day", "item_id", "day"),
    )
    grant_kind = GrantKind.SITE_DEMAND.value
    grant_column = "site_id"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    day: Mapped[date] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    on_promotion: Mapped[bool] = mapped_column(Boolean, default=False)
