"""Order dispatch by area (智能分单): station geofences, address parsing and geocoding.

Pure: fences as GeoJSON and orders in, one :class:`Assignment` with a reason per order out;
no database, no HTTP. Coordinates are WGS-84 throughout: callers convert GCJ-02 first.
"""

from supplymesh.planning.dispatch.address import ParsedAddress, parse_address
from supplymesh.planning.dispatch.geocode import Geocode, Geocoder, KnownSite, MatchLevel
from supplymesh.planning.dispatch.params import DispatchParams, TieBreak
from supplymesh.planning.dispatch.problem import (
    DispatchOrder,
    DispatchProblem,
    Fence,
    InputProblem,
    InvalidDispatchInput,
)
from supplymesh.planning.dispatch.result import Assignment, AssignStatus, DispatchResult
from supplymesh.planning.dispatch.solve import assign_orders

__all__ = [
    "AssignStatus",
    "Assignment",
    "DispatchOrder",
    "DispatchParams",
    "DispatchProblem",
    "DispatchResult",
    "Fence",
    "Geocode",
    "Geocoder",
    "InputProblem",
    "InvalidDispatchInput",
    "KnownSite",
    "MatchLevel",
    "ParsedAddress",
    "TieBreak",
    "assign_orders",
    "parse_address",
]
