"""The per-series work of a replenishment run: pick a policy family and its levels.

Each family (base stock, (s, S), (R, S), min-max) is tuned by the engine's simulation over
demand paths bootstrapped from the series' history, with the lane's lead-time distribution,
the supplier's MOQ and pack size and the item's shelf life; the family that meets the target
fill rate at the least holding + stockout cost (or simply costs least) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from supplymesh.planning.replenishment.policies import Costs, OrderRules, TunedPolicy, tune

FAMILIES = ("base_stock", "s_S", "R_S", "min_max")


@dataclass(frozen=True)
class TuneTask:
    """One item × site to tune; `target_fill_rate` None means: least cost."""

    key: str
    history: np.ndarray
    lead_time_mean: float
    lead_time_std: float
    moq: float
    pack_size: float
    shelf_life_days: int | None
    target_fill_rate: float | None
    holding_cost: float
    stockout_cost: float
    review_period_days: int
    paths: int
    horizon_days: int
    seed: int = 1


@dataclass(frozen=True)
class TuneOutcome:
    """The chosen family and its simulated figures."""

    key: str
    family: str
    reorder_point: float
    order_up_to: float
    review_period_days: int
    fill_rate: float
    cost_per_day: float


def tune_tasks(tasks: list[TuneTask]) -> list[TuneOutcome]:
    """Tune every task in this process (the unit a worker runs)."""
    return [_one(t) for t in tasks]


def _one(task: TuneTask) -> TuneOutcome:
    history = task.history if task.history.size >= 7 else np.resize(task.history, 7)
    rules = OrderRules(task.moq, task.pack_size)
    costs = Costs(task.holding_cost, task.stockout_cost)
    # Stock is always fresh on arrival, so a shelf life longer than the simulated horizon
    # can never bite there; dropping it keeps the simulator's per-day-of-life buckets off.
    life = task.shelf_life_days
    shelf_life = life if life is not None and life <= task.horizon_days else None
    tried: list[tuple[str, TunedPolicy]] = []
    for family in FAMILIES:
        review = task.review_period_days if family in ("R_S", "min_max") else 1
        tried.append(
            (
                family,
                tune(
                    history,
                    task.lead_time_mean,
                    task.lead_time_std,
                    review,
                    target_fill_rate=task.target_fill_rate,
                    costs=costs,
                    rules=rules,
                    shelf_life_days=shelf_life,
                    with_reorder_gap=family in ("s_S", "min_max"),
                    horizon_days=task.horizon_days,
                    paths=task.paths,
                    seed=task.seed,
                ),
            )
        )
    target = task.target_fill_rate
    meeting = [t for t in tried if target is None or t[1].fill_rate >= target]
    if meeting:
        family, best = min(meeting, key=lambda t: t[1].cost_per_day)
    else:
        family, best = max(tried, key=lambda t: t[1].fill_rate)
    p = best.policy
    return TuneOutcome(
        task.key,
        family,
        p.reorder_point,
        p.order_up_to,
        p.review_period_days,
        best.fill_rate,
        best.cost_per_day,
    )
