"""The compiled kernels keep the free-space invariants the packer relies on."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
import pytest

from supplymesh.planning.loading.blocks import build_blocks
from supplymesh.planning.loading.kernels import (
    SCANNED,
    SPACE_PAIRS,
    SPACES_SEEN,
    WORK_SLOTS,
    cut_spaces,
    nearest_space,
)
from supplymesh.planning.loading.packing import Packing, Rules
from supplymesh.planning.loading.problem import BoxType, Container, LoadingProblem


def _problem(seed: int, max_weight_kg: float | None = None) -> LoadingProblem:
    rng = random.Random(seed)
    types = tuple(
        BoxType(
            (rng.randint(3, 12), rng.randint(3, 12), rng.randint(3, 10)),
            quantity=rng.randint(1, 8),
            label=f"t{k}",
            weight_kg=rng.randint(1, 20),
        )
        for k in range(25)
    )
    return LoadingProblem(Container(40, 30, 24, max_weight_kg), types, name=f"k{seed}")


def _supported(space: tuple[int, ...], tops: Sequence[tuple[int, ...]]) -> bool:
    """Every unit cell of the floor of `space` lies on the container floor or a block top."""
    x0, y0, z0, x1, y1, _ = space
    if z0 == 0:
        return True
    covered = np.zeros((x1 - x0, y1 - y0), dtype=bool)
    for tx0, ty0, tx1, ty1 in tops:
        ix = slice(max(tx0, x0) - x0, max(0, min(tx1, x1) - x0))
        iy = slice(max(ty0, y0) - y0, max(0, min(ty1, y1) - y0))
        covered[ix, iy] = True
    return bool(covered.all())


@pytest.mark.parametrize("seed", range(3))
def test_spaces_stay_free_supported_and_maximal_while_packing(seed: int) -> None:
    problem = _problem(seed)
    rules = Rules(problem, build_blocks(problem, 3000, 1, general=True))
    state = Packing(rules, np.asarray([b.quantity for b in problem.box_types], dtype=np.int64))
    placed = 0
    while state.has_space:
        i = state.pick_space()
        moves = state.candidates(state.space(i), 1)
        if not moves:
            state.drop_space(i)
            continue
        state.place(*moves[0])
        placed += 1
        spaces = [tuple(s) for s in state.spaces.tolist()]
        for s in spaces:
            # Free: no placed block reaches into a space.
            for px0, py0, pz0, px1, py1, pz1, _ in state.placed:
                overlap = (
                    px0 < s[3] and s[0] < px1 and py0 < s[4] and s[1] < py1 and pz0 < s[5]
                ) and s[2] < pz1
                assert not overlap, (s, (px0, py0, pz0, px1, py1, pz1))
            # Supported: the floor lies on tops of blocks' packing areas at exactly that height.
            tops = []
            for px0, py0, _, _, _, pz1, block in state.placed:
                if pz1 == s[2]:
                    ax0, ay0, ax1, ay1 = rules.area[block]
                    tops.append((px0 + ax0, py0 + ay0, px0 + ax1, py0 + ay1))
            assert _supported(s, tops), s
        # Maximal: no space lies inside another one.
        for a, s in enumerate(spaces):
            for b, o in enumerate(spaces):
                if a != b:
                    assert not all(o[k] <= s[k] for k in range(3)) or not all(
                        s[k] <= o[k] for k in range(3, 6)
                    ), (s, o)
    assert placed >= 3


def test_a_block_in_the_corner_leaves_three_maximal_spaces() -> None:
    container = np.asarray([[0, 0, 0, 10, 8, 6]], dtype=np.int64)
    block = np.asarray([0, 0, 0, 4, 3, 2], dtype=np.int64)
    work = np.zeros(WORK_SLOTS, dtype=np.int64)
    spaces = cut_spaces(container, block, np.asarray([0, 0, 4, 3]), 1, work)
    assert sorted(map(tuple, spaces.tolist())) == [
        (0, 0, 2, 4, 3, 6),  # above the block, on its top
        (0, 3, 0, 10, 8, 6),
        (4, 0, 0, 10, 8, 6),
    ]
    # One space cut, three pieces checked against the three pieces.
    assert work[SPACE_PAIRS] == 1 + 3 * 3


def test_nearest_space_prefers_the_corner_then_the_larger_space() -> None:
    spaces = np.asarray([[0, 0, 0, 3, 3, 3], [7, 0, 0, 10, 8, 6]], dtype=np.int64)
    work = np.zeros(WORK_SLOTS, dtype=np.int64)
    # Both touch two walls and the floor (distances 0, 0, 0): the larger one wins.
    assert nearest_space(spaces, 10, 8, False, work) == 1
    # Multi-drop fills from the back (x = 0): the far one is 7 away from it.
    assert nearest_space(spaces, 10, 8, True, work) == 0
    assert nearest_space(spaces[[1, 0]], 10, 8, True, work) == 1
    assert work[SPACES_SEEN] == 6


@pytest.mark.parametrize(("seed", "max_weight_kg"), [(0, None), (1, None), (2, 300.0), (3, 150.5)])
def test_compiled_greedy_completion_equals_the_step_by_step_one(
    seed: int, max_weight_kg: float | None
) -> None:
    problem = _problem(seed, max_weight_kg)
    rules = Rules(problem, build_blocks(problem, 3000, 1, general=True))
    assert rules.by_volume
    start = Packing(rules, np.asarray([b.quantity for b in problem.box_types], dtype=np.int64))
    start.place(*start.candidates(start.space(start.pick_space()), 3)[-1])  # not the greedy one
    compiled, stepwise = start.copy(), start.copy()
    before = rules.work.copy()
    placed = compiled.fill_greedily()
    compiled_work = rules.work - before
    before = rules.work.copy()
    while stepwise.has_space:
        i = stepwise.pick_space()
        moves = stepwise.candidates(stepwise.space(i), 1)
        if moves:
            stepwise.place(*moves[0])
        else:
            stepwise.drop_space(i)
    assert placed == len(stepwise.placed) - 1 > 3
    assert compiled.placed == stepwise.placed
    assert (compiled.volume, compiled.weight) == (stepwise.volume, stepwise.weight)
    assert (compiled.remaining == stepwise.remaining).all()
    assert (compiled.avail == stepwise.avail).all()
    assert not compiled.has_space
    # The budget counts the same kernel work whichever way the completion ran.
    stepwise_work = rules.work - before
    counted = [SCANNED, SPACE_PAIRS, SPACES_SEEN]
    assert (compiled_work[counted] == stepwise_work[counted]).all()
    assert compiled_work[SCANNED] > 0
    if max_weight_kg is not None:
        assert compiled.weight <= max_weight_kg
