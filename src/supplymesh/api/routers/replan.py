"""Planning over the network: forecast runs, replenishment proposals, safety stock."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from supplymesh.api.deps import ContainerDep, UowDep
from supplymesh.platform.types import MAX_INT
from supplymesh.replan import forecasting, proposals, release, safety
from supplymesh.replan.schemas import (
    ForecastPoint,
    ForecastRunDetail,
    ForecastRunIn,
    ForecastRunPublic,
    ForecastSeries,
    ForecastTier,
    ProposalPage,
    ProposalPatch,
    ProposalPublic,
    ReplenishmentRunIn,
    ReplenishmentRunPublic,
    SafetyPlanPublic,
    VersionIn,
)

router = APIRouter(tags=["planning"])
ObjectId = Annotated[int, Path(ge=1, le=MAX_INT)]
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_INT)]


def _compute(container: ContainerDep) -> forecasting.Compute:
    return forecasting.Compute(dask_address=container.settings.dask_address)


@router.post("/api/v1/forecast-runs", response_model=ForecastRunPublic, status_code=201)
def create_forecast_run(
    body: ForecastRunIn, uow: UowDep, container: ContainerDep
) -> ForecastRunPublic:
    """Forecast the caller's item × site daily demand and store the quantiles."""
    request = forecasting.ForecastRequest(
        horizon_days=body.horizon_days,
        service_level=body.service_level,
        item_codes=tuple(body.item_codes),
        site_codes=tuple(body.site_codes),
        history_days=body.history_days,
        reconcile=body.reconcile,
        global_model=body.global_model,
    )
    run = forecasting.run_forecast(uow, request, _compute(container))
    uow.commit()
    return ForecastRunPublic.model_validate(run)


@router.get("/api/v1/forecast-runs", response_model=list[ForecastRunPublic])
def list_forecast_runs(
    uow: UowDep, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[ForecastRunPublic]:
    return [ForecastRunPublic.model_validate(r) for r in forecasting.list_runs(uow, limit)]


@router.get("/api/v1/forecast-runs/{run_id}", response_model=ForecastRunDetail)
def get_forecast_run(
    run_id: ObjectId,
    uow: UowDep,
    item_id: OptionalId = None,
    site_id: OptionalId = None,
    values: bool = True,
    level: Annotated[str | None, Query(max_length=20)] = None,
) -> ForecastRunDetail:
    """The run, its series, and (unless `values=false`) their daily quantiles.

    A reconciled run also lists its tiers (DC, region, item, category, total; `level` picks
    one); `site_id` leaves them out, `item_id` keeps that item's.
    """
    run = forecasting.get_run(uow, run_id)
    found = forecasting.values_of(uow, run, item_id, site_id) if values else {}
    series = []
    for ref in forecasting.series_of(uow, run):
        if item_id is not None and ref.item_id != item_id:
            continue
        if site_id is not None and ref.site_id != site_id:
            continue
        rows = found.get((ref.item_id, ref.site_id), [])
        series.append(
            ForecastSeries(
                item_id=ref.item_id,
                site_id=ref.site_id,
                sku=ref.sku,
                site_code=ref.site_code,
                model=ref.model,
                values=[ForecastPoint.model_validate(v) for v in rows],
            )
        )
    tiers = []
    if site_id is None and run.reconciliation is not None:
        for (lvl, node), tier_rows in forecasting.aggregates_of(uow, run, level).items():
            if item_id is not None and tier_rows[0].item_id != item_id:
                continue
            tiers.append(
                ForecastTier(
                    level=lvl,
                    node=node,
                    item_id=tier_rows[0].item_id,
                    model=tier_rows[0].model,
                    values=[ForecastPoint.model_validate(v) for v in tier_rows] if values else [],
                )
            )
    base = ForecastRunPublic.model_validate(run)
    return ForecastRunDetail(**base.model_dump(), series=series, tiers=tiers)


@router.post("/api/v1/replenishment-runs", response_model=ReplenishmentRunPublic, status_code=201)
def create_replenishment_run(
    body: ReplenishmentRunIn, uow: UowDep, container: ContainerDep
) -> ReplenishmentRunPublic:
    """Tune a policy per item × site by simulation and propose the orders it places."""
    request = proposals.ReplenishRequest(
        forecast_run_id=body.forecast_run_id,
        target_fill_rate=body.target_fill_rate if body.objective == "service_level" else None,
        holding_cost=body.holding_cost,
        stockout_cost=body.stockout_cost,
        review_period_days=body.review_period_days,
        rules=tuple(
            proposals.OrderRule(r.item_code, r.moq, r.pack_size, r.site_code) for r in body.rules
        ),
        paths=body.paths,
        simulation_days=body.simulation_days,
    )
    result = proposals.run_replenishment(uow, request, _compute(container))
    uow.commit()
    return ReplenishmentRunPublic(
        forecast_run_id=result.run.id,
        proposals=[ProposalPublic.model_validate(p) for p in result.proposals],
        skipped=result.skipped,
    )


@router.get("/api/v1/replenishment-proposals", response_model=ProposalPage)
def list_replenishment_proposals(
    uow: UowDep,
    state: Annotated[str | None, Query(max_length=20)] = None,
    item_id: OptionalId = None,
    site_id: OptionalId = None,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ProposalPage:
    page = release.list_proposals(uow, state, item_id, site_id, offset, limit)
    return ProposalPage(
        items=[ProposalPublic.model_validate(p) for p in page.items],
        total=page.total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get("/api/v1/replenishment-proposals/{proposal_id}", response_model=ProposalPublic)
def get_replenishment_proposal(proposal_id: ObjectId, uow: UowDep) -> ProposalPublic:
    return ProposalPublic.model_validate(release.get_proposal(uow, proposal_id))


@router.patch("/api/v1/replenishment-proposals/{proposal_id}", response_model=ProposalPublic)
def edit_replenishment_proposal(
    proposal_id: ObjectId, body: ProposalPatch, uow: UowDep
) -> ProposalPublic:
    """Change quantity or dates at the version the caller saw (409 when stale)."""
    change = release.ProposalEdit(body.version, body.quantity, body.order_date, body.need_date)
    p = release.edit(uow, proposal_id, change)
    uow.commit()
    return ProposalPublic.model_validate(p)


@router.post("/api/v1/replenishment-proposals/{proposal_id}/release", response_model=ProposalPublic)
def release_replenishment_proposal(
    proposal_id: ObjectId, uow: UowDep, body: VersionIn | None = None
) -> ProposalPublic:
    """Place the order (purchase or transfer); releasing again returns the same order."""
    p = release.release(uow, proposal_id, body.version if body else None)
    uow.commit()
    return ProposalPublic.model_validate(p)


@router.post("/api/v1/replenishment-proposals/{proposal_id}/dismiss", response_model=ProposalPublic)
def dismiss_replenishment_proposal(
    proposal_id: ObjectId, uow: UowDep, body: VersionIn | None = None
) -> ProposalPublic:
    p = release.dismiss(uow, proposal_id, body.version if body else None)
    uow.commit()
    return ProposalPublic.model_validate(p)


@router.get("/api/v1/safety-stock", response_model=SafetyPlanPublic)
def get_safety_stock(
    uow: UowDep,
    item_code: Annotated[str, Query(min_length=1, max_length=60)],
    service_level: Annotated[float, Query(ge=0.5, lt=1)] = 0.95,
    source_lead_days: Annotated[int, Query(ge=0, le=365)] = 7,
    value_added: Annotated[float, Query(ge=0, le=10)] = 0.2,
    assembly_days: Annotated[int, Query(ge=0, le=365)] = 2,
) -> SafetyPlanPublic:
    """Guaranteed-service safety stock over the item's distribution and BOM tree."""
    plan = safety.plan_safety_stock(
        uow,
        safety.SafetyRequest(
            item_code, service_level, source_lead_days, value_added, assembly_days
        ),
    )
    return SafetyPlanPublic.model_validate(plan)
