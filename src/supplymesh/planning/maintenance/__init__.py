"""Remaining-useful-life engine for run-to-failure sensor series (C-MAPSS style).

Pure: arrays in, predictions out; no database, no HTTP.
"""

from supplymesh.planning.maintenance.metrics import nasa_score, rmse
from supplymesh.planning.maintenance.params import RulParams
from supplymesh.planning.maintenance.problem import FleetSeries, RulProblem, read_cmapss
from supplymesh.planning.maintenance.result import RulResult
from supplymesh.planning.maintenance.solve import predict_rul

__all__ = [
    "FleetSeries",
    "RulParams",
    "RulProblem",
    "RulResult",
    "nasa_score",
    "predict_rul",
    "read_cmapss",
    "rmse",
]
