"""What the planning API takes and returns (quantities as decimal strings)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import Field

from supplymesh.platform.schemas import Input, NonNegQty, Output, PosQty, Qty


class ForecastRunIn(Input):
    horizon_days: int = Field(default=28, ge=1, le=366)
    service_level: float = Field(default=0.95, ge=0.5, lt=1)
    item_codes: list[str] = Field(default_factory=list, max_length=1000)
    site_codes: list[str] = Field(default_factory=list, max_length=1000)
    history_days: int | None = Field(default=365, ge=14, le=3660)
    # None: reconcile when the run covers more than one tier.
    reconcile: bool | None = None
    # One global LightGBM with promotions, prices and calendar instead of per-series models.
    global_model: bool = False


class ForecastMessage(Output):
    series: str | None = None
    item_id: int | None = None
    site_id: int | None = None
    message: str
    fallback: str | None = None


class ForecastRunPublic(Output):
    id: int
    created_at: datetime
    status: str
    horizon_days: int
    service_level: float
    history_start: date | None
    history_end: date | None
    executor: str
    series_count: int
    seconds: float
    models: list[str]
    messages: list[ForecastMessage]
    reconciliation: str | None = None


class ForecastPoint(Output):
    day: date
    p10: Qty
    p50: Qty
    p90: Qty
    p_service: Qty


class ForecastSeries(Output):
    item_id: int
    site_id: int
    sku: str
    site_code: str
    model: str
    values: list[ForecastPoint] = Field(default_factory=list)


class ForecastTier(Output):
    """A tier above item × site (dc, region, item, category, total) of a reconciled run."""

    level: str
    node: str
    item_id: int | None
    model: str
    values: list[ForecastPoint] = Field(default_factory=list)


class ForecastRunDetail(ForecastRunPublic):
    series: list[ForecastSeries]
    tiers: list[ForecastTier] = Field(default_factory=list)


class OrderRuleIn(Input):
    item_code: str = Field(min_length=1, max_length=60)
    site_code: str | None = Field(default=None, max_length=40)
    moq: NonNegQty = Decimal(0)
    pack_size: PosQty = Decimal(1)


class ReplenishmentRunIn(Input):
    forecast_run_id: int | None = Field(default=None, ge=1)
    objective: str = Field(default="service_level", pattern="^(service_level|cost)$")
    target_fill_rate: float = Field(default=0.95, ge=0.5, lt=1)
    holding_cost: float = Field(default=1.0, gt=0, le=1e9)
    stockout_cost: float = Field(default=9.0, gt=0, le=1e9)
    review_period_days: int = Field(default=7, ge=1, le=90)
    rules: list[OrderRuleIn] = Field(default_factory=list, max_length=10_000)
    paths: int = Field(default=60, ge=10, le=1000)
    simulation_days: int = Field(default=120, ge=30, le=730)


class ProposalPublic(Output):
    id: int
    version: int
    forecast_run_id: int | None
    item_id: int
    site_id: int
    lane_id: int | None
    supplier_enterprise_id: int | None
    from_site_id: int | None
    quantity: Qty
    order_date: date
    need_date: date
    policy: str
    reorder_point: Qty
    order_up_to: Qty
    review_period_days: int
    moq: Qty
    pack_size: Qty
    simulated_fill_rate: float
    reason: str
    state: str
    order_id: int | None
    allowed_transitions: list[str]


class ReplenishmentRunPublic(Output):
    forecast_run_id: int
    proposals: list[ProposalPublic]
    skipped: list[str]


class ProposalPage(Output):
    items: list[ProposalPublic]
    total: int
    offset: int
    limit: int


class ProposalPatch(Input):
    version: int = Field(ge=1)
    quantity: PosQty | None = None
    order_date: date | None = None
    need_date: date | None = None


class VersionIn(Input):
    version: int | None = Field(default=None, ge=1)


class SafetyStagePublic(Output):
    site_id: int
    site_code: str
    supplier_site_code: str | None
    processing_days: int
    demand_std: float
    holding_cost: float
    inbound_service_days: int
    outbound_service_days: int
    net_replenishment_days: int
    safety_stock: float
    item_sku: str = ""
    role: str = "distribution"  # distribution, assembly (the plant) or component
    supplies_stage: str | None = None


class SafetyPlanPublic(Output):
    item_id: int
    sku: str
    service_level: float
    total_cost: float
    stages: list[SafetyStagePublic]
