"""Guaranteed-service safety-stock placement over a tree (Graves & Willems 2000).

Every stage j quotes an outbound service time S_j to its customers and is quoted an inbound
service time SI_j by its suppliers (SI_j ≥ S_i for every supplier i; a stage with no supplier
gets its external inbound time). It holds safety stock for its net replenishment time
NRT_j = SI_j + T_j − S_j ≥ 0, z·σ_j·√NRT_j units at h_j per unit; demand-facing stages keep S_j
within their customers' maximum. Minimising Σ h_j z σ_j √NRT_j over integer service times is
solved exactly on any tree (the arcs need not point one way) by Graves & Willems' dynamic
programme: stages are labelled so that each has at most one unlabelled neighbour, and each
stage's cost-to-go is tabulated as a function of S_j (f) or SI_j (g) for that neighbour.

Why our own code and not ``stockpyl.gsm_tree``: stockpyl 1.0.2 pulls networkx, jsonpickle and
sphinx at run time and its multi-echelon code breaks on NumPy 2 (design/STACK-NOTES.md); the
tree programme is short and is tested against brute force over service times.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats  # type: ignore[import-untyped]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class GsmStage:
    """One stage of the tree.

    Parameters
    ----------
    id
        Unique name, used in messages.
    processing_days
        T_j: days from the inputs being available to the stage's output being ready (lead
        time of its inbound lane, or production time), a non-negative integer.
    holding_cost
        h_j per unit of safety stock (per unit-day or per year: only ratios matter).
    demand_std
        σ_j: standard deviation of the stage's daily demand, in its units.
    max_service_days
        Longest outbound service time its external customers accept (None: the stage has
        no external customers and any service time its successors absorb is allowed).
    external_inbound_days
        SI of a stage without suppliers in the tree (its outside suppliers' service time).
    """

    id: str
    processing_days: int
    holding_cost: float
    demand_std: float
    max_service_days: int | None = None
    external_inbound_days: int = 0

    def __post_init__(self) -> None:
        if self.processing_days < 0 or self.external_inbound_days < 0:
            raise ValueError(f"stage {self.id!r}: times must be >= 0")
        if self.holding_cost < 0 or self.demand_std < 0:
            raise ValueError(f"stage {self.id!r}: holding_cost and demand_std must be >= 0")
        if self.max_service_days is not None and self.max_service_days < 0:
            raise ValueError(f"stage {self.id!r}: max_service_days must be >= 0")


@dataclass(frozen=True)
class GsmProblem:
    """Stages, arcs (supplier id, customer id) forming a tree, and the service level z."""

    stages: tuple[GsmStage, ...]
    arcs: tuple[tuple[str, str], ...]
    service_level: float = 0.95

    def __post_init__(self) -> None:
        object.__setattr__(self, "stages", tuple(self.stages))
        object.__setattr__(self, "arcs", tuple(tuple(a) for a in self.arcs))
        ids = [s.id for s in self.stages]
        if not ids:
            raise ValueError("a GSM problem needs at least one stage")
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate stage id {next(i for i in ids if ids.count(i) > 1)!r}")
        if not 0.5 <= self.service_level < 1.0:
            raise ValueError(f"service_level must be in [0.5, 1), got {self.service_level}")
        known = set(ids)
        for up, down in self.arcs:
            if up not in known or down not in known:
                raise ValueError(f"arc ({up!r}, {down!r}) names an unknown stage")
            if up == down:
                raise ValueError(f"arc ({up!r}, {down!r}) is a loop")
        if len(self.arcs) != len(ids) - 1 or not _connected(ids, self.arcs):
            raise ValueError(
                f"stages and arcs must form one tree: {len(ids)} stages need {len(ids) - 1} "
                f"arcs connecting them all, got {len(self.arcs)}"
            )

    @property
    def horizon(self) -> int:
        """Longest service time worth considering: every inbound and processing time summed."""
        return sum(s.processing_days + s.external_inbound_days for s in self.stages)


@dataclass(frozen=True)
class GsmStageResult:
    """A stage's committed service times, net replenishment time and safety stock (units)."""

    id: str
    inbound_service_days: int
    outbound_service_days: int
    net_replenishment_days: int
    safety_stock: float
    holding_cost: float


@dataclass(frozen=True)
class GsmResult:
    """Optimal service times per stage and the total safety-stock holding cost."""

    stages: tuple[GsmStageResult, ...]
    total_cost: float

    def of(self, stage_id: str) -> GsmStageResult:
        """The result of one stage; KeyError naming it otherwise."""
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise KeyError(f"no stage {stage_id!r}")


def _connected(ids: Sequence[str], arcs: Sequence[tuple[str, str]]) -> bool:
    adj: dict[str, set[str]] = {i: set() for i in ids}
    for a, b in arcs:
        adj[a].add(b)
        adj[b].add(a)
    seen = {ids[0]}
    todo = [ids[0]]
    while todo:
        for n in adj[todo.pop()] - seen:
            seen.add(n)
            todo.append(n)
    return len(seen) == len(ids)


def stage_cost(stage: GsmStage, z: float, nrt: int) -> float:
    """Holding cost of the safety stock z·σ·√NRT (infinite for a negative NRT)."""
    if nrt < 0:
        return math.inf
    return stage.holding_cost * z * stage.demand_std * math.sqrt(nrt)


def _z(service_level: float) -> float:
    return float(stats.norm.ppf(service_level))


@dataclass
class _Table:
    """A labelled stage's cost-to-go: by S (kind "f") or by SI (kind "g"), with argmins."""

    kind: str
    cost: FloatArray
    other: npt.NDArray[np.int64]  # the SI (for f) or S (for g) that attains cost


def solve_gsm(problem: GsmProblem) -> GsmResult:
    """Optimal committed service times and safety stocks by the Graves–Willems programme.

    Returns
    -------
    GsmResult
        Per stage SI, S, NRT and safety stock z·σ·√NRT (units), and Σ h·safety stock.
    """
    stages = {s.id: s for s in problem.stages}
    z = _z(problem.service_level)
    m = problem.horizon
    times = np.arange(m + 1)
    ups: dict[str, list[str]] = {i: [] for i in stages}
    downs: dict[str, list[str]] = {i: [] for i in stages}
    for a, b in problem.arcs:
        downs[a].append(b)
        ups[b].append(a)
    order = _labelling(list(stages), problem.arcs)
    tables: dict[str, _Table] = {}
    labelled: set[str] = set()
    children: dict[str, list[str]] = {i: [] for i in stages}
    for k in order[:-1] if len(order) > 1 else []:
        rest = [n for n in (*ups[k], *downs[k]) if n not in labelled]
        parent = rest[0]
        children[k] = [n for n in (*ups[k], *downs[k]) if n in labelled]
        grid = _grid(stages[k], k, ups, downs, children[k], tables, z, times)
        if parent in downs[k]:  # the parent is a customer: tabulate by S_k
            cost = grid.min(axis=1)
            tables[k] = _Table("f", cost, grid.argmin(axis=1))
        else:  # the parent supplies k: tabulate by SI_k
            cost = grid.min(axis=0)
            tables[k] = _Table("g", cost, grid.argmin(axis=0))
        labelled.add(k)
    root = order[-1]
    children[root] = [n for n in (*ups[root], *downs[root]) if n in labelled]
    grid = _grid(stages[root], root, ups, downs, children[root], tables, z, times)
    if not np.isfinite(grid.min()):
        raise ValueError("no feasible service times: a stage's maximum service time is too short")
    s_root, si_root = np.unravel_index(int(np.argmin(grid)), grid.shape)
    chosen: dict[str, tuple[int, int]] = {}
    _assign(root, int(s_root), int(si_root), chosen, children, ups, tables, times)
    results = []
    total = 0.0
    for s in problem.stages:
        out, inb = chosen[s.id]
        nrt = inb + s.processing_days - out
        units = z * s.demand_std * math.sqrt(nrt)
        cost = s.holding_cost * units
        total += cost
        results.append(GsmStageResult(s.id, inb, out, nrt, units, cost))
    return GsmResult(tuple(results), total)


def _labelling(ids: list[str], arcs: Sequence[tuple[str, str]]) -> list[str]:
    """Leaves first: each stage, when labelled, has at most one unlabelled neighbour."""
    adj: dict[str, set[str]] = {i: set() for i in ids}
    for a, b in arcs:
        adj[a].add(b)
        adj[b].add(a)
    degree = {i: len(adj[i]) for i in ids}
    order: list[str] = []
    done: set[str] = set()
    queue = [i for i in ids if degree[i] <= 1]
    while queue:
        k = queue.pop(0)
        if k in done:
            continue
        done.add(k)
        order.append(k)
        for n in adj[k] - done:
            degree[n] -= 1
            if degree[n] == 1:
                queue.append(n)
    return order


def _grid(
    stage: GsmStage,
    k: str,
    ups: dict[str, list[str]],
    downs: dict[str, list[str]],
    kids: list[str],
    tables: dict[str, _Table],
    z: float,
    times: npt.NDArray[np.int64],
) -> FloatArray:
    """Cost of k and its labelled side for every (S_k, SI_k): rows S, columns SI."""
    s = times[:, None]
    si = times[None, :]
    nrt = si + stage.processing_days - s
    grid = np.where(
        nrt >= 0,
        stage.holding_cost * z * stage.demand_std * np.sqrt(np.maximum(nrt, 0)),
        np.inf,
    )
    if stage.max_service_days is not None:
        grid[times > stage.max_service_days, :] = np.inf
    if not ups[k]:
        grid[:, times != stage.external_inbound_days] = np.inf
    for c in kids:
        t = tables[c]
        if c in ups[k]:  # supplier c: S_c ≤ SI_k
            best = np.minimum.accumulate(t.cost)  # best f_c(S) over S ≤ SI
            grid = grid + best[None, :]
        else:  # customer c: SI_c ≥ S_k
            best = np.minimum.accumulate(t.cost[::-1])[::-1]  # best g_c(SI) over SI ≥ S
            grid = grid + best[:, None]
    return np.asarray(grid, dtype=np.float64)


def _assign(
    k: str,
    s_k: int,
    si_k: int,
    chosen: dict[str, tuple[int, int]],
    children: dict[str, list[str]],
    ups: dict[str, list[str]],
    tables: dict[str, _Table],
    times: npt.NDArray[np.int64],
) -> None:
    """Walk back from the last stage, fixing each labelled neighbour's service times."""
    chosen[k] = (s_k, si_k)
    for c in children[k]:
        t = tables[c]
        if c in ups[k]:
            s_c = int(np.argmin(t.cost[: si_k + 1]))
            _assign(c, s_c, int(t.other[s_c]), chosen, children, ups, tables, times)
        else:
            si_c = s_k + int(np.argmin(t.cost[s_k:]))
            _assign(c, int(t.other[si_c]), si_c, chosen, children, ups, tables, times)


def brute_force(problem: GsmProblem) -> float:
    """Least total cost by trying every vector of outbound service times (tiny trees only)."""
    z = _z(problem.service_level)
    ids = [s.id for s in problem.stages]
    ups: dict[str, list[str]] = {i: [] for i in ids}
    for a, b in problem.arcs:
        ups[b].append(a)
    best = math.inf
    for combo in itertools.product(range(problem.horizon + 1), repeat=len(ids)):
        out = dict(zip(ids, combo, strict=True))
        total = 0.0
        for s in problem.stages:
            if s.max_service_days is not None and out[s.id] > s.max_service_days:
                total = math.inf
                break
            inbound = max((out[u] for u in ups[s.id]), default=s.external_inbound_days)
            total += stage_cost(s, z, inbound + s.processing_days - out[s.id])
            if total >= best:
                break
        best = min(best, total)
    return best
