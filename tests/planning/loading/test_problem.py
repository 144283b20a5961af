"""Reading thpack files and the orientation flags."""

from __future__ import annotations

import pytest

from supplymesh.planning.loading.problem import BoxType, MalformedProblem, parse_thpack

ONE = " 1\n 1 7\n 20 10 10\n 2\n 1 6 0 4 1 2 1 3\n 2 30 1 30 1 30 1 1\n"


def test_reads_problems_and_flags() -> None:
    (problem,) = parse_thpack(ONE, "x.txt")
    assert problem.name == "1"
    assert (problem.container.length, problem.container.width, problem.container.height) == (
        20,
        10,
        10,
    )
    first, big = problem.box_types
    assert first.dims == (6, 4, 2) and first.vertical == (False, True, True)
    assert first.quantity == 3
    # A box larger than the container is not an error in the knapsack variant.
    assert not problem.fits(big)


def test_orientations_follow_the_vertical_flags() -> None:
    box = BoxType((6, 4, 2), vertical=(False, True, True))
    assert sorted(box.orientations()) == [(2, 6, 4), (4, 6, 2), (6, 2, 4), (6, 4, 2)]
    assert all(dz != 6 for _, _, dz in box.orientations())
    cube = BoxType((3, 3, 3))
    assert cube.orientations() == [(3, 3, 3)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ONE.replace("1 6 0 4", "1 -6 0 4"), "bad.txt line 5: box type 1.1: dimensions"),
        (ONE.replace("1 6 0 4 1 2 1 3", "1 6 0 4 1 2 1"), "bad.txt line 5: box type"),
        (ONE.replace("20 10 10", "20 x 10"), "bad.txt line 3: the container"),
        (ONE.replace("1 6 0 4 1", "1 6 0 4 2"), "bad.txt line 5: orientation flags"),
        (ONE + " 9\n", "bad.txt line 7: unexpected data"),
        (ONE.replace(" 2\n 1 6", " 3\n 1 6"), "bad.txt: file ends"),
    ],
)
def test_malformed_input_names_file_and_line(text: str, message: str) -> None:
    with pytest.raises(MalformedProblem, match=message):
        parse_thpack(text, "bad.txt")


def test_invalid_records_name_the_box_type() -> None:
    with pytest.raises(MalformedProblem, match="box type crate: quantity must be ≥ 0"):
        BoxType((1, 2, 3), quantity=-1, label="crate")
    with pytest.raises(MalformedProblem, match="box type crate: no dimension may stand"):
        BoxType((1, 2, 3), vertical=(False, False, False), label="crate")


def test_params_are_checked() -> None:
    from supplymesh.planning.loading.params import LoadingParams

    with pytest.raises(ValueError, match="time_limit_s"):
        LoadingParams(time_limit_s=0)
    assert LoadingParams(time_limit_s=2, work_per_s=100).work == 200
    with pytest.raises(ValueError, match="clock_share"):
        LoadingParams(clock_share=1.5)
