"""Network design requests and answers: candidate DCs, customers, scenarios side by side."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from supplymesh.platform.schemas import Input, Output


class CandidateIn(Input):
    """A site that could serve customers: what opening it costs and how much it can ship."""

    site_id: int = Field(ge=1)
    fixed_cost: float = Field(ge=0, le=1e12)
    capacity: float = Field(gt=0, le=1e12)
    handling_cost_per_unit: float = Field(0.0, ge=0, le=1e6)


class CustomerIn(Input):
    """A site to serve; `demand` in units per period, or from the demand history."""

    site_id: int = Field(ge=1)
    demand: float | None = Field(None, gt=0, le=1e12)


class ScenarioIn(Input):
    """One what-if: a service-distance cap, single sourcing, sites decided in advance."""

    name: str = Field(min_length=1, max_length=60)
    max_service_km: float | None = Field(None, gt=0, le=10_000)
    single_sourcing: bool = False
    force_open: list[int] = Field(default_factory=list, max_length=200)
    force_closed: list[int] = Field(default_factory=list, max_length=200)


class NetworkDesignRequest(Input):
    """Which candidates to open and who each serves, for each scenario.

    Transport costs `cost_per_unit_km` per unit and road kilometre (great-circle × `road_factor`
    unless a lane records the road distance). Customers without `demand` take the sum of their
    demand history between `history_from` and `history_to`.
    """

    candidates: list[CandidateIn] = Field(min_length=1, max_length=300)
    customers: list[CustomerIn] = Field(min_length=1, max_length=3000)
    cost_per_unit_km: float = Field(gt=0, le=1e6)
    road_factor: float = Field(1.3, ge=1.0, le=3.0)
    history_from: dt.date | None = None
    history_to: dt.date | None = None
    scenarios: list[ScenarioIn] = Field(
        default_factory=lambda: [ScenarioIn(name="base")], min_length=1, max_length=10
    )
    time_limit_s: float = Field(10.0, gt=0, le=300)

    @model_validator(mode="after")
    def _history_when_needed(self) -> NetworkDesignRequest:
        if any(c.demand is None for c in self.customers) and (
            self.history_from is None or self.history_to is None
        ):
            raise ValueError("customers without demand need history_from and history_to")
        return self


class SitePoint(Output):
    site_id: int
    code: str
    name: str
    latitude: float
    longitude: float


class Assignment(Output):
    customer_site_id: int
    site_id: int
    share: float
    units: float
    distance_km: float


class ScenarioOut(Output):
    name: str
    status: str
    cost: float | None
    fixed_cost: float | None
    service_cost: float | None
    utilisation_pct: float | None
    cost_vs_first_pct: float | None
    reason: str
    open_site_ids: list[int]
    assignments: list[Assignment]


class NetworkDesignResponse(Output):
    candidates: list[SitePoint]
    customers: list[SitePoint]
    demands: dict[int, float]
    scenarios: list[ScenarioOut]
