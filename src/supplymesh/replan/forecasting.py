"""Forecast runs: read the enterprise's demand, forecast every item × site, store quantiles."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import insert, select

from supplymesh.network.model import Item, Site
from supplymesh.platform.errors import NotFound
from supplymesh.platform.types import plain
from supplymesh.platform.uow import UnitOfWork
from supplymesh.replan import executor
from supplymesh.replan.forecast_task import (
    CANDIDATES,
    SeriesOutcome,
    SeriesTask,
    forecast_tasks,
)
from supplymesh.replan.model import ForecastRun, ForecastValue, ReplanError
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
    how = executor.describe(compute.dask_address, compute.workers, len(tasks))
    outcomes = executor.run_chunks(forecast_tasks, tasks, compute.dask_address, compute.workers)
    run = ForecastRun(
        enterprise_id=uow.ctx.enterprise_id,
        status="completed",
        horizon_days=request.horizon_days,
        service_level=request.service_level,
        history_start=min(h.start for h in histories),
        history_end=max(h.end for h in histories),
        executor=how,
        series_count=len(histories),
        models=["auto", *CANDIDATES],
        messages=_messages(histories, outcomes),
    )
    uow.add(run)
    uow.flush()
    _store(uow, run, histories, outcomes, levels)
    run.seconds = round(time.perf_counter() - started, 3)
    uow.flush()
    return run


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
) -> None:
    service = levels.index(round(run.service_level, 6))
    rows = []
    for h, o in zip(histories, outcomes, strict=True):
        q = np.maximum.accumulate(np.asarray(o.quantiles, dtype=np.float64), axis=0)
        first = h.end + timedelta(days=1)
        for t in range(run.horizon_days):
            rows.append(
                {
                    "enterprise_id": run.enterprise_id,
                    "run_id": run.id,
                    "item_id": h.item_id,
                    "site_id": h.site_id,
                    "day": first + timedelta(days=t),
                    "p10": _q(q[levels.index(0.1), t]),
                    "p50": _q(q[levels.index(0.5), t]),
                    "p90": _q(q[levels.index(0.9), t]),
                    "p_service": _q(q[service, t]),
                    "model": o.model[:120],
                }
            )
    for i in range(0, len(rows), 5000):
        uow.session.execute(insert(ForecastValue), rows[i : i + 5000])


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
