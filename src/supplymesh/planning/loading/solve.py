"""Block-building search for the single-container knapsack 3D-CLP.

The packer follows Zhu & Lim (2012, "A beam search approach for the container loading
problem") in spirit: a state is a partial packing; the next free space is the one nearest a
container corner; candidate moves are the largest simple blocks that fit it. A greedy
completion (always the largest block) scores a move; a look-ahead step tries the `width`
best moves, completes each greedily and commits the move whose completion loads most
(Fanslau & Bortfeldt 2010 do the same with a depth-limited tree). The width doubles while
effort is left, and the best complete packing ever seen is kept. On strongly heterogeneous
problems (general blocks on) a beam search (Zhu & Lim's own scheme) replaces the look-ahead:
it gained ~0.4 points on 60-type look-alikes at the larger effort these get, and lost at the
small one (see benchmarks/loading.md, round 2).

Round 4: the search stops on counted work (`budget.py`), sized to use most of the time limit
on this machine, instead of a count of block placements that ended every problem after a
third of it. On heterogeneous problems more of the same search gained little (the extra
work went into a beam pass the budget cut short), so their budget is split between
independent runs with different tie-breaking seeds, each ending on a beam pass as wide as
its share of the work (or, on a machine too busy for the budget, the clock) pays for; the
best plan wins. Other problems keep round 3's search with the whole budget and spend what
it leaves on further seeds.
"""

from __future__ import annotations

import functools
import math
import time

import numpy as np

from supplymesh.planning.loading.blocks import build_blocks
from supplymesh.planning.loading.budget import Budget
from supplymesh.planning.loading.packing import Packing, Rules
from supplymesh.planning.loading.params import LoadingParams
from supplymesh.planning.loading.problem import BoxType, Container, LoadingProblem
from supplymesh.planning.loading.result import LoadingResult, Placement

# The final pass is sized to this share of the work left (the cost model is rough).
_FINAL_SHARE = 0.85
# Passes of `_schedule` a heterogeneous run makes before its widest affordable beam pass:
# look-ahead 2 and 4, beam 2 and 4.
_HETEROGENEOUS_LADDER = 4
# Most runs (seeds) a problem without general blocks makes while work is left.
_PLAIN_RUNS = 8


def _greedy(state: Packing, budget: Budget | None) -> Packing:
    """Fill `state` in place with the largest fitting block, space by space."""
    if state.rules.by_volume:
        placed = state.fill_greedily()
        if budget is not None:
            budget.spend(placed)
        return state
    while state.has_space:
        i = state.pick_space()
        moves = state.candidates(state.space(i), 1)
        if not moves:
            state.drop_space(i)
            continue
        state.place(*moves[0])
        if budget is not None:
            budget.spend()
    return state


def _look_ahead(start: Packing, width: int, budget: Budget, best: Packing) -> Packing:
    """One pass of greedy-with-look-ahead at `width`; returns the best packing seen."""
    state = start.copy()
    while state.has_space and not budget.over:
        i = state.pick_space()
        moves = state.candidates(state.space(i), width)
        if not moves:
            state.drop_space(i)
            continue
        chosen = None
        chosen_volume = -1
        for move in moves:
            trial = state.copy()
            trial.place(*move)
            _greedy(trial, budget)
            if trial.volume > chosen_volume:
                chosen, chosen_volume = move, trial.volume
            if trial.volume > best.volume:
                best = trial
            if budget.over:
                break
        assert chosen is not None
        state.place(*chosen)
    if not state.has_space and state.volume > best.volume:
        best = state
    return best


def _beam(start: Packing, width: int, budget: Budget, best: Packing) -> Packing:
    """One pass of beam search (Zhu & Lim 2012): each of the `width` states kept at a depth
    branches on its `width` best moves; every child is scored by its greedy completion and
    the `width` best children go on. Returns the best complete packing seen."""
    beam = [start.copy()]
    while beam and not budget.over:
        children: list[tuple[int, int, Packing]] = []
        for state in beam:
            while state.has_space:
                i = state.pick_space()
                moves = state.candidates(state.space(i), width)
                if moves:
                    break
                state.drop_space(i)
            if not state.has_space:
                if state.volume > best.volume:
                    best = state
                continue
            for move in moves:
                child = state.copy()
                child.place(*move)
                trial = _greedy(child.copy(), budget)
                if trial.volume > best.volume:
                    best = trial
                children.append((-trial.volume, len(children), child))
                if budget.over:
                    break
            if budget.over:
                break
        children.sort(key=lambda c: (c[0], c[1]))
        beam = [c[2] for c in children[:width]]
    return best


def pack(problem: LoadingProblem, params: LoadingParams | None = None) -> LoadingResult:
    """Load as much box volume as possible into the container.

    Parameters
    ----------
    problem
        Container and box types.
    params
        Search effort, time cap and seed (defaults: :class:`LoadingParams`).

    Returns
    -------
    LoadingResult
        Boxes with positions; box types that fit in no orientation are listed in
        ``too_large``. The same problem, params and seed give the same plan unless the
        wall-clock cap (`clock_share` of the limit) cuts the search first; ``notes`` say
        how much of the work budget was spent and whether the clock ended the search.
    """
    params = params or LoadingParams()
    _warm_up()
    began = time.perf_counter()
    deadline = began + params.clock_share * params.time_limit_s
    too_large = tuple(i for i, b in enumerate(problem.box_types) if not problem.fits(b))
    plain = not any(
        b.fragile or b.max_load_kg is not None or b.stop != 1 for b in problem.box_types
    )
    heterogeneous = plain and len(problem.box_types) >= params.general_blocks_min_types
    bound = min(
        problem.container.volume,
        sum(b.volume * b.quantity for i, b in enumerate(problem.box_types) if i not in too_large),
    )
    best: Packing | None = None
    spent = tries = made = 0
    fitted = False
    n_blocks = 0
    # Heterogeneous problems split the work evenly between `params.runs` runs; the others
    # give the first run all of it (round 3's search, extended), and further runs only what
    # it left once its passes reached the widest width (round 4, benchmarks/loading.md).
    runs = params.runs if heterogeneous else _PLAIN_RUNS
    for k in range(runs):
        left = params.work - spent
        if best is not None and (
            best.volume >= bound or time.perf_counter() > deadline or left < params.work // 20
        ):
            break
        blocks = build_blocks(problem, params.max_blocks, params.seed + k, general=heterogeneous)
        n_blocks = max(n_blocks, len(blocks))
        rules = Rules(problem, blocks)
        # Work a run leaves unused goes to the next ones.
        share = left // (runs - k) if heterogeneous else left
        budget = Budget(rules.work, share, deadline, pool=left)
        found = _search(rules, problem, heterogeneous, budget, bound)
        made += 1
        spent += budget.spent
        tries += budget.tries
        if best is None or found.volume > best.volume:
            best = found
        fitted = fitted or budget.fitted
    assert best is not None
    placements = _unpack_blocks(best)
    volume = sum(p.volume for p in placements)
    return LoadingResult(
        placements=tuple(placements),
        utilisation=volume / problem.container.volume,
        too_large=too_large,
        evaluated=tries,
        notes={
            "blocks": float(n_blocks),
            "seconds": time.perf_counter() - began,
            "work": float(spent),
            "work_share": spent / params.work,
            "runs": float(made),
            "clock": float(time.perf_counter() > deadline),
            "clock_fitted": float(fitted),
        },
    )


def _search(
    rules: Rules, problem: LoadingProblem, heterogeneous: bool, budget: Budget, bound: int
) -> Packing:
    """One run: the greedy packing, the ladder of passes, then the widest affordable pass."""
    remaining = np.asarray([b.quantity for b in problem.box_types], dtype=np.int64)
    start = Packing(rules, remaining)
    best = _greedy(start.copy(), budget)
    n_blocks = len(rules.blocks)
    passes = _schedule(heterogeneous, n_blocks)
    # BR1–BR7-like problems keep round 3's doubling look-ahead (more work only extends it);
    # heterogeneous ones size their last pass to the work left (see `_affordable`).
    ladder = passes[:_HETEROGENEOUS_LADDER] if heterogeneous else passes
    beam, width, cost = False, 0, 0
    for beam, width in ladder:
        if budget.over or best.volume >= bound:
            break
        cost, best = _run_pass(beam, width, start, budget, best)
    # Then the widest pass the rest of the budget (or, on a slow machine, the clock) pays
    # for, instead of doubling on into a pass the budget cuts short.
    if heterogeneous:
        budget.fit_to_clock()
    while cost > 0 and not budget.over and best.volume < bound:
        wider = _affordable(beam, width, cost, budget.limit - budget.spent, 2 * n_blocks)
        if wider <= width:
            break
        width = wider
        cost, best = _run_pass(beam, width, start, budget, best)
    return best


@functools.cache
def _warm_up() -> None:
    """Compile the kernels (or load them from numba's cache) once per process, on a tiny
    problem, before a solve's clock starts: a fresh install compiles for several seconds,
    which would otherwise eat the first problem's search time."""
    problem = LoadingProblem(
        Container(6, 4, 4, 100.0),
        (BoxType((2, 2, 2), quantity=3, weight_kg=1.0), BoxType((3, 2, 1), quantity=2)),
    )
    rules = Rules(problem, build_blocks(problem, 100, 1, general=True))
    state = Packing(rules, np.asarray([3, 2], dtype=np.int64))
    state.place(*state.candidates(state.space(state.pick_space()), 2)[-1])
    state.fill_greedily()


def _run_pass(
    beam: bool, width: int, start: Packing, budget: Budget, best: Packing
) -> tuple[int, Packing]:
    """One search pass; returns the work it cost and the best packing seen."""
    before = budget.spent
    best = (_beam if beam else _look_ahead)(start, width, budget, best)
    return budget.spent - before, best


def _affordable(beam: bool, width: int, cost: int, left: int, widest: int) -> int:
    """The widest pass `left` work pays for, from what a pass of `width` cost: a look-ahead
    pass costs about `width` greedy completions per step, a beam pass `width`² of them."""
    share = _FINAL_SHARE * left / cost
    wider = width * (math.sqrt(share) if beam else share)
    return min(widest, int(wider))


def _schedule(heterogeneous: bool, n_blocks: int) -> list[tuple[bool, int]]:
    """(beam?, width) of each pass. Look-ahead with doubling widths; on heterogeneous
    problems two look-ahead passes come first (at small effort, which a loaded machine's
    clock may impose, they beat the beam), then beam passes with doubling widths."""
    widths = [2**k for k in range(1, 64) if 2**k <= 2 * n_blocks]
    if not heterogeneous:
        return [(False, w) for w in widths]
    return [(False, 2), (False, 4)] + [(True, w) for w in widths]


def _unpack_blocks(state: Packing) -> list[Placement]:
    """Individual boxes of every placed block, in loading order."""
    parts = state.rules.blocks.parts
    out: list[Placement] = []
    for x0, y0, z0, _, _, _, block in state.placed:
        for kind, bdx, bdy, bdz, nx, ny, nz, ox, oy, oz in parts[block]:
            for k in range(nz):
                for j in range(ny):
                    for i in range(nx):
                        out.append(
                            Placement(
                                kind,
                                x0 + ox + i * bdx,
                                y0 + oy + j * bdy,
                                z0 + oz + k * bdz,
                                bdx,
                                bdy,
                                bdz,
                            )
                        )
    return out
