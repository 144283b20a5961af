"""Forecast runs: read the enterprise's demand, forecast every item × site, store quantiles."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import insert, select

from supplymesh.network.model import Item, Site
from supplymesh.platform.errors import NotFound
from supplymesh.platform.types import plain
from supplymesh.platform.uow import UnitOfWork
from supplymesh.replan import executor
from supplymesh.replan.coherence import (
    CoherencePlan,
    Reconciled,
    plan_coherence,
    reconcile_plan,
    site_tiers,
    spans_tiers,
)
from supplymesh.replan.forecast_task import (
    CANDIDATES,
    GLOBAL_MODEL,
    SeriesOutcome,
    SeriesTask,
    forecast_global,
    forecast_tasks,
)
from supplymesh.replan.model import ForecastAggregate, ForecastRun, ForecastValue, ReplanError
from supplymesh.replan.regressors import node_table, regressors
from supplymesh.replan.series import SEASON_DAYS, History, load_histories

BASE_LEVELS = (0.1, 0.5, 0.9)
PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class ForecastRequest:
    """What to forecast: horizon, the service level whose quantile is stored, a filter."""

    horizon_days: int = 28
    service_level: float = 0.95
    item_codes: tuple[str, ...] = ()
    site_codes: tuple[str, ...] = ()
    history_days: int | None = 365
    # Reconcile the tiers (store → DC → region → item → category → total); None: whenever
    # the run covers more than one tier (some item at several sites).
    reconcile: bool | None = None
    # One global LightGBM over every series with promotions, prices and calendar as
    # regressors, instead of the per-series candidates.
    global_model: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.horizon_days <= 366:
            raise ReplanError(f"horizon_days must be 1-366, got {self.horizon_days}")
        if not 0.5 <= self.service_level < 1:
            raise ReplanError(f"service_level must be in [0.5, 1), got {self.service_level}")
        if self.history_days is not None and self.history_days < 1:
            raise ReplanError(f"history_days must be >= 1, got {self.history_days}")


@dataclass(frozen=True)
class Compute:
    """Where the per-series work runs (see `executor`)."""

    dask_address: str | None = None
    workers: int | None = None


def levels_for(service_level: float) -> tuple[float, ...]:
    """The quantile levels a run computes: 10/50/90 and the service level, once each."""
    return tuple(sorted({*BASE_LEVELS, round(service_level, 6)}))


def run_forecast(
    uow: UnitOfWork, request: ForecastRequest, compute: Compute | None = None
) -> ForecastRun:
    """Forecast the caller's item × site demand and store the run (the caller commits)."""
    compute = compute or Compute()
    started = time.perf_counter()
    histories = load_histories(
        uow, list(request.item_codes), list(request.site_codes), request.history_days
    )
    if not histories:
        raise ReplanError("no demand history to forecast for this enterprise and filter")
    levels = levels_for(request.service_level)
    tasks = [
        SeriesTask(
            h.key,
            h.values,
            request.horizon_days,
            levels,
            SEASON_DAYS,
            fallback_only=bool(h.problems),
        )
        for h in histories
    ]
    plan = _coherence_plan(uow, request, histories)
    if plan is not None:
        tasks += [
            SeriesTask(n.key, n.values, request.horizon_days, levels, SEASON_DAYS, False)
            for n in plan.nodes
        ]
    pooled = _global_inputs(uow, request, histories, plan) if request.global_model else []
    done = {k for k, _, _ in pooled}
    local = [t for t in tasks if t.key not in done]
    how = executor.describe(compute.dask_address, compute.workers, len(local))
    found = {
        o.key: o
        for o in [
            *executor.run_chunks(forecast_tasks, local, compute.dask_address, compute.workers),
            *forecast_global(pooled, request.horizon_days, levels),
        ]
    }
    every = [found[t.key] for t in tasks]
    outcomes = every[: len(histories)]
    reconciled: Reconciled | None = None
    if plan is not None:
        reconciled = reconcile_plan(
            plan,
            {h.key: h.values for h in histories},
            {o.key: np.maximum.accumulate(o.quantiles, axis=0) for o in every},
            levels,
        )
        fixed = reconciled.quantiles
        outcomes = [replace(o, quantiles=fixed.get(o.key, o.quantiles)) for o in outcomes]
    run = ForecastRun(
        enterprise_id=uow.ctx.enterprise_id,
        status="completed",
        horizon_days=request.horizon_days,
        service_level=request.service_level,
        history_start=min(h.start for h in histories),
        history_end=max(h.end for h in histories),
        executor=how,
        series_count=len(histories),
        models=[GLOBAL_MODEL] if request.global_model else ["auto", *CANDIDATES],
        messages=_messages(histories, outcomes) + _coherence_messages(plan, reconciled),
        reconciliation=_method(reconciled),
    )
    uow.add(run)
    uow.flush()
    medians = _store(uow, run, histories, outcomes, levels)
    if plan is not None and reconciled is not None:
        base_models = {o.key: o.model for o in every}
        _store_aggregates(uow, run, plan, reconciled, medians, base_models, levels)
    run.seconds = round(time.perf_counter() - started, 3)
    uow.flush()
    return run


def _global_inputs(
    uow: UnitOfWork,
    request: ForecastRequest,
    histories: list[History],
    plan: CoherencePlan | None,
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(key, history, regressors) of every sound series and tier for the global model.

    Series with repaired histories stay with the fallback model, as in a local run.
    """
    tables = regressors(uow, histories, request.horizon_days)
    out = [(h.key, h.values, tables[h.key]) for h in histories if not h.problems]
    for node in plan.nodes if plan is not None else []:
        rows = node.values.size + request.horizon_days
        out.append((node.key, node.values, node_table([tables[k] for k in node.members], rows)))
    return out


def _coherence_plan(
    uow: UnitOfWork, request: ForecastRequest, histories: list[History]
) -> CoherencePlan | None:
    wanted = request.reconcile if request.reconcile is not None else spans_tiers(histories)
    if not wanted:
        return None
    plan = plan_coherence(uow, histories, site_tiers(uow, {h.site_id for h in histories}))
    return plan if plan.trees else None


def _method(reconciled: Reconciled | None) -> str | None:
    """The method most trees were reconciled with (the others are named in the messages).

    Items sold at one site only are trivially coherent ("bottom_up"); they count only when
    every item is.
    """
    if reconciled is None or not reconciled.methods:
        return None
    counts = {m: n for m, n in reconciled.methods.items() if m != "bottom_up"}
    counts = counts or dict(reconciled.methods)
    return max(sorted(counts), key=lambda m: counts[m])


def _coherence_messages(
    plan: CoherencePlan | None, reconciled: Reconciled | None
) -> list[dict[str, object]]:
    if plan is None or reconciled is None:
        return []
    notes = [*plan.left_out, *reconciled.notes]
    return [{"series": None, "message": n, "fallback": None} for n in notes]


def _messages(histories: list[History], outcomes: list[SeriesOutcome]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for h, o in zip(histories, outcomes, strict=True):
        for problem in h.problems:
            out.append(
                {
                    "series": h.label,
                    "item_id": h.item_id,
                    "site_id": h.site_id,
                    "message": problem,
                    "fallback": o.model,
                }
            )
        if not h.problems and o.note:
            out.append(
                {
                    "series": h.label,
                    "item_id": h.item_id,
                    "site_id": h.site_id,
                    "message": o.note,
                    "fallback": o.model,
                }
            )
    return out


def _q(x: float) -> Decimal:
    return plain(Decimal(repr(max(0.0, float(x)))).quantize(PLACES))


def _store(
    uow: UnitOfWork,
    run: ForecastRun,
    histories: list[History],
    outcomes: list[SeriesOutcome],
    levels: tuple[float, ...],
) -> dict[str, list[Decimal]]:
    """Store the series' rows; return each series' stored p50 per day (tiers sum these)."""
    service = levels.index(round(run.service_level, 6))
    rows = []
    medians: dict[str, list[Decimal]] = {}
    for h, o in zip(histories, outcomes, strict=True):
        q = np.maximum.accumulate(np.asarray(o.quantiles, dtype=np.float64), axis=0)
        first = h.end + timedelta(days=1)
        medians[h.key] = [_q(q[levels.index(0.5), t]) for t in range(run.horizon_days)]
        for t in range(run.horizon_days):
            rows.append(
                {
                    "enterprise_id": run.enterprise_id,
                    "run_id": run.id,
                    "item_id": h.item_id,
                    "site_id": h.site_id,
                    "day": first + timedelta(days=t),
                    "p10": _q(q[levels.index(0.1), t]),
                    "p50": medians[h.key][t],
                    "p90": _q(q[levels.index(0.9), t]),
                    "p_service": _q(q[service, t]),
                    "model": o.model[:120],
                }
            )
    for i in range(0, len(rows), 5000):
        uow.session.execute(insert(ForecastValue), rows[i : i + 5000])
    return medians


def _store_aggregates(
    uow: UnitOfWork,
    run: ForecastRun,
    plan: CoherencePlan,
    reconciled: Reconciled,
    medians: dict[str, list[Decimal]],
    base_models: dict[str, str],
    levels: tuple[float, ...],
) -> None:
    """Store every tier's rows; p50 is the exact sum of its stores' stored p50."""
    service = levels.index(round(run.service_level, 6))
    first = forecast_start(run)
    assert first is not None  # a run with histories has an end
    rows = []
    for node in [*plan.nodes, *plan.sums]:
        q = reconciled.quantiles[node.key]
        for t in range(run.horizon_days):
            p50 = plain(sum((medians[k][t] for k in node.members), Decimal(0)))
            rows.append(
                {
                    "enterprise_id": run.enterprise_id,
                    "run_id": run.id,
                    "level": node.level,
                    "node": node.label[:200],
                    "item_id": node.item_id,
                    "day": first + timedelta(days=t),
                    "p10": min(_q(q[levels.index(0.1), t]), p50),
                    "p50": p50,
                    "p90": max(_q(q[levels.index(0.9), t]), p50),
                    "p_service": max(_q(q[service, t]), p50),
                    "model": base_models.get(node.key, "sum")[:120],
                }
            )
    for i in range(0, len(rows), 5000):
        uow.session.execute(insert(ForecastAggregate), rows[i : i + 5000])


def aggregates_of(
    uow: UnitOfWork, run: ForecastRun, level: str | None = None
) -> dict[tuple[str, str], list[ForecastAggregate]]:
    """A reconciled run's tier rows per (level, node), in date order."""
    query = select(ForecastAggregate).where(ForecastAggregate.run_id == run.id)
    if level is not None:
        query = query.where(ForecastAggregate.level == level)
    out: dict[tuple[str, str], list[ForecastAggregate]] = defaultdict(list)
    for v in uow.session.scalars(query.order_by(ForecastAggregate.day)):
        out[(v.level, v.node)].append(v)
    return dict(out)


@dataclass(frozen=True)
class SeriesRef:
    """One series of a run: item, site, their codes, and the model used."""

    item_id: int
    site_id: int
    sku: str
    site_code: str
    model: str


def get_run(uow: UnitOfWork, run_id: int) -> ForecastRun:
    """A run of the caller's (404 otherwise)."""
    run = uow.session.get(ForecastRun, run_id)
    if run is None:
        raise NotFound("ForecastRun", run_id)
    return run


def latest_run(uow: UnitOfWork) -> ForecastRun | None:
    """The caller's newest forecast run, if any."""
    return uow.session.scalar(select(ForecastRun).order_by(ForecastRun.id.desc()).limit(1))


def list_runs(uow: UnitOfWork, limit: int = 50) -> list[ForecastRun]:
    """The caller's runs, newest first."""
    return list(
        uow.session.scalars(select(ForecastRun).order_by(ForecastRun.id.desc()).limit(limit))
    )


def series_of(uow: UnitOfWork, run: ForecastRun) -> list[SeriesRef]:
    """The series a run holds, sorted by SKU and site code."""
    pairs = uow.session.execute(
        select(ForecastValue.item_id, ForecastValue.site_id, ForecastValue.model)
        .where(ForecastValue.run_id == run.id)
        .distinct()
    ).all()
    items = dict(
        uow.session.execute(
            select(Item.id, Item.sku).where(Item.id.in_({p[0] for p in pairs}))
        ).all()
    )
    sites = dict(
        uow.session.execute(
            select(Site.id, Site.code).where(Site.id.in_({p[1] for p in pairs}))
        ).all()
    )
    refs = {
        (i, s): SeriesRef(i, s, items.get(i, str(i)), sites.get(s, str(s)), m) for i, s, m in pairs
    }
    return sorted(refs.values(), key=lambda r: (r.sku, r.site_code))


def values_of(
    uow: UnitOfWork, run: ForecastRun, item_id: int | None = None, site_id: int | None = None
) -> dict[tuple[int, int], list[ForecastValue]]:
    """The run's values per (item, site), in date order, optionally for one item or site."""
    query = select(ForecastValue).where(ForecastValue.run_id == run.id)
    if item_id is not None:
        query = query.where(ForecastValue.item_id == item_id)
    if site_id is not None:
        query = query.where(ForecastValue.site_id == site_id)
    out: dict[tuple[int, int], list[ForecastValue]] = defaultdict(list)
    for v in uow.session.scalars(query.order_by(ForecastValue.day)):
        out[(v.item_id, v.site_id)].append(v)
    return dict(out)


def forecast_start(run: ForecastRun) -> date | None:
    """The first forecast day (the day after the newest history)."""
    return None if run.history_end is None else run.history_end + timedelta(days=1)
