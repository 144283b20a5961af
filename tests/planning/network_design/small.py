"""A 3-site × 5-customer network small enough to check by hand, and optima by enumeration."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import linprog

from supplymesh.planning.network_design import FacilityProblem

# By hand: open sites 2 and 3 (fixed 170); site 2 takes customers 1, 5 and 18 of customer
# 2's 20 units (its capacity, 40), site 3 the other 2 units and customers 3, 4: cost
# 170 + (50 + 0.9·20 + 24) + (0.1·40 + 15 + 25) = 306. Single sourcing cannot split customer 2.
CAPACITIES = [60.0, 40.0, 45.0]
FIXED = [100.0, 80.0, 90.0]
DEMANDS = [10.0, 20.0, 15.0, 25.0, 12.0]
# Cost of serving all of customer j (column) from site i (row).
COSTS = [
    [20.0, 60.0, 45.0, 100.0, 36.0],
    [50.0, 20.0, 30.0, 75.0, 24.0],
    [80.0, 40.0, 15.0, 25.0, 48.0],
]
# Site–customer distances for the service-limit cases.
DISTANCES = [
    [2.0, 3.0, 3.0, 4.0, 3.0],
    [5.0, 1.0, 2.0, 3.0, 2.0],
    [8.0, 2.0, 1.0, 1.0, 4.0],
]


def small_problem(**changes: object) -> FacilityProblem:
    """The hand-sized instance, with any field replaced."""
    fields: dict[str, object] = {
        "name": "small",
        "capacities": np.array(CAPACITIES),
        "fixed_costs": np.array(FIXED),
        "demands": np.array(DEMANDS),
        "assignment_cost": np.array(COSTS),
        "distances": np.array(DISTANCES),
    }
    fields.update(changes)
    return FacilityProblem(**fields)  # type: ignore[arg-type]


def enumerate_split_optimum(problem: FacilityProblem) -> float:
    """Cheapest plan over every set of open sites, each priced by its transportation LP."""
    return min(enumerate_site_sets(problem).values(), default=np.inf)


def enumerate_site_sets(problem: FacilityProblem) -> dict[tuple[bool, ...], float]:
    """The cost of every feasible set of open sites (fixed costs plus its transportation LP)."""
    m, n = problem.n_sites, problem.n_customers
    cost = np.where(problem.allowed, problem.unit_costs, 0.0)
    costs: dict[tuple[bool, ...], float] = {}
    for pattern in itertools.product((0, 1), repeat=m):
        opened = np.array(pattern, dtype=bool)
        if any(opened[i] for i in problem.force_closed) or not all(
            opened[i] for i in problem.force_open
        ):
            continue
        bounds = [
            (0.0, 1.0 if opened[i] and problem.allowed[i, j] else 0.0)
            for i in range(m)
            for j in range(n)
        ]
        a_eq = np.zeros((n, m * n))
        a_ub = np.zeros((m, m * n))
        for i in range(m):
            for j in range(n):
                a_eq[j, i * n + j] = 1.0
                a_ub[i, i * n + j] = problem.demands[j]
        lp = linprog(
            cost.ravel(),
            A_ub=a_ub,
            b_ub=problem.capacities,
            A_eq=a_eq,
            b_eq=np.ones(n),
            bounds=bounds,
            method="highs",
        )
        if lp.status == 0:
            costs[tuple(bool(v) for v in opened)] = float(problem.fixed_costs @ opened + lp.fun)
    return costs


def enumerate_single_source_optimum(problem: FacilityProblem) -> float:
    """Cheapest assignment of each customer to one site, by trying all m^n of them."""
    best = np.inf
    for choice in itertools.product(range(problem.n_sites), repeat=problem.n_customers):
        load = np.zeros(problem.n_sites)
        total = 0.0
        for j, i in enumerate(choice):
            if not problem.allowed[i, j] or i in problem.force_closed:
                break
            load[i] += problem.demands[j]
            total += problem.assignment_cost[i, j]
        else:
            if (load <= problem.capacities).all():
                opened = load > 0
                opened[list(problem.force_open)] = True
                best = min(best, total + float(problem.fixed_costs @ opened))
    return best
