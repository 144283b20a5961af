"""Use cases of the logistics context, named in one place for the API, the CLI and the web.

Dispatch reads the caller's sites through its unit of work. Dock plans come two ways: as a
pure computation (`plan`, `replan_late`: the caller keeps the plan) or stored as the park's
plan in force (`create_plan` …), which queue calling and the driver's status page need.
"""

from __future__ import annotations

from supplymesh.logistics.dispatch import dispatch, parse_addresses
from supplymesh.logistics.docks import plan, replan_late
from supplymesh.logistics.park import (
    call_next_truck,
    create_plan,
    get_plan,
    list_plans,
    replan_stored,
    truck_status,
    truck_status_by_link,
)

__all__ = [
    "call_next_truck",
    "create_plan",
    "dispatch",
    "get_plan",
    "list_plans",
    "parse_addresses",
    "plan",
    "replan_late",
    "replan_stored",
    "truck_status",
    "truck_status_by_link",
]
