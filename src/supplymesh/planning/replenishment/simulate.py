"""Play order-up-to targets through the JD benchmark's published simulator.

The rules (PROVENANCE §Protocol of the data folder) are kept with all their quirks, because
the reference table is computed with them: the order is the target minus *on-hand* stock
(not inventory position), is not clipped at zero, lands ``round(vlt)`` days after the review,
writes off any backlog when it lands; round 0's days before arrival are simulated but not
costed, later rounds' days before arrival are skipped (taken as the previous round's tail);
holding h = 1 and stockout b = 9 per unit-day of end-of-day stock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from supplymesh.planning.replenishment.jd import Decisions, FloatArray, IntArray, Outcomes

HOLDING_COST = 1
STOCKOUT_COST = 9
CRITICAL_RATIO = STOCKOUT_COST / (STOCKOUT_COST + HOLDING_COST)


@dataclass(frozen=True)
class CostSummary:
    """Means over pairs, as the benchmark publishes them."""

    total_cost: float
    holding_cost: float
    stockout_cost: float
    stockout_rate: float
    days_of_inventory: float
    pairs: int


@dataclass(frozen=True, eq=False)
class PairCosts:
    """Per-pair results of one policy, pairs in sorted order."""

    pairs: list[str]
    holding: IntArray
    stockout: IntArray
    costed_days: IntArray
    stockout_rate: FloatArray
    days_of_inventory: FloatArray

    @property
    def total(self) -> IntArray:
        """Holding plus stockout cost per pair."""
        return self.holding + self.stockout

    def summary(self) -> CostSummary:
        """Arithmetic means over pairs (pairs without a costed day count as zero)."""
        return CostSummary(
            total_cost=float(self.total.mean()),
            holding_cost=float(self.holding.mean()),
            stockout_cost=float(self.stockout.mean()),
            stockout_rate=float(self.stockout_rate.mean()),
            days_of_inventory=float(self.days_of_inventory.mean()),
            pairs=len(self.pairs),
        )


def play_pair(
    targets: list[float], lead_days: list[int], demand: list[list[int]], initial_stock: int
) -> list[int]:
    """End-of-day levels of the costed days of one pair, rounds in file order."""
    return _play(targets, lead_days, demand, initial_stock)[0]


def _play(
    targets: list[float], lead_days: list[int], demand: list[list[int]], initial_stock: int
) -> tuple[list[int], list[tuple[int, int]]]:
    """Costed levels, and per costed day (round, y) with level = round(S − ref) + ref − y.

    ``y`` is the demand the round's target has to cover on that day, net of what the simulator
    carries in: a day costs h·(S − y)⁺ + b·(y − S)⁺ up to rounding, which is what turns
    training on the cost into quantile regression at b/(b + h).
    """
    level = [initial_stock]
    costed: list[int] = []
    covered: list[tuple[int, int]] = []
    last = len(targets) - 1
    for r, (target, lead, days) in enumerate(zip(targets, lead_days, demand, strict=True)):
        horizon = len(days) - 1 if r < last else len(days)
        if r == 0:
            reference = initial_stock
        elif len(level) < lead + 1:
            reference = level[1]
        else:
            reference = level[len(level) - lead - 1]
        order = round(target - reference)  # half to even, as Python rounds
        need = 0
        for t in range(horizon):
            if t < lead:
                if r == 0:
                    level.append(level[-1] - days[t])
                continue
            if t == lead:
                x = max(level[-1], 0) + order - days[t]
                need = reference - max(level[-1], 0) + days[t]
            else:
                x = level[-1] - days[t]
                need += days[t]
            level.append(x)
            costed.append(x)
            covered.append((r, need))
    return costed, covered


def covered_demand(
    decisions: Decisions, outcomes: Outcomes, targets: FloatArray
) -> tuple[IntArray, IntArray]:
    """Training samples for cost learning: (round row, demand to cover) per costed day.

    Later rounds depend on the path earlier targets made, so ``targets`` says which
    targets to play for the other rounds (the hindsight ones, or a first model's).
    """
    rows: list[int] = []
    needs: list[int] = []
    for a, b in _pair_bounds(decisions):
        _, covered = _play(
            [float(t) for t in targets[a:b]],
            [int(v) for v in outcomes.lead_days[a:b]],
            [d.tolist() for d in outcomes.demand[a:b]],
            int(decisions.rounds["initial_stock"].iat[a]),
        )
        for r, need in covered:
            rows.append(a + r)
            needs.append(need)
    return np.asarray(rows, dtype=np.int64), np.asarray(needs, dtype=np.int64)


def _pair_bounds(decisions: Decisions) -> list[tuple[int, int]]:
    keys = decisions.rounds["sku_dc"].to_numpy()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def evaluate(decisions: Decisions, outcomes: Outcomes, targets: FloatArray) -> PairCosts:
    """Play one target per round (aligned with ``decisions``) and cost every pair."""
    if len(targets) != len(decisions.rounds):
        raise ValueError(f"{len(targets)} targets for {len(decisions.rounds)} rounds")
    if not np.isfinite(targets).all():
        raise ValueError("targets must be finite")
    rounds = decisions.rounds
    stock = rounds["initial_stock"].to_numpy(dtype=np.int64)
    mean_demand = rounds["demand_mean"].to_numpy(dtype=np.float64)
    bounds = _pair_bounds(decisions)
    holding, stockout, days, rate, doi = [], [], [], [], []
    for a, b in bounds:
        costed = play_pair(
            [float(t) for t in targets[a:b]],
            [int(v) for v in outcomes.lead_days[a:b]],
            [d.tolist() for d in outcomes.demand[a:b]],
            int(stock[a]),
        )
        x = np.asarray(costed, dtype=np.int64)
        holding.append(HOLDING_COST * int(np.maximum(x, 0).sum()))
        stockout.append(STOCKOUT_COST * int(np.maximum(-x, 0).sum()))
        days.append(len(x))
        rate.append(float((x <= 0).mean()) if len(x) else 0.0)
        on_hand = float(np.maximum(x, 0).mean()) if len(x) else 0.0
        doi.append(on_hand / mean_demand[a] if len(x) and mean_demand[a] > 0 else 0.0)
    return PairCosts(
        pairs=[str(rounds["sku_dc"].iat[a]) for a, _ in bounds],
        holding=np.asarray(holding, dtype=np.int64),
        stockout=np.asarray(stockout, dtype=np.int64),
        costed_days=np.asarray(days, dtype=np.int64),
        stockout_rate=np.asarray(rate, dtype=np.float64),
        days_of_inventory=np.asarray(doi, dtype=np.float64),
    )
