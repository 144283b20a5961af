"""Lagrangian relaxation of the demand rows: a bound, site values and candidate site sets.

Relaxing Σ_i x_ij = 1 with multipliers λ_j splits the CFLP into one continuous knapsack per
site (fill the site with the customers of most negative c_ij − λ_j per unit of demand) plus a
covering knapsack over y (Σ s_i y_i ≥ Σ d_j, kept so the bound does not drop sites the demand
needs). Its best bound is at least the strong LP bound (Geoffrion 1974; Cornuéjols, Sridharan
& Thizy 1991), reached at a fraction of the LP's cost, and the y it picks are good sites.
Multipliers follow subgradient steps with Polyak's step length (Held, Wolfe & Crowder 1974).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from supplymesh.planning.network_design.problem import BoolArray, FacilityProblem, FloatArray

_BIG = 1e30


@dataclass(frozen=True, eq=False)
class Relaxed:
    """One evaluation of the Lagrangian function at `multipliers`."""

    bound: float
    multipliers: FloatArray
    site_values: FloatArray
    weights: FloatArray
    open_sites: BoolArray
    shares: FloatArray


class Relaxation:
    """The Lagrangian function of one problem, evaluated on numpy arrays."""

    def __init__(self, problem: FacilityProblem) -> None:
        self.problem = problem
        cost = problem.unit_costs
        self.cost = np.where(np.isfinite(cost), cost, _BIG)
        self.demands = problem.demands
        self.capacities = problem.capacities
        self.fixed = problem.fixed_costs
        self.total_demand = float(problem.demands.sum())
        self.closed = ~problem.open_candidates()
        self.forced = np.zeros(problem.n_sites, dtype=bool)
        self.forced[list(problem.force_open)] = True

    def initial_multipliers(self) -> FloatArray:
        """Each customer's cheapest assignment cost: a start where every site looks neutral."""
        return np.asarray(self.cost.min(axis=0), dtype=np.float64)

    def evaluate(self, multipliers: FloatArray) -> Relaxed:
        """L(λ), the sites it opens and the shares each site takes."""
        values, shares = site_knapsacks(
            self.cost, self.demands, self.capacities, self.fixed, multipliers
        )
        weights, chosen = self.choose_sites(values)
        bound = float(multipliers.sum() + values @ weights)
        return Relaxed(bound, multipliers, values, weights, chosen, shares)

    def choose_sites(
        self, values: FloatArray, fix: tuple[int, bool] | None = None
    ) -> tuple[FloatArray, BoolArray]:
        """Cheapest y (fractional only where the covering knapsack needs it) and its rounding.

        With equal capacities among the free sites the covering knapsack is solved exactly;
        otherwise its LP relaxation keeps the bound valid. `fix` forces one site's decision.
        """
        weight = np.where(self.forced, 1.0, 0.0)
        free = ~(self.forced | self.closed)
        if fix is not None:
            site, is_open = fix
            free[site] = False
            weight[site] = 1.0 if is_open else 0.0
        weight[free & (values < 0.0)] = 1.0
        chosen = weight > 0.0
        missing = self.total_demand - float(self.capacities @ weight)
        rest = np.flatnonzero(free & ~chosen & (self.capacities > 0))
        if missing > 1e-9 and rest.size:
            caps = self.capacities[rest]
            if np.ptp(caps) == 0.0:
                count = min(rest.size, math.ceil(missing / caps[0] - 1e-9))
                pick = rest[np.argsort(values[rest], kind="stable")[:count]]
                weight[pick] = 1.0
                chosen[pick] = True
            else:
                for site in rest[np.argsort(values[rest] / caps, kind="stable")]:
                    share = min(1.0, missing / self.capacities[site])
                    weight[site] = share
                    chosen[site] = True
                    missing -= share * self.capacities[site]
                    if missing <= 1e-9:
                        break
        if missing > 1e-9 and not rest.size:
            weight[:] = np.inf  # no y covers the demand under this fixing: bound is +∞
        return weight, chosen

    def bound_with(self, relaxed: Relaxed, site: int, is_open: bool) -> float:
        """L(λ) at the same multipliers with one site's decision forced."""
        weights, _ = self.choose_sites(relaxed.site_values, (site, is_open))
        if np.isinf(weights).any():
            return math.inf
        return float(relaxed.multipliers.sum() + relaxed.site_values @ weights)


def site_knapsacks(
    cost: FloatArray,
    demands: FloatArray,
    capacities: FloatArray,
    fixed: FloatArray,
    multipliers: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Each site's value ρ_i(λ) (opening cost plus its best continuous knapsack) and shares.

    Rows of `cost`, `capacities` and `fixed` are the sites considered, so a caller that has
    settled most sites closed pays only for the rest.
    """
    reduced = cost - multipliers[None, :]
    order = np.argsort(reduced / demands[None, :], axis=1)
    sorted_reduced = np.take_along_axis(reduced, order, axis=1)
    sorted_demand = demands[order]
    negative = sorted_reduced < 0.0
    before = np.cumsum(sorted_demand * negative, axis=1) - sorted_demand
    room = (capacities[:, None] - before) / sorted_demand
    take = np.clip(room, 0.0, 1.0) * negative
    values = fixed + (sorted_reduced * take).sum(axis=1)
    shares = np.zeros_like(take)
    np.put_along_axis(shares, order, take, axis=1)
    return values, shares


def subgradient_step(
    relaxed: Relaxed, upper_bound: float, step_scale: float
) -> tuple[FloatArray, float]:
    """Next multipliers by a Polyak step towards `upper_bound`; also ‖g‖² (0: λ is optimal)."""
    served = relaxed.shares.T @ relaxed.weights
    gradient = 1.0 - served
    norm2 = float(gradient @ gradient)
    if norm2 <= 1e-12:
        return relaxed.multipliers, 0.0
    step = step_scale * max(upper_bound - relaxed.bound, 1e-9 * abs(upper_bound)) / norm2
    return relaxed.multipliers + step * gradient, norm2
