"""The search pieces: exact candidate pruning, the cached availability, the beam, and the
work budget that ends a run (round 4) with the clock as a safety net."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest

from supplymesh.planning.loading.blocks import build_blocks
from supplymesh.planning.loading.budget import Budget
from supplymesh.planning.loading.check import check_loading
from supplymesh.planning.loading.packing import Packing, Rules
from supplymesh.planning.loading.params import LoadingParams
from supplymesh.planning.loading.problem import BoxType, Container, LoadingProblem
from supplymesh.planning.loading.solve import _affordable, _schedule, pack


def _mixed(
    seed: int, n_types: int = 12, size: tuple[int, int, int] = (40, 24, 20)
) -> LoadingProblem:
    rng = random.Random(seed)
    types = tuple(
        BoxType(
            (rng.randint(3, 12), rng.randint(3, 12), rng.randint(3, 10)),
            quantity=rng.randint(1, 8),
            label=f"t{k}",
        )
        for k in range(n_types)
    )
    return LoadingProblem(Container(*size), types, name=f"m{seed}")


def _brute_force(state: Packing, space: tuple[int, int, int, int, int, int], k: int) -> list[int]:
    """The k best blocks by fit over every block, checking quantities from scratch."""
    r = state.rules
    bl = r.blocks
    x0, y0, z0, x1, y1, z1 = space
    ok = [
        b
        for b in range(len(bl))
        if bl.dx[b] <= x1 - x0
        and bl.dy[b] <= y1 - y0
        and bl.dz[b] <= z1 - z0
        and all(n <= state.remaining[t] for t, n in bl.slots[b])
    ]
    order = np.asarray(ok, dtype=np.int64)
    fit = state._fit(space, order)
    best: list[int] = order[np.argsort(-fit, kind="stable")][:k].tolist()
    return best


@pytest.mark.parametrize("seed", range(4))
def test_pruned_candidates_equal_the_full_ranking_as_boxes_run_out(seed: int) -> None:
    problem = _mixed(seed)
    blocks = build_blocks(problem, 3000, 1, general=True)
    rules = Rules(problem, blocks)
    state = Packing(rules, np.asarray([b.quantity for b in problem.box_types], dtype=np.int64))
    steps = 0
    while state.has_space and steps < 25:
        i = state.pick_space()
        space = state.space(i)
        for k in (1, 3, 60):
            assert [b for b, _ in state.candidates(space, k)] == _brute_force(state, space, k)
        moves = state.candidates(space, 1)
        if not moves:
            state.drop_space(i)
            continue
        state.place(*moves[0])
        steps += 1
        # The cached availability is what a fresh scan of the remaining counts says.
        assert (state.avail == rules.available(state.remaining)).all()
    assert steps >= 2


def test_heterogeneous_search_stops_on_its_work_budget_with_the_same_plan_twice() -> None:
    problem = _mixed(7, n_types=25, size=(40, 30, 24))
    params = LoadingParams(time_limit_s=20.0, work_per_s=1_000_000, seed=3, runs=2)
    first, second = pack(problem, params), pack(problem, params)
    assert first.notes["clock"] == 0.0  # the work budget, not the clock, ended it
    assert 0 < first.notes["work_share"] < 1.1
    assert first.notes["runs"] == params.runs == 2
    assert first.placements == second.placements
    assert first.evaluated == second.evaluated > 0
    assert check_loading(problem, first.placements) == []


def test_a_large_problem_fits_its_search_to_the_clock_when_the_budget_is_out_of_reach() -> None:
    # 30 box types in a BR-sized container and a budget of hours: the runs size their last
    # pass to what the clock allows; the solve ends by the limit (a little after it at
    # worst, on a machine shared by many busy processes).
    rng = random.Random(5)
    types = tuple(
        BoxType((rng.randint(30, 120), rng.randint(25, 100), rng.randint(20, 80)), quantity=6)
        for _ in range(30)
    )
    problem = LoadingProblem(Container(587, 233, 220), types, name="big")
    params = LoadingParams(time_limit_s=1.0, work_per_s=10**12)
    result = pack(problem, params)
    assert result.notes["clock_fitted"] == 1.0 and result.notes["work_share"] < 0.01
    assert result.notes["seconds"] < 8.0
    assert result.utilisation > 0.5
    assert check_loading(problem, result.placements) == []


def test_a_budget_the_clock_allows_keeps_every_run() -> None:
    budget = Budget(np.zeros(6, dtype=np.int64), 100, time.perf_counter() + 60, pool=300)
    budget.work[0] = 1  # 8 units done in well under a second: the clock allows far more
    budget.fit_to_clock()
    assert not budget.fitted and budget.limit == 100
    late = Budget(np.zeros(6, dtype=np.int64), 100, time.perf_counter() + 1e-3, pool=300)
    late.started -= 10.0  # 8 units in 10 s: the millisecond left allows none of the 292 left
    late.work[0] = 1
    late.fit_to_clock()
    assert late.fitted and late.limit == late.spent


def test_the_final_pass_is_as_wide_as_the_work_left_pays_for() -> None:
    # A beam pass costs about width², a look-ahead pass about width (times the share kept
    # back for a rough cost model), and never wider than the cap.
    assert _affordable(True, 4, 100, 1000, 64) == int(4 * (0.85 * 10) ** 0.5)
    assert _affordable(False, 8, 100, 1000, 100) == int(8 * 0.85 * 10)
    assert _affordable(False, 8, 100, 10**6, 64) == 64
    assert _affordable(True, 4, 100, 50, 64) < 4


def test_schedule_runs_look_ahead_before_the_beam_only_when_heterogeneous() -> None:
    assert _schedule(False, 5) == [(False, 2), (False, 4), (False, 8)]
    assert _schedule(True, 5) == [(False, 2), (False, 4), (True, 2), (True, 4), (True, 8)]


def test_work_budget_and_runs_must_be_positive() -> None:
    with pytest.raises(ValueError, match="work_per_s"):
        LoadingParams(work_per_s=0)
    with pytest.raises(ValueError, match="runs"):
        LoadingParams(runs=0)
