"""Input and output schemas of the network's master data, and their `Resource`s."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, field_validator

from supplymesh.network import geo, services
from supplymesh.network.model import (
    BomLine,
    Calendar,
    DemandRecord,
    Enterprise,
    Item,
    ItemCrossReference,
    ItemUnit,
    Lane,
    Machine,
    Partnership,
    PriceChange,
    Promotion,
    RoutingStep,
    SharingGrant,
    Site,
    User,
    WorkCenter,
)
from supplymesh.platform.crud import Reference, Resource
from supplymesh.platform.schemas import (
    Amount,
    Code,
    Currency,
    Input,
    NonNegAmount,
    NonNegQty,
    Output,
    PosQty,
    Qty,
    partial,
)
from supplymesh.platform.uow import UnitOfWork

SiteKindT = Literal["plant", "warehouse", "dc", "store", "port"]
ModeT = Literal["road", "rail", "sea", "air", "courier", "pipeline"]
RelationT = Literal["supplier", "customer", "subcontractor", "logistics", "financier"]
GrantKindT = Literal[
    "site",
    "site_inventory",
    "site_demand",
    "item",
    "item_inventory",
    "epcis_events",
    "epcis_site_events",
]


class Owned(Output):
    id: int
    enterprise_id: int


class EnterprisePublic(Output):
    id: int
    code: str
    name: str
    name_en: str | None
    roles: list[str]
    uscc: str | None
    city: str | None
    status: str
    version: int


class EnterpriseUpdate(Input):
    name: str | None = None
    name_en: str | None = None
    city: str | None = None
    version: int | None = None


class SiteBase(Input):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = None
    kind: SiteKindT
    region: str | None = None
    province: str | None = None
    city: str | None = None
    address: str | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90, description="WGS-84")
    longitude: float | None = Field(default=None, ge=-180, le=180, description="WGS-84")
    gln: str | None = Field(default=None, pattern=r"^\d{13}$")
    timezone: str = "Asia/Shanghai"

    @field_validator("gln")
    @classmethod
    def _gln_check_digit(cls, value: str | None) -> str | None:
        if value is not None and not geo.gs1_check_digit_ok(value):
            raise ValueError(f"GLN {value} has a wrong check digit")
        return value


class SiteCreate(SiteBase):
    parent_site_id: int | None = None
    parent_site_code: str | None = None


class SitePublic(Owned):
    code: str
    name: str
    name_en: str | None
    kind: str
    region: str | None
    province: str | None
    city: str | None
    address: str | None
    latitude: float | None
    longitude: float | None
    gln: str | None
    parent_site_id: int | None
    timezone: str
    version: int
    gcj02: tuple[float, float] | None = None

    @classmethod
    def of(cls, site: Site) -> SitePublic:
        out = cls.model_validate(site)
        if site.latitude is not None and site.longitude is not None:
            out.gcj02 = geo.wgs84_to_gcj02(site.latitude, site.longitude)
        return out


class ItemCreate(Input):
    sku: Code
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = None
    gtin: str | None = Field(default=None, pattern=r"^\d{8}$|^\d{12,14}$")
    category: str | None = None
    item_type: Literal["raw", "component", "finished", "packaging", "service"] = "finished"
    base_unit: str = Field(default="EA", min_length=1, max_length=10)
    weight_kg: NonNegQty | None = None
    volume_m3: NonNegQty | None = None
    shelf_life_days: int | None = Field(default=None, ge=0)
    price: NonNegAmount | None = None
    currency: Currency = "CNY"
    made_in_house: bool = False
    lot_controlled: bool = False
    serial_controlled: bool = False

    @field_validator("gtin")
    @classmethod
    def _gtin_check_digit(cls, value: str | None) -> str | None:
        if value is not None and not geo.gs1_check_digit_ok(value):
            raise ValueError(f"GTIN {value} has a wrong check digit")
        return value


class ItemPublic(Owned, ItemCreate):
    model_config = Output.model_config
    version: int


class ItemUnitCreate(Input):
    item_id: int | None = None
    item_code: str | None = None
    unit: str = Field(min_length=1, max_length=10)
    base_quantity: PosQty


class ItemUnitPublic(Owned):
    item_id: int
    unit: str
    base_quantity: Qty


class CrossRefCreate(Input):
    item_id: int | None = None
    item_code: str | None = None
    partner_enterprise_id: int
    partner_part_number: str = Field(min_length=1, max_length=60)
    partner_description: str | None = None


class CrossRefPublic(Owned):
    item_id: int
    partner_enterprise_id: int | None
    partner_part_number: str
    partner_description: str | None


class BomLineCreate(Input):
    parent_item_id: int | None = None
    parent_item_code: str | None = None
    component_item_id: int | None = None
    component_item_code: str | None = None
    quantity_per: PosQty
    scrap_pct: NonNegQty = Decimal(0)
    valid_from: date = date(2000, 1, 1)
    valid_to: date | None = None


class BomLinePublic(Owned):
    parent_item_id: int
    component_item_id: int
    quantity_per: Qty
    scrap_pct: Qty
    valid_from: date
    valid_to: date | None
    version: int


class CalendarCreate(Input):
    code: Code
    name: str
    shifts: list[dict[str, Any]] = Field(default_factory=list)
    exceptions: list[dict[str, Any]] = Field(default_factory=list)


class CalendarPublic(Owned, CalendarCreate):
    model_config = Output.model_config
    version: int


class WorkCenterCreate(Input):
    site_id: int | None = None
    site_code: str | None = None
    code: Code
    name: str
    calendar_id: int | None = None
    calendar_code: str | None = None


class WorkCenterPublic(Owned):
    site_id: int
    code: str
    name: str
    calendar_id: int | None
    version: int


class MachineCreate(Input):
    site_id: int | None = None
    site_code: str | None = None
    work_center_id: int | None = None
    work_center_code: str | None = None
    calendar_id: int | None = None
    calendar_code: str | None = None
    code: Code
    name: str
    model: str | None = None
    status: Literal["running", "idle", "down", "maintenance"] = "idle"


class MachinePublic(Owned):
    site_id: int
    work_center_id: int | None
    calendar_id: int | None
    code: str
    name: str
    model: str | None
    status: str
    version: int


class RoutingStepCreate(Input):
    item_id: int | None = None
    item_code: str | None = None
    sequence: int = Field(ge=1)
    work_center_id: int | None = None
    work_center_code: str | None = None
    description: str | None = None
    setup_minutes: NonNegQty = Decimal(0)
    run_minutes_per_unit: NonNegQty


class RoutingStepPublic(Owned):
    item_id: int
    sequence: int
    work_center_id: int
    description: str | None
    setup_minutes: Qty
    run_minutes_per_unit: Qty
    version: int


class LaneCreate(Input):
    from_site_id: int | None = None
    from_site_code: str | None = None
    to_site_id: int | None = None
    to_site_code: str | None = None
    mode: ModeT = "road"
    lead_time_mean_days: NonNegQty
    lead_time_std_days: NonNegQty = Decimal(0)
    lead_time_min_days: NonNegQty | None = None
    lead_time_max_days: NonNegQty | None = None
    cost_per_unit: NonNegAmount = Decimal(0)
    cost_per_shipment: NonNegAmount = Decimal(0)
    currency: Currency = "CNY"
    capacity_per_day: NonNegQty | None = None
    distance_km: NonNegQty | None = None


class LanePublic(Owned):
    partner_enterprise_id: int | None
    from_site_id: int
    to_site_id: int
    mode: str
    lead_time_mean_days: Qty
    lead_time_std_days: Qty
    lead_time_min_days: Qty | None
    lead_time_max_days: Qty | None
    cost_per_unit: Amount
    cost_per_shipment: Amount
    currency: str
    capacity_per_day: Qty | None
    distance_km: Qty | None
    version: int


class PromotionCreate(Input):
    item_id: int | None = None
    item_code: str | None = None
    site_id: int | None = None
    site_code: str | None = None
    name: str
    start_date: date
    end_date: date
    discount_pct: NonNegQty


class PromotionPublic(Owned):
    item_id: int
    site_id: int | None
    name: str
    start_date: date
    end_date: date
    discount_pct: Qty
    version: int


class PriceChangeCreate(Input):
    item_id: int | None = None
    item_code: str | None = None
    site_id: int | None = None
    site_code: str | None = None
    effective_date: date
    price: NonNegAmount
    currency: Currency = "CNY"


class PriceChangePublic(Owned):
    item_id: int
    site_id: int | None
    effective_date: date
    price: Amount
    currency: str


class DemandCreate(Input):
    site_id: int | None = None
    site_code: str | None = None
    item_id: int | None = None
    item_code: str | None = None
    day: date
    quantity: NonNegQty
    on_promotion: bool = False


class DemandPublic(Owned):
    site_id: int
    item_id: int
    day: date
    quantity: Qty
    on_promotion: bool


class PartnershipCreate(Input):
    partner_enterprise_id: int
    relation: RelationT
    status: Literal["pending", "active", "suspended", "blocked"] = "active"


class PartnershipPublic(Owned):
    partner_enterprise_id: int | None
    relation: str
    status: str
    version: int


class GrantCreate(Input):
    partner_enterprise_id: int
    kind: GrantKindT
    resource_id: int | None = Field(
        default=None, description="one object; omit to share every object of the kind"
    )


class GrantPublic(Owned):
    partner_enterprise_id: int | None
    kind: str
    resource_id: int | None


class UserPublic(Owned):
    username: str
    display_name: str
    email: str | None
    role: str
    locale: str
    active: bool
    version: int


class UserCreate(Input):
    username: str = Field(min_length=3, max_length=120, pattern=r"^[A-Za-z0-9_.@\-]+$")
    display_name: str = Field(min_length=1, max_length=120)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    role: Literal["admin", "planner", "operator", "viewer"] = "viewer"
    locale: Literal["zh-CN", "en"] = "zh-CN"
    password: str = Field(min_length=8, max_length=200)


class UserUpdate(Input):
    display_name: str | None = None
    email: str | None = None
    role: Literal["admin", "planner", "operator", "viewer"] | None = None
    locale: Literal["zh-CN", "en"] | None = None
    active: bool | None = None
    version: int | None = None


def _create_user(uow: UnitOfWork, data: dict[str, Any]) -> User:
    return services.create_user(
        uow,
        data["username"],
        data["display_name"],
        data["password"],
        data["role"],
        data.get("email"),
        data.get("locale", "zh-CN"),
    )


def _site_ref(field: str = "site_id", required: bool = True) -> Reference:
    return Reference(field, Site, "code", required)


def _item_ref(field: str = "item_id", required: bool = True) -> Reference:
    return Reference(field, Item, "sku", required)


RESOURCES: tuple[Resource, ...] = (
    Resource(
        "enterprises",
        Enterprise,
        Input,
        EnterpriseUpdate,
        EnterprisePublic,
        read_only=True,
        filters=("code", "status"),
    ),
    Resource(
        "users",
        User,
        UserCreate,
        UserUpdate,
        UserPublic,
        natural_key=("username",),
        filters=("role", "active"),
        extra={"create": _create_user, "guard": services.keep_an_admin},
    ),
    Resource(
        "sites",
        Site,
        SiteCreate,
        partial(SiteCreate, "SiteUpdate"),
        SitePublic,
        natural_key=("code",),
        references=(Reference("parent_site_id", Site, "code", required=False),),
        filters=("kind", "region", "province", "city", "enterprise_id"),
    ),
    Resource(
        "items",
        Item,
        ItemCreate,
        partial(ItemCreate, "ItemUpdate"),
        ItemPublic,
        natural_key=("sku",),
        filters=("category", "item_type", "gtin", "enterprise_id"),
    ),
    Resource(
        "item-units",
        ItemUnit,
        ItemUnitCreate,
        partial(ItemUnitCreate, "ItemUnitUpdate"),
        ItemUnitPublic,
        natural_key=("item_id", "unit"),
        references=(_item_ref(),),
        filters=("item_id",),
    ),
    Resource(
        "item-cross-references",
        ItemCrossReference,
        CrossRefCreate,
        partial(CrossRefCreate, "CrossRefUpdate"),
        CrossRefPublic,
        natural_key=("partner_enterprise_id", "partner_part_number"),
        references=(_item_ref(),),
        filters=("item_id", "partner_enterprise_id", "partner_part_number"),
    ),
    Resource(
        "bom-lines",
        BomLine,
        BomLineCreate,
        partial(BomLineCreate, "BomLineUpdate"),
        BomLinePublic,
        natural_key=("parent_item_id", "component_item_id", "valid_from"),
        references=(_item_ref("parent_item_id"), _item_ref("component_item_id")),
        filters=("parent_item_id", "component_item_id"),
    ),
    Resource(
        "calendars",
        Calendar,
        CalendarCreate,
        partial(CalendarCreate, "CalendarUpdate"),
        CalendarPublic,
        natural_key=("code",),
    ),
    Resource(
        "work-centers",
        WorkCenter,
        WorkCenterCreate,
        partial(WorkCenterCreate, "WorkCenterUpdate"),
        WorkCenterPublic,
        natural_key=("code",),
        references=(_site_ref(), Reference("calendar_id", Calendar, "code", False)),
        filters=("site_id",),
    ),
    Resource(
        "machines",
        Machine,
        MachineCreate,
        partial(MachineCreate, "MachineUpdate"),
        MachinePublic,
        natural_key=("code",),
        references=(
            _site_ref(),
            Reference("work_center_id", WorkCenter, "code", False),
            Reference("calendar_id", Calendar, "code", False),
        ),
        filters=("site_id", "work_center_id", "status"),
    ),
    Resource(
        "routing-steps",
        RoutingStep,
        RoutingStepCreate,
        partial(RoutingStepCreate, "RoutingStepUpdate"),
        RoutingStepPublic,
        natural_key=("item_id", "sequence"),
        references=(_item_ref(), Reference("work_center_id", WorkCenter, "code")),
        filters=("item_id",),
    ),
    Resource(
        "lanes",
        Lane,
        LaneCreate,
        partial(LaneCreate, "LaneUpdate"),
        LanePublic,
        natural_key=("from_site_id", "to_site_id", "mode"),
        references=(_site_ref("from_site_id"), _site_ref("to_site_id")),
        filters=("from_site_id", "to_site_id", "mode", "partner_enterprise_id"),
    ),
    Resource(
        "promotions",
        Promotion,
        PromotionCreate,
        partial(PromotionCreate, "PromotionUpdate"),
        PromotionPublic,
        references=(_item_ref(), _site_ref(required=False)),
        filters=("item_id", "site_id"),
    ),
    Resource(
        "price-changes",
        PriceChange,
        PriceChangeCreate,
        partial(PriceChangeCreate, "PriceChangeUpdate"),
        PriceChangePublic,
        references=(_item_ref(), _site_ref(required=False)),
        filters=("item_id", "site_id"),
    ),
    Resource(
        "demand-history",
        DemandRecord,
        DemandCreate,
        partial(DemandCreate, "DemandUpdate"),
        DemandPublic,
        natural_key=("site_id", "item_id", "day"),
        references=(_site_ref(), _item_ref()),
        filters=("site_id", "item_id", "day"),
    ),
    Resource(
        "partnerships",
        Partnership,
        PartnershipCreate,
        partial(PartnershipCreate, "PartnershipUpdate"),
        PartnershipPublic,
        natural_key=("partner_enterprise_id", "relation"),
        filters=("partner_enterprise_id", "relation", "status"),
    ),
    Resource(
        "sharing-grants",
        SharingGrant,
        GrantCreate,
        partial(GrantCreate, "GrantUpdate"),
        GrantPublic,
        natural_key=("partner_enterprise_id", "kind", "resource_id"),
        filters=("partner_enterprise_id", "kind"),
    ),
)
