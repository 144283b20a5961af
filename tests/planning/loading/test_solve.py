"""The packer's plans pass the independent checker and respect every rule."""

from __future__ import annotations

import random

import pytest

from supplymesh.planning.loading.check import check_loading
from supplymesh.planning.loading.params import LoadingParams
from supplymesh.planning.loading.problem import BoxType, Container, LoadingProblem
from supplymesh.planning.loading.solve import pack

FAST = LoadingParams(time_limit_s=0.3)


def _random_problem(seed: int, *, rules: bool) -> LoadingProblem:
    rng = random.Random(seed)
    types = []
    for k in range(rng.randint(3, 6)):
        flags = [rng.random() < 0.6 for _ in range(3)]
        flags[2] = True
        types.append(
            BoxType(
                (rng.randint(4, 14), rng.randint(4, 14), rng.randint(4, 14)),
                vertical=(flags[0], flags[1], flags[2]),
                quantity=rng.randint(2, 12),
                weight_kg=rng.uniform(1, 10) if rules else None,
                fragile=rules and rng.random() < 0.3,
                max_load_kg=rng.uniform(5, 30) if rules and rng.random() < 0.5 else None,
                stop=rng.randint(1, 3) if rules else 1,
                label=f"t{k}",
            )
        )
    limit = 150.0 if rules else None
    return LoadingProblem(Container(40, 25, 22, limit), tuple(types), name=f"r{seed}")


@pytest.mark.parametrize("general", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_plain_plans_pass_the_checker(seed: int, general: bool) -> None:
    problem = _random_problem(seed, rules=False)
    params = LoadingParams(time_limit_s=0.3, general_blocks_min_types=1 if general else 999)
    result = pack(problem, params)
    assert check_loading(problem, result.placements) == []
    assert result.placements
    loaded = sum(p.volume for p in result.placements)
    assert result.utilisation == pytest.approx(loaded / problem.container.volume)


@pytest.mark.parametrize("seed", range(6))
def test_plans_with_weight_fragility_load_and_stops_pass_the_checker(seed: int) -> None:
    problem = _random_problem(seed, rules=True)
    result = pack(problem, FAST)
    assert check_loading(problem, result.placements) == []
    assert sum(problem.box_types[p.box_type].weight for p in result.placements) <= 150.0


def test_fills_a_container_that_boxes_tile_exactly() -> None:
    problem = LoadingProblem(Container(12, 8, 6), (BoxType((4, 2, 3), quantity=24),))
    result = pack(problem, FAST)
    assert result.utilisation == 1.0
    assert check_loading(problem, result.placements) == []


def test_keeps_the_only_allowed_vertical_edge() -> None:
    # 6 × 4 × 2 boxes may only lie flat; standing them on end would fit more in a tall box.
    flat = BoxType((6, 4, 2), vertical=(False, False, True), quantity=40)
    problem = LoadingProblem(Container(12, 12, 7), (flat,))
    result = pack(problem, FAST)
    assert result.placements
    assert {p.dz for p in result.placements} == {2}
    assert check_loading(problem, result.placements) == []


def test_leaves_out_and_reports_a_box_too_large_in_every_allowed_orientation() -> None:
    tall = BoxType((3, 3, 20), vertical=(False, False, True), quantity=2, label="tall")
    small = BoxType((5, 5, 5), quantity=4)
    result = pack(LoadingProblem(Container(20, 10, 10), (tall, small)), FAST)
    assert result.too_large == (0,)
    assert {p.box_type for p in result.placements} == {1}


def test_later_stops_go_deeper_than_earlier_ones() -> None:
    # Upright only, so no stacking: the two stops must share the floor, stop 2 at the back.
    first = BoxType((5, 10, 10), (False, False, True), quantity=2, stop=1)
    last = BoxType((5, 10, 10), (False, False, True), quantity=2, stop=2)
    problem = LoadingProblem(Container(20, 10, 10), (first, last))
    result = pack(problem, FAST)
    assert len(result.placements) == 4
    assert check_loading(problem, result.placements) == []
    deepest_first = min(p.x for p in result.placements if p.box_type == 0)
    assert all(p.x + p.dx <= deepest_first for p in result.placements if p.box_type == 1)


def test_nothing_heavy_is_put_on_fragile_boxes() -> None:
    glass = BoxType((10, 10, 5), (False, False, True), 1, weight_kg=1.0, fragile=True)
    steel = BoxType((10, 10, 5), (False, False, True), 1, weight_kg=50.0)
    problem = LoadingProblem(Container(10, 10, 10), (glass, steel))
    result = pack(problem, FAST)
    assert result.utilisation == 1.0
    by_type = {p.box_type: p for p in result.placements}
    assert by_type[1].z == 0 and by_type[0].z == 5


def test_same_seed_same_plan() -> None:
    problem = _random_problem(11, rules=False)
    params = LoadingParams(time_limit_s=5.0, work_per_s=2_000_000)
    assert pack(problem, params).placements == pack(problem, params).placements


def test_general_blocks_pair_two_types_of_equal_height() -> None:
    # Neither type alone fills the floor; side by side (a general block) they do.
    left = BoxType((6, 10, 5), (False, False, True), quantity=2)
    right = BoxType((4, 10, 5), (False, False, True), quantity=2)
    problem = LoadingProblem(Container(10, 10, 10), (left, right))
    params = LoadingParams(time_limit_s=0.3, general_blocks_min_types=1)
    result = pack(problem, params)
    assert result.utilisation == 1.0
    assert check_loading(problem, result.placements) == []


def test_nothing_fits_gives_an_empty_plan_not_an_error() -> None:
    problem = LoadingProblem(
        Container(5, 5, 5), (BoxType((6, 6, 6), quantity=3), BoxType((1, 1, 1), quantity=0))
    )
    result = pack(problem, FAST)
    assert result.placements == () and result.utilisation == 0.0
    assert result.too_large == (0,)
