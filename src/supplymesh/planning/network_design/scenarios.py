"""Scenarios side by side: the same network solved under different assumptions.

A planner asks "what if we cap service distance at 300 km", "what if Wuhan must stay open",
"what if each customer has one DC": each is a variant of one problem, and the answer is a
table with one row per scenario, infeasible ones included with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from supplymesh.planning.network_design.params import FacilityParams
from supplymesh.planning.network_design.problem import FacilityProblem, InfeasibleProblem
from supplymesh.planning.network_design.solve import locate


@dataclass(frozen=True)
class ScenarioRow:
    """One scenario's outcome; costs are None when it has no feasible plan."""

    scenario: str
    status: str
    cost: float | None
    fixed_cost: float | None
    service_cost: float | None
    open_sites: tuple[str, ...]
    utilisation_pct: float | None
    cost_vs_first_pct: float | None
    reason: str = ""
    #: The plan itself, for maps: opened site indices and flows[i, j] (share of j served by i).
    open_indices: tuple[int, ...] = ()
    flows: np.ndarray | None = field(default=None, compare=False, repr=False)


def compare_scenarios(
    scenarios: Sequence[tuple[str, FacilityProblem]], params: FacilityParams | None = None
) -> list[ScenarioRow]:
    """Solve each named variant and tabulate; the first scenario is the baseline for deltas."""
    rows: list[ScenarioRow] = []
    baseline: float | None = None
    for index, (label, problem) in enumerate(scenarios):
        try:
            result = locate(problem, params)
        except InfeasibleProblem as exc:
            rows.append(
                ScenarioRow(label, "infeasible", None, None, None, (), None, None, str(exc))
            )
            continue
        if result.cost is None or result.flows is None:
            rows.append(ScenarioRow(label, result.status.value, None, None, None, (), None, None))
            continue
        if index == 0:
            baseline = result.cost
        opened = list(result.open_sites)
        capacity = float(problem.capacities[opened].sum())
        load = float((result.flows @ problem.demands).sum())
        delta = None if baseline is None else 100.0 * (result.cost - baseline) / baseline
        rows.append(
            ScenarioRow(
                scenario=label,
                status=result.status.value,
                cost=result.cost,
                fixed_cost=result.fixed_cost,
                service_cost=result.service_cost,
                open_sites=tuple(problem.site_names[i] for i in opened),
                utilisation_pct=100.0 * load / capacity if capacity > 0 else None,
                cost_vs_first_pct=delta,
                open_indices=tuple(opened),
                flows=result.flows,
            )
        )
    return rows


def distance_limited(
    problem: FacilityProblem, distances: np.ndarray, limit: float
) -> FacilityProblem:
    """The problem with assignments beyond `limit` forbidden (a service-level scenario)."""
    return replace(problem, distances=distances, max_service_distance=limit)
