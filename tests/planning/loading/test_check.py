"""The independent checker flags each rule's violation on hand-made plans."""

from __future__ import annotations

from supplymesh.planning.loading.check import check_loading
from supplymesh.planning.loading.problem import BoxType, Container, LoadingProblem
from supplymesh.planning.loading.result import Placement


def _problem(*types: BoxType, max_weight_kg: float | None = None) -> LoadingProblem:
    return LoadingProblem(Container(10, 10, 10, max_weight_kg), types)


CUBE = BoxType((5, 5, 5), quantity=8, weight_kg=2.0)


def test_accepts_a_valid_stack() -> None:
    plan = [Placement(0, 0, 0, 0, 5, 5, 5), Placement(0, 0, 0, 5, 5, 5, 5)]
    assert check_loading(_problem(CUBE), plan) == []


def test_flags_a_box_outside_the_container() -> None:
    issues = check_loading(_problem(CUBE), [Placement(0, 6, 0, 0, 5, 5, 5)])
    assert issues == ["box 0: outside the container"]


def test_flags_overlap() -> None:
    plan = [Placement(0, 0, 0, 0, 5, 5, 5), Placement(0, 4, 0, 0, 5, 5, 5)]
    assert "boxes 0 and 1 overlap" in check_loading(_problem(CUBE), plan)


def test_flags_a_floating_box_and_a_partly_supported_one() -> None:
    floating = [Placement(0, 0, 0, 1, 5, 5, 5)]
    assert check_loading(_problem(CUBE), floating) == ["box 0: only 0 of its base 25 is supported"]
    overhang = [Placement(0, 0, 0, 0, 5, 5, 5), Placement(0, 2, 0, 5, 5, 5, 5)]
    assert check_loading(_problem(CUBE), overhang) == ["box 1: only 15 of its base 25 is supported"]


def test_support_may_come_from_several_tops_at_the_same_height() -> None:
    slab = BoxType((10, 4, 2), quantity=1)
    plan = [
        Placement(0, 0, 0, 0, 5, 5, 5),
        Placement(0, 5, 0, 0, 5, 5, 5),
        Placement(1, 0, 0, 5, 10, 4, 2),
    ]
    assert check_loading(_problem(CUBE, slab), plan) == []


def test_flags_an_orientation_the_flags_forbid() -> None:
    flat = BoxType((6, 4, 2), vertical=(False, False, True), quantity=2)
    assert check_loading(_problem(flat), [Placement(0, 0, 0, 0, 6, 4, 2)]) == []
    standing = check_loading(_problem(flat), [Placement(0, 0, 0, 0, 6, 2, 4)])
    assert standing == ["box 0: edge 4 may not stand vertically"]
    wrong = check_loading(_problem(flat), [Placement(0, 0, 0, 0, 6, 4, 3)])
    assert wrong == ["box 0: extents (6, 4, 3) are not the box (6, 4, 2)"]


def test_flags_more_boxes_than_available() -> None:
    one = BoxType((5, 5, 5), quantity=1)
    plan = [Placement(0, 0, 0, 0, 5, 5, 5), Placement(0, 5, 0, 0, 5, 5, 5)]
    assert check_loading(_problem(one), plan) == ["box type 0: 2 loaded, only 1 available"]


def test_flags_the_weight_limit() -> None:
    plan = [Placement(0, 0, 0, 0, 5, 5, 5), Placement(0, 5, 0, 0, 5, 5, 5)]
    assert check_loading(_problem(CUBE, max_weight_kg=4.0), plan) == []
    assert check_loading(_problem(CUBE, max_weight_kg=3.5), plan) == [
        "load weighs 4.0 kg, the limit is 3.5 kg"
    ]


def test_flags_a_heavy_box_on_a_fragile_one() -> None:
    glass = BoxType((5, 5, 5), quantity=2, weight_kg=1.0, fragile=True)
    heavy = BoxType((5, 5, 5), quantity=1, weight_kg=9.0)
    on_glass = [Placement(0, 0, 0, 0, 5, 5, 5), Placement(1, 0, 0, 5, 5, 5, 5)]
    assert check_loading(_problem(glass, heavy), on_glass) == [
        "box 0 is fragile and carries non-fragile box(es)"
    ]
    glass_on_glass = [Placement(0, 0, 0, 0, 5, 5, 5), Placement(0, 0, 0, 5, 5, 5, 5)]
    assert check_loading(_problem(glass, heavy), glass_on_glass) == []


def test_flags_a_load_above_the_box_limit_counting_the_whole_stack() -> None:
    crate = BoxType((5, 5, 5), quantity=2, weight_kg=3.0, max_load_kg=5.0)
    bag = BoxType((5, 5, 2), quantity=2, weight_kg=1.5)
    ok = [Placement(0, 0, 0, 0, 5, 5, 5), Placement(0, 0, 0, 5, 5, 5, 5)]
    assert check_loading(_problem(crate, bag), ok) == []
    plan = [
        Placement(0, 5, 0, 0, 5, 5, 5),
        Placement(1, 5, 0, 5, 5, 5, 2),
        Placement(1, 5, 0, 7, 5, 5, 2),
    ]
    assert check_loading(_problem(crate, bag), plan) == []
    heavy_bag = BoxType((5, 5, 2), quantity=2, weight_kg=2.6)
    issues = check_loading(_problem(crate, heavy_bag), plan)
    assert issues == ["box 0 carries 5.2 kg, its limit is 5.0 kg"]
    crate_on_crate = [*ok[:1], Placement(0, 0, 0, 5, 5, 5, 5), Placement(1, 5, 0, 0, 5, 5, 2)]
    assert check_loading(_problem(crate, bag), crate_on_crate) == []


def test_flags_a_later_stop_blocking_an_earlier_one() -> None:
    first = BoxType((5, 5, 5), quantity=2, stop=1)
    second = BoxType((5, 5, 5), quantity=2, stop=2)
    deep_second = [Placement(1, 0, 0, 0, 5, 5, 5), Placement(0, 5, 0, 0, 5, 5, 5)]
    assert check_loading(_problem(first, second), deep_second) == []
    at_the_door = [Placement(0, 0, 0, 0, 5, 5, 5), Placement(1, 5, 0, 0, 5, 5, 5)]
    assert check_loading(_problem(first, second), at_the_door) == ["box 1 (stop 2) blocks box 0"]
    on_top = [Placement(0, 0, 0, 0, 5, 5, 5), Placement(1, 0, 0, 5, 5, 5, 5)]
    assert check_loading(_problem(first, second), on_top) == ["box 1 (stop 2) stands on box 0"]
