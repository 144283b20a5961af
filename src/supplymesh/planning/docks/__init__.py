"""Logistics-park docks and queues (月台预约, 排队叫号): plan, re-plan, call the next truck.

Pure: docks and booked trucks in, a :class:`DockPlan` out; no database, no HTTP.
"""

from supplymesh.planning.docks.check import check_plan
from supplymesh.planning.docks.params import DockParams
from supplymesh.planning.docks.problem import Dock, DockProblem, InvalidDockInput, Pinned, Truck
from supplymesh.planning.docks.queue import call_next, queue_place
from supplymesh.planning.docks.result import DockPlan, DockVisit, PlanStatus, QueuePlace
from supplymesh.planning.docks.solve import TruckAlreadyStarted, plan_docks, replan

__all__ = [
    "Dock",
    "DockParams",
    "DockPlan",
    "DockProblem",
    "DockVisit",
    "InvalidDockInput",
    "Pinned",
    "PlanStatus",
    "QueuePlace",
    "Truck",
    "TruckAlreadyStarted",
    "call_next",
    "check_plan",
    "plan_docks",
    "queue_place",
    "replan",
]
