"""Reading OR-Library `cap*` files: the numeric form and the `capacity`-word family form."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from supplymesh.planning.network_design import MalformedProblem, parse_orlib, write_orlib
from supplymesh.planning.network_design.generate import generate_lookalike
from supplymesh.planning.network_design.orlib import has_capacity_word

DATA = Path(__file__).parents[2] / "data" / "facility"


def test_numeric_file_is_one_instance_with_costs_per_site_row() -> None:
    (problem,) = parse_orlib((DATA / "tiny41.txt").read_text(), "tiny41")
    assert problem.name == "tiny41"
    assert problem.capacities.tolist() == [30.0, 40.0, 30.0]
    assert problem.fixed_costs.tolist() == [100.0, 120.0, 90.0]
    assert problem.demands.tolist() == [10.0, 20.0, 15.0, 25.0]
    # The file lists, per customer, the cost from each site; the matrix is site × customer.
    assert problem.assignment_cost[:, 1].tolist() == [60.0, 20.0, 40.0]
    assert problem.assignment_cost[2].tolist() == [80.0, 40.0, 15.0, 25.0]


def test_capacity_word_file_needs_a_capacity_unless_it_is_a_standard_family() -> None:
    text = (DATA / "capt.txt").read_text()
    assert has_capacity_word(text)
    with pytest.raises(MalformedProblem, match="--capacity"):
        parse_orlib(text, "capt")
    (problem,) = parse_orlib(text, "capt", capacity=45)
    assert problem.name == "capt-45"
    assert problem.capacities.tolist() == [45.0, 45.0, 45.0]
    assert problem.fixed_costs.tolist() == [100.0, 120.0, 90.0]


@pytest.mark.parametrize(
    ("family", "capacities"),
    [
        ("capa", [8000, 10000, 12000, 14000]),
        ("capb", [5000, 6000, 7000, 8000]),
        ("capc", [5000, 5750, 6500, 7250]),
    ],
)
def test_family_files_expand_to_their_four_standard_capacities(
    family: str, capacities: list[int]
) -> None:
    problems = parse_orlib((DATA / "capt.txt").read_text(), family)
    assert [p.name for p in problems] == [f"{family}-{c}" for c in capacities]
    assert [float(p.capacities[0]) for p in problems] == capacities


def test_wrong_number_count_is_reported_with_the_expected_count() -> None:
    with pytest.raises(MalformedProblem, match="expected 15 for 2 sites × 3 customers"):
        parse_orlib("2 3\n 10 5\n 10 5\n 1 2 3\n 4 5 6\n", "short")


def test_non_numeric_cost_names_the_item() -> None:
    text = "1 1\n 10 5\n 3 x\n"
    with pytest.raises(MalformedProblem, match="customer data item 2 is 'x'"):
        parse_orlib(text, "bad")


def test_lookalike_round_trips_through_the_family_format() -> None:
    made = generate_lookalike("capb", 7, n_sites=6, n_customers=20)
    text = write_orlib(made, capacity_word=True)
    first = parse_orlib(text, "capb")[0]
    assert first.name == "capb-5000"
    assert np.allclose(first.assignment_cost, made.assignment_cost)
    assert np.array_equal(first.demands, made.demands)
    assert (first.assignment_cost / first.demands > 0).all()  # cost grows with demand × distance
