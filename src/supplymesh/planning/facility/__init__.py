"""Network design engine: capacitated facility location on HiGHS.

Pure: a :class:`FacilityProblem` (numpy arrays) in, a :class:`FacilityResult` out; the
OR-Library reader, a look-alike generator, an independent checker and a scenario table.
"""

from supplymesh.planning.facility.check import check_plan, plan_cost
from supplymesh.planning.facility.orlib import parse_orlib, write_orlib
from supplymesh.planning.facility.params import FacilityParams
from supplymesh.planning.facility.problem import (
    FacilityProblem,
    InfeasibleProblem,
    MalformedProblem,
)
from supplymesh.planning.facility.result import FacilityResult, FacilityStatus
from supplymesh.planning.facility.scenarios import ScenarioRow, compare_scenarios
from supplymesh.planning.facility.solve import locate

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
