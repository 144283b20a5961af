"""Replenishment runs: tune a policy per item × site, then propose the orders it places.

From the inventory position (on hand − allocated + on order, at the site) the chosen policy
is played forward over the forecast's median; every order it would place inside the
forecast horizon becomes a proposal with its lane, supplier, quantity (MOQ and pack
multiples applied), order date and need date (order date + mean lead time). A new run
dismisses the previous run's untouched proposals for the same item × site; edited ones stay.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import func, select

from supplymesh.inventory.model import StockPosition, StockStatus
from supplymesh.network.model import Item, ItemUnit, Lane, Site
from supplymesh.planning.replenishment.policies import OrderRules
from supplymesh.platform.types import QUANTITY_PLACES, plain
from supplymesh.platform.uow import UnitOfWork
from supplymesh.replan import executor
from supplymesh.replan.forecasting import Compute, get_run, latest_run, values_of
from supplymesh.replan.model import (
    ForecastRun,
    ProposalState,
    ReplanError,
    ReplenishmentProposal,
)
from supplymesh.replan.series import History, load_histories
from supplymesh.replan.tune_task import TuneOutcome, TuneTask, tune_tasks

PLACES = Decimal("0.000001")
PACK_UNITS = ("CASE", "BOX", "REEL", "CTN")
HISTORY_DAYS = 365
T = TypeVar("T")  # what policies are tuned on: a year of daily demand


@dataclass(frozen=True)
class OrderRule:
    """Supplier terms for an item (at one site, or every site when `site_code` is None)."""

    item_code: str
    moq: Decimal = Decimal(0)
    pack_size: Decimal = Decimal(1)
    site_code: str | None = None


@dataclass(frozen=True)
class ReplenishRequest:
    """How to choose policies: a target fill rate or least holding + stockout cost."""

    forecast_run_id: int | None = None
    target_fill_rate: float | None = 0.95
    holding_cost: float = 1.0
    stockout_cost: float = 9.0
    review_period_days: int = 7
    rules: tuple[OrderRule, ...] = ()
    paths: int = 60
    simulation_days: int = 120

    def __post_init__(self) -> None:
        if self.target_fill_rate is not None and not 0.5 <= self.target_fill_rate < 1:
            raise ReplanError(f"target_fill_rate must be in [0.5, 1), got {self.target_fill_rate}")
        if self.holding_cost <= 0 or self.stockout_cost <= 0:
            raise ReplanError("holding_cost and stockout_cost must be > 0")
        if not 1 <= self.review_period_days <= 90:
            raise ReplanError(f"review_period_days must be 1-90, got {self.review_period_days}")
        if not 10 <= self.paths <= 1000 or not 30 <= self.simulation_days <= 730:
            raise ReplanError("paths must be 10-1000 and simulation_days 30-730")
        for r in self.rules:
            if r.moq < 0 or r.pack_size <= 0:
                raise ReplanError(f"item {r.item_code}: moq must be >= 0 and pack_size > 0")


@dataclass
class ReplenishResult:
    """The proposals made, and the series that got none, with why."""

    run: ForecastRun
    proposals: list[ReplenishmentProposal] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Series:
    history: History
    lane: Lane
    item: Item
    site: Site
    rule: OrderRule
    position: Decimal
    demand: np.ndarray  # forecast median per day
    start: date


def run_replenishment(
    uow: UnitOfWork, request: ReplenishRequest, compute: Compute | None = None
) -> ReplenishResult:
    """Propose orders for every series of the forecast run (the caller commits)."""
    compute = compute or Compute()
    run = (
        get_run(uow, request.forecast_run_id)
        if request.forecast_run_id is not None
        else latest_run(uow)
    )
    if run is None:
        raise ReplanError("no forecast run yet: run a forecast first")
    result = ReplenishResult(run)
    series = _gather(uow, run, request, result.skipped)
    tasks = [_task(s, request) for s in series]
    outcomes = executor.run_chunks(tune_tasks, tasks, compute.dask_address, compute.workers)
    _dismiss_untouched(uow, {(s.item.id, s.site.id) for s in series})
    for s, o in zip(series, outcomes, strict=True):
        result.proposals.extend(_propose(uow, run, s, o, request))
    uow.flush()
    return result


def _gather(
    uow: UnitOfWork, run: ForecastRun, request: ReplenishRequest, skipped: list[str]
) -> list[_Series]:
    values = values_of(uow, run)
    loaded = load_histories(uow, history_days=HISTORY_DAYS, pairs=set(values))
    histories = {(h.item_id, h.site_id): h for h in loaded}
    lanes = inbound_lanes(uow, {site for _, site in values})
    positions = _positions(uow)
    items = _by_id(uow, Item, {i for i, _ in values})
    sites = _by_id(uow, Site, {s for _, s in values})
    packs = _packs(uow, set(items))
    out = []
    for (item_id, site_id), rows in sorted(values.items()):
        item = items.get(item_id)
        site = sites.get(site_id)
        history = histories.get((item_id, site_id))
        if item is None or site is None or history is None:
            skipped.append(f"series {item_id}@{site_id}: item, site or history no longer visible")
            continue
        label = f"{item.sku}@{site.code}"
        lane = lanes.get(site_id)
        if lane is None:
            skipped.append(f"series {label}: no lane supplies site {site.code}")
            continue
        out.append(
            _Series(
                history,
                lane,
                item,
                site,
                _rule(request, item, site, packs),
                positions.get((item_id, site_id), Decimal(0)),
                np.array([float(v.p50) for v in rows]),
                rows[0].day,
            )
        )
    return out


def inbound_lanes(uow: UnitOfWork, site_ids: set[int]) -> dict[int, Lane]:
    """Per site, the visible inbound lane with the shortest mean lead time."""
    best: dict[int, Lane] = {}
    for lane in uow.session.scalars(
        select(Lane).where(Lane.to_site_id.in_(site_ids)).order_by(Lane.id)
    ):
        have = best.get(lane.to_site_id)
        if have is None or lane.lead_time_mean_days < have.lead_time_mean_days:
            best[lane.to_site_id] = lane
    return best


def _positions(uow: UnitOfWork) -> dict[tuple[int, int], Decimal]:
    """Inventory position per (item, site): available on hand − allocated + on order."""
    return {key: on_hand + on_order for key, (on_hand, on_order) in stock_by_series(uow).items()}


def stock_by_series(uow: UnitOfWork) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    """(free on hand, on order) per (item, site) of the caller's available stock."""
    query = (
        select(
            StockPosition.item_id,
            StockPosition.site_id,
            func.sum(StockPosition.on_hand),
            func.sum(StockPosition.allocated),
            func.sum(StockPosition.on_order),
        )
        .where(
            StockPosition.enterprise_id == uow.ctx.enterprise_id,
            StockPosition.status == StockStatus.AVAILABLE.value,
        )
        .group_by(StockPosition.item_id, StockPosition.site_id)
    )
    out: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
    for item_id, site_id, on_hand, allocated, on_order in uow.session.execute(query):
        free = _summed(on_hand) - _summed(allocated)
        out[(item_id, site_id)] = (free, _summed(on_order))
    return out


def _summed(value: object) -> Decimal:
    """A summed quantity column: typed on some backends, the raw scaled integer on others."""
    if isinstance(value, Decimal):
        return value
    return Decimal(int(value or 0)).scaleb(-QUANTITY_PLACES)  # type: ignore[call-overload]


def _by_id(uow: UnitOfWork, model: type[T], ids: set[int]) -> dict[int, T]:
    """Visible rows by id, in one query (a run holds thousands of series)."""
    column: Any = model.id  # type: ignore[attr-defined]
    return {r.id: r for r in uow.session.scalars(select(model).where(column.in_(ids)))}  # type: ignore[attr-defined]


def _packs(uow: UnitOfWork, item_ids: set[int]) -> dict[int, Decimal]:
    """Per item its smallest pack unit (case, box...) in base units, in one query."""
    out: dict[int, Decimal] = {}
    query = select(ItemUnit.item_id, ItemUnit.base_quantity).where(
        ItemUnit.item_id.in_(item_ids), ItemUnit.unit.in_(PACK_UNITS)
    )
    for item_id, qty in uow.session.execute(query):
        if item_id not in out or qty < out[item_id]:
            out[item_id] = qty
    return out


def _rule(
    request: ReplenishRequest, item: Item, site: Site, packs: dict[int, Decimal]
) -> OrderRule:
    """The request's rule for the item at the site, else its case size as the pack."""
    for r in request.rules:
        if r.item_code == item.sku and r.site_code in (None, site.code):
            return r
    return OrderRule(item.sku, Decimal(0), packs.get(item.id) or Decimal(1), None)


def _task(s: _Series, request: ReplenishRequest) -> TuneTask:
    return TuneTask(
        key=f"{s.item.id}:{s.site.id}",
        history=s.history.values,
        lead_time_mean=float(s.lane.lead_time_mean_days),
        lead_time_std=float(s.lane.lead_time_std_days),
        moq=float(s.rule.moq),
        pack_size=float(s.rule.pack_size),
        shelf_life_days=s.item.shelf_life_days,
        target_fill_rate=request.target_fill_rate,
        holding_cost=request.holding_cost,
        stockout_cost=request.stockout_cost,
        review_period_days=request.review_period_days,
        paths=request.paths,
        horizon_days=request.simulation_days,
    )


def _dismiss_untouched(uow: UnitOfWork, pairs: set[tuple[int, int]]) -> None:
    for p in uow.session.scalars(
        select(ReplenishmentProposal).where(
            ReplenishmentProposal.state == ProposalState.PROPOSED.value
        )
    ):
        if (p.item_id, p.site_id) in pairs:
            p.transition(ProposalState.DISMISSED)


def _dec(x: float) -> Decimal:
    return plain(Decimal(repr(round(float(x), 6))).quantize(PLACES))


def planned_orders(
    position: float, demand: np.ndarray, outcome: TuneOutcome, rules: OrderRules
) -> list[tuple[int, float, float]]:
    """(day, quantity, position before ordering) of each order the policy places."""
    orders = []
    for t, d in enumerate(demand):
        if t % outcome.review_period_days == 0 and position <= outcome.reorder_point:
            q = float(rules.apply(np.array([outcome.order_up_to - position]))[0])
            if q > 0:
                orders.append((t, q, position))
                position += q
        position -= float(d)
    return orders


def _propose(
    uow: UnitOfWork,
    run: ForecastRun,
    s: _Series,
    o: TuneOutcome,
    request: ReplenishRequest,
) -> list[ReplenishmentProposal]:
    rules = OrderRules(float(s.rule.moq), float(s.rule.pack_size))
    lead_days = math.ceil(float(s.lane.lead_time_mean_days))
    from_site = uow.session.get(Site, s.lane.from_site_id)
    supplier = from_site.enterprise_id if from_site is not None else s.lane.partner_enterprise_id
    out = []
    for day, qty, position in planned_orders(float(s.position), s.demand, o, rules):
        order_date = s.start + timedelta(days=day)
        reason = (
            f"{o.family} s={o.reorder_point:.1f} S={o.order_up_to:.1f} R={o.review_period_days}: "
            f"position {position:.1f} ≤ s on {order_date.isoformat()}; simulated fill rate "
            f"{o.fill_rate:.1%} over {request.paths} paths; lead time "
            f"{s.lane.lead_time_mean_days}±{s.lane.lead_time_std_days} d"
        )
        p = ReplenishmentProposal(
            enterprise_id=uow.ctx.enterprise_id,
            forecast_run_id=run.id,
            item_id=s.item.id,
            site_id=s.site.id,
            lane_id=s.lane.id,
            supplier_enterprise_id=supplier,
            from_site_id=s.lane.from_site_id,
            quantity=_dec(qty),
            order_date=order_date,
            need_date=order_date + timedelta(days=lead_days),
            policy=o.family,
            reorder_point=_dec(o.reorder_point),
            order_up_to=_dec(o.order_up_to),
            review_period_days=o.review_period_days,
            moq=s.rule.moq,
            pack_size=s.rule.pack_size,
            simulated_fill_rate=round(o.fill_rate, 6),
            reason=reason[:500],
            state=ProposalState.PROPOSED.value,
        )
        uow.add(p)
        out.append(p)
    return out


def open_counts(uow: UnitOfWork) -> dict[str, int]:
    """Proposals per state (for the pages' summary)."""
    counts: dict[str, int] = defaultdict(int)
    for state, n in uow.session.execute(
        select(ReplenishmentProposal.state, func.count()).group_by(ReplenishmentProposal.state)
    ):
        counts[state] = n
    return dict(counts)
