"""Solve a CFLP: the strong MILP for small or single-sourcing cases; for large ones a
Lagrangian bound and heuristic, site fixing, and a Lagrangian branch-and-bound over the rest.

Large split-demand instances (100 sites × 1000 customers) choke a MILP that starts from all
100 000 linking rows: its root LP alone outlasts a minute here. The Lagrangian dual
(lagrangian.py) reaches the same bound in seconds and proposes site sets that the
transportation LP prices (heuristic.py); its bound with one site's decision flipped settles
most sites (Lagrangian probing, as in Beasley 1988); the remaining choice is branched on with
the multipliers re-optimised at every node (branch.py), which ends either with a proof or, at
the time limit, with the best plan and a valid bound.
"""

from __future__ import annotations

import time

import numpy as np

from supplymesh.planning.network_design.branch import BranchAndBound, SiteCover, open_count_range
from supplymesh.planning.network_design.heuristic import Plan, PlanPricer
from supplymesh.planning.network_design.lagrangian import Relaxation, Relaxed, subgradient_step
from supplymesh.planning.network_design.model import build_model, new_highs
from supplymesh.planning.network_design.params import FacilityParams
from supplymesh.planning.network_design.problem import FacilityProblem
from supplymesh.planning.network_design.result import FacilityResult, FacilityStatus

PRICE_EVERY = 10


def locate(problem: FacilityProblem, params: FacilityParams | None = None) -> FacilityResult:
    """Open sites and assign customers at least cost within the time limit.

    Raises :class:`~supplymesh.planning.network_design.problem.InfeasibleProblem` naming the record
    no plan can satisfy (a customer out of every site's reach, demand above capacity).
    """
    params = params or FacilityParams()
    began = time.perf_counter()
    problem.check_feasible()
    candidates = np.flatnonzero(problem.open_candidates()).astype(np.int64)
    small = int(problem.allowed[candidates].sum()) <= params.decompose_above_pairs
    if params.method != "auto" or small or problem.single_sourcing:
        strong = params.method != "plain"
        return _milp(problem, candidates, params, began, link_all=strong, aggregate=strong)
    return _decompose(problem, candidates, params, began)


def _milp(
    problem: FacilityProblem,
    sites: np.ndarray,
    params: FacilityParams,
    began: float,
    *,
    link_all: bool,
    aggregate: bool,
    start: Plan | None = None,
    known_bound: float = -np.inf,
    stages: tuple[tuple[str, float | None], ...] = (),
) -> FacilityResult:
    deadline = began + params.time_limit_s
    highs = new_highs(deadline - time.perf_counter(), params.threads, params.seed)
    highs.setOptionValue("mip_rel_gap", params.mip_rel_gap)
    model = build_model(problem, sites, highs, link_all=link_all, aggregate=aggregate)
    if start is not None:
        model.start_from(start.open_sites, start.flows)
    milp_began = time.perf_counter()
    highs.run()
    info = highs.getInfo()
    stages = (*stages, ("milp", round(time.perf_counter() - milp_began, 3)))
    status_text = highs.modelStatusToString(highs.getModelStatus())
    has_solution = info.primal_solution_status == 2
    open_sites: np.ndarray | None = None
    flows: np.ndarray | None = None
    if has_solution:
        values = model.column_values()
        open_sites = np.zeros(problem.n_sites, dtype=bool)
        open_sites[sites] = values[: model.n_y] > 0.5
        flows = model.flows(values)
        if problem.single_sourcing:
            flows = (flows > 0.5).astype(np.float64)
        cost = float(info.objective_function_value)
        if start is not None and start.cost < cost:
            open_sites, flows, cost = start.open_sites, start.flows, start.cost
    elif start is not None:
        open_sites, flows, cost = start.open_sites, start.flows, start.cost
    if open_sites is None or flows is None:
        return FacilityResult(
            problem.name,
            (),
            None,
            None,
            None,
            None,
            known_bound,
            FacilityStatus.UNKNOWN,
            time.perf_counter() - began,
            stages,
        )
    dual = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else -np.inf
    bound = max(known_bound, min(dual, cost))
    if status_text == "Optimal":
        bound = max(bound, cost * (1 - params.mip_rel_gap))
    return _result(problem, open_sites, flows, bound, params, began, stages)


def _result(
    problem: FacilityProblem,
    open_sites: np.ndarray,
    flows: np.ndarray,
    bound: float,
    params: FacilityParams,
    began: float,
    stages: tuple[tuple[str, float | None], ...],
) -> FacilityResult:
    flows = np.clip(np.where(np.abs(flows) < 1e-9, 0.0, flows), 0.0, 1.0)
    used = open_sites & (flows.sum(axis=1) > 1e-9) | np.isin(
        np.arange(problem.n_sites), list(problem.force_open)
    )
    fixed = float(problem.fixed_costs @ used)
    unit = np.where(problem.allowed, problem.unit_costs, 0.0)
    service = float((unit * flows).sum())
    cost = fixed + service
    proven = cost - bound <= params.mip_rel_gap * abs(cost) + 1e-6
    return FacilityResult(
        name=problem.name,
        open_sites=tuple(int(i) for i in np.flatnonzero(used)),
        flows=flows,
        cost=cost,
        fixed_cost=fixed,
        service_cost=service,
        lower_bound=min(bound, cost),
        status=FacilityStatus.OPTIMAL if proven else FacilityStatus.FEASIBLE,
        seconds=time.perf_counter() - began,
        stages=stages,
    )


def _decompose(
    problem: FacilityProblem, candidates: np.ndarray, params: FacilityParams, began: float
) -> FacilityResult:
    deadline = began + params.time_limit_s
    relaxation = Relaxation(problem)
    pricer = PlanPricer(problem, params.threads)
    until = began + params.lagrangian_share * params.time_limit_s
    best, cuts, iterations = _dual_ascent(relaxation, pricer, until)
    if pricer.best is None:
        all_open = np.zeros(problem.n_sites, dtype=bool)
        all_open[candidates] = True
        pricer.price(all_open, deadline)
    stages: tuple[tuple[str, float | None], ...] = (
        ("lagrangian", round(time.perf_counter() - began, 3)),
        ("iterations", iterations),
        ("lagrangian_bound", round(best.bound, 6)),
    )
    if pricer.best is None:
        return _milp(
            problem,
            candidates,
            params,
            began,
            link_all=True,
            aggregate=True,
            known_bound=best.bound,
            stages=stages,
        )
    stages = (*stages, ("heuristic_cost", round(pricer.best.cost, 6)))
    plan = pricer.close_idle(pricer.best, deadline)
    searched = time.perf_counter() + params.local_search_share * params.time_limit_s
    plan = pricer.close_idle(pricer.swap_sites(plan, min(deadline, searched)), deadline)
    stages = (*stages, ("local_search_cost", round(plan.cost, 6)))
    if plan.cost - best.bound > params.mip_rel_gap * abs(plan.cost):
        keep_open, keep_closed = _probe(relaxation, best, plan.cost)
        opened = relaxation.forced | _mask(problem.n_sites, keep_open)
        closed = relaxation.closed | _mask(problem.n_sites, keep_closed)
        for _sites, duals in pricer.priced:
            if duals is not None:
                cuts.append((float(duals.sum()), relaxation.evaluate(duals).site_values))
        cutoff = plan.cost * (1 - params.mip_rel_gap)
        fewest, most = open_count_range(cuts, opened, closed, cutoff)
        sites = np.flatnonzero(~closed)
        search = BranchAndBound(
            relaxation,
            pricer,
            sites,
            opened[sites],
            SiteCover(problem.capacities[sites], relaxation.total_demand, fewest, most),
            gap=params.mip_rel_gap,
        )
        search_began = time.perf_counter()
        if fewest <= most:
            search.run(best.multipliers, deadline)
        else:
            search.lower_bound = cutoff
        stages = (
            *stages,
            ("fixed_open", len(keep_open)),
            ("fixed_closed", len(keep_closed)),
            ("open_fewest", fewest),
            ("open_most", most),
            ("nodes", search.nodes),
            ("branch_and_bound", round(time.perf_counter() - search_began, 3)),
        )
        assert pricer.best is not None
        bound = max(best.bound, min(search.lower_bound, pricer.best.cost))
    else:
        bound = best.bound
    plan = pricer.best if pricer.best is not None else plan
    stages = (*stages, ("plans_priced", len(pricer.seen)), ("pricing", round(pricer.lp_seconds, 3)))
    return _result(problem, plan.open_sites, plan.flows, bound, params, began, stages)


def _mask(size: int, chosen: frozenset[int]) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    mask[list(chosen)] = True
    return mask


def _dual_ascent(
    relaxation: Relaxation, pricer: PlanPricer, until: float
) -> tuple[Relaxed, list[tuple[float, np.ndarray]], int]:
    """Subgradient optimisation of the multipliers, pricing each new site set on the way.

    Returns the best evaluation, the Lagrangian cuts of the improving iterates and the
    number of iterations.
    """
    cuts: list[tuple[float, np.ndarray]] = []
    multipliers = relaxation.initial_multipliers()
    best: Relaxed | None = None
    scale, stale = 2.0, 0
    iteration = 0
    while True:
        relaxed = relaxation.evaluate(multipliers)
        if best is None or relaxed.bound > best.bound + 1e-9 * abs(best.bound):
            best, stale = relaxed, 0
            cuts.append((float(relaxed.multipliers.sum()), relaxed.site_values))
        else:
            stale += 1
            if stale >= 20:
                scale, stale = scale / 2, 0
        if iteration % PRICE_EVERY == 0 or pricer.best is None:
            pricer.price(relaxed.open_sites, until)
        # Polyak's step aims at the best known cost; before one exists, a little above L.
        upper = pricer.best.cost if pricer.best is not None else relaxed.bound * 1.05 + 1.0
        iteration += 1
        if time.perf_counter() >= until or scale < 1e-4 or upper - best.bound <= 1e-9 * upper:
            break
        multipliers, norm2 = subgradient_step(relaxed, upper, scale)
        if norm2 == 0.0:
            break
    assert best is not None
    pricer.price(best.open_sites, until + 1.0)
    return best, cuts[-50:], iteration


def _probe(
    relaxation: Relaxation, best: Relaxed, upper: float
) -> tuple[frozenset[int], frozenset[int]]:
    """Sites whose flipped decision pushes the Lagrangian bound above the best plan's cost."""
    keep_open: set[int] = set()
    keep_closed: set[int] = set()
    free = ~(relaxation.forced | relaxation.closed)
    margin = 1e-9 * abs(upper) + 1e-6
    for site in np.flatnonzero(free):
        if relaxation.bound_with(best, int(site), True) > upper + margin:
            keep_closed.add(int(site))
        elif relaxation.bound_with(best, int(site), False) > upper + margin:
            keep_open.add(int(site))
    return frozenset(keep_open), frozenset(keep_closed)
