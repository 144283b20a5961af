"""Close the gap over the site decisions with Lagrangian cuts (a generalised Benders loop).

For any multipliers λ and any binary y covering the demand, the Lagrangian function is a lower
bound on the cost of every plan that opens exactly y:  cost(y) ≥ Σ_j λ_j + Σ_i ρ_i(λ) y_i
(lagrangian.py). A master MILP over y alone, min z subject to z ≥ those cuts, bounds the
optimum from below. Its answer y* is priced by the transportation LP, whose demand duals u give
the cut at λ = u, tight at y* by LP duality; so no y is proposed twice and the loop ends with
a proof (Geoffrion 1972's generalised Benders decomposition, with the subgradient iterates as
the first cuts). With service-distance limits a site set may be infeasible: it is cut off by a
"open one more site" row, valid because closing sites never restores feasibility.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np

from supplymesh.planning.network_design.heuristic import PlanPricer
from supplymesh.planning.network_design.lagrangian import Relaxation
from supplymesh.planning.network_design.model import new_highs
from supplymesh.planning.network_design.problem import BoolArray, FloatArray

MASTER_GAP = 1e-5


@dataclass(eq=False)
class CutLoop:
    """The master problem over y and its cuts; the pricer keeps the best plan."""

    relaxation: Relaxation
    pricer: PlanPricer
    fixed_open: BoolArray
    fixed_closed: BoolArray
    threads: int = 1
    gap: float = 1e-7
    lower_bound: float = -np.inf
    cuts: list[tuple[float, FloatArray]] = field(default_factory=list)
    no_goods: list[BoolArray] = field(default_factory=list)
    rounds: int = 0
    master_seconds: float = 0.0

    def add_cut(self, multipliers: FloatArray) -> None:
        """The Lagrangian cut at these multipliers."""
        relaxed = self.relaxation.evaluate(multipliers)
        self.cuts.append((float(multipliers.sum()), relaxed.site_values))

    def add_priced(self) -> None:
        """Cuts (or no-good rows) for every site set the pricer has already seen."""
        for open_sites, duals in self.pricer.priced:
            if duals is None:
                self.no_goods.append(open_sites)
            else:
                self.add_cut(duals)

    def run(self, deadline: float) -> bool:
        """Alternate master and pricing until the bounds meet (True) or time runs out."""
        while time.perf_counter() < deadline:
            best = self.pricer.best
            cutoff = np.inf if best is None else best.cost * (1 - self.gap)
            began = time.perf_counter()
            chosen, bound, settled = self._master(deadline, cutoff)
            self.master_seconds += time.perf_counter() - began
            self.rounds += 1
            if settled and best is not None:
                # No site set is cheaper than the incumbent by more than the tolerance.
                self.lower_bound = max(self.lower_bound, cutoff)
                return True
            if chosen is None:
                return False
            self.lower_bound = max(self.lower_bound, bound)
            if best is not None and best.cost - self.lower_bound <= self.gap * abs(best.cost):
                return True
            if self.pricer.has_seen(chosen):
                # Only an infeasible or numerically tight set comes back; the master already
                # values it at its price, so the bound has met the incumbent up to tolerance.
                return best is not None and self._met(best.cost)
            plan = self.pricer.price(chosen, deadline)
            if plan is None:
                if not self.pricer.has_seen(chosen):
                    return False  # out of time while pricing
                self.no_goods.append(chosen)
                continue
            self.add_cut(plan.demand_duals)
        return False

    def _met(self, upper: float) -> bool:
        return upper - self.lower_bound <= max(self.gap, 1e-6) * abs(upper)

    def open_count_range(self, cutoff: float) -> tuple[int, int]:
        """Numbers of open sites k that some plan below `cutoff` could have.

        Each cut bounds every plan with k open sites by its constant plus the k smallest
        slopes (forced sites included, closed ones excluded), so a k whose best such bound
        exceeds the cutoff is impossible. On capa/b/c-like data this pins k to one or two
        values and shrinks the master's search accordingly.
        """
        m = self.relaxation.problem.n_sites
        fewest = int(self.fixed_open.sum())
        most = m - int(self.fixed_closed.sum())
        if not self.cuts or not np.isfinite(cutoff):
            return fewest, most
        free = ~(self.fixed_open | self.fixed_closed)
        constants = np.array([c for c, _ in self.cuts])
        slopes = np.array([s for _, s in self.cuts])
        base = constants + slopes[:, self.fixed_open].sum(axis=1)
        ranked = np.sort(slopes[:, free], axis=1)
        prefix = np.concatenate([np.zeros((len(self.cuts), 1)), np.cumsum(ranked, axis=1)], axis=1)
        bound_by_k = (base[:, None] + prefix).max(axis=0)  # index: number of free sites open
        possible = np.flatnonzero(bound_by_k <= cutoff)
        if possible.size == 0:
            return 1, 0
        return fewest + int(possible[0]), fewest + int(possible[-1])

    def _master(self, deadline: float, cutoff: float) -> tuple[BoolArray | None, float, bool]:
        """Best site set under the cuts, its bound, and whether none beats `cutoff`.

        The master need not be solved to optimality: any set below the cutoff is worth
        pricing, and its dual bound stays a valid lower bound. An infeasible master under the
        cutoff is the proof that the incumbent is optimal.
        """
        problem = self.relaxation.problem
        m = problem.n_sites
        highs = new_highs(deadline - time.perf_counter(), self.threads, 1)
        highs.setOptionValue("mip_rel_gap", MASTER_GAP)
        # The master is small and dense and is solved a hundred times: presolve, symmetry
        # detection and sub-MIP heuristics cost more than they save here (measured 2×).
        highs.setOptionValue("presolve", "off")
        highs.setOptionValue("mip_detect_symmetry", False)
        highs.setOptionValue("mip_heuristic_run_rins", False)
        highs.setOptionValue("mip_heuristic_run_rens", False)
        highs.setOptionValue("mip_heuristic_run_feasibility_jump", False)
        if np.isfinite(cutoff):
            highs.setOptionValue("objective_bound", float(cutoff))
        # Columns: y_0..y_{m-1}, then z (the bound on the total cost).
        lower = np.where(self.fixed_open, 1.0, 0.0)
        upper = np.where(self.fixed_closed, 0.0, 1.0)
        highs.addVars(m, lower, upper)
        highs.addVars(1, np.array([-np.inf]), np.array([np.inf]))
        highs.changeColsCost(m + 1, np.arange(m + 1, dtype=np.int32), np.r_[np.zeros(m), 1.0])
        caps = problem.capacities
        cover = np.flatnonzero(caps > 0).astype(np.int32)
        highs.addRow(self.relaxation.total_demand, np.inf, cover.size, cover, caps[cover])
        fewest, most = self.open_count_range(cutoff)
        if fewest > most:
            return None, -np.inf, True
        every = np.arange(m, dtype=np.int32)
        highs.addRow(float(fewest), float(most), m, every, np.ones(m))
        for constant, slopes in self.cuts:
            index = np.arange(m + 1, dtype=np.int32)
            highs.addRow(constant, np.inf, m + 1, index, np.r_[-slopes, 1.0])
        for shut in self.no_goods:
            index = np.flatnonzero(~shut).astype(np.int32)
            highs.addRow(1.0, np.inf, index.size, index, np.ones(index.size))
        kinds = np.full(m, highspy.HighsVarType.kInteger)
        highs.changeColsIntegrality(m, np.arange(m, dtype=np.int32), kinds)
        highs.run()
        info = highs.getInfo()
        status = highs.modelStatusToString(highs.getModelStatus())
        if info.primal_solution_status != 2:
            return None, -np.inf, status == "Infeasible"
        values = np.asarray(highs.getSolution().col_value[:m])
        bound = float(info.mip_dual_bound)
        return values > 0.5, bound, False
