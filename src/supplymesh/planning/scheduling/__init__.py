"""Scheduling engines: the classic job shop (tabu search + CP-SAT) and the APS problem
(flexible routing, setups, calendars, due dates, frozen horizon, breakdown repair).

Pure: plain frozen dataclasses in, results out; no database, no HTTP.
"""

from supplymesh.planning.scheduling.aps_check import check_aps
from supplymesh.planning.scheduling.aps_problem import (
    Alternative,
    ApsJob,
    ApsProblem,
    ApsSchedule,
    Objective,
    Placement,
    Task,
)
from supplymesh.planning.scheduling.aps_solve import ApsResult, solve_aps
from supplymesh.planning.scheduling.check import check_schedule
from supplymesh.planning.scheduling.params import SchedulingParams
from supplymesh.planning.scheduling.problem import JobShopProblem, Operation, parse_standard
from supplymesh.planning.scheduling.repair import Unrepairable, freeze, repair
from supplymesh.planning.scheduling.result import ScheduleResult
from supplymesh.planning.scheduling.solve import schedule

__all__ = [
    "Alternative",
    "ApsJob",
    "ApsProblem",
    "ApsResult",
    "ApsSchedule",
    "JobShopProblem",
    "Objective",
    "Operation",
    "Placement",
    "ScheduleResult",
    "SchedulingParams",
    "Task",
    "Unrepairable",
    "check_aps",
    "check_schedule",
    "freeze",
    "parse_standard",
    "repair",
    "schedule",
    "solve_aps",
]
