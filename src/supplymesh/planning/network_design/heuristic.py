"""Primal side: price a set of open sites with a transportation LP, and improve the set.

With the sites fixed the CFLP is a transportation problem (an LP), so every candidate set the
Lagrangian proposes can be costed exactly; the cheapest one seeds the MIP (setSolution).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from supplymesh.planning.network_design.model import build_model, new_highs
from supplymesh.planning.network_design.problem import BoolArray, FacilityProblem, FloatArray

_FORBIDDEN = 1e30  # finite, so that a zero flow times a forbidden pair's cost stays zero


@dataclass(frozen=True, eq=False)
class Plan:
    """Open sites, flow shares and total cost of a feasible plan.

    `demand_duals` are the transportation LP's prices of the demand rows: as Lagrangian
    multipliers they give a cut that is tight at this choice of sites, which narrows the
    number of sites a better plan may open (branch.py).
    """

    open_sites: BoolArray
    flows: FloatArray
    cost: float
    demand_duals: FloatArray


@dataclass(eq=False)
class PlanPricer:
    """Costs site sets by LP, remembering each set it has seen."""

    problem: FacilityProblem
    threads: int = 1
    seen: dict[bytes, float] = field(default_factory=dict)
    priced: list[tuple[BoolArray, FloatArray | None]] = field(default_factory=list)
    best: Plan | None = None
    lp_seconds: float = 0.0

    def price(self, open_sites: BoolArray, deadline: float) -> Plan | None:
        """The cheapest plan with exactly these sites open, or None (infeasible, seen, no time)."""
        key = np.packbits(open_sites).tobytes()
        if key in self.seen:
            return None
        left = deadline - time.perf_counter()
        if left <= 0.05:
            return None
        began = time.perf_counter()
        sites = np.flatnonzero(open_sites).astype(np.int64)
        highs = new_highs(left, self.threads, 1)
        model = build_model(
            self.problem, sites, highs, link_all=False, integer=False, open_all=True
        )
        highs.run()
        self.lp_seconds += time.perf_counter() - began
        if highs.modelStatusToString(highs.getModelStatus()) != "Optimal":
            self.seen[key] = np.inf
            self.priced.append((open_sites.copy(), None))
            return None
        values = model.column_values()
        cost = float(highs.getInfo().objective_function_value)
        self.seen[key] = cost
        duals = np.asarray(highs.getSolution().row_dual[: self.problem.n_customers], dtype=float)
        plan = Plan(open_sites.copy(), model.flows(values), cost, duals)
        self.priced.append((plan.open_sites, duals))
        if self.best is None or cost < self.best.cost:
            self.best = plan
        return plan

    def has_seen(self, open_sites: BoolArray) -> bool:
        """True when this set of sites was priced (or found infeasible) before."""
        return np.packbits(open_sites).tobytes() in self.seen

    def close_idle(self, plan: Plan, deadline: float) -> Plan:
        """Drop sites the plan barely uses while that lowers the cost (first improvement)."""
        current = plan
        improved = True
        while improved and time.perf_counter() < deadline:
            improved = False
            load = current.flows @ self.problem.demands
            forced = self.problem.force_open
            for site in np.argsort(load):
                if not current.open_sites[site] or int(site) in forced:
                    continue
                trial = current.open_sites.copy()
                trial[site] = False
                if self.problem.capacities[trial].sum() < self.problem.demands.sum():
                    continue
                candidate = self.price(trial, deadline)
                if candidate is not None and candidate.cost < current.cost - 1e-9:
                    current = candidate
                    improved = True
                    break
        return current

    def swap_sites(self, plan: Plan, deadline: float, tries: int = 20) -> Plan:
        """Close one open site and open a closed one instead, while that lowers the cost.

        Each swap is priced exactly by the transportation LP (tens of milliseconds), so swaps
        are tried in the order of a cheap estimate: the change in cost if the new site took
        over exactly what the old one serves, capacities ignored. First improvement; a round
        gives up after `tries` LPs without one.
        """
        problem = self.problem
        cost = np.where(problem.allowed, problem.unit_costs, _FORBIDDEN)
        fixed = problem.fixed_costs
        may_open = problem.open_candidates()
        may_close = np.ones(problem.n_sites, dtype=bool)
        may_close[list(problem.force_open)] = False
        current = plan
        improved = True
        while improved and time.perf_counter() < deadline:
            improved = False
            opened = np.flatnonzero(current.open_sites & may_close)
            shut = np.flatnonzero(may_open & ~current.open_sites)
            if opened.size == 0 or shut.size == 0:
                break
            served = current.flows[opened]
            here = (cost[opened] * served).sum(axis=1) + fixed[opened]
            there = served @ cost[shut].T + fixed[shut][None, :]
            estimate = there - here[:, None]
            for flat in np.argsort(estimate, axis=None)[:tries]:
                old, new = divmod(int(flat), shut.size)
                trial = current.open_sites.copy()
                trial[opened[old]] = False
                trial[shut[new]] = True
                candidate = self.price(trial, deadline)
                if candidate is not None and candidate.cost < current.cost - 1e-9:
                    current = candidate
                    improved = True
                    break
        return current
