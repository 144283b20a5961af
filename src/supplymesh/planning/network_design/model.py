"""The CFLP as a HiGHS model: y_i (open) and x_ij (share of j served by i).

min Σ f_i y_i + Σ c_ij x_ij  s.t.  Σ_i x_ij = 1,  Σ_j d_j x_ij ≤ s_i y_i,  Σ s_i y_i ≥ Σ d_j,
x_ij ≤ y_i (the disaggregated linking rows that make the LP bound strong; they are implied by
the capacity rows for integer y, so any subset of them keeps the model exact), y binary,
x_ij ∈ [0, 1] (binary with single sourcing). Only allowed pairs of candidate sites get a column.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt
from highspy._core import _Highs  # the public Highs() prints a banner on C stdout

from supplymesh.planning.network_design.problem import FacilityProblem, FloatArray

IntArray = npt.NDArray[np.int64]


def new_highs(time_limit_s: float, threads: int, seed: int) -> _Highs:
    """A silent HiGHS instance with the budget and threads set."""
    h = _Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(0.01, float(time_limit_s)))
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", int(seed))
    return h


@dataclass(eq=False)
class CflpModel:
    """A built model and the meaning of its columns (y for `sites`, then x for the pairs)."""

    problem: FacilityProblem
    sites: IntArray
    pair_site: IntArray
    pair_customer: IntArray
    pair_pos: IntArray
    highs: _Highs
    linked: npt.NDArray[np.bool_]

    @property
    def n_y(self) -> int:
        """Number of site columns."""
        return int(self.sites.shape[0])

    def add_linking(self, pairs: IntArray) -> int:
        """Add x_p ≤ y_site(p) for pairs not linked yet; returns how many rows were added."""
        pairs = pairs[~self.linked[pairs]]
        if pairs.size == 0:
            return 0
        self.linked[pairs] = True
        k = int(pairs.size)
        starts = np.arange(0, 2 * k, 2, dtype=np.int32)
        index = np.empty(2 * k, dtype=np.int32)
        index[0::2] = self.n_y + pairs
        index[1::2] = self.pair_pos[pairs]
        value = np.tile(np.array([1.0, -1.0]), k)
        self.highs.addRows(k, np.full(k, -np.inf), np.zeros(k), 2 * k, starts, index, value)
        return k

    def set_integer(self, integer: bool) -> None:
        """Switch y (and x under single sourcing) between binary and continuous."""
        n_cols = self.n_y + (self.pair_site.size if self.problem.single_sourcing else 0)
        kind = highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
        cols = np.arange(n_cols, dtype=np.int32)
        self.highs.changeColsIntegrality(n_cols, cols, np.full(n_cols, kind))

    def column_values(self) -> FloatArray:
        """The current solution's column values."""
        return np.asarray(self.highs.getSolution().col_value, dtype=np.float64)

    def flows(self, values: FloatArray) -> FloatArray:
        """Column values as an m×n flow-share matrix."""
        out = np.zeros((self.problem.n_sites, self.problem.n_customers))
        out[self.pair_site, self.pair_customer] = values[self.n_y :]
        return out

    def start_from(self, open_sites: npt.NDArray[np.bool_], flows: FloatArray) -> None:
        """Offer a known plan to the MIP as its first incumbent."""
        values = np.concatenate(
            [open_sites[self.sites].astype(np.float64), flows[self.pair_site, self.pair_customer]]
        )
        solution = highspy.HighsSolution()
        solution.col_value = list(values)
        solution.value_valid = True
        self.highs.setSolution(solution)


def build_model(
    problem: FacilityProblem,
    sites: IntArray,
    highs: _Highs,
    *,
    link_all: bool,
    integer: bool = True,
    open_all: bool = False,
    aggregate: bool = True,
) -> CflpModel:
    """Build the model over candidate `sites` (linking rows for every pair when `link_all`).

    With `open_all` every site is fixed open: the model is then the transportation LP that
    prices one choice of sites.
    """
    cost = problem.unit_costs
    sub_allowed = problem.allowed[sites]
    pos, cust = np.nonzero(sub_allowed)
    pair_site = sites[pos]
    n_y, n_x, m, n = sites.size, pos.size, sites.size, problem.n_customers
    demand_rows = cust
    cap_rows = n + pos
    agg_row = n + m
    d = problem.demands
    caps = problem.capacities[sites]
    rows = [demand_rows, cap_rows, np.arange(n, n + m), np.full(m, agg_row)]
    cols = [n_y + np.arange(n_x), n_y + np.arange(n_x), np.arange(m), np.arange(m)]
    vals = [np.ones(n_x), d[cust], -caps, caps]
    n_rows = n + m + 1
    if link_all:
        link_rows = n_rows + np.arange(n_x)
        rows += [link_rows, link_rows]
        cols += [n_y + np.arange(n_x), pos]
        vals += [np.ones(n_x), -np.ones(n_x)]
        n_rows += n_x
    start, index, value = _columnwise(
        np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), n_y + n_x
    )
    lower_y = np.ones(m) if open_all else np.zeros(m)
    upper_y = np.ones(m)
    for k, site in enumerate(sites):
        if site in problem.force_open:
            lower_y[k] = 1.0
    total = float(d.sum()) if aggregate else -np.inf
    row_lower = np.concatenate([np.ones(n), np.full(m, -np.inf), [total]])
    row_upper = np.concatenate([np.ones(n), np.zeros(m), [np.inf]])
    if link_all:
        row_lower = np.concatenate([row_lower, np.full(n_x, -np.inf)])
        row_upper = np.concatenate([row_upper, np.zeros(n_x)])
    lp = highspy.HighsLp()
    lp.num_col_ = n_y + n_x
    lp.num_row_ = n_rows
    lp.col_cost_ = np.concatenate([problem.fixed_costs[sites], cost[pair_site, cust]])
    lp.col_lower_ = np.concatenate([lower_y, np.zeros(n_x)])
    lp.col_upper_ = np.concatenate([upper_y, np.ones(n_x)])
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    lp.a_matrix_.num_col_ = n_y + n_x
    lp.a_matrix_.num_row_ = n_rows
    highs.passModel(lp)
    model = CflpModel(
        problem=problem,
        sites=sites,
        pair_site=pair_site.astype(np.int64),
        pair_customer=cust.astype(np.int64),
        pair_pos=pos.astype(np.int64),
        highs=highs,
        linked=np.full(n_x, link_all),
    )
    model.set_integer(integer)
    return model


def _columnwise(
    rows: IntArray, cols: IntArray, vals: FloatArray, n_cols: int
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], FloatArray]:
    """Triplets in HiGHS's column-wise (CSC) arrays."""
    order = np.lexsort((rows, cols))
    counts = np.bincount(cols, minlength=n_cols)
    start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return start, rows[order].astype(np.int32), vals[order].astype(np.float64)
