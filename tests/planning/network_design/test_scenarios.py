"""Scenarios side by side: constraints added to a network never make it cheaper."""

from __future__ import annotations

import numpy as np

from supplymesh.planning.network_design import FacilityParams, compare_scenarios
from supplymesh.planning.network_design.scenarios import distance_limited
from tests.planning.network_design.small import enumerate_split_optimum, small_problem


def test_compares_variants_against_the_first() -> None:
    base = small_problem()
    rows = compare_scenarios(
        [
            ("baseline", base),
            ("within 3 km", distance_limited(base, np.array(base.distances), 3.0)),
            ("site 1 open", small_problem(force_open=frozenset({0}))),
            ("one source each", small_problem(single_sourcing=True)),
            ("sites 2, 3 shut", small_problem(force_closed=frozenset({1, 2}))),
        ],
        FacilityParams(time_limit_s=20),
    )
    by_name = {row.scenario: row for row in rows}
    assert [row.scenario for row in rows] == [
        "baseline",
        "within 3 km",
        "site 1 open",
        "one source each",
        "sites 2, 3 shut",
    ]
    assert by_name["baseline"].cost == enumerate_split_optimum(base)
    assert by_name["baseline"].cost_vs_first_pct == 0.0
    for label in ("within 3 km", "site 1 open", "one source each"):
        row = by_name[label]
        assert row.status == "optimal"
        assert row.cost is not None and row.cost >= by_name["baseline"].cost - 1e-6
        assert row.cost_vs_first_pct is not None and row.cost_vs_first_pct >= -1e-9
    assert "site 1" in by_name["site 1 open"].open_sites
    shut = by_name["sites 2, 3 shut"]
    assert shut.status == "infeasible" and shut.cost is None
    assert "total demand 82 exceeds" in shut.reason
    utilisation = by_name["baseline"].utilisation_pct
    assert utilisation is not None and 0 < utilisation <= 100
