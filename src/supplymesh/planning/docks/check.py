"""An independent feasibility check of a dock plan, sharing no code with the planner."""

from __future__ import annotations

import itertools
import math

from supplymesh.planning.docks.problem import DockProblem
from supplymesh.planning.docks.result import DockPlan


def check_plan(problem: DockProblem, plan: DockPlan) -> list[str]:
    """Every violated rule as a sentence; an empty list means the plan is feasible.

    Checks: every truck served exactly once, at a dock that exists, offers what the load
    needs and takes its size; each visit lasts docking plus handling time; nobody starts
    before arriving (or before "now", unless pinned); pinned work is unmoved; no two visits
    overlap on a dock; reported waiting, lateness and totals match the times.
    """
    found: list[str] = []
    docks = {d.code: d for d in problem.docks}
    trucks = {t.id: t for t in problem.trucks}
    pins = {p.truck_id: p for p in problem.pinned}
    served = [v.truck_id for v in plan.visits]
    for tid in sorted(set(trucks) - set(served)):
        found.append(f"truck {tid} is not served")
    for tid in sorted({t for t in served if served.count(t) > 1}):
        found.append(f"truck {tid} is served {served.count(tid)} times")
    for v in plan.visits:
        truck, dock = trucks.get(v.truck_id), docks.get(v.dock)
        if truck is None or dock is None:
            found.append(f"visit {v.truck_id}@{v.dock} names an unknown truck or dock")
            continue
        if not truck.needs <= dock.capabilities:
            found.append(f"truck {v.truck_id} needs {sorted(truck.needs)}; dock {v.dock} lacks it")
        if dock.max_pallets is not None and truck.pallets > dock.max_pallets:
            found.append(f"truck {v.truck_id}: {truck.pallets} pallets > dock {v.dock} maximum")
        length = dock.docking_min + math.ceil(truck.pallets * dock.minutes_per_pallet)
        if v.end - v.start != length:
            found.append(f"truck {v.truck_id}: visit lasts {v.end - v.start}, should be {length}")
        arrival = truck.window_start if truck.eta is None else truck.eta
        pin = pins.get(v.truck_id)
        if pin is not None:
            if (pin.dock, pin.start) != (v.dock, v.start):
                found.append(f"truck {v.truck_id}: pinned to {pin.dock}@{pin.start}, moved")
        elif v.start < max(arrival, problem.not_before):
            found.append(f"truck {v.truck_id}: starts at {v.start} before it may ({arrival})")
        if v.wait_min != max(0, v.start - arrival):
            found.append(f"truck {v.truck_id}: waiting reported {v.wait_min}")
        if v.late_min != max(0, v.start - truck.window_end):
            found.append(f"truck {v.truck_id}: lateness reported {v.late_min}")
    for code in docks:
        spans = sorted((v.start, v.end, v.truck_id) for v in plan.visits if v.dock == code)
        for (_s1, e1, t1), (s2, _e2, t2) in itertools.pairwise(spans):
            if s2 < e1:
                found.append(f"dock {code}: truck {t1} overlaps truck {t2}")
    if plan.total_wait_min != sum(v.wait_min for v in plan.visits):
        found.append("total waiting differs from the sum of visits")
    if plan.total_late_min != sum(v.late_min for v in plan.visits):
        found.append("total lateness differs from the sum of visits")
    return found
