"""Network design engine: capacitated facility location on HiGHS.

Pure: a :class:`FacilityProblem` (numpy arrays) in, a :class:`FacilityResult` out; the
OR-Library reader, a look-alike generator, an independent checker and a scenario table.
"""

from supplymesh.planning.network_design.check import check_plan, plan_cost
from supplymesh.planning.network_design.orlib import parse_orlib, write_orlib
from supplymesh.planning.network_design.params import FacilityParams
from supplymesh.planning.network_design.problem import (
    FacilityProblem,
    InfeasibleProblem,
    MalformedProblem,
)
from supplymesh.planning.network_design.result import FacilityResult, FacilityStatus
from supplymesh.planning.network_design.scenarios import ScenarioRow, compare_scenarios
from supplymesh.planning.network_design.solve import locate

__all__ = [
    "FacilityParams",
    "FacilityProblem",
    "FacilityResult",
    "FacilityStatus",
    "InfeasibleProblem",
    "MalformedProblem",
    "ScenarioRow",
    "check_plan",
    "compare_scenarios",
    "locate",
    "parse_orlib",
    "plan_cost",
    "write_orlib",
]
