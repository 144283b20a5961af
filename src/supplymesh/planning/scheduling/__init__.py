"""Job-shop scheduling engine: problem, parameters, CP-SAT solvers, results and a checker.

Pure: plain frozen dataclasses in, a :class:`ScheduleResult` out; no database, no HTTP.
"""

from supplymesh.planning.scheduling.check import check_schedule
from supplymesh.planning.scheduling.params import SchedulingParams
from supplymesh.planning.scheduling.problem import JobShopProblem, Operation, parse_standard
from supplymesh.planning.scheduling.result import ScheduleResult
from supplymesh.planning.scheduling.solve import schedule

__all__ = [
    "JobShopProblem",
    "Operation",
    "ScheduleResult",
    "SchedulingParams",
    "check_schedule",
    "parse_standard",
    "schedule",
]
