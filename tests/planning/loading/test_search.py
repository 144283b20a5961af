"""The round-2 search pieces: exact candidate pruning, the cached availability, the beam."""

from __future__ import annotations

import random

import numpy as np
import pytest

from supplymesh.planning.loading.blocks import build_blocks
from supplymesh.planning.loading.check import check_loading
from supplymesh.planning.loading.packing import Packing, Rules
from supplymesh.planning.loading.params import LoadingParams
from supplymesh.planning.loading.problem import BoxType, Container, LoadingProblem
from supplymesh.planning.loading.solve import _schedule, pack


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


def test_heterogeneous_search_is_repeatable_and_checked() -> None:
    problem = _mixed(7, n_types=25, size=(40, 30, 24))
    params = LoadingParams(time_limit_s=20.0, heterogeneous_effort_per_s=40)
    first, second = pack(problem, params), pack(problem, params)
    assert first.evaluated >= params.heterogeneous_effort  # effort, not the clock, ended it
    assert first.placements == second.placements
    assert check_loading(problem, first.placements) == []


def test_schedule_runs_look_ahead_before_the_beam_only_when_heterogeneous() -> None:
    assert _schedule(False, 5) == [(False, 2), (False, 4), (False, 8)]
    assert _schedule(True, 5) == [(False, 2), (False, 4), (True, 2), (True, 4), (True, 8)]


def test_heterogeneous_effort_must_be_positive() -> None:
    with pytest.raises(ValueError, match="heterogeneous_effort_per_s"):
        LoadingParams(heterogeneous_effort_per_s=0)
