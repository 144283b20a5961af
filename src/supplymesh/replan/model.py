"""Stored plans: forecast runs and their values, replenishment proposals and their states.

A forecast run keeps, per item × site, one row per future day with the quantiles a planner
reads (10/50/90 and the service-level quantile) and the model that produced them; what went
wrong with a series (too short, gaps, negative demand) is kept in the run's `messages` with
the fallback used, so a bad series is visible and never stops the run. A proposal is an
order the planner may edit, release (into a purchase or transfer order) or dismiss.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from supplymesh.platform.db import Base, BigId, UTCDateTime, Versioned, utcnow
from supplymesh.platform.errors import DomainError, IllegalTransition
from supplymesh.platform.events import Aggregate, DomainEvent
from supplymesh.platform.tenancy import TenantOwned, scoped
from supplymesh.platform.types import Quantity


class ReplanError(DomainError):
    """A planning request cannot be carried out as asked."""


class ProposalState(StrEnum):
    PROPOSED = "proposed"
    EDITED = "edited"
    RELEASED = "released"
    DISMISSED = "dismissed"


#: proposed → edited (any number of times) → released | dismissed.
PROPOSAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ProposalState.PROPOSED: (ProposalState.EDITED, ProposalState.RELEASED, ProposalState.DISMISSED),
    ProposalState.EDITED: (ProposalState.EDITED, ProposalState.RELEASED, ProposalState.DISMISSED),
    ProposalState.RELEASED: (),
    ProposalState.DISMISSED: (),
}


@scoped
class ForecastRun(TenantOwned, Base):
    """One forecast of the enterprise's item × site daily demand."""

    __tablename__ = "forecast_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="completed")
    horizon_days: Mapped[int] = mapped_column(Integer)
    service_level: Mapped[float] = mapped_column(Float)
    history_start: Mapped[date | None] = mapped_column(Date)
    history_end: Mapped[date | None] = mapped_column(Date)
    executor: Mapped[str] = mapped_column(String(20))
    series_count: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    models: Mapped[list[str]] = mapped_column(JSON, default=list)
    messages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The reconciliation method used (``mint_shrink``, ``wls_struct``...), None: base forecasts.
    reconciliation: Mapped[str | None] = mapped_column(String(40))


@scoped
class ForecastValue(TenantOwned, Base):
    """One day's forecast of one item at one site, in base units."""

    __tablename__ = "forecast_values"
    __table_args__ = (Index("ix_forecast_values_run_series", "run_id", "item_id", "site_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    day: Mapped[date] = mapped_column(Date)
    p10: Mapped[Decimal] = mapped_column(Quantity())
    p50: Mapped[Decimal] = mapped_column(Quantity())
    p90: Mapped[Decimal] = mapped_column(Quantity())
    p_service: Mapped[Decimal] = mapped_column(Quantity())
    model: Mapped[str] = mapped_column(String(120))


@scoped
class ForecastAggregate(TenantOwned, Base):
    """One day's forecast of a tier above item × site: DC, region, item, category or total.

    Written only by reconciled runs, so a DC's row equals the sum of its stores' rows of the
    same run and day (p50 exactly); `node` names the tier's member (``SKU@DC-EAST``).
    """

    __tablename__ = "forecast_aggregates"
    __table_args__ = (Index("ix_forecast_aggregates_run_level", "run_id", "level"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(20))  # dc, region, item, category, total
    node: Mapped[str] = mapped_column(String(200))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    day: Mapped[date] = mapped_column(Date)
    p10: Mapped[Decimal] = mapped_column(Quantity())
    p50: Mapped[Decimal] = mapped_column(Quantity())
    p90: Mapped[Decimal] = mapped_column(Quantity())
    p_service: Mapped[Decimal] = mapped_column(Quantity())
    model: Mapped[str] = mapped_column(String(120))


@scoped
class ReplenishmentProposal(TenantOwned, Aggregate, Base, Versioned):
    """An order the plan proposes; released into exactly one purchase or transfer order."""

    __tablename__ = "replenishment_proposals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    forecast_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("forecast_runs.id", ondelete="SET NULL"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    lane_id: Mapped[int | None] = mapped_column(ForeignKey("lanes.id"))
    supplier_enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    from_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    order_date: Mapped[date] = mapped_column(Date)
    need_date: Mapped[date] = mapped_column(Date)
    policy: Mapped[str] = mapped_column(String(40))
    reorder_point: Mapped[Decimal] = mapped_column(Quantity())
    order_up_to: Mapped[Decimal] = mapped_column(Quantity())
    review_period_days: Mapped[int] = mapped_column(Integer, default=1)
    moq: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    pack_size: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(1))
    simulated_fill_rate: Mapped[float] = mapped_column(Float, default=0.0)
    reason: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(20), default=ProposalState.PROPOSED.value)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def allowed_transitions(self) -> list[str]:
        return [str(s) for s in PROPOSAL_TRANSITIONS.get(self.state, ())]

    def transition(self, wanted: str) -> None:
        """Move through the proposal's states, or raise `IllegalTransition` (409)."""
        allowed = self.allowed_transitions
        if wanted not in allowed:
            raise IllegalTransition("replenishment_proposal", self.state, wanted, allowed)
        previous, self.state = self.state, wanted
        self.record(
            DomainEvent("ProposalStateChanged", {"id": self.id, "from": previous, "to": wanted})
        )
