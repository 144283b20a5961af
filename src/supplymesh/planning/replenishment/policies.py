"""Generic inventory policies, a vectorised simulator, and simulation-based parameter search.

One parametrisation covers the classic families: at every review (each ``review_period_days``)
order up to S when the inventory position is at or below s. Base stock is (s = S, R = 1),
(R, S) is (s = S, R), (s, S) is (s, S, R = 1), and min-max is (s = min, S = max, R). Orders
are rounded to the supplier's MOQ and pack size; lead times are random per order; stock can
carry a shelf life (first-expiring first out, the expired part written off). The simulator
runs many demand paths and many candidate (s, S) pairs at once as rows of one array, which is
what lets the parameters be chosen by simulating a demand history, not only by formula.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats  # type: ignore[import-untyped]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class OrderRules:
    """Supplier rules an order quantity must meet: minimum order and pack multiple (units)."""

    moq: float = 0.0
    pack_size: float = 1.0

    def __post_init__(self) -> None:
        if self.moq < 0 or self.pack_size <= 0:
            raise ValueError(f"moq must be ≥ 0 and pack_size > 0, got {self.moq}, {self.pack_size}")

    def apply(self, wanted: FloatArray) -> FloatArray:
        """Round positive wants up to the MOQ, then up to whole packs; others become 0."""
        q = np.where(wanted > 1e-9, np.maximum(wanted, self.moq), 0.0)
        return np.asarray(np.ceil(q / self.pack_size - 1e-9) * self.pack_size, dtype=np.float64)


@dataclass(frozen=True)
class Policy:
    """Order up to ``order_up_to`` when the position is ≤ ``reorder_point``, every R days."""

    reorder_point: float
    order_up_to: float
    review_period_days: int = 1

    def __post_init__(self) -> None:
        if self.review_period_days < 1:
            raise ValueError(f"review_period_days must be ≥ 1, got {self.review_period_days}")
        if self.order_up_to < self.reorder_point:
            raise ValueError(f"order_up_to {self.order_up_to} < reorder_point {self.reorder_point}")

    @classmethod
    def base_stock(cls, level: float) -> Policy:
        """Continuous review: replace every unit sold."""
        return cls(level, level, 1)

    @classmethod
    def periodic(cls, review_period_days: int, level: float) -> Policy:
        """(R, S): every R days order up to S."""
        return cls(level, level, review_period_days)

    @classmethod
    def min_max(cls, minimum: float, maximum: float, review_period_days: int = 1) -> Policy:
        """(s, S) with R = 1, or min-max with periodic review."""
        return cls(minimum, maximum, review_period_days)


@dataclass(frozen=True)
class Costs:
    """Holding per unit-day on hand; stockout per unit-day backordered (or per unit lost)."""

    holding: float = 1.0
    stockout: float = 9.0
    lost_sales: bool = False


@dataclass(frozen=True, eq=False)
class SimulationStats:
    """Per-row (path × candidate) results, averaged per day of the horizon where costs."""

    cost_per_day: FloatArray
    holding_per_day: FloatArray
    stockout_per_day: FloatArray
    fill_rate: FloatArray
    expired_units: FloatArray
    orders: IntArray


def simulate(
    demand: FloatArray,
    lead_days: IntArray,
    reorder_point: FloatArray,
    order_up_to: FloatArray,
    review_period_days: int = 1,
    rules: OrderRules | None = None,
    costs: Costs | None = None,
    shelf_life_days: int | None = None,
    initial_stock: FloatArray | None = None,
) -> SimulationStats:
    """Run every row's policy over its demand path.

    Parameters
    ----------
    demand, lead_days
        ``(rows, days)``: units demanded each day, and the lead time (days) an order placed
        that day would take. An order placed at the end of day t is usable on day t + L + 1;
        L = 0 means next morning.
    reorder_point, order_up_to
        ``(rows,)`` policy parameters in units of inventory position.
    shelf_life_days
        Days a unit stays sellable after arrival (None: forever).
    initial_stock
        ``(rows,)`` units on hand on day 0, all fresh (default: ``order_up_to``).
    """
    rules = rules or OrderRules()
    costs = costs or Costs()
    rows, days = demand.shape
    life = shelf_life_days or 1
    buckets = np.zeros((rows, life))  # column a: units with a + 1 days of life left
    buckets[:, -1] = order_up_to if initial_stock is None else initial_stock
    backlog = np.zeros(rows)
    arrivals = np.zeros((rows, days + int(lead_days.max(initial=0)) + 2))
    on_order = np.zeros(rows)  # = arrivals[:, t + 1:].sum(axis=1), kept as a running total
    holding = np.zeros(rows)
    short_cost = np.zeros(rows)
    short_units = np.zeros(rows)
    expired = np.zeros(rows)
    orders = np.zeros(rows, dtype=np.int64)
    index = np.arange(rows)
    for t in range(days):
        buckets[:, -1] += arrivals[:, t]
        on_order -= arrivals[:, t]
        served_backlog = np.minimum(backlog, buckets.sum(axis=1))
        _consume(buckets, served_backlog)
        backlog -= served_backlog
        on_hand = buckets.sum(axis=1)
        sold = np.minimum(demand[:, t], on_hand)
        _consume(buckets, sold)
        unmet = demand[:, t] - sold
        short_units += unmet
        if costs.lost_sales:
            short_cost += costs.stockout * unmet
        else:
            backlog += unmet
            short_cost += costs.stockout * backlog
        if shelf_life_days is not None:
            expired += buckets[:, 0]
            buckets[:, :-1] = buckets[:, 1:]
            buckets[:, -1] = 0.0
        holding += costs.holding * buckets.sum(axis=1)
        if t % review_period_days == 0:
            position = buckets.sum(axis=1) + on_order - backlog
            wanted = np.where(position <= reorder_point, order_up_to - position, 0.0)
            q = rules.apply(wanted)
            arrivals[index, t + 1 + lead_days[:, t]] += q
            on_order += q
            orders += q > 0
    total_demand = np.maximum(demand.sum(axis=1), 1e-12)
    return SimulationStats(
        cost_per_day=(holding + short_cost) / days,
        holding_per_day=holding / days,
        stockout_per_day=short_cost / days,
        fill_rate=1.0 - short_units / total_demand,
        expired_units=expired,
        orders=orders,
    )


def _consume(buckets: FloatArray, amount: FloatArray) -> None:
    """Take ``amount`` per row from the buckets, earliest-expiring first, in place."""
    taken = np.minimum(np.cumsum(buckets, axis=1), amount[:, None])
    buckets -= np.diff(taken, axis=1, prepend=0.0)


@dataclass(frozen=True)
class TunedPolicy:
    """The chosen policy, its simulated statistics (means over paths), and the formula start."""

    policy: Policy
    cost_per_day: float
    fill_rate: float
    expired_per_day: float
    formula_level: float


def tune(
    history: FloatArray,
    lead_time_mean: float,
    lead_time_std: float = 0.0,
    review_period_days: int = 1,
    *,
    target_fill_rate: float | None = None,
    costs: Costs | None = None,
    rules: OrderRules | None = None,
    shelf_life_days: int | None = None,
    with_reorder_gap: bool = False,
    horizon_days: int = 180,
    paths: int = 100,
    seed: int = 1,
) -> TunedPolicy:
    """Choose (s, S) by simulating bootstrapped demand paths from ``history``.

    With ``target_fill_rate`` the cheapest candidate whose mean fill rate reaches it wins;
    otherwise the one with the least holding + stockout cost. Candidates are levels around
    the normal-approximation base stock over R + L (with lead-time variance); with
    ``with_reorder_gap`` S − s also varies (an (s, S) / min-max search), else s = S.
    """
    if history.ndim != 1 or len(history) < 7 or (history < 0).any():
        raise ValueError("history must be ≥ 7 non-negative daily values")
    costs = costs or Costs()
    rng = np.random.default_rng(seed)
    mu, sigma = float(history.mean()), float(history.std(ddof=1))
    cover = review_period_days + lead_time_mean
    spread = float(np.sqrt(cover * sigma**2 + mu**2 * lead_time_std**2)) or max(mu, 1.0)
    ratio = target_fill_rate or costs.stockout / (costs.stockout + costs.holding)
    formula = mu * (cover + 1) + float(stats.norm.ppf(min(ratio, 0.999))) * spread
    levels = mu * (cover + 1) + np.linspace(-1.0, 4.0, 26) * spread
    gaps = mu * np.array([0.0, 2.0, 5.0, 10.0]) if with_reorder_gap else np.array([0.0])
    s_grid = np.repeat(levels, len(gaps))
    big_s = s_grid + np.tile(gaps, len(levels))
    n = len(s_grid)
    demand = rng.choice(history, size=(paths, horizon_days))
    lead = np.rint(rng.normal(lead_time_mean, lead_time_std, size=(paths, horizon_days)))
    lead = np.maximum(lead, 0).astype(np.int64)
    result = simulate(
        np.repeat(demand, n, axis=0),
        np.repeat(lead, n, axis=0),
        np.tile(s_grid, paths),
        np.tile(big_s, paths),
        review_period_days,
        rules,
        costs,
        shelf_life_days,
    )
    cost = result.cost_per_day.reshape(paths, n).mean(axis=0)
    fill = result.fill_rate.reshape(paths, n).mean(axis=0)
    expired = result.expired_units.reshape(paths, n).mean(axis=0) / horizon_days
    if target_fill_rate is not None:
        holding = result.holding_per_day.reshape(paths, n).mean(axis=0)
        ok = np.flatnonzero(fill >= target_fill_rate)
        best = int(ok[np.argmin(holding[ok])]) if len(ok) else int(np.argmax(fill))
    else:
        best = int(np.argmin(cost))
    return TunedPolicy(
        Policy(float(s_grid[best]), float(big_s[best]), review_period_days),
        float(cost[best]),
        float(fill[best]),
        float(expired[best]),
        formula,
    )
