"""An independent check of a plan against every constraint, and its cost recomputed."""

from __future__ import annotations

import numpy as np

from supplymesh.planning.network_design.problem import BoolArray, FacilityProblem, FloatArray


def plan_cost(problem: FacilityProblem, open_sites: BoolArray, flows: FloatArray) -> float:
    """Fixed costs of the open sites plus the cost of the flows (handling included)."""
    cost = np.where(problem.allowed, problem.unit_costs, 0.0)
    return float(problem.fixed_costs @ open_sites + (cost * flows).sum())


def check_plan(
    problem: FacilityProblem, open_sites: BoolArray, flows: FloatArray, tol: float = 1e-6
) -> list[str]:
    """Every broken rule of the plan, as messages naming the record; empty when feasible."""
    problems: list[str] = []
    sites, customers = problem.site_names, problem.customer_names
    if flows.shape != (problem.n_sites, problem.n_customers):
        return [f"flows have shape {flows.shape}"]
    if (flows < -tol).any() or (flows > 1 + tol).any():
        i, j = np.argwhere((flows < -tol) | (flows > 1 + tol))[0]
        problems.append(f"share {flows[i, j]:g} of {customers[j]} at {sites[i]} is outside [0, 1]")
    served = flows.sum(axis=0)
    for j in np.flatnonzero(np.abs(served - 1.0) > tol):
        problems.append(f"{customers[j]} is served {served[j]:.6g} times its demand")
    used = np.abs(flows) > tol
    for i, j in np.argwhere(used & ~problem.allowed):
        problems.append(f"{customers[j]} is served by {sites[i]}, which it may not use")
    for i in np.flatnonzero(used.any(axis=1) & ~open_sites):
        problems.append(f"{sites[i]} serves customers but is closed")
    load = flows @ problem.demands
    for i in np.flatnonzero(load > problem.capacities * (1 + tol) + tol):
        problems.append(f"{sites[i]} handles {load[i]:g} units, capacity {problem.capacities[i]:g}")
    for i in sorted(problem.force_open):
        if not open_sites[i]:
            problems.append(f"{sites[i]} must be open")
    for i in sorted(problem.force_closed):
        if open_sites[i]:
            problems.append(f"{sites[i]} must stay closed")
    if problem.single_sourcing:
        for j in np.flatnonzero(used.sum(axis=0) > 1):
            problems.append(f"{customers[j]} is split across sites under single sourcing")
    return problems
